"""Import of the national system's 花名册 (one row per person) into households and members.

The pipeline, in order:

1. read the first sheet with python-calamine (≈10× faster than openpyxl read-only at 400,000 rows),
   find the header row among the first rows (the export has a merged title row above it) and map
   each header — the national export's own names, their synonyms, or a model field's Chinese name —
   to a field;
2. convert every cell (full-width digits and spaces, numbers stored as text or as numbers, 是/否) and
   group the rows by 户编号; rows of one household must agree on the household's fields;
3. inside one transaction: match areas under the importing user's scope, check every member
   (households.validation), every household (one 户主, 人数), every person against the other
   households of the file and of the database, and compare with what is stored;
4. with any error nothing is written: every error comes back at once (Excel row, column, value with
   ID numbers masked, reason in Chinese), and `write_error_workbook` marks them in a copy of the file;
5. otherwise only what changed is written, with PostgreSQL COPY (new rows straight into the tables,
   changed rows into a temporary table and one UPDATE … FROM), and one django-simple-history row per
   created, changed or removed record, attributed to the importing user.

Household key = 户编号, member key = 身份证号, so importing the same file twice changes nothing.
The file is authoritative for the households it lists: a registered member missing from their
household's rows is removed (with history); a person may move between two households the file lists,
but a person registered in a household the file does not list is an error (that move goes through the
household page). validation.members_in_other_households asks one household at a time; the import asks
the same question for the whole file in two queries.

人均纯收入 is not stored: the registry derives it from the income items of an IncomeRecord, and the
roster has only the result. Where a record of `year` exists the figure is checked against it, and
differences are reported as notes; otherwise the figure is skipped and that is reported too.
脱贫属性 and 人编号 are recognised and not stored; 贫困户属性 is stored on the household and opens the
cases it means (扶贫; 低保贫困户 also 低保; 特困供养贫困户 also 特困) where the household has none open.
"""

from __future__ import annotations

import contextlib
import ctypes
import datetime
import gc
import logging
import re
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from operator import itemgetter
from pathlib import Path

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import DEFAULT_DB_ALIAS, connection, connections, models, transaction
from django.utils import timezone
from python_calamine import CalamineError, CalamineWorkbook

from accounts.models import Role, User
from accounts.scoping import scope_prefix
from households import choices
from households.bulk import (
    copy_insert,
    copy_rows,
    history_of_rows,
    indexes_rebuilt_after,
    reserve_ids,
    rows_fewer_than,
)
from households.idnumber import InvalidIdNumber, mask
from households.idnumber import normalize as normalize_id
from households.models import Case, Household, IncomeRecord, Member
from households.validation import check_household_members, check_member
from villages.models import Area
from villages.names import area_key

logger = logging.getLogger(__name__)

IMPORTING_ROLES = (Role.COUNTY_FUPIN, Role.ADMIN)
HEADER_SCAN_ROWS = 10
CHANGE_REASON = "花名册导入"
# 贫困户属性 → the rolls it means (seed 002 四(一)): the import opens those the registry lacks.
ROLLS_OF_ATTRIBUTE = {
    choices.Attribute.GENERAL: (choices.Program.FUPIN,),
    choices.Attribute.DIBAO: (choices.Program.FUPIN, choices.Program.DIBAO),
    choices.Attribute.TEKUN: (choices.Program.FUPIN, choices.Program.TEKUN),
}
SAMPLE_SIZE = 20
# A load of at least this many rows into a table holding fewer rows than the load is written without the
# table's secondary indexes, which are built again afterwards (households.bulk.indexes_rebuilt_after).
REBUILD_INDEXES_MIN_ROWS = 20_000
# After this many rows written, the planner's statistics are refreshed (ANALYZE) before the import returns:
# with autovacuum lagging or off, the next county export planned on "empty" tables took minutes, not seconds.
ANALYZE_MIN_ROWS = 10_000
ANALYZED_TABLES = ("households_household", "households_member", "households_case", "households_incomerecord")
WRITE_COUNTS = (
    "households_created",
    "households_updated",
    "members_created",
    "members_updated",
    "members_removed",
    "cases_opened",
)
Progress = Callable[[int], None]

# The national export's headers and the synonyms seen in county files, → field key.
# "h." = Household field, "m." = Member field, "a." = area level, "x." = checked or reported, not stored.
NATIONAL_COLUMNS: dict[str, tuple[str, ...]] = {
    "a.county": ("县", "县(市、区)", "县区", "县(区)"),
    "a.township": ("乡", "乡镇", "乡(镇)", "乡镇(街道)", "镇"),
    "a.village": ("行政村", "村", "村委会", "村(社区)"),
    "a.group": ("自然村", "村民小组", "组", "自然村(组)"),
    "h.number": ("户编号", "户号"),
    "x.person_number": ("人编号",),
    "m.name": ("姓名",),
    "m.id_number": ("证件号码", "身份证号", "身份证号码", "公民身份号码"),
    "x.persons": ("人数", "家庭人口数", "家庭人口", "户人数"),
    "m.relation": ("与户主关系",),
    "m.ethnicity": ("民族",),
    "m.education": ("文化程度",),
    "m.school_status": ("在校生状况",),
    "m.health": ("健康状况",),
    "m.labour": ("劳动技能",),
    "m.work_status": ("务工状况",),
    "m.work_months": ("务工时间(月)", "务工时间"),
    "m.serious_illness_insurance": ("参加大病医疗", "参加大病保险", "是否参加大病保险"),
    "x.lifted": ("脱贫属性",),
    "h.attribute": ("贫困户属性",),
    "h.main_cause": ("主要致贫原因",),
    "h.dangerous_house": ("危房户", "是否危房户"),
    "h.drinking_water_safe": ("饮水安全", "饮水是否安全"),
    "h.drinking_water_difficult": ("饮水困难", "饮水是否困难"),
    "x.per_capita_income": ("人均纯收入", "年人均纯收入"),
    "h.phone": ("联系电话", "户主联系电话"),
    "m.phone": ("本人联系电话", "成员联系电话"),
}
REQUIRED = ("a.township", "a.village", "a.group", "h.number", "m.name", "m.id_number", "m.relation")
# column → fields that must be read and written with it (database constraints tie them together).
DEPENDENT_FIELDS = {
    "id_number": ("gender", "birth_date"),
    "health": ("disability_grade", "disability_certificate"),
    "dangerous_house": ("dangerous_house_grade",),
    "arable_land": ("irrigated_land",),
    "irrigated_land": ("arable_land",),
}
HOUSEHOLD_DEPENDENT = {"dangerous_house", "arable_land", "irrigated_land"}
# Set by the importer, or not importable: never taken from a column.
NOT_FROM_FILE = {"id", "group", "household", "created_at", "updated_at"}

