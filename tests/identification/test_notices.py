"""The 公示 of the procedure in seed 002's order (第三步 组公示, 第四步 村公示, 四(二) 乡镇公示 and 县公告): periods,
closing, objections at each level and what an upheld objection does; and the component itself, which does
not know what it publishes."""

from __future__ import annotations

import datetime

import pytest
from django.http import Http404

from identification import services
from identification.choices import NoticeLevel, ObjectionOutcome, State
from identification.models import Application
from identification.selectors import notice_levels
from identification.transitions import WorkflowError
from notices import registry
from notices import services as notice_services
from notices.models import Entry, Notice, Objection
from notices.services import NoticeError
from tests.identification.flow import last_event, make_household

pytestmark = pytest.mark.django_db


@pytest.fixture
def recommended(flow):
    return flow.advance([flow.new(), flow.new()], State.RECOMMENDED)


def test_a_notice_shorter_than_the_rounds_period_is_refused(flow, recommended):
    today = flow.calendar.today
    with pytest.raises(NoticeError) as refused:
        services.notice_publish(
            round=flow.round,
            level=NoticeLevel.GROUP,
            area=flow.tree.dazhai,
            actor=flow.users.alice,
            starts_on=today,
            ends_on=today + datetime.timedelta(days=6),
            issuing_body="大寨组",
            complaint_phone="0874-5555555",
            applications=recommended,
        )
    assert refused.value.code == "period_too_short"
    assert (
        str(refused.value)
        == f"公示期不得少于 7 天:自 {today} 起,结束日期最早为 {today + datetime.timedelta(days=7)}。"
    )


def test_a_notice_cannot_start_in_the_past(flow, recommended):
    with pytest.raises(NoticeError, match="公示开始日期不能早于今天"):
        services.notice_publish(
            round=flow.round,
            level=NoticeLevel.GROUP,
            area=flow.tree.dazhai,
            actor=flow.users.alice,
            starts_on=flow.calendar.today - datetime.timedelta(days=1),
            ends_on=flow.calendar.today + datetime.timedelta(days=10),
            issuing_body="大寨组",
            complaint_phone="0874-5555555",
            applications=recommended,
        )


def test_disanbu_the_group_notice_lists_only_the_groups_recommendations(flow, recommended):
    other = flow.new()
    with pytest.raises(WorkflowError, match="不能列入村民小组公示:户 .* 当前为“已申报”"):
        flow.notice([*recommended, other], NoticeLevel.GROUP)


def test_disanbu_gongshi_wu_yiyi_hou_shangbao_cunweihui(flow, recommended):
    """第三步 "公示无异议后上报村委会": the 村委会 cannot review before the group notice closes."""
    notice = flow.notice(recommended, NoticeLevel.GROUP)
    assert last_event(notice, "notice.published").new["entries"] == [a.household.number for a in recommended]
    with pytest.raises(WorkflowError, match="不能在村委会评议会议"):
        flow.review(recommended)
    flow.calendar.today = notice.ends_on
    with pytest.raises(NoticeError) as refused:
        services.notice_close(notice=notice, actor=flow.users.alice)
    assert refused.value.code == "notice_running"
    assert str(refused.value) == (
        f"公示期至 {notice.ends_on} 止,期满后(自 {notice.ends_on + datetime.timedelta(days=1)} 起)才能结束公示。"
    )
    flow.calendar.today = notice.ends_on + datetime.timedelta(days=1)
    standing = services.notice_close(notice=notice, actor=flow.users.alice)
    assert [e.subject_id for e in standing] == [a.pk for a in recommended]
    notice.refresh_from_db()
    assert notice.status == Notice.Status.CLOSED
    assert last_event(notice, "notice.closed").actor == flow.users.alice
    assert {a.state for a in Application.objects.filter(pk__in=[a.pk for a in recommended])} == {
        State.GROUP_PUBLICIZED
    }
    assert last_event(recommended[0], "application.group_notice_passed").new == {
        "state": "group_done",
        "notice": notice.pk,
    }
    assert notice_levels([recommended[0].pk]) == {recommended[0].pk: {"group": "closed"}}
    flow.review(recommended)


def test_disibu_the_village_notice_comes_after_the_survey_and_lists_only_the_eligible(flow):
    eligible, ineligible = flow.advance([flow.new(), flow.new()], State.REVIEWED)
    flow.survey(eligible, wage="3000")  # 1,000 each: below the 扶贫 line
    flow.survey(ineligible, wage="9000")  # 3,000 each: above it
    assert Application.objects.get(pk=ineligible.pk).state == State.REJECTED
    assert [
        a.pk
        for a in services.publishable(flow.round, NoticeLevel.VILLAGE, flow.tree.shanlong, flow.users.alice)
    ] == [eligible.pk]
    with pytest.raises(WorkflowError, match="当前为“不予认定”"):
        flow.notice([eligible, ineligible], NoticeLevel.VILLAGE)
    flow.close(flow.notice([eligible], NoticeLevel.VILLAGE))
    assert Application.objects.get(pk=eligible.pk).state == State.VILLAGE_PUBLICIZED


