"""seed_demo's current round walks seed 002's procedure: every step and every 公示 in its place, work waiting
for every demo account, and the checks a county is audited on (错评率)."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from accounts.models import User
from households.models import Case, Household
from identification import selectors
from identification.choices import SpotCheckLevel, SpotCheckStatus, State
from identification.demo import DEMO_VILLAGE_CODE, ROUND_NAME
from identification.models import Application, Referral, SpotCheck, Survey
from notices.models import Entry, Notice, Objection


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    # One seed for the module: 1,500 households give each 丹凤镇 group a few candidates.
    with django_db_blocker.unblock():
        call_command("seed_demo", "--seed", "11", "--households", "1500", stdout=StringIO())
        yield
        from django.core.management import call_command as flush

        flush("flush", "--noinput", verbosity=0)


@pytest.mark.django_db
def test_demo_round_reaches_every_step_and_every_notice(demo):
    round = selectors.current_round()
    assert round.name == ROUND_NAME and (round.year, round.poverty_line, round.dibao_line) == (
        2014,
        2736,
        1800,
    )
    assert round.kind == "dynamic"
    states = set(Application.objects.filter(round=round).values_list("state", flat=True))
    assert states == set(State.values)
    kinds = set(Notice.objects.values_list("kind", flat=True))
    assert {"identification.group", "identification.village", "identification.township"} <= kinds
    assert "identification.county_fupin" in kinds
    assert Notice.objects.filter(status=Notice.Status.RUNNING, kind="identification.group").exists()
    for status in Objection.Status.values:
        assert Objection.objects.filter(status=status).exists(), status
    assert SpotCheck.objects.filter(level=SpotCheckLevel.TOWNSHIP, status=SpotCheckStatus.FAILED).exists()
    assert set(SpotCheck.objects.filter(level=SpotCheckLevel.COUNTY).values_list("program", flat=True)) == {
        "fupin",
        "dibao",
    }
    township = SpotCheck.objects.filter(level=SpotCheckLevel.TOWNSHIP, status=SpotCheckStatus.PASSED)
    assert any(c.lists["fupin"]["drawn"] and c.lists["dibao"]["drawn"] for c in township)


@pytest.mark.django_db
def test_demo_shows_what_a_county_official_looks_for(demo):
    round = selectors.current_round()
    apps = Application.objects.filter(round=round)
    assert any(a.direct_entry for a in apps), "a direct-entry household"
    assert apps.filter(state=State.REJECTED, rejection_reason__startswith="入户调查不符合").exists()
    assert apps.filter(dibao_offered=True).exists(), "a household the township put forward to 民政 too"
    assert Referral.objects.exists(), "a 低保 household with labour referred to 扶贫办"
    assert Case.objects.filter(state="returned", returned_year=2014).exists(), "a 返贫"
    written = apps.filter(origin="applied").count()
    assert written > apps.filter(origin="nominated").count(), "most heads apply in writing"


@pytest.mark.django_db
def test_done_when_no_application_on_a_notice_was_eligible_for_nothing(demo):
    """The notices after the survey (村, 乡镇, 县) list only applications it found eligible for a program they
    go on for; the group notice comes before any survey."""
    after_survey = Entry.objects.exclude(notice__kind="identification.group").filter(
        notice__kind__startswith="identification."
    )
    listed = Application.objects.filter(pk__in=after_survey.values_list("subject_id", flat=True))
    assert listed.exists()
    for application in listed:
        trace = application.eligibility
        assert any(trace[p] for p in application.programs), application.pk


@pytest.mark.django_db
def test_done_when_every_survey_came_after_its_group_notice_began(demo):
    for survey in Survey.objects.select_related("application"):
        starts = Notice.objects.filter(
            kind="identification.group", entries__subject_id=survey.application_id
        ).values_list("starts_on", flat=True)
        assert starts and min(starts) <= survey.surveyed_on, survey.application_id


@pytest.mark.django_db
def test_done_when_no_tekun_or_dibao_household_lost_its_attribute(demo):
    on_roll = Household.objects.filter(
        cases__program__in=["dibao", "tekun"], cases__state__in=Case.OPEN_STATES
    )
    on_fupin = on_roll.filter(cases__program="fupin", cases__state__in=Case.OPEN_STATES).distinct()
    assert on_fupin.exists()
    assert not on_fupin.filter(attribute="一般贫困户").exists()


@pytest.mark.django_db
def test_every_demo_account_has_work_waiting(demo):
    round = selectors.current_round()
    cungan = User.objects.get(username="cungan")
    assert cungan.area.code == DEMO_VILLAGE_CODE
    village = selectors.state_counts(cungan, round)
    for state in (State.SUBMITTED, State.RECOMMENDED, State.GROUP_PUBLICIZED, State.REVIEWED):
        assert village.get(state), state
    township = selectors.state_counts(User.objects.get(username="xiangzhen"), round)
    assert township.get(State.VILLAGE_PUBLICIZED) and township.get(State.VERIFIED)
    for username, program in (("fupinban", "fupin"), ("minzheng", "dibao")):
        assert selectors.awaiting_decision(User.objects.get(username=username), round, program).exists()
    assert selectors.pending_referrals(User.objects.get(username="fupinban")).exists()


@pytest.mark.django_db
def test_demo_has_a_confirmed_deep_poverty_list_that_the_cards_follow(demo):
    from identification.deep_poverty.models import DeepPovertyList

    round = selectors.current_round()
    listed = DeepPovertyList.objects.get(round=round)
    criteria = round.deep_poverty_criteria
    assert 0 < listed.persons <= criteria.target_persons and listed.confirmed_by.username == "fupinban"
    on_list = set(listed.entries.values_list("household_id", flat=True))
    assert len(on_list) == listed.households
    assert set(Household.objects.filter(deep_poverty=True).values_list("pk", flat=True)) == on_list
    # Listed from the open 扶贫 roll; the exits demo lifts some households afterwards (2015), as a county would.
    assert (
        not Case.objects.filter(household_id__in=on_list, program="fupin")
        .exclude(state__in=[*Case.OPEN_STATES, "lifted"])
        .exists()
    )