BOOLEANS = {"是": True, "否": False, "有": True, "无": False, "Y": True, "N": False, "1": True, "0": False}
BOOLEANS.update({"TRUE": True, "FALSE": False, "√": True, "×": False})
CAUSE_SEPARATORS = re.compile(r"[、,;/\s]+")


@dataclass(frozen=True)
class Column:
    key: str  # e.g. "h.phone", "m.name", "a.group", "x.persons"
    kind: str  # text, code, choice, bool, int, decimal, date, causes
    label: str  # the canonical header, for columns the file lacks
    choices: frozenset[str] = frozenset()

    @property
    def target(self) -> str:
        return self.key.split(".", 1)[0]

    @property
    def field(self) -> str:
        return self.key.split(".", 1)[1]


@dataclass
class RowError:
    row: int  # as Excel numbers it
    column: str  # the header as the file spells it
    value: str
    reason: str
    col: int | None = None  # 0-based index in the sheet, for marking the cell

    def as_dict(self) -> dict:
        return {
            "row": self.row,
            "column": self.column,
            "value": self.value,
            "reason": self.reason,
            "col": self.col,
        }


@dataclass
class ImportResult:
    dry_run: bool
    errors: list[RowError] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
    sample: list[dict] = field(default_factory=list)
    header_row: int = 0

    @property
    def ok(self) -> bool:
        return not self.errors


# ---------------------------------------------------------------------------------------- columns


def _clean_header(text: object) -> str:
    return re.sub(r"[\s*＊]+", "", unicodedata.normalize("NFKC", str(text or "")))


def _kind(model_field: models.Field) -> str:
    if model_field.choices:
        return "choice"
    if isinstance(model_field, models.BooleanField):
        return "bool"
    if isinstance(model_field, models.DecimalField):
        return "decimal"
    if isinstance(model_field, models.IntegerField):
        return "int"
    if isinstance(model_field, models.DateField):
        return "date"
    if hasattr(model_field, "base_field"):
        return "causes"
    return "text"


def _build_columns() -> dict[str, Column]:
    """Header (cleaned) → Column: model verbose names (with and without the unit), then the national names."""
    by_header: dict[str, Column] = {}
    for prefix, model in (("h", Household), ("m", Member)):
        for f in model._meta.concrete_fields:
            if f.name in NOT_FROM_FILE:
                continue
            base = getattr(f, "base_field", f)
            column = Column(
                key=f"{prefix}.{f.name}",
                kind=_kind(f),
                label=str(f.verbose_name),
                choices=frozenset(str(v) for v, _ in base.choices or ()),
            )
            name = _clean_header(f.verbose_name)
            for header in (name, re.sub(r"\(.*\)$", "", name)):
                by_header.setdefault(header, column)
    for key, headers in NATIONAL_COLUMNS.items():
        target, name = key.split(".", 1)
        model = {"h": Household, "m": Member}.get(target)
        if model is not None:
            f = model._meta.get_field(name)
            column = Column(key, _kind(f), headers[0], frozenset(str(v) for v, _ in f.choices or ()))
        else:
            column = Column(
                key, "int" if name == "persons" else "decimal" if "income" in name else "text", headers[0]
            )
        for header in headers:
            by_header[_clean_header(header)] = column
    return by_header


COLUMNS = _build_columns()
CODE_FIELDS = {"h.number", "h.phone", "m.phone", "h.bank_account", "m.disability_certificate"}


# ---------------------------------------------------------------------------------------- cells


def _text(raw: object) -> str:
    if raw.__class__ is str:
        return (raw if raw.isascii() else unicodedata.normalize("NFKC", raw)).strip()
    if isinstance(raw, float):
        if raw.is_integer() and abs(raw) < 1e15:
            return str(int(raw))
        if raw.is_integer():
            raise ValueError("以数字格式保存的长数字,末几位已丢失,请将该列设为文本后重新填写")
        return str(raw)
    if isinstance(raw, datetime.datetime | datetime.date):
        return raw.strftime("%Y-%m-%d")
    text = str(raw)
    if not text.isascii():
        text = unicodedata.normalize("NFKC", text)
    return text.strip()


def _code(raw: object) -> str:
    return "".join(_text(raw).split())


def _choice(raw: object, column: Column) -> str:
    value = _code(raw)
    if value not in column.choices:
        allowed = "、".join(sorted(column.choices)) if len(column.choices) <= 12 else "代码表中的名称"
        raise ValueError(f"“{value}”不是有效的{column.label},应为:{allowed}")
    return value


def _bool(raw: object) -> bool:
    if isinstance(raw, bool):
        return raw
    value = _code(raw).upper()
    if value not in BOOLEANS:
        raise ValueError(f"“{value}”应为“是”或“否”")
    return BOOLEANS[value]


def _int(raw: object) -> int:
    if isinstance(raw, float):
        if not raw.is_integer():
            raise ValueError(f"“{raw}”应为整数")
        return int(raw)
    if isinstance(raw, int):
        return raw
    value = _code(raw)
    if not value.isdigit():
        raise ValueError(f"“{value}”应为整数")
    return int(value)


def _decimal(raw: object) -> Decimal:
    try:
        value = Decimal(str(raw) if isinstance(raw, float | int) else _code(raw))
    except InvalidOperation:
        raise ValueError(f"“{_text(raw)}”应为数字") from None
    if not value.is_finite():
        raise ValueError(f"“{_text(raw)}”应为数字")
    return value.quantize(Decimal("0.01"))


def _date(raw: object) -> datetime.date:
    if isinstance(raw, datetime.datetime):
        return raw.date()
    if isinstance(raw, datetime.date):
        return raw
    value = _code(raw)
    match = re.fullmatch(r"(\d{4})[-/.年]?(\d{1,2})[-/.月]?(\d{1,2})日?", value)
    try:
        if match:
            return datetime.date(*(int(g) for g in match.groups()))
    except ValueError:
        pass
    raise ValueError(f"“{value}”不是有效日期(例如 1980-05-01)")


def _causes(raw: object, column: Column) -> list[str]:
    values = [v for v in CAUSE_SEPARATORS.split(_text(raw)) if v]
    wrong = [v for v in values if v not in column.choices]
    if wrong:
        raise ValueError(f"“{'、'.join(wrong)}”不是有效的致贫原因")
    return values


def _id_number(raw: object) -> str:
    if raw.__class__ is str and raw.isascii() and raw.isalnum():
        return raw.upper()  # what normalize_id makes of it, without NFKC and a regex on 400,000 cells
    try:
        return normalize_id(raw)
    except InvalidIdNumber as error:
        raise ValueError(str(error)) from None


