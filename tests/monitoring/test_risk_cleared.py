"""风险消除: 核实 → 评议 → 公示 (the shared notices component) → 县审批 → 公告, with each refusal."""

from __future__ import annotations

import datetime

import pytest

from accounts import clock
from accounts.models import AuditEvent
from monitoring import services
from monitoring.choices import MonitoredState
from monitoring.models import MonitoredHousehold
from notices import services as notices
from notices.models import Entry

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2014, 6, 2)


@pytest.fixture
def monitored(lifted, county_tree):
    return MonitoredHousehold.objects.create(
        household=lifted,
        kind="unstable",
        area_code=county_tree.dazhai.code,
        started_on=datetime.date(2014, 3, 1),
    )


def verify(monitored, actor):
    return services.risk_verify(
        monitored=monitored, actor=actor, visited_on=TODAY, visitors="李明", findings="务工收入稳定,风险消除"
    )


def review(monitored, actor, votes_for=30, attendance=40):
    return services.risk_review(
        monitored=monitored,
        actor=actor,
        held_on=TODAY,
        attendance=attendance,
        votes_for=votes_for,
        minutes="村民代表会议",
    )


def publish(monitored, actor, county_tree):
    return services.risk_notice_publish(
        village=county_tree.shanlong, actor=actor, monitored=[monitored], starts_on=TODAY,
        ends_on=TODAY + datetime.timedelta(days=7), issuing_body="山龙村民委员会", complaint_phone="0874-5555555",
    )  # fmt: skip


@pytest.fixture
def publicized(monitored, users, county_tree):
    with clock.moved_to(TODAY):
        verify(monitored, users.alice)
        review(monitored, users.alice)
        notice = publish(monitored, users.alice, county_tree)
    with clock.moved_to(TODAY + datetime.timedelta(days=8)):
        notices.notice_close(notice=notice, actor=users.alice)
    monitored.refresh_from_db()
    return monitored


def test_the_whole_procedure_clears_the_risk(publicized, users):
    assert publicized.state == MonitoredState.CLEAR_PUBLICIZED
    services.risk_approve(monitored=publicized, actor=users.fupin, approve=True)
    services.risk_announce(monitored=[publicized], actor=users.fupin)
    publicized.refresh_from_db()
    assert publicized.state == MonitoredState.CLEARED and publicized.announced_on is not None
    events = set(AuditEvent.objects.filter(object_id=publicized.pk).values_list("event_type", flat=True))
    assert {"monitoring.risk_verified", "monitoring.risk_reviewed", "monitoring.risk_publicized",
            "monitoring.risk_approved", "monitoring.risk_announced"} <= events  # fmt: skip


def test_the_notice_shows_no_id_phone_bank_or_health(publicized, lifted):
    lifted.phone, lifted.bank_account = "13812345678", "6228480000000000000"
    lifted.save()
    row = Entry.objects.get(subject_id=publicized.pk, notice__kind="monitoring.risk_cleared").row
    member = lifted.members.get()
    assert row[0] == lifted.number and row[1] == member.name
    assert not any(
        member.id_number[-4:] in cell or "138" in cell or "6228" in cell or "病" in cell for cell in row
    )


def test_a_failed_review_sends_it_back_to_monitoring(monitored, users):
    with clock.moved_to(TODAY):
        verify(monitored, users.carol)
        review(monitored, users.alice, votes_for=20, attendance=40)
    monitored.refresh_from_db()
    assert monitored.state == MonitoredState.MONITORING and "评议未通过" in monitored.sent_back_reason


def test_only_the_village_reviews_and_not_before_the_visit(monitored, users):
    with clock.moved_to(TODAY), pytest.raises(services.MonitoringError) as refused:
        review(monitored, users.alice)
    assert refused.value.code == "wrong_state"
    with clock.moved_to(TODAY):
        verify(monitored, users.alice)
        with pytest.raises(services.MonitoringError) as refused:
            review(monitored, users.carol)
    assert refused.value.code == "wrong_role"


def test_an_upheld_objection_sends_it_back(monitored, users, county_tree):
    with clock.moved_to(TODAY):
        verify(monitored, users.alice)
        review(monitored, users.alice)
        notice = publish(monitored, users.alice, county_tree)
        objection = notices.objection_record(
            notice=notice, entry=notice.entries.get(), actor=users.alice, content="家中仍有重病人"
        )
        notices.objection_handle(
            objection=objection, actor=users.carol, upheld=True, note="核实属实", outcome="keep_monitoring"
        )
    monitored.refresh_from_db()
    assert monitored.state == MonitoredState.MONITORING and "公示异议成立" in monitored.sent_back_reason


def test_only_reviewed_households_are_published_and_only_by_village_or_township(
    monitored, users, county_tree
):
    with clock.moved_to(TODAY):
        with pytest.raises(services.MonitoringError):
            publish(monitored, users.alice, county_tree)
        verify(monitored, users.alice)
        review(monitored, users.alice)
        with pytest.raises(services.MonitoringError) as refused:
            publish(monitored, users.fupin, county_tree)
    assert refused.value.code == "wrong_role"


def test_the_county_approves_or_sends_back_with_a_reason(publicized, users):
    with pytest.raises(services.MonitoringError) as refused:
        services.risk_approve(monitored=publicized, actor=users.carol, approve=True)
    assert refused.value.code == "wrong_role"
    with pytest.raises(services.MonitoringError):
        services.risk_approve(monitored=publicized, actor=users.fupin, approve=False, reason="")
    services.risk_approve(monitored=publicized, actor=users.fupin, approve=False, reason="医疗支出仍高")
    publicized.refresh_from_db()
    assert publicized.state == MonitoredState.MONITORING


def test_no_announcement_before_approval(publicized, users):
    with pytest.raises(services.MonitoringError) as refused:
        services.risk_announce(monitored=[publicized], actor=users.fupin)
    assert refused.value.code == "wrong_state"


def test_a_cleared_household_may_be_monitored_again(publicized, users, lifted):
    services.risk_approve(monitored=publicized, actor=users.fupin, approve=True)
    services.risk_announce(monitored=[publicized], actor=users.fupin)
    again = MonitoredHousehold.objects.create(
        household=lifted, kind="sudden", area_code=publicized.area_code, started_on=TODAY
    )
    assert again.is_open
