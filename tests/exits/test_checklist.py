"""Every item of the exit standard (两不愁三保障, income) computed with its evidence."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from exits import checklist
from exits.checklist import Facts, Person

ADULT = Person("张三", datetime.date(1970, 5, 1), in_school=False, insured=True)


def facts(**changes) -> Facts:
    base = {
        "year": 2015,
        "poverty_line": Decimal("2800"),
        "income_year": 2014,
        "per_capita": {2014: Decimal("4000"), 2013: Decimal("3500")},
        "members": [ADULT],
        "dangerous_house": False,
        "dangerous_house_grade": "",
        "drinking_water_safe": True,
        "survey": {
            "FOOD": {"answer": True, "evidence": "存粮充足"},
            "CLOTHING": {"answer": True, "evidence": "衣被齐全"},
        },
    }
    return Facts(**{**base, **changes})


def item(f: Facts, code: str) -> checklist.Item:
    return next(i for i in checklist.evaluate(f).items if i.code == code)


def test_household_meeting_every_item_passes_with_evidence():
    result = checklist.evaluate(facts())
    assert result.passed
    assert [i.code for i in result.items] == list(checklist.ITEMS)
    assert (
        "2014 年人均纯收入 4000 元,2013 年 3500 元,均高于扶贫标准 2800 元" in item(facts(), "INCOME").detail
    )


def test_income_of_this_year_at_the_line_fails():
    found = item(facts(per_capita={2014: Decimal("2800"), 2013: Decimal("3500")}), "INCOME")
    assert not found.passed
    assert "未稳定高于扶贫标准 2800 元" in found.detail


def test_income_of_last_year_below_the_line_fails_although_this_year_is_above():
    assert not item(facts(per_capita={2014: Decimal("4000"), 2013: Decimal("2000")}), "INCOME").passed


def test_income_without_last_year_record_is_judged_on_this_year():
    found = item(facts(per_capita={2014: Decimal("4000")}), "INCOME")
    assert found.passed
    assert found.detail == "2014 年人均纯收入 4000 元,高于扶贫标准 2800 元"


def test_missing_income_record_of_the_income_year_fails():
    found = item(facts(per_capita={2013: Decimal("9000")}), "INCOME")
    assert (found.passed, found.detail) == (False, "未登记 2014 年收入")


@pytest.mark.parametrize("code", ["FOOD", "CLOTHING"])
def test_two_worries_are_answered_by_the_survey(code):
    assert not item(facts(survey={}), code).passed
    assert item(facts(survey={}), code).detail == "待入户核实"
    answered = item(facts(survey={code: {"answer": False, "evidence": "口粮不足三个月"}}), code)
    assert (answered.passed, answered.source) == (False, checklist.SURVEY)
    assert "佐证:口粮不足三个月" in answered.detail


def test_school_age_child_not_in_school_fails_education():
    child = Person("张小明", datetime.date(2005, 3, 1), in_school=False, insured=True)
    found = item(facts(members=[ADULT, child]), "EDUCATION")
    assert (found.passed, found.source) == (False, checklist.REGISTRY)
    assert "未在校:张小明" in found.detail


def test_school_age_child_in_school_passes_and_adults_do_not_count():
    child = Person("张小明", datetime.date(2005, 3, 1), in_school=True, insured=True)
    assert item(facts(members=[ADULT, child]), "EDUCATION").passed
    assert item(facts(), "EDUCATION").detail == "家中无义务教育阶段适龄成员"


def test_school_age_is_six_to_fifteen_on_first_of_september():
    sixteen = Person("张大", datetime.date(1999, 8, 31), in_school=False, insured=True)  # 16 on 2015-09-01
    five = Person("张小", datetime.date(2009, 9, 2), in_school=False, insured=True)  # 5 on 2015-09-01
    assert item(facts(members=[ADULT, sixteen, five]), "EDUCATION").passed


def test_member_without_basic_medical_insurance_fails_medical():
    uninsured = Person("李四", datetime.date(1972, 1, 1), in_school=False, insured=False)
    found = item(facts(members=[ADULT, uninsured]), "MEDICAL")
    assert not found.passed
    assert "李四" in found.detail


@pytest.mark.parametrize("grade", ["C级", "D级"])
def test_c_or_d_dangerous_house_fails_housing_whatever_the_survey_says(grade):
    survey = {"HOUSING": {"answer": True, "evidence": "看似安全"}}
    found = item(facts(dangerous_house=True, dangerous_house_grade=grade, survey=survey), "HOUSING")
    assert (found.passed, found.source) == (False, checklist.REGISTRY)


def test_unknown_house_is_answered_by_the_survey():
    assert not item(facts(dangerous_house=None), "HOUSING").passed
    answered = facts(
        dangerous_house=None, survey={"HOUSING": {"answer": True, "evidence": "砖混结构,2013年新建"}}
    )
    found = item(answered, "HOUSING")
    assert (found.passed, found.source) == (True, checklist.SURVEY)


def test_unsafe_drinking_water_fails_and_unknown_is_surveyed():
    assert not item(facts(drinking_water_safe=False), "WATER").passed
    assert item(facts(drinking_water_safe=None), "WATER").detail == "饮水安全未登记,待入户核实"


def test_survey_asks_only_what_the_registry_cannot_decide():
    assert checklist.needs_survey(facts()) == ["FOOD", "CLOTHING"]
    assert checklist.needs_survey(facts(dangerous_house=None, drinking_water_safe=None)) == [
        "FOOD",
        "CLOTHING",
        "HOUSING",
        "WATER",
    ]


def test_failing_text_names_each_failing_item():
    result = checklist.evaluate(facts(drinking_water_safe=False, survey={}))
    assert result.failing_text() == "不愁吃(待入户核实);不愁穿(待入户核实);饮水安全有保障(登记为饮水不安全)"
