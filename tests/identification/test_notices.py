"""三级公示: periods, closing, objections and what an upheld objection does."""

from __future__ import annotations

import datetime

import pytest

from identification import services
from identification.choices import NoticeLevel, NoticeStatus, ObjectionOutcome, ObjectionStatus, State
from identification.models import Application, NoticeEntry
from identification.selectors import passed_notice_levels
from identification.transitions import WorkflowError
from tests.identification.flow import last_event

pytestmark = pytest.mark.django_db


@pytest.fixture
def verified(flow):
    return flow.advance([flow.new(), flow.new()], State.VERIFIED)


def test_a_notice_shorter_than_the_rounds_period_is_refused(flow, verified):
    today = flow.calendar.today
    with pytest.raises(WorkflowError) as refused:
        services.notice_publish(
            round=flow.round,
            level=NoticeLevel.GROUP,
            area=flow.tree.dazhai,
            actor=flow.users.alice,
            starts_on=today,
            ends_on=today + datetime.timedelta(days=6),
            issuing_body="大寨组",
            complaint_phone="0874-5555555",
            applications=verified,
        )
    assert refused.value.code == "period_too_short"
    assert (
        str(refused.value)
        == f"公示期不得少于 7 天:自 {today} 起,结束日期最早为 {today + datetime.timedelta(days=7)}。"
    )


def test_a_notice_cannot_start_in_the_past(flow, verified):
    with pytest.raises(WorkflowError, match="公示开始日期不能早于今天"):
        services.notice_publish(
            round=flow.round,
            level=NoticeLevel.GROUP,
            area=flow.tree.dazhai,
            actor=flow.users.alice,
            starts_on=flow.calendar.today - datetime.timedelta(days=1),
            ends_on=flow.calendar.today + datetime.timedelta(days=10),
            issuing_body="大寨组",
            complaint_phone="0874-5555555",
            applications=verified,
        )


def test_only_verified_applications_are_publicized(flow, verified):
    other = flow.new()
    with pytest.raises(WorkflowError, match="当前状态为“已申报”,乡镇审核通过后才能公示"):
        flow.notice([*verified, other], NoticeLevel.GROUP)


def test_a_notice_closes_only_after_its_end_date(flow, verified):
    notice = flow.notice(verified, NoticeLevel.GROUP)
    assert last_event(notice, "notice.published").new["entries"] == sorted(a.pk for a in verified)
    flow.calendar.today = notice.ends_on
    with pytest.raises(WorkflowError) as refused:
        services.notice_close(notice=notice, actor=flow.users.alice)
    assert refused.value.code == "notice_running"
    assert str(refused.value) == (
        f"公示期至 {notice.ends_on} 止,期满后(自 {notice.ends_on + datetime.timedelta(days=1)} 起)才能结束公示。"
    )
    flow.calendar.today = notice.ends_on + datetime.timedelta(days=1)
    services.notice_close(notice=notice, actor=flow.users.alice)
    notice.refresh_from_db()
    assert notice.status == NoticeStatus.CLOSED
    assert last_event(notice, "notice.closed").actor == flow.users.alice
    assert passed_notice_levels(verified[0]) == {"group"}


def test_open_objections_keep_a_notice_open_until_handled(flow, verified):
    notice = flow.notice(verified, NoticeLevel.GROUP)
    objection = services.objection_record(
        notice=notice,
        application=verified[0],
        actor=flow.users.alice,
        content="该户儿子在县城有稳定工作",
        complainant="",
    )
    assert last_event(objection, "objection.recorded").reason == "该户儿子在县城有稳定工作"
    flow.calendar.today = notice.ends_on + datetime.timedelta(days=1)
    with pytest.raises(WorkflowError, match="尚有 1 条异议未核实处理,不能结束公示") as refused:
        services.notice_close(notice=notice, actor=flow.users.alice)
    assert refused.value.code == "open_objections"

    services.objection_handle(
        objection=objection, actor=flow.users.alice, upheld=False, note="经核实其子为临时务工,无稳定收入"
    )
    objection.refresh_from_db()
    assert objection.status == ObjectionStatus.DISMISSED
    event = last_event(objection, "objection.dismissed")
    assert (event.actor, event.reason) == (flow.users.alice, "经核实其子为临时务工,无稳定收入")
    services.notice_close(notice=notice, actor=flow.users.alice)
    assert Application.objects.get(pk=verified[0].pk).state == State.VERIFIED


