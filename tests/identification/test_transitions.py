"""The transition table, and each forbidden move refused with a message that says what is wrong."""

from __future__ import annotations

import datetime
import re
from decimal import Decimal

import pytest

from accounts.models import Role
from identification import rules, services
from identification.choices import FINAL_STATES, MeetingKind, NoticeLevel, State
from identification.models import Application, Quota, Round
from identification.transitions import TRANSITIONS, WorkflowError, check_move, next_states
from tests.factories import UserFactory
from tests.identification.flow import last_event

ALLOWED = [
    (State.SUBMITTED, State.RECOMMENDED, Role.VILLAGE_CADRE),
    (State.SUBMITTED, State.WITHDRAWN, Role.VILLAGE_CADRE),
    (State.RECOMMENDED, State.GROUP_PUBLICIZED, Role.VILLAGE_CADRE),
    (State.GROUP_PUBLICIZED, State.REVIEWED, Role.VILLAGE_CADRE),
    (State.REVIEWED, State.SURVEYED, Role.TOWNSHIP_OFFICIAL),
    (State.REVIEWED, State.REJECTED, Role.VILLAGE_CADRE),
    (State.SURVEYED, State.VILLAGE_PUBLICIZED, Role.VILLAGE_CADRE),
    (State.SURVEYED, State.SUBMITTED, Role.TOWNSHIP_OFFICIAL),
    (State.VILLAGE_PUBLICIZED, State.VERIFIED, Role.TOWNSHIP_OFFICIAL),
    (State.VERIFIED, State.PUBLICIZED, Role.TOWNSHIP_OFFICIAL),
    (State.VERIFIED, State.SUBMITTED, Role.TOWNSHIP_OFFICIAL),
    (State.PUBLICIZED, State.CONFIRMED, Role.COUNTY_FUPIN),
    (State.PUBLICIZED, State.CONFIRMED, Role.COUNTY_MINZHENG),
    (State.PUBLICIZED, State.REJECTED, Role.COUNTY_MINZHENG),
    (State.PUBLICIZED, State.WITHDRAWN, Role.VILLAGE_CADRE),
]

FORBIDDEN = [
    # (from, to, role, code)
    (State.SUBMITTED, State.RECOMMENDED, Role.TOWNSHIP_OFFICIAL, "wrong_role"),
    (State.SUBMITTED, State.SURVEYED, Role.VILLAGE_CADRE, "wrong_state"),
    (State.SUBMITTED, State.CONFIRMED, Role.COUNTY_FUPIN, "wrong_state"),
    (State.RECOMMENDED, State.REVIEWED, Role.VILLAGE_CADRE, "wrong_state"),  # the group notice comes first
    (State.GROUP_PUBLICIZED, State.REVIEWED, Role.COUNTY_FUPIN, "wrong_role"),
    (State.SURVEYED, State.VERIFIED, Role.TOWNSHIP_OFFICIAL, "wrong_state"),  # the village notice comes first
    (State.VILLAGE_PUBLICIZED, State.VERIFIED, Role.VILLAGE_CADRE, "wrong_role"),
    (State.VERIFIED, State.PUBLICIZED, Role.VILLAGE_CADRE, "wrong_role"),
    (State.VERIFIED, State.CONFIRMED, Role.COUNTY_FUPIN, "wrong_state"),
    (State.PUBLICIZED, State.CONFIRMED, Role.TOWNSHIP_OFFICIAL, "wrong_role"),
    (State.PUBLICIZED, State.WITHDRAWN, Role.COUNTY_FUPIN, "wrong_role"),
    (State.CONFIRMED, State.WITHDRAWN, Role.VILLAGE_CADRE, "wrong_state"),
    (State.REJECTED, State.SUBMITTED, Role.TOWNSHIP_OFFICIAL, "wrong_state"),
    (State.WITHDRAWN, State.SUBMITTED, Role.VILLAGE_CADRE, "wrong_state"),
]


@pytest.mark.parametrize(("current", "target", "role"), ALLOWED)
def test_allowed_moves(current, target, role):
    check_move(current, target, UserFactory.build(role=role))


@pytest.mark.parametrize(("current", "target", "role", "code"), FORBIDDEN)
def test_forbidden_moves_say_why(current, target, role, code):
    with pytest.raises(WorkflowError) as refused:
        check_move(current, target, UserFactory.build(role=role))
    assert refused.value.code == code
    assert str(State(current).label) in str(refused.value)
    if code == "wrong_role":
        assert "只能由" in str(refused.value)


