"""Import of 规模控制 (quotas) from an .xlsx sheet: all rows or none.

The header row is found by name in the first rows of a sheet (a title row may sit above it):
区划代码 (required), 名称 (optional, checked against the area's name), 规模控制人数 or, as in seed
002's annex, 规模控制识别贫困人口数 (required). Every row is validated before anything is written; if
any row is bad nothing is written and every error is returned with its Excel row and column.
Otherwise the rows go through services.quotas_set (role, scope, audit) in one transaction, and the
sums are judged on the sheet's result: a sheet whose figures add up above a parent's (a township's
villages above the township's quota, the townships above the 县控制指标) is refused whole, with the
figures. A township official may import the figures of the township's villages and groups.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from openpyxl.utils import get_column_letter

from accounts.models import User
from identification import services
from identification.models import Round
from identification.transitions import WorkflowError
from villages import sheets
from villages.guard import SheetRefused
from villages.models import Area
from villages.names import area_key
from villages.selectors import areas_for
from villages.sheets import SheetError

REASON = "导入规模控制表"
CODE, NAME, PERSONS = "区划代码", "名称", "规模控制人数"
HEADERS = {CODE: CODE, NAME: NAME, PERSONS: PERSONS, "规模控制识别贫困人口数": PERSONS}
TOTAL_NAMES = {"合计", "总计", "小计"}


@dataclass
class QuotaImportResult:
    errors: list[SheetError] = field(default_factory=list)
    count: int = 0

    @property
    def ok(self) -> bool:
        return not self.errors


@dataclass(frozen=True)
class _Row:
    row: int
    area: Area
    persons: int


def import_quotas(*, round: Round, actor: User, file) -> QuotaImportResult:
    """Validate every row of the sheet; if all are good, set each quota (audited) in one transaction."""
    if round.closed:
        return _fail(None, "", "", f"识别批次“{round.name}”已关闭,不能再作任何修改。")
    try:
        rows, header = sheets.read_table(file, HEADERS, {CODE, PERSONS})
    except SheetRefused as refused:
        return _fail(None, "", getattr(file, "name", ""), refused.message)
    if header is None:
        return _fail(
            None,
            "",
            "",
            f"前 {sheets.HEADER_SCAN_ROWS} 行中找不到表头:须有“{CODE}”和“{PERSONS}”(或“规模控制识别贫困人口数”)两列。",
        )
    header_row, columns = header
    good, errors = _validate(rows, header_row, columns, actor)
    if errors:
        return QuotaImportResult(errors=errors)
    if not good:
        return _fail(None, "", "", "表中没有数据行。")
    try:
        services.quotas_set(
            round=round, figures=[(item.area, item.persons) for item in good], actor=actor, reason=REASON
        )
    except WorkflowError as error:
        if error.code == "wrong_role":
            raise
        # quotas_set ran in its own transaction: nothing of the sheet is written.
        return _fail(None, "", "", error.message)
    return QuotaImportResult(count=len(good))


def _fail(row: int | None, column: str, value: str, reason: str) -> QuotaImportResult:
    return QuotaImportResult(errors=[SheetError(row, column, value, reason)])


def _column(columns: dict[str, int], key: str) -> str:
    return f"{get_column_letter(columns[key] + 1)}({key})"


def _validate(rows, header_row: int, columns: dict[str, int], actor: User):
    def cell(values: tuple, key: str) -> Any:
        index = columns.get(key)
        return values[index] if index is not None and index < len(values) else None

    data = []
    for number, values in rows:
        if number <= header_row:
            continue
        code, name, persons = (sheets.text(cell(values, k)) for k in (CODE, NAME, PERSONS))
        if not (code or name or persons) or (not code and name.replace(" ", "") in TOTAL_NAMES):
            continue  # empty rows, and a 合计 row without a code
        data.append((number, code, name, cell(values, PERSONS)))

    wanted = {_lookup_code(code) for _, code, _, _ in data if _code_shape_ok(code)}
    areas = {a.code: a for a in Area.objects.filter(code__in=wanted)}
    visible = set(areas_for(actor).filter(code__in=wanted).values_list("code", flat=True))

    errors: list[SheetError] = []
    good: list[_Row] = []
    seen: dict[int, int] = {}
    for number, code, name, raw_persons in data:
        row_errors: list[SheetError] = []

        def error(key: str, value: str, reason: str, number=number, row_errors=row_errors) -> None:
            row_errors.append(SheetError(number, _column(columns, key), value, reason))

        area = None
        if not code:
            error(CODE, "", "区划代码为空。")
        elif not _code_shape_ok(code):
            error(CODE, code, "区划代码须为 9 位(乡镇)、12 位或 15 位数字。")
        else:
            area = areas.get(_lookup_code(code))
            if area is None:
                error(CODE, code, "没有这个区划代码。")
            elif area.code not in visible:
                error(CODE, code, "该区划不在您的管辖区域内。")
                area = None
            elif refusal := services.quota_area_refusal(actor, area):
                error(CODE, code, refusal)
                area = None
            elif area.pk in seen:
                error(CODE, code, f"与第 {seen[area.pk]} 行是同一区划,每个区划只能出现一次。")
                area = None
            else:
                seen[area.pk] = number
        if area is not None and name and not _same_name(name, area):
            error(NAME, name, f"名称与区划代码不符:该代码是“{area.name}”。")

        persons = sheets.persons(raw_persons, PERSONS)
        if isinstance(persons, str):
            error(PERSONS, sheets.text(raw_persons), persons)

        errors.extend(row_errors)
        if not row_errors:
            good.append(_Row(number, area, persons))
    return good, errors


def _code_shape_ok(code: str) -> bool:
    return code.isascii() and code.isdigit() and len(code) in (9, 12, 15)


def _lookup_code(code: str) -> str:
    """A township may be written as its 9-digit prefix (530323101 for 530323101000)."""
    return code + "000" if len(code) == 9 else code


def _same_name(given: str, actual: Area) -> bool:
    township = actual.level == Area.Level.TOWNSHIP
    return area_key(given, township=township) == area_key(actual.name, township=township)
