"""贫困人口分解表: seed 002's annex (师宗县两项制度有效衔接贫困人口分解表) for a round, as rows, HTML and xlsx.

One row per child of an area — the townships of the county (the annex itself), the villages of a
township, the groups of a village — with 乡村人口数, 低收入家庭人口数, 享受低保人数, 已办证残疾人数, the
round's quota (规模控制识别贫困人口数), 贫困发生率 = quota ÷ 乡村人口数 in percent to two decimals
(half up, as the annex prints 18.71), 备注, and a 合计 row computed the same way from the totals.

The indicators are those of the run last applied to the quotas of the area's children — the county's,
or the township's own run for a township or its villages (so the table shows what the quotas were
computed from); without one, the current figures (typed, else counted from the registry).
The quotas are the round's `Quota` rows as they stand; one changed after the run says so in 备注.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import BinaryIO

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter

from identification.decomposition import applied_decomposition
from identification.models import Quota, Round
from villages.indicators import INDICATORS, subtree_indicators
from villages.models import Area
from villages.sheets import safe_text

HEADER = (
    "乡镇名",
    "乡村人口数",
    "低收入家庭人口数",
    "享受低保人数",
    "已办证残疾人数",
    "规模控制识别贫困人口数",
    "贫困发生率",
    "备注",
)
# The first column names the rows' level; for the county it is the annex's own 乡镇名.
NAME_HEADER = {"county": "乡镇名", "township": "行政村名", "village": "村民小组名"}
TOTAL = "合计"
SOURCE_NOTE = (
    "注:乡村人口数由县统计局提供;低收入家庭人口数及低保人数由县民政局提供;已办证残疾人数由县残联提供。"
)


def incidence(quota: int | None, rural: int | None) -> Decimal | None:
    """贫困发生率 in percent, two decimals, half up: 22207 of 118696 → 18.71."""
    if quota is None or not rural:
        return None
    return (Decimal(quota) * 100 / Decimal(rural)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


@dataclass
class QuotaTableRow:
    code: str
    name: str
    values: list[int]  # the four indicators, in the annex's order
    quota: int | None
    note: str = ""

    @property
    def rural(self) -> int:
        return self.values[0]

    @property
    def rate(self) -> Decimal | None:
        return incidence(self.quota, self.rural)


@dataclass
class QuotaTable:
    round: Round
    area: Area
    title: str
    header: tuple[str, ...]
    rows: list[QuotaTableRow]
    total: QuotaTableRow
    source: str  # where the indicators come from


def quota_table(round: Round, area: Area) -> QuotaTable:
    """The table of `area`'s children. The caller has fetched `area` through the user's scope."""
    children = list(Area.objects.filter(parent=area).order_by("code"))
    applied = applied_decomposition(round, area)
    if applied is not None and all(c.code in applied.inputs for c in children):
        inputs = applied.inputs
        values = {c.code: [int(inputs[c.code][k]) for k in INDICATORS] for c in children}
        source = f"指标取自规模分解 #{applied.pk}(测算于 {applied.created_at:%Y-%m-%d},已下达)"
    else:
        applied = None
        current = subtree_indicators(area, poverty_line=round.poverty_line, income_year=round.income_year)
        values = {c.code: [current[c.code].values[k] for k in INDICATORS] for c in children}
        source = "指标为县录入数,未录入的按户籍台账统计"
    quotas = dict(Quota.objects.filter(round=round, area__in=children).values_list("area_id", "persons"))
    rows = []
    for child in children:
        quota = quotas.get(child.pk)
        rows.append(
            QuotaTableRow(
                code=child.code,
                name=child.name,
                values=values[child.code],
                quota=quota,
                note=_note(child.code, quota, applied),
            )
        )
    given = [r.quota for r in rows if r.quota is not None]
    total = QuotaTableRow(
        code=area.code,
        name=TOTAL,
        values=[sum(r.values[i] for r in rows) for i in range(len(INDICATORS))],
        quota=sum(given) if given else None,
    )
    header = (NAME_HEADER.get(area.level, HEADER[0]), *HEADER[1:])
    return QuotaTable(
        round=round,
        area=area,
        title=f"{_place(area)}两项制度有效衔接贫困人口分解表",
        header=header,
        rows=rows,
        total=total,
        source=source,
    )


def _place(area: Area) -> str:
    """师宗县, 师宗县丹凤镇, 师宗县丹凤镇山龙村民委员会."""
    return "".join(a.name for a in area.ancestors()) + area.name


def _note(code: str, quota: int | None, applied) -> str:
    if quota is None:
        return "未下达"
    if applied is None:
        return ""
    if code in applied.overrides:
        return f"{applied.scope_label}指定"
    if applied.result.get(code) not in (None, quota):
        return f"已单独调整(分解数 {applied.result[code]})"
    return ""


# --- xlsx ------------------------------------------------------------------------------------------


def write_quota_table(round: Round, area: Area, out: str | Path | BinaryIO) -> int:
    """The table as an .xlsx: title row, the annex's header, one row per area, 合计, the sources' note.

    `out` is a path or a binary file object. Returns the number of area rows written."""
    table = quota_table(round, area)
    book = Workbook()
    sheet = book.active
    sheet.title = "贫困人口分解表"
    width = len(table.header)
    sheet.append([safe_text(table.title)])
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=width)
    sheet["A1"].font = Font(bold=True, size=14)
    sheet["A1"].alignment = Alignment(horizontal="center")
    sheet.append(list(table.header))
    for row in [*table.rows, table.total]:
        rate = row.rate
        sheet.append(
            [
                safe_text(row.name),
                *row.values,
                row.quota,
                float(rate) if rate is not None else None,
                safe_text(row.note),
            ]
        )
    last = sheet.max_row
    sheet.append([safe_text(f"{SOURCE_NOTE}{table.source};识别批次:{round.name}。")])
    sheet.merge_cells(start_row=last + 1, start_column=1, end_row=last + 1, end_column=width)

    thin = Side(style="thin")
    for cells in sheet.iter_rows(min_row=2, max_row=last, max_col=width):
        for cell in cells:
            cell.border = Border(left=thin, right=thin, top=thin, bottom=thin)
            if cell.row == 2 or cell.row == last:
                cell.font = Font(bold=True)
            if cell.row == 2:
                cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
            elif cell.column == 7:
                cell.number_format = "0.00"
    for index, size in enumerate((16, 11, 11, 11, 11, 13, 10, 18), start=1):
        sheet.column_dimensions[get_column_letter(index)].width = size
    sheet.freeze_panes = "B3"
    sheet.print_title_rows = "2:2"
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.fitToWidth = 1
    book.save(out)
    return len(table.rows)


def filename(round: Round, area: Area) -> str:
    return f"{round.name}-{_place(area)}贫困人口分解表.xlsx"