def test_every_state_is_in_the_table_and_final_states_lead_nowhere():
    assert set(TRANSITIONS) == set(State)
    assert all(not TRANSITIONS[s] for s in FINAL_STATES)
    # The applicant may withdraw from every state that is not final.
    assert all(State.WITHDRAWN in TRANSITIONS[s] for s in set(State) - FINAL_STATES)


def test_next_states_are_what_a_screen_offers_the_role():
    cadre = UserFactory.build(role=Role.VILLAGE_CADRE)
    assert next_states(State.SUBMITTED, cadre) == [State.RECOMMENDED, State.REJECTED, State.WITHDRAWN]
    assert next_states(State.PUBLICIZED, UserFactory.build(role=Role.COUNTY_FUPIN)) == [
        State.CONFIRMED,
        State.REJECTED,
    ]


# --- the services refuse, with the same messages ---------------------------------------------------

pytestmark_db = pytest.mark.django_db


@pytestmark_db
def test_township_official_cannot_recommend_for_the_group(flow):
    application = flow.new()
    meeting = flow.group_meeting([application])
    with pytest.raises(WorkflowError, match="只能由村级录入员办理") as refused:
        services.application_recommend(application=application, actor=flow.users.carol, meeting=meeting)
    assert refused.value.code == "wrong_role"
    assert Application.objects.get(pk=application.pk).state == State.SUBMITTED
    assert last_event(application, "application.recommended") is None


@pytestmark_db
def test_cadre_of_another_village_gets_not_found(flow):
    application = flow.new()
    with pytest.raises(services.NotInScope, match="不在您的管辖区域内"):
        services.application_withdraw(application=application, actor=flow.users.bob, reason="搬迁")
    # The township of another township too: outside the area is the same as missing.
    with pytest.raises(services.NotInScope):
        services.application_reject(application=application, actor=flow.users.dave, reason="x")
    with pytest.raises(services.NotInScope):
        services.application_withdraw(application=Application(pk=10**9), actor=flow.users.alice, reason="x")


@pytestmark_db
def test_survey_before_review_is_refused_as_wrong_state(flow):
    [application] = flow.advance([flow.new()], State.RECOMMENDED)
    with pytest.raises(WorkflowError, match="当前状态为“组评议推荐”,不能变更为“已入户调查”") as refused:
        flow.survey(application)
    assert refused.value.code == "wrong_state"


@pytestmark_db
def test_recommending_past_the_group_quota_is_refused_until_the_county_raises_it(flow):
    t = flow.tree
    services.quota_set(
        round=flow.round, area=t.xiaozhai, persons=5, actor=flow.users.fupin, reason="初次下达"
    )
    first = flow.new(t.xiaozhai, persons=3)
    second = flow.new(t.xiaozhai, persons=3)
    meeting = flow.group_meeting([first, second])
    services.application_recommend(application=first, actor=flow.users.alice, meeting=meeting)

    with pytest.raises(WorkflowError) as refused:
        services.application_recommend(application=second, actor=flow.users.alice, meeting=meeting)
    assert refused.value.code == "over_quota"
    assert str(refused.value) == (
        "超出“小寨组”的规模控制指标:指标 5 人,已占用 3 人,本户 3 人。如确需增加,请乡镇或县扶贫办调整指标。"
    )

    # A village cannot raise its own figure (the county, or the township for its groups, can).
    with pytest.raises(WorkflowError, match="只能由县扶贫办、乡镇审核员办理"):
        services.quota_set(round=flow.round, area=t.xiaozhai, persons=6, actor=flow.users.alice)
    quota = services.quota_set(
        round=flow.round, area=t.xiaozhai, persons=6, actor=flow.users.fupin, reason="追加"
    )
    assert last_event(quota, "quota.set").old == {"persons": 5}
    services.application_recommend(application=second, actor=flow.users.alice, meeting=meeting)
    event = last_event(second, "application.recommended")
    assert event.new["quota"][t.xiaozhai.code] == {"quota": 6, "used": 6}