def _max_length(column: Column) -> int | None:
    """The database's limit for a text column of the household or member (None: no limit, or not text)."""
    model = {"h": Household, "m": Member}.get(column.target)
    if model is None:
        return None
    try:
        field = model._meta.get_field(column.field)
    except Exception:  # noqa: BLE001 - a column without a model field of that name has no limit here
        return None
    return field.max_length if isinstance(field, models.CharField) else None


def _bounded(convert: Callable[[object], object], limit: int) -> Callable[[object], object]:
    """A text longer than its column is refused on its cell (a 5,000,000-character 姓名 once passed the
    preview and failed the write with a 500); the message gives the lengths, not the text."""

    def run(raw: object) -> object:
        value = convert(raw)
        if isinstance(value, str) and len(value) > limit:
            raise ValueError(f"内容过长:共{len(value)}个字符,最多{limit}个")
        return value

    return run


def _converter(column: Column) -> Callable[[object], object]:
    convert = _unbounded_converter(column)
    limit = _max_length(column) if column.key != "m.id_number" else None
    return _bounded(convert, limit) if limit else convert


def _unbounded_converter(column: Column) -> Callable[[object], object]:
    if column.key == "m.id_number":
        return _id_number
    if column.key in CODE_FIELDS:
        return _code
    if column.target == "a":
        return _memoized(_code)
    convert = {
        "choice": lambda raw: _choice(raw, column),
        "causes": lambda raw: _causes(raw, column),
        "bool": _bool,
        "int": _int,
        "decimal": _decimal,
        "date": _date,
    }.get(column.kind, _text)
    return convert if convert in (_text, _date) else _memoized(convert)


def _memoized(convert: Callable[[object], object]) -> Callable[[object], object]:
    """Code lists, 是/否 and area names repeat on every row: convert each distinct cell once."""
    cache: dict[object, object] = {}

    def run(raw: object) -> object:
        try:
            return cache[raw]
        except KeyError:
            value = cache[raw] = convert(raw)
            return value

    return run


def _is_blank(raw: object) -> bool:
    return raw is None or (isinstance(raw, str) and not raw.strip())


# ---------------------------------------------------------------------------------------- areas


class AreaMatcher:
    """Finds a 村民小组 from the three names of a row, only among the areas the user may see."""

    def __init__(self, user: User) -> None:
        self.children: dict[int | None, list[Area]] = {}
        self.keys: dict[int, str] = {}
        areas = Area.objects.visible_to(user).filter(
            level__in=[Area.Level.TOWNSHIP, Area.Level.VILLAGE, Area.Level.GROUP]
        )
        for area in areas.only("id", "name", "level", "parent_id", "code"):
            parent = None if area.level == Area.Level.TOWNSHIP else area.parent_id
            self.keys[area.id] = area_key(area.name, township=parent is None)
            self.children.setdefault(parent, []).append(area)
        self.cache: dict[tuple[str, str, str], Area | str] = {}

    def _child(
        self, parent: int | None, name: str, level_label: str, *, township: bool = False
    ) -> Area | str:
        candidates = self.children.get(parent, [])
        exact = [a for a in candidates if a.name == name]
        if len(exact) == 1:
            return exact[0]
        key = area_key(name, township=township)
        found = [a for a in candidates if self.keys[a.id] == key]
        if len(found) == 1:
            return found[0]
        if not found:
            return f"{level_label}“{name}”不存在或不在您的管辖范围内"
        return f"{level_label}“{name}”对应多个区划,请写全称"

    def group(self, township: str, village: str, group: str) -> tuple[Area | str, str]:
        """(the group or the message saying what is wrong, the key of the level that decided it)."""
        names = (township, village, group)
        if names not in self.cache:
            found = self._child(None, township, "乡镇", township=True)
            level = "a.township"
            if isinstance(found, Area):
                found, level = self._child(found.id, village, "行政村"), "a.village"
                if isinstance(found, Area):
                    found, level = self._child(found.id, group, "村民小组"), "a.group"
            self.cache[names] = (found, level)
        return self.cache[names]


# ---------------------------------------------------------------------------------------- reading


@dataclass
class MemberDraft:
    row: int
    values: dict[str, object]


@dataclass
class HouseholdDraft:
    number: str
    row: int  # first row
    values: dict[str, object] = field(default_factory=dict)
    value_rows: dict[str, int] = field(default_factory=dict)
    members: list[MemberDraft] = field(default_factory=list)
    group_id: int | None = None


@dataclass
class Sheet:
    header_row: int  # 0-based index
    columns: dict[int, Column]
    headers: dict[str, tuple[int, str]]  # column key → (index, header as spelled)
    unknown: list[str]
    total_rows: int
    rows: Iterator[list]


def open_sheet(path: Path | str) -> tuple[Sheet | None, list[RowError]]:
    """Find the header row and map its columns; errors name missing or repeated columns."""
    try:
        sheet = CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0)
    except (CalamineError, OSError):
        return None, [RowError(1, "文件", "", "无法读取该文件:请上传用 Excel 保存的 .xlsx 花名册")]
    rows = sheet.iter_rows()
    first_row, first_col = sheet.start or (0, 0)
    found: tuple[int, list] | None = None
    for index, row in zip(range(HEADER_SCAN_ROWS), rows, strict=False):
        # The real export puts a merged title row (one cell) above the header row.
        if sum(1 for cell in row if _clean_header(cell) in COLUMNS) >= 3:
            found = (index, row)
            break
    if found is None:
        return None, [RowError(1, "表头", "", "前10行中找不到表头行(应包含“户编号”“姓名”“证件号码”等列)")]
    index, header = found
    index += first_row
    columns: dict[int, Column] = {}
    headers: dict[str, tuple[int, str]] = {}
    unknown: list[str] = []
    errors: list[RowError] = []
    for col, cell in enumerate(header):
        name = _clean_header(cell)
        if not name:
            continue
        column = COLUMNS.get(name)
        if column is None:
            unknown.append(str(cell).strip())
            continue
        if column.key in headers:
            errors.append(
                RowError(index + 1, str(cell), "", f"与“{headers[column.key][1]}”是同一列,只能出现一次", col)
            )
            continue
        columns[col] = column
        headers[column.key] = (col, str(cell).strip())
    for key in REQUIRED:
        if key not in headers:
            label = NATIONAL_COLUMNS[key][0]
            errors.append(RowError(index + 1, label, "", f"缺少必填列“{label}”"))
    columns = {col + first_col: column for col, column in columns.items()}
    headers = {key: (col + first_col, spelled) for key, (col, spelled) in headers.items()}
    for error in errors:
        error.col = None if error.col is None else error.col + first_col
    padded = ([""] * first_col + row for row in rows) if first_col else rows
    return Sheet(index, columns, headers, unknown, sheet.height, padded), errors


