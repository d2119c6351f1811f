"""Eligibility as named rules, each answering with its numbers, so that an official sees *why*.

Plain Python (no Django): the survey service feeds it the survey's answers and income, and stores the
trace (`Eligibility.as_json`) on the survey and the application.

The policy (seed 002):
- 扶贫: 年人均纯收入 below the 扶贫标准 and none of the eight exclusions (第三步: "不能作为扶贫开发对象").
  The five direct-entry conditions do not replace the income test: "民主推荐时对符合下列条件之一的**贫困家庭户**
  可直接进入识别确认对象" — they are a rule of the group vote (such a household takes its quota places first,
  identification.services.meetings), and the household must still be a 贫困家庭户. The survey re-checks them
  against what was declared at 申报. The exclusions are written for 扶贫 only, so they do not decide 低保 here;
  民政 applies its own rules when it decides.
- 低保: 年人均纯收入 below the county 农村低保标准, counted without the 低保金 and 特困供养金 the household
  already receives (a benefit must not lift a household off the roll that pays it); the trace shows both.
- Class (四(一)): the three kinds "在年末农民人均纯收入低于当期国家扶贫标准的贫困群体中": 1 = a 低保户 without
  development capacity (no full labourer), 2 = a 低保户 with capacity, 3 = not a 低保户 but eligible for 扶贫.
  A 低保户 is a household on the 低保 roll or found eligible for it in this round: the class follows the rolls
  (`poverty_class`), not the income alone.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from decimal import Decimal

# Seed 002, 第三步: 符合下列条件之一的贫困家庭户可直接进入识别确认对象.
DIRECT_ENTRY = {
    "D1": "家庭主要劳动力死亡、孩子未成年",
    "D2": "丧失劳动能力的残疾人口占家庭人口一半以上",
    "D3": "不符合五保条件的鳏寡孤独",
    "D4": "家庭主要劳动力长期生病、不能从事基本劳动",
    "D5": "因自然灾害、突发事件及其它原因造成家庭特别困难",
}

# Seed 002, 第三步: 具有下列情形之一的,不能作为扶贫开发对象.
EXCLUSIONS = {
    "X1": "申请前三年内建房、购买建房用地、在城镇购买商品房或高标准装修住房(因灾重建、拆迁除外)",
    "X2": "拥有或使用机动车辆、工程机械(残疾人代步车除外)或大型农机具(赠与的除外)",
    "X3": "家庭成员在机关、企事业单位有固定工作(含退休)和稳定收入",
    "X4": "长期雇佣他人从事生产经营活动",
    "X5": "因违反计划生育政策超生拒不执行处理致贫",
    "X6": "申请前两年内大操大办婚丧嫁娶造成家庭生活困难",
    "X7": "因赌博或其它违法违纪行为造成家庭生活困难",
    "X8": "具有其他不符合扶贫开发对象情形",
}

SURVEY_QUESTIONS = {**DIRECT_ENTRY, **EXCLUSIONS}

CLASS_NAMES = {
    1: "一类:缺乏开发能力的低保户",
    2: "二类:有开发能力的低保户",
    3: "三类:非低保的低收入贫困人口",
}


@dataclass(frozen=True)
class RuleResult:
    code: str
    name: str
    fired: bool
    detail: str


@dataclass(frozen=True)
class Facts:
    """What the rules read: one survey's findings and the round's standards."""

    net_income: Decimal
    persons: int
    poverty_line: Decimal
    dibao_line: Decimal
    labourers: int
    answers: Mapping[str, bool]
    disabled_without_labour: int = 0
    # 低保金 + 特困供养金 inside net_income: left out of the 低保 test.
    benefits: Decimal = Decimal("0")
    on_dibao_roll: bool = False
    # What the household declared at 申报 ({code: bool}); empty for applications entered before it was asked.
    declared: Mapping[str, bool] = field(default_factory=dict)

    @property
    def per_capita_income(self) -> Decimal:
        return (self.net_income / self.persons).quantize(Decimal("0.01"))

    @property
    def per_capita_without_benefits(self) -> Decimal:
        return ((self.net_income - self.benefits) / self.persons).quantize(Decimal("0.01"))


@dataclass(frozen=True)
class Eligibility:
    results: tuple[RuleResult, ...]
    fupin: bool
    dibao: bool
    poverty_class: int | None

    def fired(self) -> list[RuleResult]:
        return [r for r in self.results if r.fired]

    def as_json(self) -> dict:
        return {
            "fupin": self.fupin,
            "dibao": self.dibao,
            "poverty_class": self.poverty_class,
            "rules": [asdict(r) for r in self.results],
        }


def income_below_poverty_line(f: Facts) -> RuleResult:
    below = f.per_capita_income < f.poverty_line
    return RuleResult(
        "INCOME_FUPIN",
        "年人均纯收入低于扶贫标准",
        below,
        f"家庭纯收入 {f.net_income} 元 ÷ {f.persons} 人 = 人均 {f.per_capita_income} 元,"
        f"{'低于' if below else '不低于'}扶贫标准 {f.poverty_line} 元",
    )


def income_below_dibao_line(f: Facts) -> RuleResult:
    below = f.per_capita_without_benefits < f.dibao_line
    return RuleResult(
        "INCOME_DIBAO",
        "年人均纯收入(不含低保金、特困供养金)低于农村低保标准",
        below,
        f"家庭纯收入 {f.net_income} 元,其中低保金和特困供养金 {f.benefits} 元不计入:"
        f"({f.net_income} − {f.benefits}) ÷ {f.persons} 人 = 人均 {f.per_capita_without_benefits} 元"
        f"(含在内为 {f.per_capita_income} 元),{'低于' if below else '不低于'}农村低保标准 {f.dibao_line} 元",
    )


def development_capacity(f: Facts) -> RuleResult:
    return RuleResult(
        "CAPACITY",
        "具有开发能力(家庭有劳动力)",
        f.labourers > 0,
        f"家庭 {f.persons} 人中有普通或技能劳动力 {f.labourers} 人",
    )


def _answered(code: str, f: Facts) -> RuleResult:
    fired = bool(f.answers.get(code))
    detail = f"入户调查核实:{'是' if fired else '否'}"
    if code in f.declared:
        detail += f";申报时自述:{'是' if f.declared[code] else '否'}"
    if code == "D2":
        # The survey's answer decides; the members' record is shown beside it so a checker can compare.
        detail += f"(成员登记:丧失劳动能力的残疾人 {f.disabled_without_labour} 人 / 家庭 {f.persons} 人)"
    return RuleResult(code, SURVEY_QUESTIONS[code], fired, detail)


def declaration_matches(f: Facts) -> RuleResult:
    """The survey verifies what was declared at 申报: a difference is shown (a spot check looks at it)."""
    differing = [
        code for code, said in f.declared.items() if code in f.answers and bool(said) != f.answers[code]
    ]
    return RuleResult(
        "DECLARED",
        "申报自述与入户调查不一致",
        bool(differing),
        "不一致:"
        + "、".join(
            f"{c}(自述{'是' if f.declared[c] else '否'},核实{'是' if f.answers[c] else '否'})"
            for c in differing
        )
        if differing
        else ("申报自述与核实一致" if f.declared else "申报时未作自述"),
    )


def poverty_class(*, dibao_household: bool, capacity: bool, fupin: bool, poor: bool) -> int | None:
    """四(一): among the poor (below the 扶贫标准), a 低保户 is class 1 or 2 by capacity; else 3 if 扶贫-eligible."""
    if not poor:
        return None
    if dibao_household:
        return 2 if capacity else 1
    return 3 if fupin else None


def evaluate(f: Facts) -> Eligibility:
    missing = [code for code in SURVEY_QUESTIONS if code not in f.answers]
    if missing:
        raise ValueError(f"missing survey answers: {missing}")
    poverty = income_below_poverty_line(f)
    dibao = income_below_dibao_line(f)
    capacity = development_capacity(f)
    direct = [_answered(code, f) for code in DIRECT_ENTRY]
    excluded = [_answered(code, f) for code in EXCLUSIONS]
    declared = declaration_matches(f)

    fupin_ok = poverty.fired and not any(r.fired for r in excluded)
    dibao_ok = dibao.fired
    klass = poverty_class(
        dibao_household=dibao_ok or f.on_dibao_roll,
        capacity=capacity.fired,
        fupin=fupin_ok,
        poor=poverty.fired or dibao_ok,
    )
    roll = "已在低保名册;" if f.on_dibao_roll else ""
    verdict = RuleResult(
        "CLASS",
        "贫困类型(四(一))",
        klass is not None,
        roll + (CLASS_NAMES[klass] if klass else "不属于扶贫或低保对象"),
    )
    return Eligibility(
        results=(poverty, dibao, capacity, *direct, *excluded, declared, verdict),
        fupin=fupin_ok,
        dibao=dibao_ok,
        poverty_class=klass,
    )
