"""The indicators of the 贫困村 ranking, in one table: what each measures, whether it is a main or a
general indicator (seed 002 四(五): "以扶贫对象比重、农民人均收入为主要指标,以基础设施、公益事业、
区域发展状况等为一般指标"), and which direction is poorer.

Every indicator is scored 0–100 among the units of one level (all 行政村 of the county, or all 村民小组),
100 being the poorest; a unit's score is Σ weight × indicator score ÷ 100 (weights in %, summing to 100).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal


@dataclass(frozen=True)
class Indicator:
    code: str
    label: str
    main: bool
    # "rate": higher is poorer, min–max; "amount": lower is poorer, min–max; "facility": lacking = 100.
    kind: str
    default_weight: Decimal
    profile_field: str = ""  # the AreaProfile field of a facility or an amount


INDICATORS: tuple[Indicator, ...] = (
    Indicator("poverty_rate", "扶贫对象比重(贫困发生率)", True, "rate", Decimal(35)),
    Indicator("net_income", "农民人均纯收入", True, "amount", Decimal(25), "net_income_per_capita"),
    Indicator("road", "通硬化路", False, "facility", Decimal(8), "has_paved_road"),
    Indicator("water", "饮水安全", False, "facility", Decimal(8), "drinking_water_safe"),
    Indicator("power", "通生产生活用电", False, "facility", Decimal(4), "has_power"),
    Indicator("clinic", "有标准化卫生室", False, "facility", Decimal(5), "has_clinic"),
    Indicator("school", "有学校(教学点)", False, "facility", Decimal(5), "has_school"),
    Indicator("broadband", "通宽带", False, "facility", Decimal(4), "has_broadband"),
    Indicator("collective_income", "村集体经济收入", False, "amount", Decimal(6), "collective_income"),
)
BY_CODE = {i.code: i for i in INDICATORS}
CODES = tuple(i.code for i in INDICATORS)
FACILITIES = tuple(i for i in INDICATORS if i.kind == "facility")
DEFAULT_WEIGHTS = {i.code: i.default_weight for i in INDICATORS}


def check_weights(weights: dict[str, Decimal]) -> list[str]:
    """The problems of a set of weights, in Chinese; empty when they may be used."""
    problems = []
    unknown = sorted(set(weights) - set(CODES))
    if unknown:
        problems.append(f"未知的指标:{'、'.join(unknown)}。")
    values = {code: Decimal(weights.get(code, 0)) for code in CODES}
    negative = [BY_CODE[c].label for c, w in values.items() if w < 0]
    if negative:
        problems.append(f"权重不能为负数:{'、'.join(negative)}。")
    total = sum(values.values())
    if total != 100:
        problems.append(f"各项指标的权重之和须为 100%,现为 {total.normalize():f}%。")
    if not any(values[i.code] > 0 for i in INDICATORS if i.main):
        problems.append("主要指标(扶贫对象比重、农民人均纯收入)至少有一项权重大于 0。")
    return problems
