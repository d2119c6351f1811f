"""reports.statistics on a small registry whose every figure is counted by hand below.

    丹凤镇 山龙村 大寨组  H1 3人 一般贫困户 因病   扶贫在册 三类 2013
                         H2 2人 低保贫困户 因残   扶贫在册 二类 2012 + 低保在册
                         H3 4人                  (not poor)
                  小寨组  H4 1人 特困供养贫困户 缺劳力 扶贫返贫 一类 2012 + 特困在册
                         H5 2人                  扶贫已脱贫 2012; 低保已退出, then 低保在册 again
           法杂村 新村组  H6 5人                  (not poor)
    雄壁镇 雨柱村 坡头组  H7 3人 一般贫困户 缺资金 扶贫在册 三类 2013

丹凤镇: 6 households, 17 persons; 扶贫 (open) H1 H2 H4 = 3 households, 6 persons → 6/17 = 35.29%.
雄壁镇: 1 household, 3 persons, all poor → 100.00%. County: 7, 20; 扶贫 4, 9 → 45.00%.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied

from households.models import Case
from identification.models import Quota, Round
from reports import statistics
from reports.statistics import Tally, percent
from tests.factories import HouseholdFactory, MemberFactory
from villages.models import AreaProfile

RELATIONS = ["户主", "配偶", "之子", "之女", "之母"]


def household(group, persons: int, *, attribute: str = "", cause: str = "", cases=()):
    h = HouseholdFactory(group=group, attribute=attribute, main_cause=cause)
    for relation in RELATIONS[:persons]:
        MemberFactory(household=h, relation=relation)
    for program, state, poverty_class, year in cases:
        Case.objects.create(
            household=h,
            program=program,
            state=state,
            poverty_class=poverty_class,
            entered_year=year,
            left_year=2015 if state in ("lifted", "exited") else None,
        )
    return h


@pytest.fixture
def registry(county_tree):
    t = county_tree
    household(t.dazhai, 3, attribute="一般贫困户", cause="因病", cases=[("fupin", "active", 3, 2013)])
    household(
        t.dazhai,
        2,
        attribute="低保贫困户",
        cause="因残",
        cases=[("fupin", "active", 2, 2012), ("dibao", "active", 2, 2012)],
    )
    household(t.dazhai, 4)
    household(
        t.xiaozhai,
        1,
        attribute="特困供养贫困户",
        cause="缺劳力",
        cases=[("fupin", "returned", 1, 2012), ("tekun", "active", 1, 2012)],
    )
    household(
        t.xiaozhai,
        2,
        cases=[("fupin", "lifted", 3, 2012), ("dibao", "exited", 1, 2012), ("dibao", "active", 1, 2014)],
    )
    household(t.xincun, 5)
    household(t.potou, 3, attribute="一般贫困户", cause="缺资金", cases=[("fupin", "active", 3, 2013)])
    return t


def by_name(table):
    return {row.name: row for row in table.rows}


def test_county_by_township_counts_the_registry_and_the_open_rolls(registry, users):
    table = statistics.figures_by_child(registry.county, user=users.fupin)

    danfeng, xiongbi = table.rows
    assert (danfeng.name, xiongbi.name) == ("丹凤镇", "雄壁镇")
    assert (danfeng.households, danfeng.persons) == (6, 17)
    assert danfeng.fupin == Tally(3, 6)
    assert danfeng.dibao == Tally(2, 4)
    assert danfeng.tekun == Tally(1, 1)
    assert danfeng.incidence == Decimal("35.29")
    assert (xiongbi.households, xiongbi.persons, xiongbi.fupin) == (1, 3, Tally(1, 3))
    assert xiongbi.incidence == Decimal("100.00")
    assert (table.total.households, table.total.persons, table.total.fupin) == (7, 20, Tally(4, 9))
    assert table.total.incidence == Decimal("45.00")
    assert table.total.is_total and table.total.area == registry.county


def test_breakdowns_of_the_open_fupin_roll(registry, users):
    danfeng = statistics.figures_by_child(registry.county, user=users.fupin).rows[0]

    assert danfeng.by_attribute == {
        "一般贫困户": Tally(1, 3),
        "低保贫困户": Tally(1, 2),
        "特困供养贫困户": Tally(1, 1),
        "": Tally(0, 0),
    }
    assert danfeng.by_cause["因病"] == Tally(1, 3)
    assert danfeng.by_cause["因残"] == Tally(1, 2)
    assert danfeng.by_cause["缺劳力"] == Tally(1, 1)
    assert danfeng.by_cause["缺资金"] == Tally()
    assert danfeng.by_class == {1: Tally(1, 1), 2: Tally(1, 2), 3: Tally(1, 3), None: Tally()}
    # The lifted 2012 case of H5 is off the roll: 2012 counts H2 and H4 only.
    assert danfeng.by_year == {2012: Tally(2, 3), 2013: Tally(1, 3)}


def test_case_states_count_every_case_open_or_closed(registry, users):
    danfeng = statistics.figures_by_child(registry.county, user=users.fupin).rows[0]

    assert danfeng.by_state["fupin"] == {
        "active": Tally(2, 5),
        "lifted": Tally(1, 2),
        "exited": Tally(),
        "returned": Tally(1, 1),
        "moved": Tally(),  # 分合户转出 (households.changes)
    }
    # H5 left the 低保 roll and came back: two cases, one household.
    assert danfeng.by_state["dibao"]["active"] == Tally(2, 4)
    assert danfeng.by_state["dibao"]["exited"] == Tally(1, 2)
    assert danfeng.by_state["tekun"]["active"] == Tally(1, 1)


def test_rows_of_every_level_add_up_to_their_total(registry, users):
    for table in (
        statistics.figures_by_child(registry.county, user=users.fupin),
        statistics.figures_by_village(registry.county, user=users.fupin),
        statistics.figures_by_group(registry.county, user=users.fupin),
        statistics.figures_by_child(registry.danfeng, user=users.fupin),
        statistics.figures_by_group(registry.shanlong, user=users.fupin),
    ):
        total = table.total
        assert sum(r.households for r in table.rows) == total.households
        assert sum(r.persons for r in table.rows) == total.persons
        for roll in ("fupin", "dibao", "tekun"):
            assert sum((getattr(r, roll) for r in table.rows), Tally()) == getattr(total, roll)
        for breakdown in ("by_attribute", "by_cause", "by_class", "by_year"):
            parts = getattr(total, breakdown)
            assert sum(parts.values(), Tally()) == total.fupin, breakdown
            for key, tally in parts.items():
                assert sum((getattr(r, breakdown)[key] for r in table.rows), Tally()) == tally
        assert (
            sum((r.by_state["fupin"]["active"] for r in table.rows), Tally())
            == total.by_state["fupin"]["active"]
        )
        summed = statistics.AreaFigures(code="", name="", level="", area=total.area)
        for row in table.rows:
            summed.add(row)
        for name in (
            "households",
            "persons",
            "fupin",
            "dibao",
            "tekun",
            "by_attribute",
            "by_cause",
            "by_class",
        ):
            assert getattr(summed, name) == getattr(total, name), name
        assert summed.by_year == total.by_year
        assert summed.by_state == total.by_state


def test_group_table_lists_every_group_even_without_households(registry, users):
    empty = registry.shanlong.children.create(code="530323101201003", name="空组", level="group")

    table = statistics.figures_by_group(registry.shanlong, user=users.alice)

    rows = by_name(table)
    assert list(rows) == ["大寨组", "小寨组", "空组"]
    assert (rows["大寨组"].households, rows["大寨组"].persons, rows["大寨组"].fupin) == (3, 9, Tally(2, 5))
    assert (rows["小寨组"].households, rows["小寨组"].persons, rows["小寨组"].fupin) == (2, 3, Tally(1, 1))
    assert rows["空组"].households == 0 and rows["空组"].incidence is None
    assert rows["空组"].area == empty
    assert table.total.area == registry.shanlong and table.total.households == 5


def test_one_area_alone(registry, users):
    figures = statistics.figures_for(registry.xincun, user=users.bob)

    assert (figures.households, figures.persons, figures.fupin, figures.incidence) == (
        1,
        5,
        Tally(),
        Decimal("0.00"),
    )


def test_quota_of_each_row_and_of_the_total(registry, users):
    round = Round.objects.create(year=2013, name="2013年动态调整", poverty_line=2300, dibao_line=1400)
    Quota.objects.create(round=round, area=registry.danfeng, persons=12)

    table = statistics.figures_by_child(registry.county, user=users.fupin, round=round)

    danfeng, xiongbi = table.rows
    assert danfeng.quota == 12 and danfeng.quota_left == 6
    assert danfeng.quota_incidence == Decimal("70.59")  # 12 / 17
    assert xiongbi.quota is None and xiongbi.quota_incidence is None and xiongbi.quota_left is None
    assert table.total.quota == 12  # no county quota: the townships' that are set

    Quota.objects.create(round=round, area=registry.county, persons=30)
    assert statistics.figures_by_child(registry.county, user=users.fupin, round=round).total.quota == 30


def test_the_current_round_gives_the_quota_by_default(registry, users):
    Round.objects.create(year=2012, name="2012年贫困识别", poverty_line=2300, dibao_line=1400, closed=True)
    current = Round.objects.create(year=2013, name="2013年动态调整", poverty_line=2300, dibao_line=1400)
    Quota.objects.create(round=current, area=registry.xiongbi, persons=5)

    table = statistics.figures_by_child(registry.county, user=users.fupin)

    assert table.round == current
    assert table.rows[1].quota == 5


def test_villages_poor_villages_and_profiles(registry, users):
    profile = AreaProfile.objects.create(area=registry.shanlong, is_poor_village=True, has_power=True)
    AreaProfile.objects.create(area=registry.fazai, is_poor_village=False)

    county = statistics.figures_by_child(registry.county, user=users.fupin)
    groups = statistics.figures_by_group(registry.danfeng, user=users.carol)

    danfeng, xiongbi = county.rows
    assert (danfeng.villages, danfeng.poor_villages) == (2, 1)
    assert (xiongbi.villages, xiongbi.poor_villages) == (1, 0)
    assert (county.total.villages, county.total.poor_villages) == (3, 1)
    rows = by_name(groups)
    assert rows["大寨组"].profile == profile  # a group without its own shows its village's
    assert rows["新村组"].profile.area == registry.fazai
    assert statistics.figures_for(registry.shanlong, user=users.alice).profile == profile


@pytest.mark.parametrize(
    ("part", "whole", "expected"),
    [
        (6, 17, Decimal("35.29")),
        (18705, 100000, Decimal("18.71")),  # half up, not to even
        (18715, 100000, Decimal("18.72")),
        (1, 8, Decimal("12.50")),
        (2, 3, Decimal("66.67")),
        (0, 5, Decimal("0.00")),
        (3, 3, Decimal("100.00")),
        (1, 0, None),
    ],
)
def test_incidence_is_a_percentage_with_two_decimals_half_up(part, whole, expected):
    assert percent(part, whole) == expected
    if expected is not None:
        assert str(expected) == str(percent(part, whole))


def test_counts_in_a_fixed_number_of_queries_whatever_the_areas(registry, users):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    Round.objects.create(year=2013, name="2013年动态调整", poverty_line=2300, dibao_line=1400)
    with CaptureQueriesContext(connection) as two_townships:
        statistics.figures_by_child(registry.county, user=users.fupin)
    with CaptureQueriesContext(connection) as four_groups:
        statistics.figures_by_group(registry.county, user=users.fupin)

    assert len(two_townships) == len(four_groups) <= 10


@pytest.mark.parametrize(
    ("username", "area"),
    [
        ("carol", "county"),  # township official: not the county
        ("carol", "xiongbi"),  # nor the neighbouring township
        ("carol", "potou"),  # nor a group inside it
        ("alice", "danfeng"),  # village cadre: not her township
        ("alice", "fazai"),  # nor the neighbouring village
        ("bob", "dazhai"),  # nor a group of it
    ],
)
def test_figures_outside_the_users_area_are_refused(registry, users, username, area):
    with pytest.raises(PermissionDenied):
        statistics.figures_by_child(getattr(registry, area), user=getattr(users, username))


def test_figures_inside_the_users_area_are_given(registry, users):
    assert statistics.figures_by_child(registry.danfeng, user=users.carol).total.households == 6
    assert statistics.figures_by_group(registry.shanlong, user=users.alice).total.households == 5
    assert statistics.figures_for(registry.potou, user=users.dave).households == 1


def test_the_system_itself_counts_any_area(registry):
    """The nightly standing reports run without a user: `user=None` must be passed explicitly."""
    assert statistics.figures_by_child(registry.county, user=None).total.households == 7