# Per household and not stored: 人数 and 人均纯收入 are checked, 脱贫属性 keeps a lifted household off the
# 扶贫 roll its 贫困户属性 would otherwise open. Other "x." columns are unused.
SHARED_EXTRAS = ("x.persons", "x.per_capita_income", "x.lifted")
LIFTED = "已脱贫"


def _shared_name(key: str) -> str:
    """The name of a household-level value in HouseholdDraft.values: "phone", "area.group", "persons"."""
    target, name = key.split(".", 1)
    return f"area.{name}" if target == "a" else name


def _shared_key(name: str) -> str:
    if name.startswith("area."):
        return f"a.{name[5:]}"
    return f"x.{name}" if f"x.{name}" in SHARED_EXTRAS else f"h.{name}"


def _parse_rows(
    sheet: Sheet, errors: list[RowError], progress: Progress
) -> tuple[dict[str, HouseholdDraft], int]:
    """Convert every data row and group by 户编号. Returns the households and the number of blank rows."""
    # (index, key, member field or None, household-level name or None, converter)
    plan = [
        (
            col,
            column.key,
            column.field if column.target == "m" else None,
            None if column.target == "m" else _shared_name(column.key),
            _converter(column),
        )
        for col, column in sheet.columns.items()
        if column.target != "x" or column.key in SHARED_EXTRAS
    ]
    header_of = {key: spelled for key, (_, spelled) in sheet.headers.items()}
    required = [
        (key, _shared_name(key) if key[0] != "m" else key[2:], key[0] == "m")
        for key in ("h.number", "m.name", "m.id_number", "m.relation", "a.township", "a.village", "a.group")
    ]
    households: dict[str, HouseholdDraft] = {}
    blank = 0
    step = max(sheet.total_rows // 20, 1000)
    for offset, row in enumerate(sheet.rows):
        excel_row = sheet.header_row + offset + 2
        if offset % step == 0:
            progress(5 + 45 * offset // max(sheet.total_rows, 1))
        if not any(row) or all(_is_blank(cell) for cell in row):
            blank += 1
            continue
        member_values: dict[str, object] = {}
        shared: dict[str, object] = {}
        failed: set[str] = set()
        width = len(row)
        for col, key, member_field, shared_name, convert in plan:
            raw = row[col] if col < width else None
            if raw is None or raw == "" or (raw.__class__ is str and raw.isspace()):
                continue
            try:
                value = convert(raw)
            except ValueError as error:
                errors.append(RowError(excel_row, header_of[key], _shown_raw(raw, key), str(error), col))
                failed.add(key)
                continue
            if member_field is not None:
                member_values[member_field] = value
            else:
                shared[shared_name] = value
        for key, name, is_member in required:
            if not (member_values.get(name) if is_member else shared.get(name)) and key not in failed:
                errors.append(
                    RowError(
                        excel_row, header_of[key], "", f"“{header_of[key]}”不能为空", sheet.headers[key][0]
                    )
                )
                failed.add(key)
        number = shared.pop("number", "")
        if not number:
            continue
        draft = households.get(number)
        if draft is None:
            draft = households[number] = HouseholdDraft(number=number, row=excel_row, values=shared)
            draft.value_rows = dict.fromkeys(shared, excel_row)
        elif shared != draft.values:
            # Every row of a household repeats its fields: they must agree (blank cells excepted).
            _merge_shared(draft, shared, excel_row, errors, sheet)
        if failed:
            member_values["_invalid"] = True
        draft.members.append(MemberDraft(excel_row, member_values))
    progress(50)
    return households, blank


def _merge_shared(
    draft: HouseholdDraft, shared: dict, excel_row: int, errors: list[RowError], sheet: Sheet
) -> None:
    for name, value in shared.items():
        if name not in draft.values:
            draft.values[name] = value
            draft.value_rows[name] = excel_row
        elif draft.values[name] != value:
            key = _shared_key(name)
            header = sheet.headers[key][1]
            errors.append(
                RowError(
                    excel_row,
                    header,
                    _shown(value),
                    f"同一户(户编号{draft.number})各行的“{header}”不一致:"
                    f"第{draft.value_rows[name]}行为“{_shown(draft.values[name])}”",
                    sheet.headers[key][0],
                )
            )


def _shown(value: object) -> str:
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, list):
        return "、".join(value)
    return str(value)


def _shown_raw(raw: object, key: str) -> str:
    """A wrong cell as the report shows it: ID numbers masked, even when stored as a number."""
    if key == "m.id_number":
        return mask(str(int(raw)) if isinstance(raw, float) else re.sub(r"\s+", "", str(raw)))
    text = str(raw)
    # The report (and the job row that keeps it) shows the start of an overlong cell, not all of it.
    return text if len(text) <= 200 else f"{text[:50]}…(共{len(text)}个字符)"


# ---------------------------------------------------------------------------------------- database


def _fields(model: type[models.Model]) -> list[models.Field]:
    return [f for f in model._meta.concrete_fields if not f.primary_key]


def _defaults(model: type[models.Model]) -> dict[str, object]:
    return {f.attname: f.get_default() for f in _fields(model)}


def _fetch(sql: str, params: list) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _load(model: type[models.Model], where: str, params: list, attnames: list[str]) -> dict[int, dict]:
    table = model._meta.db_table
    columns = ", ".join(f'"{a}"' for a in ["id", *attnames])
    rows = _fetch(f"SELECT {columns} FROM {table} WHERE {where}", params)
    return {row[0]: dict(zip(attnames, row[1:], strict=True)) for row in rows}


def _load_compact(
    model: type[models.Model], where: str, params: list, attnames: list[str]
) -> dict[int, tuple]:
    """Like _load, as tuples whose repeated strings (code lists) are shared: 400,000 members fit in
    a fraction of the memory that dicts of fresh strings take. Read in chunks from a server-side cursor."""
    table = model._meta.db_table
    columns = ", ".join(f'"{a}"' for a in ["id", *attnames])
    pool: dict[str, str] = {}
    result: dict[int, tuple] = {}
    with connection.chunked_cursor() as cursor:
        cursor.execute(f"SELECT {columns} FROM {table} WHERE {where}", params)
        while rows := cursor.fetchmany(10_000):
            for row in rows:
                result[row[0]] = tuple(
                    pool.setdefault(v, v) if v.__class__ is str and len(v) < 18 else v for v in row[1:]
                )
    return result


class _Writer:
    """Rows (attname dicts with "id") → COPY into the table, temp-table UPDATE, DELETE, and history."""

    def __init__(self, model: type[models.Model], *, user: User, now: datetime.datetime) -> None:
        self.model = model
        self.table = model._meta.db_table
        self.columns = ["id", *[f.attname for f in _fields(model)]]
        history = model.history.model
        self.history_table = history._meta.db_table
        self.history_columns = [f.attname for f in history._meta.concrete_fields if f.attname != "history_id"]
        self.user = user
        self.now = now

    def _history(self, rows: list[dict], kind: str) -> None:
        extra = {
            "history_date": self.now.isoformat(),  # as text: formatted once, not once per row
            "history_type": kind,
            "history_user_id": self.user.pk,
            "history_change_reason": CHANGE_REASON,
        }
        tracked = [c for c in self.history_columns if c not in extra]
        take, constant = itemgetter(*tracked), tuple(extra.values())
        copy_rows(self.history_table, [*tracked, *extra], (take(r) + constant for r in rows))

    def insert(self, rows: list[dict]) -> None:
        if not rows:
            return
        copy_rows(self.table, self.columns, map(itemgetter(*self.columns), rows))
        history_of_rows(
            self.model,
            [r["id"] for r in rows],
            history_type="+",
            user=self.user,
            reason=CHANGE_REASON,
            when=self.now,
        )

    def update(self, rows: list[dict], *, where: str = "") -> None:
        if not rows:
            return
        temp = f"import_{self.table}"
        with connection.cursor() as cursor:
            cursor.execute(f"CREATE TEMP TABLE IF NOT EXISTS {temp} (LIKE {self.table}) ON COMMIT DROP")
            cursor.execute(f"TRUNCATE {temp}")
        copy_rows(temp, self.columns, map(itemgetter(*self.columns), rows))
        assignments = ", ".join(f'"{c}" = t."{c}"' for c in self.columns[1:])
        with connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {self.table} AS o SET {assignments} FROM {temp} AS t WHERE o.id = t.id {where}"
            )
        self._history(rows, "~")

    def delete(self, rows: list[dict]) -> None:
        if not rows:
            return
        with connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {self.table} WHERE id = ANY(%s)", [[r["id"] for r in rows]])
        self._history(rows, "-")


