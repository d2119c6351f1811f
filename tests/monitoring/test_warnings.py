"""A warning in the township: raised at once on data entry, scoped, verified, then each decision and refusal."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.http import Http404

from accounts.models import AuditEvent
from assistance.models import Plan
from households import services as households
from households.models import Member
from identification.choices import State
from identification.rules import SURVEY_QUESTIONS
from monitoring import selectors, services
from monitoring.choices import MonitoredKind, ReferralKind, Trigger, WarningStatus
from monitoring.models import MonitoredHousehold, Warning
from tests.monitoring.conftest import make_household

pytestmark = pytest.mark.django_db

INCOME = {"persons": 1, "wage_income": Decimal("3000")}


@pytest.fixture
def warning(lifted, users, django_capture_on_commit_callbacks):
    """丹凤镇's lifted household records a 2014 income below the line: the warning comes at once."""
    with django_capture_on_commit_callbacks(execute=True):
        households.income_save(household=lifted, actor=users.alice, year=2014, values=INCOME)
    return Warning.objects.get(household=lifted, trigger=Trigger.INCOME_LOW)


def verified(warning, actor):
    return services.warning_verify(
        warning=warning,
        actor=actor,
        visited_on=datetime.date.today(),
        visitors="李明、王芳",
        findings="务工收入减少属实",
    )


def test_an_income_entered_below_the_line_raises_a_warning_at_once(warning, lifted):
    assert warning.run is None and warning.status == WarningStatus.PENDING
    assert warning.cause_key == "2014" and warning.data["per_capita"] == 3000


def test_a_new_serious_illness_entered_raises_at_once_and_once(
    lifted, users, django_capture_on_commit_callbacks
):
    member = Member.objects.get(household=lifted)
    for _ in range(2):
        with django_capture_on_commit_callbacks(execute=True):
            member.health = "患有大病"
            member.save()
    assert Warning.objects.filter(household=lifted, trigger=Trigger.SERIOUS_ILLNESS).count() == 1


