"""Each line of the 整改清单 (assistance.coverage): present when the gap is there, gone once it is fixed."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from assistance import coverage
from assistance.models import (
    Helper,
    Loan,
    Measure,
    Pairing,
    Plan,
    TeamMember,
    VillageAssistance,
    Visit,
    WorkTeam,
)
from tests.assistance.conftest import TODAY, rolled_household
from tests.factories import MemberFactory
from villages.models import AreaProfile

pytestmark = pytest.mark.django_db
COUNTY = "530323"


def subjects(code: str, prefix: str = COUNTY) -> list[str]:
    return [line.subject for line in coverage.lines(prefix, coverage.BY_CODE[code], today=TODAY)]


def plan(household, **measure) -> Plan:
    p = Plan.objects.create(household=household, year=TODAY.year, target_year=TODAY.year)
    if measure:
        Measure.objects.create(
            plan=p,
            household=household,
            content="x",
            funding_source="财政专项",
            started_on=datetime.date(TODAY.year, 1, 1),
            **measure,
        )
    return p


def test_rolled_households_without_a_helper(world):
    assert subjects("no_helper") == ["530323101201001002 张二", "530323102202001001 赵三"]
    assert subjects("no_helper", "530323102") == ["530323102202001001 赵三"]
    Pairing.objects.create(helper=world.li, household=world.b, started_on=TODAY)
    assert subjects("no_helper") == ["530323102202001001 赵三"]


def test_households_off_the_roll_are_not_listed(world):
    world.c.cases.update(state="lifted", left_year=2020)
    assert "530323102202001001 赵三" not in subjects("no_helper")


def test_no_plan_and_no_measure_this_year(world):
    Plan.objects.create(household=world.a, year=TODAY.year - 1, target_year=TODAY.year)
    plan(world.b)
    plan(world.c, category="种植")
    assert subjects("no_plan") == ["530323101201001001 张大"]
    assert subjects("no_measure") == ["530323101201001002 张二"]


def test_not_visited_this_year(world):
    Visit.objects.create(
        helper=world.wang, household=world.a, visited_on=datetime.date(TODAY.year - 1, 12, 31), content="x"
    )
    Visit.objects.create(
        helper=world.wang, household=world.b, visited_on=datetime.date(TODAY.year, 1, 1), content="x"
    )
    assert subjects("not_visited") == ["530323101201001001 张大", "530323102202001001 赵三"]


def test_helper_above_the_limit_and_unqualified_helpers(world, county_tree):
    for n in range(3):
        h = rolled_household(county_tree.xiaozhai, f"53032310120100200{n}", head=f"户{n}")
        Pairing.objects.create(helper=world.wang, household=h, started_on=TODAY)
    worker = Helper.objects.create(
        name="赵员工", unit=world.company, is_manager=False, area=county_tree.county
    )
    Pairing.objects.create(helper=worker, household=world.c, started_on=TODAY)
    (line,) = coverage.lines(COUNTY, coverage.BY_CODE["helper_over_limit"], today=TODAY)
    assert line.subject == "王帮扶(县农业农村局)" and line.detail == "联系 4 户,超过上限 3 户"
    assert line.fix_url == f"/assistance/helpers/{world.wang.pk}/"
    (line,) = coverage.lines(COUNTY, coverage.BY_CODE["helper_unqualified"], today=TODAY)
    assert line.detail == "企业人员不是中层以上管理人员"
    # A county helper is on a township's list where they hold its households, not elsewhere.
    assert subjects("helper_unqualified", "530323102") == ["赵员工(师宗某公司)"]
    assert subjects("helper_unqualified", "530323101") == []


def test_poor_village_missing_any_of_the_five_ones(world, county_tree):
    AreaProfile.objects.create(area=county_tree.shanlong, is_poor_village=True)
    AreaProfile.objects.create(area=county_tree.fazai, is_poor_village=False)
    (line,) = coverage.lines(COUNTY, coverage.BY_CODE["five_ones"], today=TODAY)
    assert line.detail == "缺联系领导、帮扶单位、驻村工作队、第一书记、农技员"
    assert line.fix_url == f"/assistance/villages/{county_tree.shanlong.code}/"
    VillageAssistance.objects.create(
        village=county_tree.shanlong, liaison_leader="副县长", unit=world.county_unit, agronomist="农技员甲"
    )
    team = WorkTeam.objects.create(village=county_tree.shanlong, unit=world.county_unit, started_on=TODAY)
    TeamMember.objects.create(team=team, name="周", role="队长", is_first_secretary=False, joined_on=TODAY)
    assert [line.detail for line in coverage.lines(COUNTY, coverage.BY_CODE["five_ones"], today=TODAY)] == [
        "缺第一书记"
    ]
    TeamMember.objects.create(team=team, name="吴", role="队员", is_first_secretary=True, joined_on=TODAY)
    assert subjects("five_ones") == []


def test_students_without_an_education_measure(world):
    pupil = MemberFactory(household=world.a, relation="之子", name="张小", school_status="初中")
    MemberFactory(household=world.a, relation="之女", name="张妹", school_status="非在校生")
    (line,) = coverage.lines(COUNTY, coverage.BY_CODE["student_unaided"], today=TODAY)
    assert (
        line.subject == "530323101201001001 张小"
        and line.detail == f"在读初中,没有{TODAY.year}年教育扶贫措施"
    )
    plan(world.a, category="义务教育资助", member=pupil)
    assert subjects("student_unaided") == []


def test_aid_for_another_member_does_not_count(world):
    MemberFactory(household=world.a, relation="之子", name="张小", school_status="高中")
    other = MemberFactory(household=world.a, relation="之女", name="张妹", school_status="非在校生")
    plan(world.a, category="高中教育资助", member=other)
    assert subjects("student_unaided") == ["530323101201001001 张小"]


def test_patients_without_a_health_measure(world):
    patient = MemberFactory(household=world.b, relation="配偶", name="李病", health="长期慢性病")
    assert subjects("patient_unaided") == ["530323101201001002 李病"]
    plan(world.b, category="慢病签约", member=patient)
    assert subjects("patient_unaided") == []


def test_dangerous_houses_without_renovation(world):
    type(world.a).objects.filter(pk=world.a.pk).update(dangerous_house=True, dangerous_house_grade="D级")
    (line,) = coverage.lines(COUNTY, coverage.BY_CODE["dangerous_house"], today=TODAY)
    assert line.detail == "危房(D级),没有危房改造措施"
    plan(world.a, category="危房改造")
    assert subjects("dangerous_house") == []


def test_overdue_loans(world):
    common = {"bank": "农村信用社", "amount": Decimal("50000"), "purpose": "养牛", "term_months": 36}
    Loan.objects.create(
        household=world.a, issued_on=datetime.date(2022, 6, 1), due_on=datetime.date(2025, 6, 1), **common
    )
    Loan.objects.create(
        household=world.b,
        issued_on=datetime.date(2022, 6, 1),
        due_on=datetime.date(2025, 6, 1),
        status="已还",
        repaid_on=datetime.date(2025, 5, 1),
        **common,
    )
    Loan.objects.create(
        household=world.c, issued_on=datetime.date(2024, 6, 1), due_on=datetime.date(2027, 6, 1), **common
    )
    (line,) = coverage.lines(COUNTY, coverage.BY_CODE["overdue_loan"], today=TODAY)
    assert line.detail == "农村信用社 50000.00元,2025-06-01到期,已逾期 379 天"


def test_counts_by_child_area_add_up_to_the_totals(world):
    by_township = coverage.counts(COUNTY, digits=9, today=TODAY)
    totals = coverage.totals(COUNTY, today=TODAY)
    assert by_township["no_helper"] == {"530323101": 1, "530323102": 1}
    for code, total in totals.items():
        assert sum(by_township[code].values()) == total


def test_one_pass_counts_agree_with_each_checks_own_lines(world, county_tree):
    """The household and member checks are counted together (count FILTER) and listed one by one: a gap of
    every kind, then the two must give the same numbers."""
    MemberFactory(household=world.a, relation="之子", name="张小", school_status="小学")
    MemberFactory(household=world.c, relation="配偶", name="赵病", health="患有大病")
    type(world.b).objects.filter(pk=world.b.pk).update(dangerous_house=True)
    plan(world.b)
    plan(world.c, category="种植")
    Visit.objects.create(helper=world.wang, household=world.a, visited_on=TODAY, content="x")
    totals = coverage.totals(COUNTY, today=TODAY)
    for check in coverage.CHECKS:
        assert totals[check.code] == len(coverage.lines(COUNTY, check, today=TODAY)), check.code
    assert all(
        totals[code]
        for code in (
            "no_helper",
            "no_plan",
            "no_measure",
            "not_visited",
            "student_unaided",
            "patient_unaided",
            "dangerous_house",
        )
    )
