"""Fixtures of the exits tests: a 2015 动态调整 round, a movable calendar, rolled households that meet the
standard unless a test breaks one item."""

from __future__ import annotations

import datetime
from decimal import Decimal
from types import SimpleNamespace

import pytest

from accounts import clock as workflow_clock
from identification.models import Round
from tests.exits.flow import ExitFlow


@pytest.fixture
def calendar(monkeypatch):
    clock = SimpleNamespace(today=datetime.date(2015, 11, 2))
    monkeypatch.setattr(workflow_clock, "today", lambda: clock.today)
    return clock


@pytest.fixture
def round_2015(county_tree):
    """2015年动态调整: incomes of 2014 (and 2013) against a 2800 元 line; 低保标准 2280 元."""
    return Round.objects.create(
        year=2015,
        name="2015年动态调整",
        kind=Round.Kind.DYNAMIC,
        poverty_line=Decimal("2800"),
        dibao_line=Decimal("2280"),
    )


@pytest.fixture
def exit_flow(round_2015, county_tree, users, calendar):
    return ExitFlow(round=round_2015, tree=county_tree, users=users, calendar=calendar)
