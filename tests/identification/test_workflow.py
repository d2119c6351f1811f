"""The whole path, 申报 → 县级认定, for each program, ending with the right cases and classes."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from households.models import Case, IncomeRecord
from identification import services
from identification.choices import Decision, Origin, State
from identification.models import Application, Referral
from tests.identification.flow import NO, last_event, make_household

pytestmark = pytest.mark.django_db


def walk_to_decision(flow, *, fupin, dibao, wage, labourers=1):
    household = make_household(flow.tree.dazhai, persons=3, labourers=labourers)
    application = services.application_submit(
        round=flow.round,
        household=household,
        actor=flow.users.alice,
        wants_fupin=fupin,
        wants_dibao=dibao,
        origin=Origin.APPLIED,
        applied_on=flow.calendar.today,
        application_scan=SimpleUploadedFile("申请书.jpg", b"\xff\xd8scan", content_type="image/jpeg"),
        declared=NO,
    )
    assert last_event(application, "application.submitted").actor == flow.users.alice
    [application] = flow.advance([application], State.PUBLICIZED, wage=wage)
    assert application.state == State.PUBLICIZED
    assert last_event(application, "application.township_notice_passed").actor == flow.users.carol
    flow.county_checks()
    return application


def test_fupin_only_application_ends_on_the_fupin_roll_as_class_3(flow):
    # 3 persons, 4,500 元 → 1,500 元 each: below 2,300 (扶贫) but not below 1,400 (低保).
    application = walk_to_decision(flow, fupin=True, dibao=False, wage="4500")
    assert application.poverty_class == 3
    assert IncomeRecord.objects.get(
        household=application.household, year=2011
    ).per_capita_net_income == Decimal("1500.00")

    outcome = services.application_decide(application=application, actor=flow.users.fupin, confirm=True)

    application.refresh_from_db()
    assert application.state == State.CONFIRMED
    assert outcome.confirmed == [application.pk]
    case = Case.objects.get(household=application.household)
    assert (case.program, case.entered_year, case.poverty_class, case.state) == ("fupin", 2012, 3, "active")
    application.household.refresh_from_db()
    assert application.household.attribute == "一般贫困户"
    change = application.household.history.first()
    assert (change.attribute, change.history_user, change.history_change_reason) == (
        "一般贫困户",
        flow.users.fupin,
        "2012年贫困识别县级认定",
    )
    event = last_event(application, "application.decided")
    assert event.actor == flow.users.fupin
    assert event.old == {"state": "publicized"}
    assert event.new == {"state": "confirmed", "program": "fupin", "decision": "confirmed"}


def test_dibao_only_application_without_labour_is_class_1_on_the_dibao_roll(flow):
    application = walk_to_decision(flow, fupin=False, dibao=True, wage="1200", labourers=0)
    assert application.poverty_class == 1

    services.application_decide(application=application, actor=flow.users.minzheng, confirm=True)

    application.refresh_from_db()
    assert application.state == State.CONFIRMED
    assert list(
        Case.objects.filter(household=application.household).values_list("program", "poverty_class")
    ) == [("dibao", 1)]
    application.household.refresh_from_db()
    # On the 低保 roll only: not a 贫困户, so no 贫困户属性; class 1 (no labour) is not referred to 扶贫办.
    assert application.household.attribute == ""
    assert not Referral.objects.exists()
    assert last_event(application, "application.decided").actor == flow.users.minzheng


def test_cross_application_needs_both_decisions_and_opens_both_cases_as_class_2(flow):
    application = walk_to_decision(flow, fupin=True, dibao=True, wage="1200", labourers=1)
    assert application.poverty_class == 2

    outcome = services.application_decide(application=application, actor=flow.users.fupin, confirm=True)
    application.refresh_from_db()
    assert outcome.pending == [application.pk]
    assert application.state == State.PUBLICIZED
    assert application.fupin_decision == Decision.CONFIRMED
    assert not Case.objects.filter(household=application.household).exists()

    services.application_decide(application=application, actor=flow.users.minzheng, confirm=True)
    application.refresh_from_db()
    assert application.state == State.CONFIRMED
    assert set(
        Case.objects.filter(household=application.household).values_list("program", "poverty_class")
    ) == {
        ("fupin", 2),
        ("dibao", 2),
    }
    application.household.refresh_from_db()
    assert application.household.attribute == "低保贫困户"
    # Each case carries its own history row, written by the bulk path.
    assert all(case.history.count() == 1 for case in Case.objects.filter(household=application.household))


def test_cross_application_with_dibao_rejected_is_confirmed_for_fupin_only(flow):
    application = walk_to_decision(flow, fupin=True, dibao=True, wage="1500")  # 500 each: both eligible
    services.application_decide(
        application=application, actor=flow.users.minzheng, confirm=False, reason="家庭成员有稳定赡养来源"
    )
    services.application_decide(application=application, actor=flow.users.fupin, confirm=True)

    application.refresh_from_db()
    assert application.state == State.CONFIRMED
    assert application.dibao_reason == "家庭成员有稳定赡养来源"
    assert list(Case.objects.filter(household=application.household).values_list("program", flat=True)) == [
        "fupin"
    ]


def test_both_programs_rejected_rejects_the_application_with_the_reasons_for_the_village(flow):
    application = walk_to_decision(flow, fupin=True, dibao=True, wage="1500")
    services.application_decide(
        application=application, actor=flow.users.fupin, confirm=False, reason="有外出务工收入"
    )
    services.application_decide(
        application=application, actor=flow.users.minzheng, confirm=False, reason="收入超标"
    )

    application.refresh_from_db()
    assert application.state == State.REJECTED
    assert application.rejection_reason == "扶贫:有外出务工收入;低保:收入超标"
    assert not Case.objects.filter(household=application.household).exists()
    assert last_event(application, "application.decided").new["state"] == "rejected"


def test_every_step_leaves_an_audit_trail_in_order(flow):
    application = walk_to_decision(flow, fupin=True, dibao=False, wage="4500")
    services.application_decide(application=application, actor=flow.users.fupin, confirm=True)

    from accounts.audit import events_for

    assert list(events_for(application).values_list("event_type", flat=True)) == [
        "application.submitted",
        "application.recommended",
        "application.group_notice_passed",
        "application.reviewed",
        "application.surveyed",
        "application.village_notice_passed",
        "application.verified",
        "application.township_notice_passed",
        "application.decided",
    ]
    # The trail is shown in Chinese.
    assert [e.label for e in events_for(application)][:3] == [
        "申报",
        "户主会议评议推荐",
        "村民小组公示无异议",
    ]
    assert all(e.area_code == application.household.group.code for e in events_for(application))


def test_survey_updates_an_existing_income_record_of_last_year(flow):
    application = flow.new()
    IncomeRecord.objects.create(
        household=application.household, year=2011, persons=3, wage_income=Decimal("9000")
    )
    flow.advance([application], State.REVIEWED)

    flow.survey(application, wage="2400")

    record = IncomeRecord.objects.get(household=application.household, year=2011)
    assert record.wage_income == Decimal("2400")
    assert record.history.first().history_change_reason == "2012年贫困识别入户调查"
    application.refresh_from_db()
    assert application.eligibility["fupin"] is True
    assert Application.objects.get(pk=application.pk).state == State.SURVEYED


def test_next_step_names_what_the_work_queue_waits_for(flow):
    application = flow.new(dibao=True)
    assert application.next_step == "待村民小组户主会议评议"
    [application] = flow.advance([application], State.PUBLICIZED, wage="1200")
    assert application.next_step == "待县级认定(扶贫、低保)"
    flow.county_checks()
    services.application_decide(application=application, actor=flow.users.minzheng, confirm=True)
    application.refresh_from_db()
    assert application.next_step == "待县级认定(扶贫)"
    services.application_decide(application=application, actor=flow.users.fupin, confirm=True)
    application.refresh_from_db()
    assert application.next_step == ""