@pytestmark_db
def test_a_township_quota_also_binds_and_withdrawn_households_free_their_places(flow):
    t = flow.tree
    # A township's groups may not hold more than the township (quota control): 大寨组 takes all 4.
    Quota.objects.filter(round=flow.round, area__in=[t.xiaozhai, t.xincun]).delete()
    services.quota_set(round=flow.round, area=t.dazhai, persons=4, actor=flow.users.fupin)
    services.quota_set(round=flow.round, area=t.danfeng, persons=4, actor=flow.users.fupin)
    first, second = flow.new(persons=3), flow.new(persons=2)
    meeting = flow.group_meeting([first, second])
    services.application_recommend(application=first, actor=flow.users.alice, meeting=meeting)
    with pytest.raises(WorkflowError, match="超出“丹凤镇”的规模控制指标:指标 4 人,已占用 3 人"):
        services.application_recommend(application=second, actor=flow.users.alice, meeting=meeting)

    services.application_withdraw(application=first, actor=flow.users.alice, reason="户主外出务工,自愿撤回")
    services.application_recommend(application=second, actor=flow.users.alice, meeting=meeting)
    assert last_event(first, "application.withdrawn").reason == "户主外出务工,自愿撤回"


@pytestmark_db
def test_ranked_recommendation_fills_the_quota_in_vote_order(flow):
    t = flow.tree
    services.quota_set(round=flow.round, area=t.xiaozhai, persons=6, actor=flow.users.fupin)
    apps = [flow.new(t.xiaozhai, persons=3) for _ in range(3)]
    meeting = services.meeting_record(
        round=flow.round,
        area=t.xiaozhai,
        kind=MeetingKind.GROUP,
        actor=flow.users.alice,
        held_on=flow.calendar.today,
        attendance=30,
        votes=[
            services.VoteInput(apps[0], 18, 12),
            services.VoteInput(apps[1], 25, 5),
            services.VoteInput(apps[2], 20, 10),
        ],
    )
    outcome = services.meeting_recommend_ranked(meeting=meeting, actor=flow.users.alice)
    assert [a.pk for a in outcome.recommended] == [apps[1].pk, apps[2].pk]
    assert [a.pk for a, _ in outcome.left_out] == [apps[0].pk]
    assert "超出“小寨组”的规模控制指标" in outcome.left_out[0][1]


@pytestmark_db
def test_a_vote_without_majority_cannot_recommend(flow):
    application = flow.new()
    meeting = flow.group_meeting([application], votes_for=15, attendance=30)
    with pytest.raises(WorkflowError, match=re.escape("未获过半数赞成(赞成 15 票,到会 30)")):
        services.application_recommend(application=application, actor=flow.users.alice, meeting=meeting)


@pytestmark_db
def test_no_recommendation_without_a_quota_for_the_group(flow):
    from identification.models import Quota

    Quota.objects.filter(area=flow.tree.dazhai).delete()
    application = flow.new()
    meeting = flow.group_meeting([application])
    with pytest.raises(WorkflowError, match="“大寨组”的规模控制指标尚未下达"):
        services.application_recommend(application=application, actor=flow.users.alice, meeting=meeting)


@pytestmark_db
def test_a_closed_round_refuses_every_change(flow):
    application = flow.new()
    services.round_close(round=flow.round, actor=flow.users.fupin, reason="年度工作结束")
    assert last_event(flow.round, "round.closed").actor == flow.users.fupin

    with pytest.raises(WorkflowError, match="识别批次“2012年贫困识别”已关闭,不能再作任何修改。") as refused:
        services.application_withdraw(application=application, actor=flow.users.alice, reason="x")
    assert refused.value.code == "round_closed"
    with pytest.raises(WorkflowError, match="已关闭"):
        flow.new()
    with pytest.raises(WorkflowError, match="已关闭"):
        services.quota_set(round=flow.round, area=flow.tree.dazhai, persons=99, actor=flow.users.fupin)


@pytestmark_db
def test_round_rates_below_the_minimum_are_refused(users, county_tree):
    with pytest.raises(WorkflowError, match="乡镇抽查比例不得低于20%"):
        services.round_create(
            actor=users.fupin,
            year=2013,
            name="2013年动态调整",
            poverty_line=Decimal("2736"),
            dibao_line=Decimal("1700"),
            township_sample_rate=Decimal("0.1"),
        )
    with pytest.raises(WorkflowError, match="县级抽查比例不得低于5%"):
        services.round_create(
            actor=users.fupin,
            year=2013,
            name="2013年动态调整",
            poverty_line=Decimal("2736"),
            dibao_line=Decimal("1700"),
            county_sample_rate=Decimal("0.04"),
        )
    round = services.round_create(
        actor=users.fupin,
        year=2013,
        name="2013年动态调整",
        poverty_line=Decimal("2736"),
        dibao_line=Decimal("1700"),
    )
    assert (round.township_sample_rate, round.county_sample_rate, round.notice_days) == (
        Decimal("0.20"),
        Decimal("0.05"),
        7,
    )
    assert last_event(round, "round.created").new["poverty_line"] == "2736"


