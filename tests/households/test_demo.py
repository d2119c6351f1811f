"""The demo households of seed_demo: plausible, valid, in the annex's proportions, deterministic."""

import random
from collections import Counter
from io import StringIO

import pytest
from django.core.management import call_command

from households.demo import POVERTY_LINE, create_demo_households
from households.models import Case, Household, IncomeRecord, Member
from households.validation import check_household_members, check_member
from villages.demo import create_areas, demo_area_tree, read_annex
from villages.models import Area


@pytest.fixture
def demo_county(db):
    create_areas(demo_area_tree(random.Random(1)))


def snapshot():
    return (
        list(
            Household.objects.order_by("number").values_list(
                "number", "group__code", "attribute", "main_cause"
            )
        ),
        list(
            Member.objects.order_by("id_number").values_list(
                "id_number", "name", "relation", "household__number"
            )
        ),
        list(
            Case.objects.order_by("household__number", "program").values_list(
                "household__number", "program", "state", "poverty_class"
            )
        ),
    )


def test_same_seed_gives_the_same_households(demo_county):
    create_demo_households(random.Random(5), 200)
    first = snapshot()
    for model in (Case, Member, IncomeRecord, Household):
        model.objects.all().delete()
    create_demo_households(random.Random(5), 200)
    assert snapshot() == first
    for model in (Case, Member, IncomeRecord, Household):
        model.objects.all().delete()
    create_demo_households(random.Random(6), 200)
    assert snapshot() != first


def test_every_demo_person_is_valid_and_every_household_has_one_head(demo_county):
    counts = create_demo_households(random.Random(3), 600)
    assert Household.objects.count() == counts.households == 600
    members = list(Member.objects.values())
    assert len(members) == counts.members
    assert 3.0 < counts.members / counts.households < 4.8  # rural households of 2011
    for member in members:
        assert check_member(member) == {}, member
    by_household = {}
    for member in members:
        by_household.setdefault(member["household_id"], []).append(member)
    for household_members in by_household.values():
        assert check_household_members(household_members) == []


def test_poverty_follows_the_annex_and_incomes_fit_the_classes(demo_county):
    create_demo_households(random.Random(3), 3000)
    annex = {row["乡镇名"]: float(row["贫困发生率"]) for row in read_annex()}
    poor, total = Counter(), Counter()
    for household in Household.objects.select_related("group__parent__parent"):
        township = household.group.parent.parent.name
        total[township] += 1
        poor[township] += household.attribute != ""
    for township, rate in annex.items():
        assert abs(100 * poor[township] / total[township] - rate) < 10, township
    for income in IncomeRecord.objects.select_related("household").prefetch_related("household__cases"):
        classes = {c.poverty_class for c in income.household.cases.all()}
        if income.household.attribute:
            assert income.per_capita_net_income < POVERTY_LINE
        else:
            assert income.per_capita_net_income > POVERTY_LINE and not classes
        if classes & {1, 2}:
            assert income.per_capita_net_income < 1400


def test_demo_cases_follow_the_attribute(demo_county):
    create_demo_households(random.Random(4), 1500)
    for household in Household.objects.exclude(attribute="").prefetch_related("cases"):
        programs = {c.program for c in household.cases.all()}
        assert "fupin" in programs
        assert ("dibao" in programs) == (household.attribute == "低保贫困户")
        assert ("tekun" in programs) == (household.attribute == "特困供养贫困户")
    assert not Case.objects.filter(household__attribute="").exists()


def test_demo_history_records_the_creation(demo_county):
    create_demo_households(random.Random(4), 50)
    assert Household.history.filter(history_type="+", history_change_reason="演示数据").count() == 50
    assert Member.history.count() == Member.objects.count()


def test_seed_demo_reports_households(db):
    out = StringIO()
    call_command("seed_demo", "--households", "100", stdout=out)
    assert "100 户" in out.getvalue()
    assert Household.objects.filter(group__level=Area.Level.GROUP).count() == 100


def test_demo_people_look_real_to_a_county_official(demo_county):
    """Issue 9's Demo: names match sex, schooling agrees with age, 师宗县's own region codes, no late exit."""
    from households.demo import CURRENT_ROUND_YEAR, GIVEN, INCOME_YEAR, OLD_REGION, REGION, REGION_CHANGED

    create_demo_households(random.Random(8), 1500)
    members = list(Member.objects.select_related("household"))
    assert len(members) > 4000
    for m in members:
        given = m.name[1:]
        assert set(given) <= set(GIVEN[m.gender]), (m.name, m.gender)
        age = INCOME_YEAR - m.birth_date.year
        if age < 15:
            assert m.education in ("学龄前儿童", "小学", "初中"), (age, m.education)
        if age < 18:
            assert m.education != "大专及以上", (age, m.education)
        if age < 21 and m.school_status == "非在校生":
            assert m.education != "大专及以上", (age, m.education)
        if m.school_status != "非在校生":
            assert not m.work_status and m.work_months is None, (m.school_status, m.work_status)
            assert 3 <= age < 22, (age, m.school_status)
        region = m.id_number[:6]
        assert region in (OLD_REGION, REGION), region  # never 陆良县's 530322 or 532228
        if m.birth_date.year >= REGION_CHANGED:
            assert region == REGION
        assert (
            m.person_number.startswith(m.household.number)
            and len(m.person_number) == len(m.household.number) + 2
        )
        if m.disability_certificate:
            assert m.disability_certificate[:18] == m.id_number and len(m.disability_certificate) == 20
    assert {m.id_number[:6] for m in members if m.birth_date.year < REGION_CHANGED} == {OLD_REGION, REGION}
    assert {m.gender for m in members} == {"男", "女"}
    assert not Case.objects.filter(left_year__gt=CURRENT_ROUND_YEAR).exists()
    assert Case.objects.filter(state="lifted").exists()