# ---------------------------------------------------------------------------------------- pipeline


def _release_memory() -> None:
    """Hand the reader's freed memory back to the system: glibc keeps it otherwise, and peak RSS
    would be the sheet plus everything after it."""
    with contextlib.suppress(OSError, AttributeError):  # not glibc: nothing to trim
        ctypes.CDLL("libc.so.6").malloc_trim(0)


def can_import(user: User) -> bool:
    return user.is_authenticated and user.role in IMPORTING_ROLES and scope_prefix(user) is not None


def import_roster(
    *,
    path: Path | str,
    user: User,
    dry_run: bool,
    year: int | None = None,
    progress: Progress | None = None,
) -> ImportResult:
    """Validate the whole file, then (unless `dry_run` or anything is wrong) write what changed."""
    if not can_import(user):
        raise PermissionDenied("只有县扶贫办和系统管理员可以导入花名册。")
    # Millions of small dicts and no reference cycles: the cyclic collector would only rescan them.
    collecting = gc.isenabled()
    gc.disable()
    try:
        return _import(
            path=path,
            user=user,
            dry_run=dry_run,
            year=year or timezone.localdate().year - 1,
            report=progress or (lambda percent: None),
        )
    finally:
        if collecting:
            gc.enable()


def _import(*, path: Path | str, user: User, dry_run: bool, year: int, report: Progress) -> ImportResult:
    result = ImportResult(dry_run=dry_run)
    sheet, errors = open_sheet(path)
    result.errors.extend(errors)
    if sheet is None or errors:
        return result
    result.header_row = sheet.header_row + 1
    if sheet.unknown:
        result.notes.append(f"以下列未能识别,已忽略:{'、'.join(sheet.unknown)}")
    if "x.person_number" in sheet.headers:
        result.notes.append("“人编号”列只作识别,不写入。")
    households, blank = _parse_rows(sheet, result.errors, report)
    # The reader holds the whole sheet (≈600 MB at 400,000 rows): let it go before the database work.
    sheet.rows = iter(())
    _release_memory()
    result.counts = {"rows": sum(len(h.members) for h in households.values()), "blank_rows": blank}
    with transaction.atomic():
        # One import at a time: two concurrent imports could each miss the other's new members.
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(hashtext('households.import_roster'))")
        plan = _Plan(user=user, sheet=sheet, households=households, result=result, year=year)
        plan.check()
        report(70)
        if result.errors or dry_run:
            return result
        plan.write(report)
    report(97)
    written = sum(result.counts.get(key, 0) for key in WRITE_COUNTS)
    if written > ANALYZE_MIN_ROWS:
        _analyze(ANALYZED_TABLES)
    report(100)
    return result


def _analyze(tables: tuple[str, ...]) -> None:
    """Fresh planner statistics for the tables an import filled, as autovacuum would gather them later."""
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {', '.join(connection.ops.quote_name(t) for t in tables)}")


