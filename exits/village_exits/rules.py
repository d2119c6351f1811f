"""The exit standard as named rules, each answering with its numbers (like identification/rules.py), so
that a township official and the county see *why* a village may or may not exit.

Plain Python: the services feed it a village's figures (identification.poor_villages.scoring.
village_figures) and the county's settings.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from decimal import Decimal
from typing import Any

from identification.poor_villages.indicators import BY_CODE, FACILITIES


@dataclass(frozen=True)
class Check:
    code: str
    label: str
    ok: bool
    detail: str

    def as_json(self) -> dict[str, Any]:
        return asdict(self)


def _money(value) -> str:
    return f"{Decimal(value):,.2f}"


def exit_checks(
    figures: dict[str, Any],
    *,
    threshold: Decimal,
    facilities: list[str],
    min_collective_income: Decimal | None,
    min_net_income: Decimal | None,
) -> list[Check]:
    """Every condition of the county's standard, in the order of the settings page."""
    rate = figures["poverty_rate"]
    if rate is None:
        rate_check = Check("poverty_rate", "贫困发生率", False, "台账中没有本村人口,无法计算贫困发生率。")
    else:
        rate = Decimal(rate)
        rate_check = Check(
            "poverty_rate",
            "贫困发生率",
            rate < threshold,
            f"扶贫对象 {figures['fupin_persons']} 人 ÷ 台账人口 {figures['persons']} 人 = {rate:.2f}%,"
            f"{'低于' if rate < threshold else '未低于'}县定标准 {threshold:.2f}%。",
        )
    checks = [rate_check]
    have = figures["facilities"]
    for indicator in FACILITIES:
        if indicator.code not in facilities:
            continue
        value = have.get(indicator.code)
        detail = "村情概况未填报。" if value is None else ("已具备。" if value else "尚不具备。")
        checks.append(Check(indicator.code, indicator.label, bool(value), detail))
    for code, minimum in (("collective_income", min_collective_income), ("net_income", min_net_income)):
        if minimum is None:
            continue
        label = BY_CODE[code].label
        value = figures[code]
        if value is None:
            checks.append(Check(code, label, False, f"没有{label}数据,须不低于 {_money(minimum)} 元。"))
        else:
            ok = Decimal(value) >= minimum
            checks.append(
                Check(
                    code,
                    label,
                    ok,
                    f"{_money(value)} 元,{'达到' if ok else '低于'}县定标准 {_money(minimum)} 元。",
                )
            )
    return checks


def failing(checks: list[Check] | list[dict]) -> list[str]:
    """The failing conditions as "label:detail", for a refusal."""
    items = [c if isinstance(c, dict) else c.as_json() for c in checks]
    return [f"{c['label']}:{c['detail']}" for c in items if not c["ok"]]
