"""A small county whose 贫困村 scores are computed by hand (test_scoring.py explains the figures)."""

from __future__ import annotations

from decimal import Decimal
from types import SimpleNamespace

import pytest

from households.models import Case, IncomeRecord
from identification.poor_villages import services
from tests.factories import HouseholdFactory, MemberFactory
from villages.models import AreaProfile

INCOME_YEAR = 2011


def add_household(group, *, persons: int, per_capita=None, fupin: bool = False, year: int = INCOME_YEAR):
    household = HouseholdFactory(
        group=group, number=f"{group.code}{HouseholdFactory._meta.next_sequence():03d}"
    )
    for i in range(persons):
        MemberFactory(household=household, relation="户主" if i == 0 else "之子")
    if per_capita is not None:
        IncomeRecord.objects.create(
            household=household, year=year, persons=persons, wage_income=Decimal(per_capita) * persons
        )
    if fupin:
        Case.objects.create(household=household, program="fupin", entered_year=2012)
    return household


@pytest.fixture
def ranked_tree(county_tree):
    """山龙村: 大寨组 4 persons all 扶贫 (人均 1,000), 小寨组 4 persons none (5,000); 法杂村: 新村组 4 persons
    none (3,000) but the village's 登记表 says 2,000; 雨柱村: 坡头组 4 persons all 扶贫 (4,000), no profile."""
    t = county_tree
    add_household(t.dazhai, persons=4, per_capita=1000, fupin=True)
    add_household(t.xiaozhai, persons=4, per_capita=5000)
    add_household(t.xincun, persons=4, per_capita=3000)
    add_household(t.potou, persons=4, per_capita=4000, fupin=True)
    AreaProfile.objects.create(
        area=t.shanlong,
        has_paved_road=True,
        has_tap_water=True,
        drinking_water_safe=False,
        has_power=True,
        has_clinic=True,
        has_school=True,
        has_broadband=False,
        collective_income=Decimal(10000),
    )
    AreaProfile.objects.create(
        area=t.fazai,
        has_paved_road=True,
        has_tap_water=True,
        drinking_water_safe=True,
        has_power=True,
        has_clinic=True,
        has_school=True,
        has_broadband=True,
        collective_income=Decimal(0),
        net_income_per_capita=Decimal(2000),
    )
    return t


@pytest.fixture
def done_run(ranked_tree, users, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        run = services.run_create(actor=users.fupin, year=2012, income_year=INCOME_YEAR)
    run.refresh_from_db()
    return run


def rows_of(run) -> dict[str, SimpleNamespace]:
    return {r.area.name: r for r in run.rows.select_related("area")}


@pytest.fixture
def calendar(monkeypatch):
    """The services' "today", movable past a 公示 period."""
    import datetime

    from accounts import clock as workflow_clock

    clock = SimpleNamespace(today=datetime.date(2014, 11, 3))
    monkeypatch.setattr(workflow_clock, "today", lambda: clock.today)
    return clock


@pytest.fixture
def marked(done_run, users):
    """All three villages marked 贫困村 from the run: 法杂村 (0 %) may exit, 山龙村 (50 %) and 雨柱村 not."""
    services.villages_mark(
        actor=users.fupin,
        run=done_run,
        village_ids=list(done_run.rows.filter(level="village").values_list("area_id", flat=True)),
    )
    return done_run
