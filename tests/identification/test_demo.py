"""seed_demo's current round: applications in every state, work waiting for every demo account."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from accounts.models import User
from identification import selectors
from identification.choices import NoticeStatus, ObjectionStatus, SpotCheckLevel, SpotCheckStatus, State
from identification.demo import DEMO_VILLAGE_CODE, ROUND_NAME
from identification.models import Application, Notice, Objection, SpotCheck


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    # One seed for the module: 1,500 households give each 丹凤镇 group a few candidates.
    with django_db_blocker.unblock():
        call_command("seed_demo", "--seed", "11", "--households", "1500", stdout=StringIO())
        yield
        from django.core.management import call_command as flush

        flush("flush", "--noinput", verbosity=0)


@pytest.mark.django_db
def test_demo_round_has_applications_in_every_state(demo):
    round = selectors.current_round()
    assert round.name == ROUND_NAME and (round.poverty_line, round.dibao_line) == (2736, 1800)
    states = set(Application.objects.filter(round=round).values_list("state", flat=True))
    assert states == set(State.values)
    assert Objection.objects.filter(status=ObjectionStatus.OPEN).exists()
    assert Objection.objects.filter(status=ObjectionStatus.UPHELD).exists()
    assert Objection.objects.filter(status=ObjectionStatus.DISMISSED).exists()
    assert SpotCheck.objects.filter(level=SpotCheckLevel.TOWNSHIP, status=SpotCheckStatus.FAILED).exists()
    assert Notice.objects.filter(status=NoticeStatus.RUNNING).exists()


@pytest.mark.django_db
def test_every_demo_account_has_work_waiting(demo):
    round = selectors.current_round()
    cungan = User.objects.get(username="cungan")
    assert cungan.area.code == DEMO_VILLAGE_CODE
    village = selectors.state_counts(cungan, round)
    assert village.get(State.SUBMITTED) and village.get(State.RECOMMENDED) and village.get(State.REVIEWED)
    township = selectors.state_counts(User.objects.get(username="xiangzhen"), round)
    assert township.get(State.SURVEYED) and township.get(State.VERIFIED)
    for username, program in (("fupinban", "fupin"), ("minzheng", "dibao")):
        assert selectors.awaiting_decision(User.objects.get(username=username), round, program).exists()
