"""Scoped reads: each user sees the applications of their own area; the printable lists."""

from __future__ import annotations

import pytest

from identification import selectors, services
from identification.choices import NoticeLevel, State
from tests.identification.flow import make_household

pytestmark = pytest.mark.django_db


def test_each_user_sees_only_the_applications_of_their_area(flow):
    t = flow.tree
    shanlong = flow.new(t.dazhai)
    fazai = flow.submit(make_household(t.xincun), actor=flow.users.bob)
    visible = lambda user: set(selectors.applications_for(user).values_list("pk", flat=True))  # noqa: E731
    assert visible(flow.users.alice) == {shanlong.pk}
    assert visible(flow.users.bob) == {fazai.pk}
    assert visible(flow.users.carol) == {shanlong.pk, fazai.pk}
    assert visible(flow.users.dave) == set()
    assert visible(flow.users.minzheng) == {shanlong.pk, fazai.pk}


def test_quota_usage_counts_recommended_persons_only(flow):
    t = flow.tree
    first, second = flow.new(persons=4), flow.new(persons=2)
    assert selectors.quota_usage(flow.round, t.dazhai) == (30, 0)
    flow.recommend([first])
    assert selectors.quota_usage(flow.round, t.dazhai) == (30, 4)
    assert selectors.quota_usage(flow.round, t.shanlong) == (None, 4)
    assert selectors.state_counts(flow.users.carol, flow.round) == {"recommended": 1, "submitted": 1}
    assert second.state == State.SUBMITTED


def test_the_printed_notice_masks_id_numbers(flow):
    apps = flow.advance([flow.new(dibao=True)], State.VERIFIED, wage="1200")
    notice = flow.notice(apps, NoticeLevel.TOWNSHIP)
    [entry] = notice.entries.all()
    head = apps[0].household.members.get(relation="户主")
    assert notice.columns == ["户编号", "户主姓名", "身份证号", "家庭人口", "乡镇审核意见", "贫困类型"]
    assert entry.row == [
        apps[0].household.number,
        head.name,
        head.id_number[:6] + "********" + head.id_number[-4:],
        "3",
        "拟报县扶贫办审批扶贫;拟报县民政局审批低保",
        "二类:有开发能力的低保户",
    ]
    assert head.id_number not in str(entry.row)


def test_meeting_ranking_is_the_printable_recommended_list(flow):
    apps = [flow.new(), flow.new()]
    meeting = services.meeting_record(
        round=flow.round, area=flow.tree.dazhai, kind="group", actor=flow.users.alice,
        held_on=flow.calendar.today, attendance=20,
        votes=[services.VoteInput(apps[0], 11, 9), services.VoteInput(apps[1], 19, 1)],
    )  # fmt: skip
    assert [(v.application_id, v.rank, v.carried) for v in selectors.meeting_ranking(meeting)] == [
        (apps[1].pk, 1, True),
        (apps[0].pk, 2, True),
    ]


def test_the_county_queue_holds_each_offices_undecided_applications(flow):
    [cross] = flow.advance([flow.new(dibao=True)], State.PUBLICIZED)
    flow.county_check()
    services.application_decide(application=cross, actor=flow.users.fupin, confirm=True)
    assert not selectors.awaiting_decision(flow.users.fupin, flow.round, "fupin").exists()
    assert list(selectors.awaiting_decision(flow.users.minzheng, flow.round, "dibao")) == [cross]