class _Plan:
    """Validation against the database and the comparison that decides what to write."""

    def __init__(
        self,
        *,
        user: User,
        sheet: Sheet,
        households: dict[str, HouseholdDraft],
        result: ImportResult,
        year: int,
    ) -> None:
        self.user = user
        self.sheet = sheet
        self.households = households
        self.result = result
        self.errors = result.errors
        self.year = year
        self.header = {key: spelled for key, (_, spelled) in sheet.headers.items()}
        self.col = {key: index for key, (index, _) in sheet.headers.items()}
        self.h_fields = [c.field for c in sheet.columns.values() if c.target == "h" and c.field != "number"]
        self.m_fields = [c.field for c in sheet.columns.values() if c.target == "m"]
        # Fields written along with a column because a constraint ties them to it.
        for column, companions in DEPENDENT_FIELDS.items():
            fields = self.h_fields if column in HOUSEHOLD_DEPENDENT else self.m_fields
            if column in fields or column == "id_number":
                fields.extend(f for f in companions if f not in fields)
        self.h_new: list[dict] = []
        self.h_changed: list[dict] = []
        self.m_new: list[dict] = []
        self.m_changed: list[dict] = []
        self.m_removed: list[dict] = []
        self.today = datetime.date.today()  # as check_member would take it, once rather than per person

    def error(self, row: int, key: str, value: object, reason: str) -> None:
        label = self.header.get(key) or next((c.label for c in COLUMNS.values() if c.key == key), key)
        shown = mask(str(value)) if key == "m.id_number" else _shown(value) if value is not None else ""
        self.errors.append(RowError(row, label, shown, reason, self.col.get(key)))

    def check(self) -> None:
        matcher = AreaMatcher(self.user)
        county = self.user.area
        ours = {"", county.name}
        for draft in self.households.values():
            county_name = draft.values.get("area.county", "")
            if county_name not in ours and area_key(str(county_name)) == area_key(county.name):
                ours.add(county_name)
            if county_name not in ours:
                self.error(
                    draft.value_rows["area.county"], "a.county", county_name, f"不是本县({county.name})"
                )
            names = tuple(
                str(draft.values.get(f"area.{level}", "")) for level in ("township", "village", "group")
            )
            if all(names):
                found, level = matcher.group(*names)
                if isinstance(found, Area):
                    draft.group_id = found.id
                else:
                    name = level[2:]
                    self.error(
                        draft.value_rows.get(f"area.{name}", draft.row),
                        level,
                        draft.values.get(f"area.{name}"),
                        found,
                    )
        self._check_people()
        self._compare()
        self._plan_cases()

    def _plan_cases(self) -> None:
        """The cases the file's 贫困户属性 calls for and the registry lacks; open cases stay as they are.
        A household marked 已脱贫 has left the 扶贫 roll: its 属性 does not put it back."""
        wanted = {
            (number, program)
            for number, draft in self.households.items()
            for program in ROLLS_OF_ATTRIBUTE.get(draft.values.get("attribute"), ())
            if not (program == choices.Program.FUPIN and draft.values.get("lifted") == LIFTED)
        }
        numbers = {pk: number for number, pk in self.household_ids.items()}
        open_cases = Case.objects.filter(household_id__in=list(numbers), state__in=Case.OPEN_STATES)
        have = {(numbers[pk], program) for pk, program in open_cases.values_list("household_id", "program")}
        self.cases_to_open = sorted(wanted - have)
        self.result.counts["cases_opened"] = len(self.cases_to_open)

    def _check_people(self) -> None:
        seen: dict[str, tuple[str, int]] = {}
        for draft in self.households.values():
            unique = []
            for member in draft.members:
                number = member.values.get("id_number")
                if not number:
                    unique.append(member.values)
                    continue
                if number in seen:
                    other_number, other_row = seen[number]
                    where = "同一户" if other_number == draft.number else f"户编号{other_number}"
                    self.error(
                        member.row,
                        "m.id_number",
                        number,
                        f"此人已出现在第{other_row}行({where}),同一人只能登记一次",
                    )
                    continue
                seen[number] = (draft.number, member.row)
                unique.append(member.values)
            for message in check_household_members(unique):
                self.error(draft.row, "m.relation", "", f"户编号{draft.number}:{message}")
            persons = draft.values.get("persons")
            if persons is not None and persons != len(draft.members):
                self.error(
                    draft.value_rows["persons"],
                    "x.persons",
                    persons,
                    f"户编号{draft.number}的人数为{persons},但文件中该户有{len(draft.members)}行成员",
                )
        self.seen = seen

    def _compare(self) -> None:
        numbers = list(self.households)
        prefix = scope_prefix(self.user) or ""
        # Existing households of the file, whatever their scope: 户编号 is unique county-wide.
        h_attnames = ["number", "group_id", *self.h_fields]
        existing = _load(Household, "number = ANY(%s)", [numbers], h_attnames)
        by_number = {values["number"]: (pk, values) for pk, values in existing.items()}
        self.household_ids = {number: pk for number, (pk, _) in by_number.items()}
        group_codes = dict(
            Area.objects.filter(id__in={v["group_id"] for v in existing.values()}).values_list("id", "code")
        )
        # Every registered person of the file, in any household, and every member of the file's households.
        m_attnames = self.m_attnames = [
            "household_id",
            "id_number",
            *[f for f in self.m_fields if f != "id_number"],
        ]
        # Two index scans: PostgreSQL answers "a OR b" over 400,000 rows with a sequential scan.
        # Into an empty registry (a county's first import), neither: sending 400,000 numbers costs ≈ 0.5 s.
        members = (
            _load_compact(Member, "id_number = ANY(%s)", [list(self.seen)], m_attnames)
            if not rows_fewer_than(Member._meta.db_table, 1)
            else {}
        )
        members.update(
            _load_compact(
                Member, "household_id = ANY(%s)", [[pk for pk, _ in by_number.values()]], m_attnames
            )
        )
        household_numbers = {pk: values["number"] for pk, values in existing.items()}
        outside = {row[0] for row in members.values() if row[0] not in household_numbers}
        if outside:
            household_numbers.update(
                dict(Household.objects.filter(id__in=outside).values_list("id", "number"))
            )
        member_by_id = {row[1]: (pk, row) for pk, row in members.items()}
        kept: set[int] = set()
        m_defaults = _defaults(Member)
        h_defaults = _defaults(Household)
        # As text: COPY takes it so, and psycopg would format the same datetime 200,000 times (≈ 0.5 s).
        stamp = timezone.now().isoformat()
        counts = self.result.counts
        counts.update(
            dict.fromkeys(
                (
                    "households_created",
                    "households_updated",
                    "households_unchanged",
                    "members_created",
                    "members_updated",
                    "members_unchanged",
                    "members_removed",
                ),
                0,
            )
        )
        incomes = (
            self._incomes([pk for pk, _ in by_number.values()])
            if "x.per_capita_income" in self.header
            else {}
        )
        for draft in self.households.values():
            current = by_number.get(draft.number)
            if current is not None and not group_codes.get(current[1]["group_id"], "").startswith(prefix):
                self.error(draft.row, "h.number", draft.number, "该户编号已被您管辖范围以外的户使用")
                continue
            h_values = {name: draft.values[name] for name in self.h_fields if name in draft.values}
            if draft.group_id is not None:
                h_values["group_id"] = draft.group_id
            # Not a 危房户 any more: its stored 危房等级 goes too (the file has no column to clear it).
            if h_values.get("dangerous_house") is False:
                h_values.setdefault("dangerous_house_grade", "")
            merged = {**(h_defaults if current is None else current[1]), **h_values}
            irrigated, arable = merged.get("irrigated_land"), merged.get("arable_land")
            if irrigated is not None and arable is not None and irrigated > arable:
                key = "h.irrigated_land" if "h.irrigated_land" in self.header else "h.arable_land"
                self.error(
                    draft.row, key, irrigated, f"有效灌溉面积({irrigated}亩)不能大于耕地面积({arable}亩)"
                )
            changed_fields: list[str] = []
            if current is None:
                household_id = None
                row = {
                    **h_defaults,
                    **h_values,
                    "number": draft.number,
                    "created_at": stamp,
                    "updated_at": stamp,
                }
                self.h_new.append(row)
                counts["households_created"] += 1
                action = "新增"
            else:
                household_id, stored = current
                changed_fields = [name for name, value in h_values.items() if stored[name] != value]
                if changed_fields:
                    self.h_changed.append({"id": household_id, **h_values})
                    counts["households_updated"] += 1
                    action = "更新"
                else:
                    counts["households_unchanged"] += 1
                    action = ""
            member_changes = self._compare_members(
                draft, household_id, member_by_id, household_numbers, kept, m_defaults
            )
            if not action and member_changes:
                action = "成员变动"
            if action and len(self.result.sample) < SAMPLE_SIZE:
                self.result.sample.append(
                    {
                        "number": draft.number,
                        "action": action,
                        "members": len(draft.members),
                        "changes": "、".join(
                            [self._label("h." + f) for f in changed_fields if f != "group_id"]
                            + (["所属村民小组"] if "group_id" in changed_fields else [])
                            + member_changes
                        ),
                    }
                )
            if (
                household_id is not None
                and household_id in incomes
                and draft.values.get("per_capita_income") is not None
            ):
                stored_income = incomes[household_id]
                if abs(stored_income - draft.values["per_capita_income"]) > Decimal("1"):
                    counts["income_mismatch"] = counts.get("income_mismatch", 0) + 1
        # Registered members of the file's households that the file no longer lists.
        for pk, row in members.items():
            if pk not in kept and household_numbers.get(row[0]) in self.households:
                self.m_removed.append({"id": pk})
                counts["members_removed"] += 1
        self._income_notes(incomes)

    def _label(self, key: str) -> str:
        return self.header.get(key) or next((c.label for c in COLUMNS.values() if c.key == key), key)

    def _compare_members(
        self, draft, household_id, member_by_id, household_numbers, kept, m_defaults
    ) -> list[str]:
        changes: list[str] = []
        for member in draft.members:
            values = member.values
            number = values.get("id_number")
            if not number or values.get("_invalid") or self.seen.get(number, (None, 0))[1] != member.row:
                continue
            # No longer 残疾: the stored 残疾等级 and 残疾证号 go too (the roster has no columns for them).
            if values.get("health", choices.Health.DISABLED) != choices.Health.DISABLED:
                values.setdefault("disability_grade", "")
                values.setdefault("disability_certificate", "")
            current = member_by_id.get(number)
            if current is not None:
                pk, row = current
                stored = dict(zip(self.m_attnames, row, strict=True))
                registered_in = household_numbers.get(stored["household_id"])
                if registered_in != draft.number and registered_in not in self.households:
                    self.error(
                        member.row,
                        "m.id_number",
                        number,
                        f"此人已登记在户编号{registered_in}的家庭中,一人只能属于一户",
                    )
                    continue
                merged = {**stored, **values}
            else:
                # The draft's own dict becomes the row to insert: one dict per person, no copies.
                merged = values = member.values = {**m_defaults, **values}
            messages = check_member(merged, today=self.today)
            for name, message in messages.items():
                self.error(
                    member.row, f"m.{name}", merged.get(name) if name != "id_number" else number, message
                )
            if messages:
                continue
            # A valid number: gender and birth date are read from it when the file lacks them.
            if not values.get("gender"):
                values["gender"] = "男" if int(number[16]) % 2 else "女"
            if not values.get("birth_date"):
                values["birth_date"] = datetime.date(
                    int(number[6:10]), int(number[10:12]), int(number[12:14])
                )
            if current is None:
                values["household_id"] = draft.number  # the id once the household exists
                self.m_new.append(values)
                self.result.counts["members_created"] += 1
                if household_id is not None:
                    changes.append(f"新增成员{values.get('name', '')}")
                continue
            kept.add(pk)
            diff = [name for name in self.m_fields if name in values and stored.get(name) != values[name]]
            moved = household_numbers.get(stored["household_id"]) != draft.number
            if diff or moved:
                self.m_changed.append(
                    {
                        "id": pk,
                        **{name: values[name] for name in self.m_fields if name in values},
                        "_household": draft.number,
                    }
                )
                self.result.counts["members_updated"] += 1
                changes.append(
                    f"成员{values.get('name', '')}的" + "、".join(self._label("m." + f) for f in diff)
                    if diff
                    else f"成员{values.get('name', '')}迁入"
                )
            else:
                self.result.counts["members_unchanged"] += 1
        return changes

    def _incomes(self, household_ids: list[int]) -> dict[int, Decimal]:
        record_ids = [
            r[0]
            for r in _fetch(
                "SELECT id FROM households_incomerecord WHERE year = %s AND household_id = ANY(%s)",
                [self.year, household_ids],
            )
        ]
        incomes = {}
        for start in range(0, len(record_ids), 5000):
            for record in IncomeRecord.objects.filter(id__in=record_ids[start : start + 5000]):
                incomes[record.household_id] = record.per_capita_net_income
        return incomes

    def _income_notes(self, incomes: dict[int, Decimal]) -> None:
        if "x.per_capita_income" not in self.header:
            return
        with_figure = sum(
            1 for d in self.households.values() if d.values.get("per_capita_income") is not None
        )
        skipped = with_figure - len(incomes)
        if skipped > 0:
            self.result.notes.append(
                f"{skipped} 户的“{self.header['x.per_capita_income']}”未导入:人均纯收入由{self.year}年的收入明细计算,"
                "系统中尚无该年度收入记录,请在户卡中录入收入明细。"
            )
        mismatch = self.result.counts.get("income_mismatch", 0)
        if mismatch:
            self.result.notes.append(
                f"{mismatch} 户的“{self.header['x.per_capita_income']}”与系统中{self.year}年收入记录计算的结果相差1元以上,"
                "以系统记录为准,请核对。"
            )

    def _tables_to_rebuild(self) -> list[str]:
        """The tables this import at least doubles: loaded without indexes, which are built afterwards."""
        rows = {
            Household: len(self.h_new),
            Member: len(self.m_new),
            Case: len(self.cases_to_open),
        }
        tables = []
        for model, count in rows.items():
            if count < REBUILD_INDEXES_MIN_ROWS:
                continue
            for table in (model._meta.db_table, model.history.model._meta.db_table):
                if rows_fewer_than(table, count):
                    tables.append(table)
        return tables

    def write(self, report: Progress) -> None:
        # Django's foreign keys are DEFERRABLE INITIALLY DEFERRED: queued for the commit, 900,000 checks
        # cost ≈ 10 s more than the same checks made row by row as COPY goes (measured, 100,000 households).
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        with indexes_rebuilt_after(self._tables_to_rebuild()):
            self._write(report)

    def _write(self, report: Progress) -> None:
        now = timezone.now()
        households = _Writer(Household, user=self.user, now=now)
        members = _Writer(Member, user=self.user, now=now)
        if self.h_changed:
            stored = _load(
                Household, "id = ANY(%s)", [[r["id"] for r in self.h_changed]], households.columns[1:]
            )
            households.update([{**stored[r["id"]], **r, "updated_at": now} for r in self.h_changed])
        for row, pk in zip(self.h_new, reserve_ids(Household, len(self.h_new)), strict=True):
            row["id"] = pk
            self.household_ids[row["number"]] = pk
        households.insert(self.h_new)
        report(80)
        ids = self.household_ids
        if self.m_removed:
            stored = _load(Member, "id = ANY(%s)", [[r["id"] for r in self.m_removed]], members.columns[1:])
            members.delete([{"id": pk, **values} for pk, values in stored.items()])
        if self.m_changed:
            stored = _load(Member, "id = ANY(%s)", [[r["id"] for r in self.m_changed]], members.columns[1:])
            rows = [
                {
                    **stored[r["id"]],
                    **{k: v for k, v in r.items() if not k.startswith("_")},
                    "household_id": ids[r["_household"]],
                }
                for r in self.m_changed
            ]
            # One 户主 per household is a unique index, checked row by row: free the heads first.
            members.update([r for r in rows if r["relation"] != choices.Relation.HEAD])
            members.update([r for r in rows if r["relation"] == choices.Relation.HEAD])
        for row, pk in zip(self.m_new, reserve_ids(Member, len(self.m_new)), strict=True):
            row["id"] = pk
            row["household_id"] = ids[row["household_id"]]
        report(90)
        members.insert(self.m_new)
        # A roster lists who is on the rolls now; its year of identification is the year after the
        # income year (--year), as 2011 incomes made the 2012 rolls.
        cases = [
            Case(household_id=ids[number], program=program, entered_year=self.year + 1)
            for number, program in self.cases_to_open
        ]
        copy_insert(cases, user=self.user, reason=CHANGE_REASON)
        report(95)  # what is left: the indexes to build again, if any, and the commit