@pytestmark_db
def test_the_database_refuses_rates_below_the_minimum_too(county_tree):
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        Round.objects.create(
            year=2013, name="x", poverty_line=1, dibao_line=1, township_sample_rate=Decimal("0.19")
        )


@pytestmark_db
def test_application_needs_a_program_and_its_evidence(flow):
    from tests.identification.flow import make_household

    household = make_household(flow.tree.dazhai)
    common = dict(
        round=flow.round,
        household=household,
        actor=flow.users.alice,
        declared=dict.fromkeys(rules.SURVEY_QUESTIONS, False),
    )
    with pytest.raises(WorkflowError, match="请至少选择申请扶贫或低保中的一项"):
        services.application_submit(
            **common, wants_fupin=False, wants_dibao=False, origin="nominated", nomination_reason="x"
        )
    with pytest.raises(WorkflowError, match="须填写申请日期并上传签名申请书"):
        services.application_submit(
            **common,
            wants_fupin=True,
            wants_dibao=False,
            origin="applied",
            applied_on=datetime.date(2012, 9, 1),
        )
    with pytest.raises(WorkflowError, match="村民小组提名必须填写理由"):
        services.application_submit(**common, wants_fupin=True, wants_dibao=False, origin="nominated")
    flow.submit(household)
    with pytest.raises(WorkflowError, match="已有申请,不能重复申报"):
        flow.submit(household)


@pytestmark_db
def test_withdrawal_is_recorded_and_final(flow):
    [application] = flow.advance([flow.new()], State.SURVEYED)
    services.application_withdraw(application=application, actor=flow.users.alice, reason="已在外地落户")
    application.refresh_from_db()
    assert application.state == State.WITHDRAWN
    event = last_event(application, "application.withdrawn")
    assert (event.old, event.new, event.reason) == (
        {"state": "surveyed"},
        {"state": "withdrawn"},
        "已在外地落户",
    )
    with pytest.raises(WorkflowError, match="当前状态为“已撤回”"):
        services.application_withdraw(application=application, actor=flow.users.alice, reason="again")


@pytestmark_db
def test_rejection_before_the_county_needs_a_reason_and_the_right_role(flow):
    [application] = flow.advance([flow.new()], State.VILLAGE_PUBLICIZED)
    with pytest.raises(WorkflowError, match="不予认定必须填写理由"):
        services.application_reject(application=application, actor=flow.users.carol, reason=" ")
    with pytest.raises(WorkflowError, match="只能由乡镇审核员办理"):
        services.application_reject(application=application, actor=flow.users.alice, reason="有轿车")
    services.application_reject(application=application, actor=flow.users.carol, reason="家庭拥有小轿车")
    application.refresh_from_db()
    assert (application.state, application.rejection_reason) == (State.REJECTED, "家庭拥有小轿车")
    assert last_event(application, "application.rejected").actor == flow.users.carol


@pytestmark_db
def test_survey_needs_two_surveyors_and_every_answer(flow):
    [application] = flow.advance([flow.new()], State.REVIEWED)
    base = dict(
        application=application,
        actor=flow.users.alice,
        surveyed_on=flow.calendar.today,
        family_situation="x",
        persons=3,
        income={"wage_income": Decimal("1000")},
        main_cause="缺资金",
    )
    with pytest.raises(WorkflowError, match="至少两名调查人员"):
        services.application_survey(
            **base, surveyors=["李明", " "], answers=dict.fromkeys(rules.SURVEY_QUESTIONS, False)
        )
    with pytest.raises(WorkflowError, match="尚缺:X8 具有其他不符合扶贫开发对象情形"):
        answers = dict.fromkeys(rules.SURVEY_QUESTIONS, False)
        del answers["X8"]
        services.application_survey(**base, surveyors=["李明", "王芳"], answers=answers)


