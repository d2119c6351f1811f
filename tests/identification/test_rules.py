"""The eligibility rules: each direct-entry and exclusion condition, the income tests and the class,
each with its numbers in the trace."""

from __future__ import annotations

from decimal import Decimal

import pytest

from identification import rules

NO = dict.fromkeys(rules.SURVEY_QUESTIONS, False)


def facts(*, income="4500", persons=3, labourers=1, **answers) -> rules.Facts:
    return rules.Facts(
        net_income=Decimal(income),
        persons=persons,
        poverty_line=Decimal("2300"),
        dibao_line=Decimal("1400"),
        labourers=labourers,
        answers={**NO, **answers},
    )


def by_code(eligibility: rules.Eligibility) -> dict[str, rules.RuleResult]:
    return {r.code: r for r in eligibility.results}


def test_income_between_the_lines_is_fupin_class_3_with_the_numbers():
    result = rules.evaluate(facts(income="4500"))
    rule = by_code(result)
    assert rule["INCOME_FUPIN"].fired
    assert rule["INCOME_FUPIN"].detail == "家庭纯收入 4500 元 ÷ 3 人 = 人均 1500.00 元,低于扶贫标准 2300 元"
    assert not rule["INCOME_DIBAO"].fired
    assert rule["INCOME_DIBAO"].detail == "人均 1500.00 元,不低于农村低保标准 1400 元"
    assert (result.fupin, result.dibao, result.poverty_class) == (True, False, 3)
    assert rule["CLASS"].detail == "三类:非低保的低收入贫困人口"


def test_income_at_the_poverty_line_is_not_below_it():
    result = rules.evaluate(facts(income="6900"))  # exactly 2300 each
    assert not by_code(result)["INCOME_FUPIN"].fired
    assert "人均 2300.00 元,不低于扶贫标准 2300 元" in by_code(result)["INCOME_FUPIN"].detail
    assert (result.fupin, result.dibao, result.poverty_class) == (False, False, None)
    assert by_code(result)["CLASS"].detail == "不属于扶贫或低保对象"


@pytest.mark.parametrize(
    ("labourers", "poverty_class", "name"),
    [(0, 1, "一类:缺乏开发能力的低保户"), (2, 2, "二类:有开发能力的低保户")],
)
def test_below_the_dibao_line_the_class_follows_the_labour_in_the_household(labourers, poverty_class, name):
    result = rules.evaluate(facts(income="3000", labourers=labourers))
    rule = by_code(result)
    assert rule["INCOME_DIBAO"].fired
    assert rule["INCOME_DIBAO"].detail == "人均 1000.00 元,低于农村低保标准 1400 元"
    assert rule["CAPACITY"].fired is bool(labourers)
    assert rule["CAPACITY"].detail == f"家庭 3 人中有普通或技能劳动力 {labourers} 人"
    assert (result.dibao, result.poverty_class) == (True, poverty_class)
    assert rule["CLASS"].detail == name


@pytest.mark.parametrize("code", sorted(rules.DIRECT_ENTRY))
def test_each_direct_entry_condition_admits_a_household_above_the_line(code):
    result = rules.evaluate(facts(income="9000", **{code: True}))  # 3000 each: above 2300
    rule = by_code(result)[code]
    assert rule.fired
    assert rule.name == rules.DIRECT_ENTRY[code]
    assert rule.detail.startswith("入户调查回答:是")
    assert not by_code(result)["INCOME_FUPIN"].fired
    assert (result.fupin, result.poverty_class) == (True, 3)
    assert rule in result.fired()


@pytest.mark.parametrize("code", sorted(rules.EXCLUSIONS))
def test_each_exclusion_bars_fupin_even_below_the_line(code):
    result = rules.evaluate(facts(income="3000", D1=True, **{code: True}))
    rule = by_code(result)[code]
    assert rule.fired
    assert rule.name == rules.EXCLUSIONS[code]
    assert rule.detail == "入户调查回答:是"
    assert result.fupin is False
    # The exclusions are written for 扶贫开发对象; 低保 follows its own income line.
    assert result.dibao is True


def test_unfired_conditions_are_in_the_trace_too():
    result = rules.evaluate(facts())
    assert [r.code for r in result.results] == [
        "INCOME_FUPIN", "INCOME_DIBAO", "CAPACITY", "D1", "D2", "D3", "D4", "D5",
        "X1", "X2", "X3", "X4", "X5", "X6", "X7", "X8", "CLASS",
    ]  # fmt: skip
    assert by_code(result)["X2"].detail == "入户调查回答:否"


def test_d2_shows_the_member_record_beside_the_answer():
    f = rules.Facts(
        net_income=Decimal("9000"),
        persons=4,
        poverty_line=Decimal("2300"),
        dibao_line=Decimal("1400"),
        labourers=1,
        answers={**NO, "D2": True},
        disabled_without_labour=2,
    )
    assert (
        by_code(rules.evaluate(f))["D2"].detail
        == "入户调查回答:是(成员登记:丧失劳动能力的残疾人 2 人 / 家庭 4 人)"
    )


def test_the_trace_is_json_for_the_application_page():
    trace = rules.evaluate(facts(X2=True)).as_json()
    assert trace["fupin"] is False
    x2 = next(r for r in trace["rules"] if r["code"] == "X2")
    assert x2 == {"code": "X2", "name": rules.EXCLUSIONS["X2"], "fired": True, "detail": "入户调查回答:是"}


def test_missing_answers_are_an_error_not_a_silent_no():
    with pytest.raises(ValueError, match="X8"):
        rules.evaluate(
            rules.Facts(Decimal(1), 1, Decimal(2300), Decimal(1400), 0, {k: False for k in list(NO)[:-1]})
        )