def test_a_disaster_recorded_by_the_village_raises_at_once(lifted, users, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.event_record(
            household=lifted, actor=users.alice, kind="因灾", occurred_on=datetime.date.today(),
            amount=Decimal("8000"), description="洪水冲毁房屋",
        )  # fmt: skip
    assert Warning.objects.filter(household=lifted, trigger=Trigger.DISASTER).count() == 1
    assert AuditEvent.objects.filter(event_type="monitoring.event_recorded").count() == 1


def test_the_county_cannot_record_an_event_and_a_neighbour_cannot_reach_the_household(lifted, users):
    with pytest.raises(services.MonitoringError) as refused:
        services.event_record(
            household=lifted, actor=users.fupin, kind="因灾", occurred_on=datetime.date.today(), amount=Decimal("1"),
            description="x",
        )  # fmt: skip
    assert refused.value.code == "wrong_role"
    with pytest.raises(Http404):
        services.event_record(
            household=lifted, actor=users.bob, kind="因灾", occurred_on=datetime.date.today(), amount=Decimal("1"),
            description="x",
        )  # fmt: skip


def test_the_queue_is_the_township_s_own(warning, users):
    # 3000 is both below the line and a fall of half from 6000: two causes, two warnings.
    assert set(selectors.warnings_for(users.carol)) == set(Warning.objects.all()) >= {warning}
    assert set(selectors.warnings_for(users.alice)) == set(Warning.objects.all())
    assert not selectors.warnings_for(users.dave).exists()
    assert not selectors.warnings_for(users.bob).exists()


def test_the_township_verifies_with_who_when_and_findings(warning, users):
    verified(warning, users.carol)
    warning.refresh_from_db()
    assert warning.status == WarningStatus.VERIFIED and warning.visitors == "李明、王芳"
    assert AuditEvent.objects.filter(event_type="monitoring.warning_verified", object_id=warning.pk).exists()


def test_only_the_township_verifies_and_only_its_own(warning, users):
    with pytest.raises(services.MonitoringError) as refused:
        verified(warning, users.alice)
    assert refused.value.code == "wrong_role"
    with pytest.raises(Http404):
        verified(warning, users.dave)
    with pytest.raises(services.MonitoringError):
        services.warning_verify(
            warning=warning, actor=users.carol, visited_on=datetime.date.today() + datetime.timedelta(days=1),
            visitors="李明", findings="x",
        )  # fmt: skip


def test_no_decision_before_the_visit(warning, users):
    with pytest.raises(services.MonitoringError) as refused:
        services.warning_dismiss(warning=warning, actor=users.carol, reason="收入已恢复")
    assert refused.value.code == "wrong_state" and "请先入户核实" in refused.value.message


def test_dismiss_needs_a_reason_and_ends_the_warning(warning, users):
    verified(warning, users.carol)
    with pytest.raises(services.MonitoringError):
        services.warning_dismiss(warning=warning, actor=users.carol, reason=" ")
    services.warning_dismiss(warning=warning, actor=users.carol, reason="新年度务工收入已恢复")
    warning.refresh_from_db()
    assert warning.status == WarningStatus.DISMISSED and warning.decided_by == users.carol
    with pytest.raises(services.MonitoringError):
        services.warning_refer(warning=warning, actor=users.carol, reason="再议")


def test_monitoring_object_with_the_household_s_plan(warning, users, lifted):
    verified(warning, users.carol)
    monitored = services.warning_monitor(warning=warning, actor=users.carol, reason="收入不稳定,落实产业帮扶")
    assert monitored.kind == MonitoredKind.UNSTABLE and monitored.warning == warning
    assert monitored.plan == Plan.objects.get(household=lifted)
    assert AuditEvent.objects.filter(
        event_type="monitoring.monitored_created", object_id=monitored.pk
    ).exists()
    assert list(selectors.monitored_for(users.alice)) == [monitored]


def test_a_second_warning_joins_the_open_monitoring_object(warning, users, lifted):
    verified(warning, users.carol)
    first = services.warning_monitor(warning=warning, actor=users.carol, reason="落实帮扶")
    other = Warning.objects.create(
        household=lifted, trigger=Trigger.DISASTER, cause_key="event:1", area_code=warning.area_code, reason="因灾",
        raised_at=warning.raised_at,
    )  # fmt: skip
    verified(other, users.carol)
    assert services.warning_monitor(warning=other, actor=users.carol, reason="同上") == first
    assert MonitoredHousehold.objects.count() == 1


def test_refer_is_return_to_poverty_for_a_lifted_household_and_the_village_files_it(
    warning, users, round_2014
):
    verified(warning, users.carol)
    services.warning_refer(warning=warning, actor=users.carol, reason="收入低于扶贫标准,拟返贫")
    warning.refresh_from_db()
    assert warning.referral_kind == ReferralKind.RETURNED
    application = {
        "wants_fupin": True, "wants_dibao": False, "origin": "nominated",
        "declared": dict.fromkeys(SURVEY_QUESTIONS, False), "nomination_reason": "监测预警转入",
    }  # fmt: skip
    with pytest.raises(services.MonitoringError) as refused:
        services.warning_apply(warning=warning, actor=users.carol, round=round_2014, application=application)
    assert refused.value.code == "wrong_role"
    services.warning_apply(warning=warning, actor=users.alice, round=round_2014, application=application)
    warning.refresh_from_db()
    assert warning.status == WarningStatus.APPLIED
    assert (
        warning.application.state == State.SUBMITTED
        and warning.application.household_id == warning.household_id
    )


def test_refer_is_new_identification_for_a_household_never_on_the_roll(county_tree, users, round_2014):
    household = make_household(county_tree.dazhai, incomes={2013: 2000})
    services.check_households([household.pk])
    warning = Warning.objects.get(household=household)
    verified(warning, users.carol)
    services.warning_refer(warning=warning, actor=users.carol, reason="新识别")
    warning.refresh_from_db()
    assert warning.referral_kind == ReferralKind.NEW
