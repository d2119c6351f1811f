"""A small registry for the monitoring tests: households in 丹凤镇 山龙村 and 雄壁镇, a 2014 round."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from households.models import Case, IncomeRecord
from identification.models import Round
from tests.factories import HouseholdFactory, MemberFactory


@pytest.fixture
def round_2014(db):
    # Judges 2013 incomes: monitoring line 1.5 × 2736 = 4104 元.
    return Round.objects.create(
        year=2014, name="2014年动态调整", poverty_line=Decimal("2736"), dibao_line=Decimal("1800")
    )


def make_household(group, *, lifted=False, fupin_open=False, incomes=None, **member):
    household = HouseholdFactory(
        group=group, number=f"{group.code}{HouseholdFactory._meta.next_sequence():04d}"
    )
    MemberFactory(household=household, **member)
    if lifted:
        Case.objects.create(
            household=household, program="fupin", entered_year=2012, state="lifted", left_year=2013
        )
    if fupin_open:
        Case.objects.create(household=household, program="fupin", entered_year=2012)
    for year, per_capita in (incomes or {}).items():
        IncomeRecord.objects.create(
            household=household, year=year, persons=1, wage_income=Decimal(per_capita)
        )
    return household


@pytest.fixture
def lifted(county_tree, round_2014):
    """A household lifted from the 扶贫 roll in 2013, with a 2013 income well above the line."""
    return make_household(county_tree.dazhai, lifted=True, incomes={2012: 6000, 2013: 6000})


TODAY = datetime.date(2014, 6, 1)
