"""Pairing households with helpers from a sheet (township or county): 户编号, 帮扶责任人 and, where two helpers
share a name, 帮扶单位; optionally 结对日期. Read with villages.sheets (the one small-sheet reader), checked
row by row, and written all or nothing through services.pair — the limit of households per helper included,
counting the rows above in the same sheet.
"""

from __future__ import annotations

import datetime
import zipfile
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from openpyxl.utils import get_column_letter
from openpyxl.utils.exceptions import InvalidFileException

from accounts.models import User
from assistance import services
from assistance.models import Helper
from households.models import Household
from villages import sheets
from villages.sheets import SheetError

NUMBER, HELPER, UNIT, DATE = "户编号", "帮扶责任人", "帮扶单位", "结对日期"
HEADERS = {
    NUMBER: NUMBER,
    HELPER: HELPER,
    "帮扶责任人姓名": HELPER,
    "帮扶联系人": HELPER,
    UNIT: UNIT,
    DATE: DATE,
}
MAX_ROWS = 5000  # a county's assignments come township by township; a bigger sheet is a mistake


@dataclass
class BulkAssignResult:
    count: int = 0
    errors: list[SheetError] = field(default_factory=list)


class _Rollback(Exception):
    pass


def assign_from_sheet(*, actor: User, file) -> BulkAssignResult:
    if not services.can(actor, services.ASSIGNERS):
        return _fail(None, "", "", "您的角色不能安排帮扶责任人。")
    try:
        rows, header = sheets.read_table(file, HEADERS, {NUMBER, HELPER})
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError, ValueError, TypeError):
        return _fail(None, "", getattr(file, "name", ""), "无法读取该文件,请上传 Excel .xlsx 文件。")
    if header is None:
        return _fail(
            None, "", "", f"前 {sheets.HEADER_SCAN_ROWS} 行中找不到表头:须有“{NUMBER}”和“{HELPER}”两列。"
        )
    header_row, columns = header
    data = [(n, v) for n, v in rows if n > header_row and any(sheets.text(x) for x in v)]
    if not data:
        return _fail(None, "", "", "表中没有数据行。")
    if len(data) > MAX_ROWS:
        return _fail(None, "", "", f"一次最多导入 {MAX_ROWS} 行,表中有 {len(data)} 行,请分乡镇导入。")

    def cell(values: tuple, key: str) -> Any:
        index = columns.get(key)
        return values[index] if index is not None and index < len(values) else None

    def column(key: str) -> str:
        return f"{get_column_letter(columns[key] + 1)}({key})"

    numbers = {sheets.text(cell(v, NUMBER)) for _, v in data}
    households = {
        h.number: h
        for h in Household.objects.visible_to(actor).filter(number__in=numbers).select_related("group")
    }
    helpers: dict[str, list[Helper]] = {}
    for helper in Helper.objects.visible_to(actor).filter(is_active=True).select_related("unit"):
        helpers.setdefault(helper.name, []).append(helper)

    errors: list[SheetError] = []
    good: list[tuple[int, Household, Helper, datetime.date | None]] = []
    seen: dict[str, int] = {}
    for number, values in data:
        household_number = sheets.text(cell(values, NUMBER))
        name = sheets.text(cell(values, HELPER))
        unit = sheets.text(cell(values, UNIT)) if UNIT in columns else ""
        household = households.get(household_number)
        if not household_number:
            errors.append(SheetError(number, column(NUMBER), "", "户编号为空。"))
            continue
        if household is None:
            errors.append(
                SheetError(number, column(NUMBER), household_number, "您的管辖范围内没有该户编号。")
            )
            continue
        if household_number in seen:
            errors.append(
                SheetError(
                    number, column(NUMBER), household_number, f"与第 {seen[household_number]} 行重复。"
                )
            )
            continue
        seen[household_number] = number
        candidates = [h for h in helpers.get(name, []) if not unit or h.unit.name == unit]
        if not name:
            errors.append(SheetError(number, column(HELPER), "", "帮扶责任人为空。"))
            continue
        if not candidates:
            where = f"(帮扶单位“{unit}”)" if unit else ""
            errors.append(
                SheetError(number, column(HELPER), name, f"没有在岗的帮扶责任人“{name}”{where},请先登记。")
            )
            continue
        if len(candidates) > 1:
            errors.append(
                SheetError(number, column(HELPER), name, "有多名同名帮扶责任人,请填写“帮扶单位”以区分。")
            )
            continue
        started_on = None
        if DATE in columns and cell(values, DATE) not in (None, ""):
            raw = cell(values, DATE)
            if isinstance(raw, datetime.datetime):
                started_on = raw.date()
            elif isinstance(raw, datetime.date):
                started_on = raw
            else:
                try:
                    started_on = datetime.date.fromisoformat(sheets.text(raw))
                except ValueError:
                    errors.append(
                        SheetError(number, column(DATE), sheets.text(raw), "日期格式应为 2016-03-01。")
                    )
                    continue
        good.append((number, household, candidates[0], started_on))
    if errors:
        return BulkAssignResult(errors=errors)

    failed: list[SheetError] = []
    try:
        with transaction.atomic():
            for number, household, helper, started_on in good:
                try:
                    services.pair(
                        actor=actor,
                        household=household,
                        helper=helper,
                        started_on=started_on,
                        note="结对表导入",
                    )
                except services.AssistanceError as error:
                    failed.append(SheetError(number, "", household.number, str(error)))
            if failed:
                raise _Rollback
    except _Rollback:
        return BulkAssignResult(errors=failed)
    return BulkAssignResult(count=len(good))


def _fail(row: int | None, column: str, value: str, reason: str) -> BulkAssignResult:
    return BulkAssignResult(errors=[SheetError(row, column, value, reason)])
