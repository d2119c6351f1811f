"""The exit standard as named items, each answering with its evidence, so that an official sees *why*.

Plain Python (no Django), like identification.rules: exits.selectors builds the `Facts` from the
registry and the 入户核实, and the services store the result on the exit at each step.

The standard (seed 001 "扶贫对象...实现两不愁、三保障"; seed 004 "从严组织扶贫对象退出验收"):
- 年人均纯收入 stably above the round's 扶贫标准: the income year's record above the line, and the year
  before it too where one is recorded;
- 两不愁: 不愁吃, 不愁穿 (answered by the 入户核实);
- 三保障: 义务教育 (a school-age member not in school fails it), 基本医疗 (a member without 城乡居民基本
  医疗保险 fails it), 住房安全 (a C/D 危房 fails it; an unknown house is answered by the 入户核实);
- 饮水安全 (drinking_water_safe False fails it; unknown: the 入户核实).
An item the registry cannot decide and the survey has not answered is not met: "待入户核实".
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from decimal import Decimal

REGISTRY = "登记信息"
SURVEY = "入户核实"

ITEMS = {
    "INCOME": "年人均纯收入稳定超过扶贫标准",
    "FOOD": "不愁吃",
    "CLOTHING": "不愁穿",
    "EDUCATION": "义务教育有保障",
    "MEDICAL": "基本医疗有保障",
    "HOUSING": "住房安全有保障",
    "WATER": "饮水安全有保障",
}
# The items a 入户核实 may answer (always for 两不愁; for housing and water only where the registry is silent).
SURVEYABLE = ("FOOD", "CLOTHING", "HOUSING", "WATER")
# 义务教育: children of 6 to 15 full years on 1 September of the exit year.
SCHOOL_AGE = (6, 15)


@dataclass(frozen=True)
class Person:
    name: str
    birth_date: datetime.date
    in_school: bool
    insured: bool


@dataclass(frozen=True)
class Facts:
    year: int  # the exit year (the round's)
    poverty_line: Decimal
    income_year: int
    # {year: 年人均纯收入} of the income records there are
    per_capita: Mapping[int, Decimal]
    members: Sequence[Person]
    dangerous_house: bool | None
    dangerous_house_grade: str
    drinking_water_safe: bool | None
    # {code: {"answer": bool, "evidence": str}}
    survey: Mapping[str, Mapping[str, object]] = field(default_factory=dict)


@dataclass(frozen=True)
class Item:
    code: str
    name: str
    passed: bool
    source: str
    detail: str


@dataclass(frozen=True)
class Checklist:
    items: tuple[Item, ...]

    @property
    def passed(self) -> bool:
        return all(item.passed for item in self.items)

    def failing(self) -> list[Item]:
        return [item for item in self.items if not item.passed]

    def failing_text(self) -> str:
        return ";".join(f"{item.name}({item.detail})" for item in self.failing())

    def as_json(self) -> dict:
        return {"passed": self.passed, "items": [asdict(item) for item in self.items]}


def _surveyed(code: str, f: Facts, why: str = "") -> Item:
    answer = f.survey.get(code)
    if not answer or answer.get("answer") is None:
        return Item(code, ITEMS[code], False, SURVEY, f"{why}待入户核实")
    ok = bool(answer["answer"])
    evidence = str(answer.get("evidence") or "").strip()
    detail = f"{why}入户核实:{'达到' if ok else '未达到'}" + (f";佐证:{evidence}" if evidence else "")
    return Item(code, ITEMS[code], ok, SURVEY, detail)


def income(f: Facts) -> Item:
    current = f.per_capita.get(f.income_year)
    if current is None:
        return Item("INCOME", ITEMS["INCOME"], False, REGISTRY, f"未登记 {f.income_year} 年收入")
    parts = [f"{f.income_year} 年人均纯收入 {current} 元"]
    ok = current > f.poverty_line
    previous = f.per_capita.get(f.income_year - 1)
    if previous is not None:
        parts.append(f"{f.income_year - 1} 年 {previous} 元")
        ok = ok and previous > f.poverty_line
    verdict = "均高于" if previous is not None else "高于"
    return Item(
        "INCOME",
        ITEMS["INCOME"],
        ok,
        REGISTRY,
        ",".join(parts) + f",{verdict if ok else '未稳定高于'}扶贫标准 {f.poverty_line} 元",
    )


def age_on(birth: datetime.date, day: datetime.date) -> int:
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def education(f: Facts) -> Item:
    start = datetime.date(f.year, 9, 1)
    low, high = SCHOOL_AGE
    school_age = [p for p in f.members if low <= age_on(p.birth_date, start) <= high]
    if not school_age:
        return Item("EDUCATION", ITEMS["EDUCATION"], True, REGISTRY, "家中无义务教育阶段适龄成员")
    out = [p.name for p in school_age if not p.in_school]
    if out:
        return Item(
            "EDUCATION",
            ITEMS["EDUCATION"],
            False,
            REGISTRY,
            f"适龄成员 {len(school_age)} 人,未在校:{'、'.join(out)}",
        )
    return Item("EDUCATION", ITEMS["EDUCATION"], True, REGISTRY, f"适龄成员 {len(school_age)} 人均在校")


def medical(f: Facts) -> Item:
    uninsured = [p.name for p in f.members if not p.insured]
    if uninsured:
        return Item(
            "MEDICAL", ITEMS["MEDICAL"], False, REGISTRY, f"未参加城乡居民基本医疗保险:{'、'.join(uninsured)}"
        )
    return Item(
        "MEDICAL", ITEMS["MEDICAL"], True, REGISTRY, f"家庭成员 {len(f.members)} 人均参加基本医疗保险"
    )


def housing(f: Facts) -> Item:
    if f.dangerous_house_grade in ("C级", "D级"):
        return Item("HOUSING", ITEMS["HOUSING"], False, REGISTRY, f"住房为{f.dangerous_house_grade}危房")
    if f.dangerous_house is False:
        return Item("HOUSING", ITEMS["HOUSING"], True, REGISTRY, "登记为非危房户")
    why = "登记为危房户但未评定等级," if f.dangerous_house else "住房安全未登记,"
    return _surveyed("HOUSING", f, why)


def water(f: Facts) -> Item:
    if f.drinking_water_safe is False:
        return Item("WATER", ITEMS["WATER"], False, REGISTRY, "登记为饮水不安全")
    if f.drinking_water_safe is True:
        return Item("WATER", ITEMS["WATER"], True, REGISTRY, "登记为饮水安全")
    return _surveyed("WATER", f, "饮水安全未登记,")


def evaluate(f: Facts) -> Checklist:
    return Checklist(
        (
            income(f),
            _surveyed("FOOD", f),
            _surveyed("CLOTHING", f),
            education(f),
            medical(f),
            housing(f),
            water(f),
        )
    )


def needs_survey(f: Facts) -> list[str]:
    """The items the 入户核实 form asks: 两不愁 always, housing and water where the registry is silent."""
    codes = ["FOOD", "CLOTHING"]
    if f.dangerous_house_grade not in ("C级", "D级") and f.dangerous_house is not False:
        codes.append("HOUSING")
    if f.drinking_water_safe is None:
        codes.append("WATER")
    return codes
