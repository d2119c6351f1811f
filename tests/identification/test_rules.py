"""The eligibility rules (seed 002 四(一) and 第三步): each condition, the income tests and the class, each with
its numbers in the trace."""

from __future__ import annotations

from decimal import Decimal

import pytest

from identification import rules

NO = dict.fromkeys(rules.SURVEY_QUESTIONS, False)


def facts(
    *, income="4500", persons=3, labourers=1, benefits="0", on_dibao_roll=False, declared=None, **answers
):
    return rules.Facts(
        net_income=Decimal(income),
        persons=persons,
        poverty_line=Decimal("2300"),
        dibao_line=Decimal("1400"),
        labourers=labourers,
        answers={**NO, **answers},
        benefits=Decimal(benefits),
        on_dibao_roll=on_dibao_roll,
        declared=declared or {},
    )


def by_code(eligibility: rules.Eligibility) -> dict[str, rules.RuleResult]:
    return {r.code: r for r in eligibility.results}


def test_siyi_income_between_the_lines_is_fupin_class_3_with_the_numbers():
    result = rules.evaluate(facts(income="4500"))
    rule = by_code(result)
    assert rule["INCOME_FUPIN"].fired
    assert rule["INCOME_FUPIN"].detail == "家庭纯收入 4500 元 ÷ 3 人 = 人均 1500.00 元,低于扶贫标准 2300 元"
    assert not rule["INCOME_DIBAO"].fired
    assert "人均 1500.00 元(含在内为 1500.00 元),不低于农村低保标准 1400 元" in rule["INCOME_DIBAO"].detail
    assert (result.fupin, result.dibao, result.poverty_class) == (True, False, 3)
    assert rule["CLASS"].detail == "三类:非低保的低收入贫困人口"


def test_siyi_income_at_the_poverty_line_is_not_below_it():
    result = rules.evaluate(facts(income="6900"))  # exactly 2300 each
    assert not by_code(result)["INCOME_FUPIN"].fired
    assert "人均 2300.00 元,不低于扶贫标准 2300 元" in by_code(result)["INCOME_FUPIN"].detail
    assert (result.fupin, result.dibao, result.poverty_class) == (False, False, None)
    assert by_code(result)["CLASS"].detail == "不属于扶贫或低保对象"


@pytest.mark.parametrize(
    ("labourers", "poverty_class", "name"),
    [(0, 1, "一类:缺乏开发能力的低保户"), (2, 2, "二类:有开发能力的低保户")],
)
def test_siyi_below_the_dibao_line_the_class_follows_the_labour(labourers, poverty_class, name):
    result = rules.evaluate(facts(income="3000", labourers=labourers))
    rule = by_code(result)
    assert rule["INCOME_DIBAO"].fired
    assert rule["CAPACITY"].fired is bool(labourers)
    assert rule["CAPACITY"].detail == f"家庭 3 人中有普通或技能劳动力 {labourers} 人"
    assert (result.dibao, result.poverty_class) == (True, poverty_class)
    assert rule["CLASS"].detail == name


def test_sier_the_dibao_test_leaves_out_the_benefits_and_shows_both_figures():
    # 4,500 元 of which 1,500 is 低保金 and 特困供养金: 1,000 each without them, 1,500 with them.
    result = rules.evaluate(facts(income="4500", benefits="1500"))
    rule = by_code(result)["INCOME_DIBAO"]
    assert rule.fired, "a benefit must not lift a household off the roll that pays it"
    assert rule.detail == (
        "家庭纯收入 4500 元,其中低保金和特困供养金 1500 元不计入:(4500 − 1500) ÷ 3 人 = 人均 1000.00 元"
        "(含在内为 1500.00 元),低于农村低保标准 1400 元"
    )
    assert result.dibao and result.poverty_class == 2


def test_siyi_a_household_on_the_dibao_roll_is_class_1_or_2_not_3():
    # Above the 低保 line this year, but on the 低保 roll: a 低保户 (class 2 with labour), not class 3.
    result = rules.evaluate(facts(income="4500", on_dibao_roll=True))
    assert (result.fupin, result.dibao, result.poverty_class) == (True, False, 2)
    assert by_code(result)["CLASS"].detail == "已在低保名册;二类:有开发能力的低保户"


@pytest.mark.parametrize("code", sorted(rules.DIRECT_ENTRY))
def test_disanbu_direct_entry_does_not_replace_the_income_test(code):
    """ "民主推荐时对符合下列条件之一的贫困家庭户可直接进入识别确认对象": a rule of the vote, not of income."""
    result = rules.evaluate(facts(income="9000", **{code: True}))  # 3,000 each: above 2,300
    rule = by_code(result)[code]
    assert rule.fired
    assert rule.name == rules.DIRECT_ENTRY[code]
    assert rule.detail.startswith("入户调查核实:是")
    assert (result.fupin, result.poverty_class) == (False, None), "a household above the line is not class 3"


def test_disanbu_direct_entry_below_the_line_is_eligible():
    result = rules.evaluate(facts(income="4500", D4=True))
    assert (result.fupin, result.poverty_class) == (True, 3)


@pytest.mark.parametrize("code", sorted(rules.EXCLUSIONS))
def test_disanbu_each_exclusion_bars_fupin_even_below_the_line(code):
    result = rules.evaluate(facts(income="3000", D1=True, **{code: True}))
    rule = by_code(result)[code]
    assert rule.fired
    assert rule.name == rules.EXCLUSIONS[code]
    assert rule.detail == "入户调查核实:是"
    assert result.fupin is False
    # The exclusions are written for 扶贫开发对象; 低保 follows its own income line.
    assert result.dibao is True


def test_the_survey_checks_what_was_declared_at_shenbao():
    declared = {**NO, "D1": True}
    result = rules.evaluate(facts(income="4500", declared=declared))
    rule = by_code(result)
    assert rule["DECLARED"].fired
    assert rule["DECLARED"].detail == "不一致:D1(自述是,核实否)"
    assert rule["D1"].detail == "入户调查核实:否;申报时自述:是"
    same = rules.evaluate(facts(income="4500", declared=NO))
    assert not by_code(same)["DECLARED"].fired
    assert by_code(same)["DECLARED"].detail == "申报自述与核实一致"


def test_unfired_conditions_are_in_the_trace_too():
    result = rules.evaluate(facts())
    assert [r.code for r in result.results] == [
        "INCOME_FUPIN", "INCOME_DIBAO", "CAPACITY", "D1", "D2", "D3", "D4", "D5",
        "X1", "X2", "X3", "X4", "X5", "X6", "X7", "X8", "DECLARED", "CLASS",
    ]  # fmt: skip
    assert by_code(result)["X2"].detail == "入户调查核实:否"


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
        == "入户调查核实:是(成员登记:丧失劳动能力的残疾人 2 人 / 家庭 4 人)"
    )


def test_the_trace_is_json_for_the_application_page():
    trace = rules.evaluate(facts(X2=True)).as_json()
    assert trace["fupin"] is False
    x2 = next(r for r in trace["rules"] if r["code"] == "X2")
    assert x2 == {"code": "X2", "name": rules.EXCLUSIONS["X2"], "fired": True, "detail": "入户调查核实:是"}


def test_missing_answers_are_an_error_not_a_silent_no():
    with pytest.raises(ValueError, match="X8"):
        rules.evaluate(
            rules.Facts(Decimal(1), 1, Decimal(2300), Decimal(1400), 0, {k: False for k in list(NO)[:-1]})
        )
