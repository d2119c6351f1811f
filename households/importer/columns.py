"""The roster's columns: header → field, the shapes of a row error and of a result."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import models

from households.models import Household, Member

# The national export's headers and the synonyms seen in county files, → field key.
# "h." = Household field, "m." = Member field, "a." = area level, "x." = checked or reported, not stored.
NATIONAL_COLUMNS: dict[str, tuple[str, ...]] = {
    "x.serial": ("序号",),  # the row's number in a register: recognised, not stored
    "a.county": ("县", "县(市、区)", "县区", "县(区)"),
    "a.township": ("乡", "乡镇", "乡(镇)", "乡镇(街道)", "镇"),
    "a.village": ("行政村", "村", "村委会", "村(社区)"),
    "a.group": ("自然村", "村民小组", "组", "自然村(组)"),
    "h.number": ("户编号", "户号"),
    "m.person_number": ("人编号", "个人编号", "成员编号"),
    "m.name": ("姓名",),
    # The national column holds a 20-digit 残疾人证号 for some disabled people (ID number + category + grade).
    "m.id_number": (
        "证件号码",
        "身份证号",
        "身份证号码",
        "公民身份号码",
        "公民身份号码或残疾人证号",
        "证件号码(身份证或残疾证)",
    ),
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
    # 新农合 and 新农保, the names of the rural schemes before they merged with the urban ones.
    "m.basic_medical_insurance": (
        "参加城乡居民基本医疗保险",
        "新农合",
        "参加新农合",
        "是否参加新农合",
        "参加新型农村合作医疗",
        "是否参加新型农村合作医疗",
        "基本医疗保险",
    ),
    "m.pension_insurance": (
        "参加城乡居民基本养老保险",
        "新农保",
        "参加新农保",
        "是否参加新农保",
        "参加新型农村社会养老保险",
        "是否参加新型农村社会养老保险",
        "基本养老保险",
    ),
    "m.disability_grade": ("残疾等级",),
    "m.disability_certificate": ("残疾证号", "残疾人证号"),
    "x.lifted": ("脱贫属性",),
    "h.attribute": ("贫困户属性",),
    "h.main_cause": ("主要致贫原因",),
    "h.dangerous_house": ("危房户", "是否危房户"),
    "h.standard": ("识别标准",),
    "h.other_causes": ("其他致贫原因",),
    "h.other_cause_note": ("其他致贫原因说明", "致贫原因(其他)", "其他原因说明"),
    "h.military_martyr_family": ("是否军烈属", "军烈属"),
    "h.only_child_household": ("是否独生子女户", "独生子女户"),
    "h.two_daughters_household": ("是否双女户", "双女户"),
    "h.orchard_land": ("林果面积(亩)", "林果面积"),
    "h.has_production_electricity": ("是否通生产用电", "通生产用电"),
    "h.has_electricity": ("是否通生活用电", "通生活用电"),
    "h.drinking_water_safe": ("饮水安全", "饮水是否安全"),
    "h.drinking_water_difficult": ("饮水困难", "饮水是否困难"),
    "x.per_capita_income": ("人均纯收入", "年人均纯收入"),
    "h.phone": ("联系电话", "户主联系电话"),
    "m.phone": ("本人联系电话", "成员联系电话"),
}
REQUIRED = ("a.township", "a.village", "a.group", "h.number", "m.name", "m.id_number", "m.relation")
# column → fields that must be read and written with it (database constraints tie them together).
DEPENDENT_FIELDS = {
    # A 20-digit 残疾人证号 in the ID column brings 健康状况, 残疾证号 and 残疾等级 with it.
    "id_number": ("gender", "birth_date", "health", "disability_certificate", "disability_grade"),
    "health": ("disability_grade", "disability_certificate"),
    "dangerous_house": ("dangerous_house_grade",),
    "arable_land": ("irrigated_land",),
    "irrigated_land": ("arable_land",),
}
HOUSEHOLD_DEPENDENT = {"dangerous_house", "arable_land", "irrigated_land"}
# Set by the importer, or not importable: never taken from a column.
# area_code and persons: kept by the database (households.persons), never read from a file.
# merged_into, removed_at, removal_reason: set only by an approved change request (households.changes).
NOT_FROM_FILE = {
    "id",
    "group",
    "household",
    "created_at",
    "updated_at",
    "area_code",
    "persons",
    "merged_into",
    "removed_at",
    "removal_reason",
}


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
    # Accepted, but worth a look: a converted 15-digit number, an unknown province, a grade to complete.
    warnings: list[RowError] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
    sample: list[dict] = field(default_factory=list)
    header_row: int = 0

    @property
    def ok(self) -> bool:
        return not self.errors


def clean_header(text: object) -> str:
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
            name = clean_header(f.verbose_name)
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
            by_header[clean_header(header)] = column
    return by_header


COLUMNS = _build_columns()
CODE_FIELDS = {
    "h.number",
    "h.phone",
    "m.phone",
    "h.bank_account",
    "m.disability_certificate",
    "m.person_number",
}

Progress = Callable[[int], None]
