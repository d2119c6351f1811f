"""One test per trigger and its de-duplication: a second run raises nothing new."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from assistance.models import Loan
from households.models import IncomeRecord, Member
from monitoring.choices import Trigger
from monitoring.models import HardshipEvent, MonitoringSettings, Warning
from monitoring.triggers import check
from tests.monitoring.conftest import TODAY, make_household

pytestmark = pytest.mark.django_db


def raised_twice(trigger: Trigger) -> tuple[list[Warning], int]:
    """Run the triggers twice; the warnings of `trigger` after the first, and what the second added."""
    first = check(today=TODAY)
    warnings = list(Warning.objects.filter(trigger=trigger))
    assert first.raised[trigger] == len(warnings)
    second = check(today=TODAY)
    return warnings, second.total


def test_income_below_the_monitoring_line_raises_once(county_tree, round_2014):
    household = make_household(county_tree.dazhai, incomes={2013: 4000})  # edge: on no roll, 4000 < 4104
    make_household(county_tree.dazhai, incomes={2013: 4200})  # above the line: not watched at all
    warnings, again = raised_twice(Trigger.INCOME_LOW)
    assert [w.household for w in warnings] == [household]
    assert warnings[0].cause_key == "2013"
    assert warnings[0].data["line"] == 4104 and warnings[0].data["per_capita"] == 4000
    assert "低于监测线 4104.00 元" in warnings[0].reason
    assert warnings[0].area_code == county_tree.dazhai.code
    assert again == 0


def test_the_county_sets_the_monitoring_line_factor(county_tree, round_2014):
    MonitoringSettings.objects.create(county=county_tree.county, line_factor=Decimal("1.2"))
    make_household(county_tree.dazhai, incomes={2013: 4000})  # 4000 > 1.2 × 2736 = 3283.20
    assert check(today=TODAY).raised[Trigger.INCOME_LOW] == 0


def test_a_household_on_the_open_fupin_roll_is_not_watched(county_tree, round_2014):
    make_household(county_tree.dazhai, fupin_open=True, incomes={2013: 1000}, health="患有大病")
    outcome = check(today=TODAY)
    assert outcome.checked == 0 and outcome.total == 0


def test_income_fallen_by_more_than_the_county_share_raises_once(lifted):
    IncomeRecord.objects.filter(household=lifted, year=2013).update(wage_income=Decimal("4150"))  # −30.8 %
    warnings, again = raised_twice(Trigger.INCOME_DROP)
    assert [w.household for w in warnings] == [lifted]
    assert "下降 30.8%" in warnings[0].reason
    assert again == 0


def test_income_fallen_less_than_the_share_raises_nothing(lifted):
    IncomeRecord.objects.filter(household=lifted, year=2013).update(wage_income=Decimal("4500"))  # −25 %
    assert check(today=TODAY).raised[Trigger.INCOME_DROP] == 0


def test_a_serious_illness_member_raises_once(lifted):
    member = Member.objects.get(household=lifted)
    Member.objects.filter(pk=member.pk).update(health="患有大病")
    warnings, again = raised_twice(Trigger.SERIOUS_ILLNESS)
    assert [w.cause_key for w in warnings] == [f"member:{member.pk}"]
    assert again == 0


def test_a_severely_disabled_member_raises_once_and_a_mild_one_not(lifted, county_tree):
    Member.objects.filter(household=lifted).update(health="残疾", disability_grade="二级")
    other = make_household(county_tree.dazhai, lifted=True, health="残疾", disability_grade="四级")
    warnings, again = raised_twice(Trigger.SEVERE_DISABILITY)
    assert [w.household for w in warnings] == [lifted]
    assert not Warning.objects.filter(household=other).exists()
    assert again == 0


def test_disaster_damage_recorded_raises_once_per_event(lifted, users):
    HardshipEvent.objects.create(
        household=lifted,
        kind="因灾",
        occurred_on=TODAY,
        amount=Decimal("12000"),
        description="冰雹毁坏烤烟",
        recorded_by=users.alice,
    )
    warnings, again = raised_twice(Trigger.DISASTER)
    assert len(warnings) == 1 and "因灾受损 12000.00 元" in warnings[0].reason
    assert again == 0


def test_an_accident_recorded_raises_once(county_tree, users, round_2014):
    household = make_household(county_tree.dazhai, incomes={2013: 9000})  # watched because of the event alone
    HardshipEvent.objects.create(
        household=household,
        kind="因意外",
        occurred_on=TODAY,
        amount=Decimal("3000"),
        description="车祸",
        recorded_by=users.alice,
    )
    warnings, again = raised_twice(Trigger.ACCIDENT)
    assert [w.household for w in warnings] == [household]
    assert again == 0


def test_an_overdue_loan_raises_once_per_due_date(lifted):
    loan = Loan.objects.create(
        household=lifted, bank="信用社", amount=Decimal("30000"), issued_on=datetime.date(2011, 3, 1), term_months=36,
        due_on=datetime.date(2014, 3, 1), purpose="养牛",
    )  # fmt: skip
    Loan.objects.create(
        household=lifted, bank="信用社", amount=Decimal("5000"), issued_on=datetime.date(2011, 3, 1), term_months=36,
        due_on=datetime.date(2014, 3, 1), purpose="种植", status="已还", repaid_on=datetime.date(2014, 2, 1),
    )  # fmt: skip
    warnings, again = raised_twice(Trigger.LOAN_OVERDUE)
    assert [w.cause_key for w in warnings] == [f"loan:{loan.pk}:2014-03-01"]
    assert again == 0


def test_a_student_leaving_school_raises_once(county_tree, round_2014):
    # History rows carry the real time of the save: the pupil is 14 now.
    born = timezone.localdate().replace(month=1, day=1) - datetime.timedelta(days=14 * 365)
    household = make_household(county_tree.dazhai, lifted=True, birth_date=born)
    pupil = Member.objects.get(household=household)
    pupil.school_status = "初中"
    pupil.save()
    pupil.school_status = "非在校生"
    pupil.save()
    warnings, again = raised_twice(Trigger.SCHOOL_DROPOUT)
    assert [w.data["member_id"] for w in warnings] == [pupil.pk]
    assert "由初中在校生变为非在校生" in warnings[0].reason
    assert again == 0


def test_an_adult_graduating_is_not_a_dropout(county_tree, round_2014):
    household = make_household(county_tree.dazhai, lifted=True, birth_date=datetime.date(1990, 5, 1))
    student = Member.objects.get(household=household)
    student.school_status = "本科及以上"
    student.save()
    student.school_status = "非在校生"
    student.save()
    assert check(today=TODAY).raised[Trigger.SCHOOL_DROPOUT] == 0


def test_medical_costs_above_the_share_of_income_raise_once_per_year(lifted, users):
    for amount in ("2000", "1500"):  # 3500 > 0.5 × 6000
        HardshipEvent.objects.create(
            household=lifted,
            kind="因病",
            occurred_on=TODAY,
            amount=Decimal(amount),
            description="住院",
            recorded_by=users.alice,
        )
    warnings, again = raised_twice(Trigger.MEDICAL_COSTS)
    assert len(warnings) == 1 and warnings[0].data["medical_costs"] == 3500
    assert warnings[0].cause_key == "2014"
    assert again == 0


def test_medical_costs_within_the_share_raise_nothing(lifted, users):
    HardshipEvent.objects.create(
        household=lifted,
        kind="因病",
        occurred_on=TODAY,
        amount=Decimal("2500"),
        description="门诊",
        recorded_by=users.alice,
    )
    assert check(today=TODAY).raised[Trigger.MEDICAL_COSTS] == 0


def test_a_check_of_one_household_leaves_the_others_alone(county_tree, round_2014):
    mine = make_household(county_tree.dazhai, incomes={2013: 3000})
    make_household(county_tree.potou, incomes={2013: 3000})
    outcome = check(household_ids=[mine.pk], today=TODAY)
    assert outcome.checked == 1
    assert list(Warning.objects.values_list("household", flat=True)) == [mine.pk]