# ---------------------------------------------------------------------------------------- reports


def write_error_workbook(*, source: Path | str, errors: list[RowError], target: Path | str) -> None:
    """A copy of the uploaded sheet with the wrong cells in red and a 错误说明 column."""
    import xlsxwriter

    by_row: dict[int, list[RowError]] = {}
    for error in errors:
        by_row.setdefault(error.row, []).append(error)
    sheet = CalamineWorkbook.from_path(str(source)).get_sheet_by_index(0)
    book = xlsxwriter.Workbook(str(target), {"constant_memory": True, "strings_to_numbers": False})
    out = book.add_worksheet("花名册(错误标注)")
    red = book.add_format({"bg_color": "#FFC7CE", "font_color": "#9C0006"})
    note = book.add_format({"font_color": "#9C0006", "text_wrap": False})
    first_row, first_col = sheet.start or (0, 0)
    width = first_col + sheet.width
    for offset, cells in enumerate(sheet.iter_rows()):
        index = first_row + offset
        row_errors = by_row.get(index + 1, [])
        marked = {e.col for e in row_errors if e.col is not None}
        for col, value in enumerate(cells, first_col):
            style = red if col in marked else None
            if isinstance(value, bool):
                out.write_boolean(index, col, value, style)
            elif isinstance(value, int | float):
                out.write_number(index, col, value, style)
            elif isinstance(value, datetime.date | datetime.datetime):
                out.write_string(index, col, value.strftime("%Y-%m-%d"), style)
            elif value not in (None, "") or style:
                out.write_string(index, col, str(value or ""), style)
        if row_errors:
            out.write_string(index, width, ";".join(f"{e.column}:{e.reason}" for e in row_errors), note)
    book.close()


