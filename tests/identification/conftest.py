"""Fixtures of the identification tests: a 2012 round with quotas, households, and a calendar."""

from __future__ import annotations

import datetime
from decimal import Decimal
from types import SimpleNamespace

import pytest

from accounts import clock as workflow_clock
from identification.models import Quota, Round
from tests.identification.flow import Flow


@pytest.fixture
def calendar(monkeypatch):
    """The services' "today", movable: notices run for days that a test does not want to wait."""
    clock = SimpleNamespace(today=datetime.date(2012, 9, 3))
    monkeypatch.setattr(workflow_clock, "today", lambda: clock.today)
    return clock


@pytest.fixture
def round_2012(county_tree):
    """2012年贫困识别 at seed 002's standards: 扶贫 2300 元, 低保 1400 元, 7-day notices."""
    round = Round.objects.create(
        year=2012, name="2012年贫困识别", poverty_line=Decimal("2300"), dibao_line=Decimal("1400")
    )
    t = county_tree
    for group in (t.dazhai, t.xiaozhai, t.xincun, t.potou):
        Quota.objects.create(round=round, area=group, persons=30)
    return round


@pytest.fixture
def flow(round_2012, county_tree, users, calendar):
    return Flow(round=round_2012, tree=county_tree, users=users, calendar=calendar)