def test_open_objections_keep_a_notice_open_until_handled(flow, recommended):
    notice = flow.notice(recommended, NoticeLevel.GROUP)
    objection = services.objection_record(
        notice=notice,
        application=recommended[0],
        actor=flow.users.alice,
        content="该户儿子在县城有稳定工作",
        complainant="",
    )
    assert last_event(objection, "objection.recorded").reason == "该户儿子在县城有稳定工作"
    flow.calendar.today = notice.ends_on + datetime.timedelta(days=1)
    with pytest.raises(NoticeError, match="尚有 1 条异议未核实处理,不能结束公示") as refused:
        services.notice_close(notice=notice, actor=flow.users.alice)
    assert refused.value.code == "open_objections"

    services.objection_handle(
        objection=objection, actor=flow.users.alice, upheld=False, note="经核实其子为临时务工,无稳定收入"
    )
    objection.refresh_from_db()
    assert objection.status == Objection.Status.DISMISSED
    event = last_event(objection, "objection.dismissed")
    assert (event.actor, event.reason) == (flow.users.alice, "经核实其子为临时务工,无稳定收入")
    services.notice_close(notice=notice, actor=flow.users.alice)
    assert Application.objects.get(pk=recommended[0].pk).state == State.GROUP_PUBLICIZED


def test_an_upheld_objection_on_the_village_notice_sends_it_back_and_off_every_notice(flow):
    apps = flow.advance([flow.new(), flow.new()], State.SURVEYED)
    notice = flow.notice(apps, NoticeLevel.VILLAGE)
    objection = services.objection_record(
        notice=notice,
        application=apps[0],
        actor=flow.users.alice,
        content="家庭收入未如实申报",
        complainant="张三",
    )
    services.objection_handle(
        objection=objection,
        actor=flow.users.alice,
        upheld=True,
        note="核实属实,重新评议",
        outcome=ObjectionOutcome.REEVALUATE,
    )
    application = Application.objects.get(pk=apps[0].pk)
    assert application.state == State.SUBMITTED
    assert not Entry.objects.filter(subject_id=application.pk, struck=False).exists()
    event = last_event(application, "application.sent_back")
    assert (event.old, event.new, event.reason) == (
        {"state": "surveyed"},
        {"state": "submitted"},
        "村委会公示异议成立:核实属实,重新评议",
    )
    with pytest.raises(NoticeError, match="该异议已处理"):
        services.objection_handle(objection=objection, actor=flow.users.alice, upheld=False, note="x")
    with pytest.raises(WorkflowError, match="该户不在这份公示名单上"):
        services.objection_record(
            notice=notice, application=application, actor=flow.users.alice, content="又一条"
        )
    # The other household passes the village notice when it closes.
    standing = flow.close(notice)
    assert [e.subject_id for e in standing] == [apps[1].pk]
    assert Application.objects.get(pk=apps[1].pk).state == State.VILLAGE_PUBLICIZED


def test_upheld_objection_on_the_township_notice_is_the_townships_and_may_reject(flow):
    apps = flow.advance([flow.new(), flow.new()], State.VERIFIED)
    notice = flow.notice(apps, NoticeLevel.TOWNSHIP)
    with pytest.raises(Http404):  # a village cadre does not see the township's notice
        services.objection_record(
            notice=notice, application=apps[1], actor=flow.users.alice, content="家有小轿车"
        )
    objection = services.objection_record(
        notice=notice, application=apps[1], actor=flow.users.carol, content="家有小轿车"
    )
    with pytest.raises(NoticeError, match="异议成立时请选择处理结果"):
        services.objection_handle(objection=objection, actor=flow.users.carol, upheld=True, note="属实")
    services.objection_handle(
        objection=objection,
        actor=flow.users.carol,
        upheld=True,
        note="核实家有小轿车一辆",
        outcome=ObjectionOutcome.REJECT,
    )
    rejected = Application.objects.get(pk=apps[1].pk)
    assert (rejected.state, rejected.rejection_reason) == (
        State.REJECTED,
        "乡镇公示异议成立:核实家有小轿车一辆",
    )
    assert last_event(objection, "objection.upheld").new == {"status": "upheld", "outcome": "reject"}
    standing = flow.close(notice)
    assert [e.subject_id for e in standing] == [apps[0].pk]
    assert Application.objects.get(pk=apps[0].pk).state == State.PUBLICIZED