# ---------------------------------------------------------------------------------------- jobs

MAX_STORED_ERRORS = 2000


def jobs_for(user: User):
    """The import jobs a user may open: their own, and only while they may import."""
    from households.models import ImportJob

    if not can_import(user):
        return ImportJob.objects.none()
    return ImportJob.objects.filter(user=user)


def _progress_writer(job_id: int) -> tuple[Progress, Callable[[], None]]:
    """Progress through a second connection: the import's own transaction is invisible until commit."""
    side = connections.create_connection(DEFAULT_DB_ALIAS)
    last = [-1]

    def report(percent: int) -> None:
        if percent != last[0]:
            last[0] = percent
            with side.cursor() as cursor:
                cursor.execute(
                    "UPDATE households_importjob SET progress = %s WHERE id = %s", [percent, job_id]
                )

    return report, side.close


def run_import_job(*, job_id: int) -> None:
    """The preview (dry run) or the import of one job; safe to run again (the import is idempotent)."""
    from households.models import ImportJob

    job = ImportJob.objects.select_related("user__area").get(pk=job_id)
    if job.status == ImportJob.Status.DONE:
        return
    ImportJob.objects.filter(pk=job.pk).update(
        status=ImportJob.Status.RUNNING, started_at=timezone.now(), progress=0, message=""
    )
    report, close = _progress_writer(job.pk)
    dry_run = job.phase == ImportJob.Phase.PREVIEW
    try:
        result = import_roster(path=job.file.path, user=job.user, dry_run=dry_run, progress=report)
    except PermissionDenied as denied:
        ImportJob.objects.filter(pk=job.pk).update(
            status=ImportJob.Status.FAILED, message=str(denied), finished_at=timezone.now()
        )
        return
    except Exception as error:
        # Database errors quote row values (ID numbers): log the kind of error only.
        logger.error("花名册导入任务 %s 失败:%s", job.pk, type(error).__name__)
        ImportJob.objects.filter(pk=job.pk).update(
            status=ImportJob.Status.FAILED,
            message="导入过程中出错,未写入任何数据。可以重试;仍然出错请联系系统管理员。",
            finished_at=timezone.now(),
        )
        raise
    finally:
        close()
    error_file = ""
    if result.errors:
        error_file = f"imports/errors/job-{job.pk}.xlsx"
        target = Path(settings.MEDIA_ROOT) / error_file
        target.parent.mkdir(parents=True, exist_ok=True)
        write_error_workbook(source=job.file.path, errors=result.errors, target=target)
    if result.errors and not dry_run:
        status, message = ImportJob.Status.FAILED, "复核时发现错误(数据可能已被他人修改),未写入任何数据。"
    elif result.errors:
        status, message = ImportJob.Status.DONE, f"发现 {len(result.errors)} 处错误,请改正后重新上传。"
    else:
        status, message = ImportJob.Status.DONE, "预检通过,请核对后确认导入。" if dry_run else "导入完成。"
    ImportJob.objects.filter(pk=job.pk).update(
        status=status,
        message=message,
        progress=100,
        counts=result.counts,
        sample=result.sample,
        notes=result.notes,
        errors=[e.as_dict() for e in result.errors[:MAX_STORED_ERRORS]],
        error_count=len(result.errors),
        error_file=error_file,
        finished_at=timezone.now(),
    )