def test_upheld_objection_sends_the_application_back_to_evaluation_and_off_every_notice(flow, verified):
    flow.close(flow.notice(verified, NoticeLevel.GROUP))
    notice = flow.notice(verified, NoticeLevel.VILLAGE)
    objection = services.objection_record(
        notice=notice,
        application=verified[0],
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
    application = Application.objects.get(pk=verified[0].pk)
    assert application.state == State.SUBMITTED
    assert not NoticeEntry.objects.filter(application=application, struck=False).exists()
    assert passed_notice_levels(application) == set()
    event = last_event(application, "application.sent_back")
    assert (event.old, event.new, event.reason) == (
        {"state": "verified"},
        {"state": "submitted"},
        "公示异议成立:核实属实,重新评议",
    )
    with pytest.raises(WorkflowError, match="该异议已处理"):
        services.objection_handle(objection=objection, actor=flow.users.alice, upheld=False, note="x")
    with pytest.raises(WorkflowError, match="该户不在这份公示名单上"):
        services.objection_record(
            notice=notice, application=application, actor=flow.users.alice, content="又一条"
        )

    # The other household finishes all three levels and is publicized when the township notice closes.
    flow.close(notice)
    township = flow.notice([verified[1]], NoticeLevel.TOWNSHIP)
    publicized = flow.close(township)
    assert [a.pk for a in publicized] == [verified[1].pk]
    assert last_event(verified[1], "application.publicized").new == {
        "state": "publicized",
        "notice": township.pk,
    }


def test_upheld_objection_can_reject_at_the_township_only(flow, verified):
    flow.close(flow.notice(verified, NoticeLevel.GROUP))
    flow.close(flow.notice(verified, NoticeLevel.VILLAGE))
    notice = flow.notice(verified, NoticeLevel.TOWNSHIP)
    objection = services.objection_record(
        notice=notice, application=verified[1], actor=flow.users.carol, content="家有小轿车"
    )
    with pytest.raises(WorkflowError, match="只能由乡镇审核员办理"):
        services.objection_handle(
            objection=objection,
            actor=flow.users.alice,
            upheld=True,
            note="属实",
            outcome=ObjectionOutcome.REJECT,
        )
    with pytest.raises(WorkflowError, match="异议成立时请选择"):
        services.objection_handle(objection=objection, actor=flow.users.carol, upheld=True, note="属实")
    services.objection_handle(
        objection=objection,
        actor=flow.users.carol,
        upheld=True,
        note="核实家有小轿车一辆",
        outcome=ObjectionOutcome.REJECT,
    )
    rejected = Application.objects.get(pk=verified[1].pk)
    assert (rejected.state, rejected.rejection_reason) == (State.REJECTED, "公示异议成立:核实家有小轿车一辆")
    assert last_event(objection, "objection.upheld").new == {"status": "upheld", "outcome": "reject"}

    publicized = flow.close(notice)
    assert [a.pk for a in publicized] == [verified[0].pk]


def test_no_objection_on_a_closed_notice_and_no_second_notice_of_a_level(flow, verified):
    notice = flow.notice(verified, NoticeLevel.GROUP)
    with pytest.raises(WorkflowError, match="已在村民小组公示中"):
        flow.notice(verified[:1], NoticeLevel.GROUP)
    flow.close(notice)
    with pytest.raises(WorkflowError, match="该公示已结束,不能再登记异议"):
        services.objection_record(
            notice=notice, application=verified[0], actor=flow.users.alice, content="迟到的异议"
        )
    with pytest.raises(WorkflowError, match="该公示已经结束"):
        services.notice_close(notice=notice, actor=flow.users.alice)


def test_a_cadre_of_another_village_cannot_see_the_notice(flow, verified):
    notice = flow.notice(verified, NoticeLevel.GROUP)
    with pytest.raises(services.NotInScope):
        services.objection_record(notice=notice, application=verified[0], actor=flow.users.bob, content="x")
    with pytest.raises(services.NotInScope):
        services.notice_close(notice=notice, actor=flow.users.bob)
