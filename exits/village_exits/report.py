"""The 贫困村退出 report of an area: its 贫困村 with today's figures and checks (ready to exit or not, or
with an exit under way), and the villages that exited with the figures they exited on. One set-based
read of the figures (services.evaluate) and two small queries; written to .xlsx with safe_text."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import BinaryIO

from openpyxl import Workbook
from openpyxl.styles import Font

from accounts import clock
from exits.models import VillageExit
from exits.models.village_exit import OPEN_STATES
from exits.village_exits import services
from villages.models import Area, AreaProfile
from villages.sheets import safe_text


@dataclass
class PoorVillageLine:
    village: Area
    figures: dict
    checks: list
    open_exit: VillageExit | None

    @property
    def ready(self) -> bool:
        return all(c.ok for c in self.checks)

    @property
    def failing(self) -> list[str]:
        return [f"{c.label}:{c.detail}" for c in self.checks if not c.ok]


@dataclass
class ExitReport:
    area: Area
    year: int
    threshold: Decimal
    poor: list[PoorVillageLine]
    exited: list[VillageExit]

    @property
    def ready(self) -> list[PoorVillageLine]:
        return [line for line in self.poor if line.ready and line.open_exit is None]

    @property
    def under_way(self) -> list[PoorVillageLine]:
        return [line for line in self.poor if line.open_exit is not None]

    @property
    def not_ready(self) -> list[PoorVillageLine]:
        return [line for line in self.poor if not line.ready and line.open_exit is None]


def exit_report(area: Area, *, year: int | None = None) -> ExitReport:
    """`area` comes through the scoped selectors (the user's own area or one inside it)."""
    year = year or clock.today().year
    prefix = area.scope_prefix
    poor_ids = set(
        AreaProfile.objects.filter(area__code__startswith=prefix, is_poor_village=True).values_list(
            "area_id", flat=True
        )
    )
    evaluated = services.evaluate(area, year=year) if poor_ids else {}
    villages = {a.pk: a for a in Area.objects.filter(pk__in=poor_ids).select_related("parent")}
    open_exits = {
        e.village_id: e
        for e in VillageExit.objects.filter(village_id__in=poor_ids, state__in=[s.value for s in OPEN_STATES])
    }
    poor = [
        PoorVillageLine(villages[vid], *evaluated[vid], open_exits.get(vid))
        for vid in sorted(poor_ids, key=lambda v: villages[v].code)
    ]
    exited = list(
        VillageExit.objects.filter(village__code__startswith=prefix, state=VillageExit.State.APPROVED)
        .select_related("village__parent", "decided_by")
        .order_by("-year", "village__code")
    )
    standard = services.standard_for(services.county_of(area))
    return ExitReport(area=area, year=year, threshold=standard.threshold, poor=poor, exited=exited)


HEADER = [
    "乡镇",
    "行政村",
    "区划代码",
    "台账人口",
    "扶贫对象人数",
    "贫困发生率(%)",
    "农民人均纯收入(元)",
    "村集体经济收入(元)",
]


def _number(value) -> float | None:
    return None if value is None else float(Decimal(value))


def _cells(village: Area, figures: dict) -> list:
    return [
        safe_text(village.parent.name),
        safe_text(village.name),
        village.code,
        figures["persons"],
        figures["fupin_persons"],
        _number(figures["poverty_rate"]),
        _number(figures["net_income"]),
        _number(figures["collective_income"]),
    ]


def write_report(report: ExitReport, out: BinaryIO) -> None:
    book = Workbook()
    sheet = book.active
    sheet.title = "贫困村"
    sheet.append(
        [
            safe_text(
                f"{report.area.name}贫困村退出情况({report.year}年,退出标准:贫困发生率低于 {report.threshold:.2f}%)"
            )
        ]
    )
    sheet["A1"].font = Font(bold=True, size=13)
    sheet.append([*HEADER, "退出条件", "状态"])
    for line in report.poor:
        if line.open_exit is not None:
            state = line.open_exit.get_state_display()
        else:
            state = "达到退出标准" if line.ready else "未达到退出标准"
        detail = ";".join(line.failing) if line.failing else "全部达到"
        sheet.append([*_cells(line.village, line.figures), safe_text(detail), safe_text(state)])
    exited = book.create_sheet("已退出贫困村")
    exited.append([*HEADER, "退出年度", "批准人", "批准时间"])
    for exit in report.exited:
        decider = exit.decided_by.get_full_name() or exit.decided_by.username if exit.decided_by else ""
        exited.append(
            [
                *_cells(exit.village, exit.figures),
                exit.year,
                safe_text(decider),
                exit.decided_at.strftime("%Y-%m-%d") if exit.decided_at else "",
            ]
        )
    for ws in (sheet, exited):
        for cell in ws[2 if ws is sheet else 1]:
            cell.font = Font(bold=True)
    book.save(out)