def test_no_objection_on_a_closed_notice_and_no_second_notice_of_a_level(flow, recommended):
    notice = flow.notice(recommended, NoticeLevel.GROUP)
    with pytest.raises(WorkflowError, match="不能列入村民小组公示"):
        flow.notice(recommended[:1], NoticeLevel.GROUP)
    flow.close(notice)
    with pytest.raises(NoticeError, match="该公示已结束,不能再登记异议"):
        services.objection_record(
            notice=notice, application=recommended[0], actor=flow.users.alice, content="迟到"
        )
    with pytest.raises(NoticeError, match="该公示已经结束"):
        services.notice_close(notice=notice, actor=flow.users.alice)


def test_a_cadre_of_another_village_cannot_see_the_notice(flow, recommended):
    notice = flow.notice(recommended, NoticeLevel.GROUP)
    with pytest.raises(Http404):
        services.objection_record(
            notice=notice, application=recommended[0], actor=flow.users.bob, content="x"
        )
    with pytest.raises(Http404):
        services.notice_close(notice=notice, actor=flow.users.bob)


def test_siere_each_bureau_announces_its_own_results_and_objections_do_not_undo_a_decision(flow):
    """四(二) "县扶贫办、县民政局要及时向社会公布…审批结果": a 县级公告 per bureau after its decisions."""
    [cross] = flow.advance([flow.new(dibao=True)], State.PUBLICIZED, wage="1200")
    flow.county_checks()
    services.application_decide(application=cross, actor=flow.users.fupin, confirm=True)
    county = flow.tree.county
    today = flow.calendar.today
    announce = dict(
        round=flow.round, level=NoticeLevel.COUNTY, area=county, starts_on=today,
        ends_on=today + datetime.timedelta(days=7), issuing_body="师宗县扶贫办", complaint_phone="0874-12317",
    )  # fmt: skip
    with pytest.raises(WorkflowError, match="当前为“乡镇公示完毕”或已在公示中"):
        # 民政 has not decided yet: nothing of its own to announce.
        services.notice_publish(**announce, actor=flow.users.minzheng, applications=[cross])
    notice = services.notice_publish(**announce, actor=flow.users.fupin, applications=[cross])
    assert notice.kind == "identification.county_fupin"
    assert notice.entries.get().row[-2:] == ["扶贫", "认定"]
    objection = services.objection_record(
        notice=notice, application=cross, actor=flow.users.fupin, content="x"
    )
    services.objection_handle(
        objection=objection, actor=flow.users.fupin, upheld=True, note="转动态调整复核", outcome="recheck"
    )
    assert Application.objects.get(pk=cross.pk).fupin_decision == "confirmed"


def test_the_component_does_not_know_what_it_publishes(flow):
    """Any app registers a kind of notice; the component calls it back on close and on an upheld objection."""
    calls = []
    registry.register(
        registry.Publisher(
            kind="test.households",
            label="测试公示",
            area_level="village",
            publish_roles=frozenset({"village_cadre"}),
            handle_roles=frozenset({"village_cadre"}),
            columns=("户编号",),
            outcomes={"drop": "撤下"},
            on_upheld=lambda objection, actor: calls.append(("upheld", objection.entry.key)),
            on_closed=lambda notice, standing, actor: calls.append(("closed", [e.key for e in standing])),
        )
    )
    households = [make_household(flow.tree.dazhai), make_household(flow.tree.xiaozhai)]
    today = flow.calendar.today
    notice = notice_services.notice_publish(
        kind="test.households", area=flow.tree.shanlong, actor=flow.users.alice,
        subjects=[notice_services.Subject(obj=h, area_code=h.group.code, key=h.number, row=[h.number]) for h in households],
        starts_on=today, ends_on=today + datetime.timedelta(days=5), issuing_body="山龙村", complaint_phone="1",
        title="", min_days=5,
    )  # fmt: skip
    objection = notice_services.objection_record(
        notice=notice,
        entry=notice.entries.get(key=households[0].number),
        actor=flow.users.alice,
        content="异议",
    )
    notice_services.objection_handle(
        objection=objection, actor=flow.users.alice, upheld=True, note="属实", outcome="drop"
    )
    flow.calendar.today = notice.ends_on + datetime.timedelta(days=1)
    notice_services.notice_close(notice=notice, actor=flow.users.alice)
    assert calls == [("upheld", households[0].number), ("closed", [households[1].number])]