@pytestmark_db
def test_notice_levels_run_in_order(flow):
    """Each 公示 lists the applications of its step only: a recommendation goes on the group notice, not on
    the village's or the township's."""
    [application] = flow.advance([flow.new()], State.RECOMMENDED)
    for level in (NoticeLevel.VILLAGE, NoticeLevel.TOWNSHIP):
        actor = flow.users.carol if level == NoticeLevel.TOWNSHIP else flow.users.alice
        with pytest.raises(WorkflowError, match=f"不能列入{level.label}:户 .* 当前为“组评议推荐”") as refused:
            flow.notice([application], level, actor=actor)
        assert refused.value.code == "wrong_state"
    [application] = flow.advance([flow.new()], State.VERIFIED)
    with pytest.raises(WorkflowError, match="乡镇公示只能由乡镇审核员办理"):
        flow.notice([application], NoticeLevel.TOWNSHIP, actor=flow.users.alice)


@pytestmark_db
def test_the_village_committee_can_send_a_recommendation_back_to_the_group(flow):
    [application] = flow.advance([flow.new()], State.RECOMMENDED)
    with pytest.raises(WorkflowError, match="退回重新评议必须填写理由"):
        services.application_send_back(application=application, actor=flow.users.alice, reason="")
    services.application_send_back(
        application=application, actor=flow.users.alice, reason="村委会评议认为收入情况不清"
    )
    application.refresh_from_db()
    assert application.state == State.SUBMITTED
    event = last_event(application, "application.sent_back")
    assert (event.old, event.new, event.reason) == (
        {"state": "recommended"},
        {"state": "submitted"},
        "村委会评议认为收入情况不清",
    )


@pytestmark_db
def test_a_household_without_members_cannot_apply(flow):
    from tests.factories import HouseholdFactory

    with pytest.raises(WorkflowError, match="尚未登记家庭成员"):
        flow.submit(HouseholdFactory(group=flow.tree.dazhai))


@pytestmark_db
def test_a_cadre_cannot_record_a_meeting_of_another_village_or_more_votes_than_present(flow):
    application = flow.new()
    with pytest.raises(services.NotInScope):
        services.meeting_record(
            round=flow.round, area=flow.tree.dazhai, kind=MeetingKind.GROUP, actor=flow.users.bob,
            held_on=flow.calendar.today, attendance=10, votes=[services.VoteInput(application, 6, 1)],
        )  # fmt: skip
    with pytest.raises(WorkflowError, match="超过到会 10"):
        services.meeting_record(
            round=flow.round, area=flow.tree.dazhai, kind=MeetingKind.GROUP, actor=flow.users.alice,
            held_on=flow.calendar.today, attendance=10, votes=[services.VoteInput(application, 8, 3)],
        )  # fmt: skip
    with pytest.raises(WorkflowError, match="村民小组户主会议应在村民小组召开"):
        services.meeting_record(
            round=flow.round, area=flow.tree.shanlong, kind=MeetingKind.GROUP, actor=flow.users.alice,
            held_on=flow.calendar.today, attendance=10, votes=[services.VoteInput(application, 8, 1)],
        )  # fmt: skip


@pytest.mark.django_db(transaction=True)
def test_two_cadres_recommending_into_the_last_places_at_once_one_is_refused(flow):
    import threading

    from django.db import connection

    from tests.factories import UserFactory

    t = flow.tree
    services.quota_set(round=flow.round, area=t.xiaozhai, persons=3, actor=flow.users.fupin)
    first, second = flow.new(t.xiaozhai, persons=3), flow.new(t.xiaozhai, persons=3)
    meeting = flow.group_meeting([first, second])
    colleague = UserFactory(username="alice2", role=Role.VILLAGE_CADRE, area=t.shanlong)
    barrier = threading.Barrier(2)
    results: list[object] = []

    def recommend(application, user):
        try:
            barrier.wait(timeout=10)
            services.application_recommend(application=application, actor=user, meeting=meeting)
            results.append("ok")
        except WorkflowError as error:
            results.append(error.code)
        finally:
            connection.close()

    threads = [
        threading.Thread(target=recommend, args=(first, flow.users.alice)),
        threading.Thread(target=recommend, args=(second, colleague)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert sorted(results) == ["ok", "over_quota"]
    assert Application.objects.filter(state=State.RECOMMENDED).count() == 1
