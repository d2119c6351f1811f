"""The 户卡: one household as the 贫困户登记表 shows it, for the page, the print layout and the .xlsx.

All three read the same `Card`, so what is printed or downloaded is what the page shows, masking
included: personal numbers are whole only for the roles of households.privacy.
"""

from __future__ import annotations

import datetime
import io
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import models
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter

from assistance.card import card_assistance
from assistance.card import write_sections as write_assistance_sections
from households.models import Case, Household, IncomeRecord, Member
from households.policy import label_cases
from households.privacy import mask_bank_account, mask_id_number, mask_phone
from households.services import HOUSEHOLD_FIELDS
from villages.models import Area
from villages.sheets import safe_text

# Fields holding personal numbers, and how each is masked for those who may not see it whole.
MASKS: dict[str, Callable[[str], str]] = {
    "id_number": mask_id_number,
    "phone": mask_phone,
    "bank_account": mask_bank_account,
}

MEMBER_FIELDS_SHOWN = (
    "name",
    "gender",
    "id_number",
    "birth_date",
    "relation",
    "ethnicity",
    "education",
    "school_status",
    "health",
    "labour",
    "work_status",
    "insurance",
    "phone",
    "person_number",
)
# The paper form's member table is narrow: related answers share a column.
MEMBER_HEADERS = {"work_status": "务工状况(月数)", "insurance": "参保及其他"}
INSURANCE_LABELS = (
    ("basic_medical_insurance", "医保"),
    ("serious_illness_insurance", "大病保险"),
    ("pension_insurance", "养老保险"),
    ("serviceman", "现役军人"),
)


# 第七步 of the 贫困户登记表: who signs the card once the survey is done.
SIGN_OFF = ("贫困户签字或手印", "调查员签字", "村委会复核(盖章)", "乡镇复核")


def member_cell(member: Member, name: str, *, reveal: bool) -> str:
    if name == "health" and member.disability_grade:
        return f"{member.health}({member.disability_grade})"
    if name == "health" and member.needs_disability_grade:
        return f"{member.health}(等级待补录)"
    if name == "work_status" and member.work_months is not None:
        return f"{display(member, name, member.work_status, reveal=reveal)}({member.work_months}个月)"
    if name == "insurance":
        return "、".join(label for field, label in INSURANCE_LABELS if getattr(member, field)) or "—"
    return display(member, name, getattr(member, name), reveal=reveal)


INCOME_COLUMNS = (
    ("year", "年度"),
    ("persons", "人数"),
    ("wage_income", "工资性收入"),
    ("business_income", "生产经营性收入"),
    ("business_expense", "生产经营性支出"),
    ("property_income", "财产性收入"),
    ("transfer_income", "转移性收入"),
    ("net_income", "家庭纯收入"),
    ("per_capita_net_income", "年人均纯收入"),
)


def display(instance: models.Model, name: str, value: object, *, reveal: bool) -> str:
    """A field's value as the card prints it."""
    field = instance._meta.get_field(name)
    if value is None or value == "":
        return "—" if not isinstance(field, models.BooleanField) else "未填"
    if name in MASKS and not reveal:
        return MASKS[name](str(value))
    if isinstance(field, models.BooleanField):
        return "是" if value else "否"
    if isinstance(value, list):
        labels = dict(field.base_field.choices)
        return "、".join(labels.get(v, v) for v in value) or "—"
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(value, datetime.date):
        return f"{value:%Y-%m-%d}"
    if isinstance(value, Area):
        return value.name
    return str(value)


@dataclass(frozen=True)
class Change:
    label: str
    old: str
    new: str


@dataclass(frozen=True)
class HistoryEntry:
    when: datetime.datetime
    who: str
    subject: str
    action: str
    changes: list[Change] = field(default_factory=list)


ACTIONS = {"+": "新建", "~": "修改", "-": "删除"}


def household_history(household: Household, *, reveal: bool, limit: int = 50) -> list[HistoryEntry]:
    """痕迹管理: who changed what and when, on the household, its members, incomes and cases."""
    sources: list[tuple[type[models.Model], models.QuerySet, Callable]] = [
        (Household, Household.history.filter(id=household.pk), lambda r: "户基本信息"),
        (Member, Member.history.filter(household_id=household.pk), lambda r: f"成员 {r.name}"),
        (IncomeRecord, IncomeRecord.history.filter(household_id=household.pk), lambda r: f"{r.year}年收入"),
        (Case, Case.history.filter(household_id=household.pk), lambda r: f"{r.get_program_display()}对象"),
    ]
    entries: list[HistoryEntry] = []
    for model, records, subject in sources:
        previous: dict[int, models.Model] = {}
        for record in records.select_related("history_user").order_by("history_date", "history_id"):
            changes: list[Change] = []
            before = previous.get(record.id)
            if record.history_type == "~" and before is not None:
                for change in record.diff_against(before).changes:
                    changes.append(
                        Change(
                            label=str(model._meta.get_field(change.field).verbose_name),
                            old=_history_value(model, change.field, change.old, reveal=reveal),
                            new=_history_value(model, change.field, change.new, reveal=reveal),
                        )
                    )
            previous[record.id] = record
            if record.history_type == "~" and before is not None and not changes:
                continue  # saved without a change: nothing to account for
            user = record.history_user
            entries.append(
                HistoryEntry(
                    when=record.history_date,
                    who=(user.get_full_name() or user.username) if user else "系统",
                    subject=subject(record),
                    action=ACTIONS[record.history_type],
                    changes=changes,
                )
            )
    entries.sort(key=lambda e: e.when, reverse=True)
    return entries[:limit]


def _history_value(model: type[models.Model], name: str, value: object, *, reveal: bool) -> str:
    if model is Household and name == "group":
        area = Area.objects.filter(pk=value).only("name").first()
        return area.name if area else "—"
    return display(model(), name, value, reveal=reveal)


@dataclass
class Card:
    household: Household
    reveal: bool
    area_names: list[str]
    fields: list[tuple[str, str]]
    member_headers: list[str]
    member_rows: list[list[str]]
    incomes: list[list[str]]
    cases: list[Case]
    # The same incomes as numbers, for the .xlsx (a sheet sums numbers, not text).
    income_numbers: list[list[object]] = field(default_factory=list)
    # What the card still lacks (a 残疾 member imported without a grade): shown to be completed.
    to_complete: list[str] = field(default_factory=list)
    # Members who left by an approved 减少成员 (households.changes): name, relation, reason, date.
    removed: list[tuple[str, str, str, str]] = field(default_factory=list)
    sign_off: tuple[str, ...] = SIGN_OFF
    # The 帮扶 sections (assistance.card): 帮扶责任人, plan and measures, visits, 小额信贷.
    assistance: object | None = None

    @property
    def title(self) -> str:
        return "贫困户登记表"

    @property
    def lacks(self) -> str:
        return "、".join(self.to_complete)


def build_card(household: Household, *, reveal: bool) -> Card:
    """`household` comes scoped from households_for(user), with group__parent__parent selected;
    `reveal`: personal numbers whole (households.privacy.can_see_personal_numbers of the reader)."""
    group = household.group
    members = sorted(household.members.all(), key=lambda m: (not m.is_head, m.pk))
    incomes = list(household.incomes.all())
    return Card(
        household=household,
        reveal=reveal,
        area_names=[group.parent.parent.name, group.parent.name, group.name],
        fields=[
            (
                str(Household._meta.get_field(name).verbose_name),
                display(household, name, getattr(household, name), reveal=reveal),
            )
            for name in HOUSEHOLD_FIELDS
            if name not in ("number", "group")
        ],
        member_headers=[
            MEMBER_HEADERS.get(name) or str(Member._meta.get_field(name).verbose_name)
            for name in MEMBER_FIELDS_SHOWN
        ],
        member_rows=[[member_cell(m, name, reveal=reveal) for name in MEMBER_FIELDS_SHOWN] for m in members],
        incomes=[[_money(getattr(record, name)) for name, _ in INCOME_COLUMNS] for record in incomes],
        income_numbers=[[getattr(record, name) for name, _ in INCOME_COLUMNS] for record in incomes],
        cases=label_cases(household.cases.all(), group.code),
        to_complete=[f"{m.name}的残疾等级(花名册未载,请补录)" for m in members if m.needs_disability_grade],
        removed=[
            (m.name, m.relation, m.removal_reason, f"{timezone.localtime(m.removed_at):%Y-%m-%d}")
            for m in Member.everyone.filter(household=household, removed_at__isnull=False).order_by(
                "removed_at"
            )
        ],
        assistance=card_assistance(household, reveal=reveal),
    )


def _money(value: object) -> str:
    return f"{value:,.2f}" if isinstance(value, Decimal) else str(value)


THIN = Side(style="thin")
BOX = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)


def card_xlsx(card: Card) -> bytes:
    """The same card as a one-sheet workbook, laid out to print on A4. Every text goes through
    villages.sheets.safe_text: openpyxl would store a name such as "=HYPERLINK(…)" as a live formula."""
    book = Workbook()
    sheet = book.active
    sheet.title = "贫困户登记表"
    width = len(MEMBER_FIELDS_SHOWN)
    row = 1

    def put(values: list[object], *, bold: bool = False) -> None:
        nonlocal row
        for column, value in enumerate(values, start=1):
            cell = sheet.cell(row=row, column=column, value=safe_text(value))
            if isinstance(value, Decimal):
                cell.number_format = "#,##0.00"
            cell.border = BOX
            cell.alignment = Alignment(wrap_text=True, vertical="center")
            if bold:
                cell.font = Font(bold=True)
        row += 1

    def heading(text: str) -> None:
        nonlocal row
        row += 1
        sheet.cell(row=row, column=1, value=text).font = Font(bold=True, size=12)
        row += 1

    sheet.cell(row=row, column=1, value=card.title).font = Font(bold=True, size=16)
    sheet.cell(row=row, column=1).alignment = Alignment(horizontal="center")
    sheet.merge_cells(start_row=row, start_column=1, end_row=row, end_column=width)
    row += 1
    sheet.cell(
        row=row, column=1, value=safe_text(f"{''.join(card.area_names)}    户编号:{card.household.number}")
    )
    sheet.merge_cells(start_row=row, start_column=1, end_row=row, end_column=width)
    row += 1

    heading("基本情况与生产生活条件")
    pairs = card.fields
    for start in range(0, len(pairs), 3):
        put([text for pair in pairs[start : start + 3] for text in pair])

    heading("家庭成员")
    put(card.member_headers, bold=True)
    for values in card.member_rows:
        put(values)
    if card.removed:
        heading("已减少成员")
        put(["姓名", "原与户主关系", "状态", "减少原因", "减少日期"], bold=True)
        for name, relation, reason, when in card.removed:
            put([name, relation, "已减少", reason, when])

    heading("收入情况(元)")
    put([label for _, label in INCOME_COLUMNS], bold=True)
    for values in card.income_numbers:
        put(values)

    heading("对象(名册)")
    put(["名册", "识别年度", "状态", "贫困类型", "退出年度"], bold=True)
    for case in card.cases:
        put(
            [
                case.get_program_display(),
                case.entered_year,
                case.state_label,
                case.get_poverty_class_display() or "—",
                case.left_year or "—",
            ]
        )

    if card.assistance is not None:
        write_assistance_sections(card.assistance, put, heading)

    heading("第七步 签字确认")
    for label in card.sign_off:
        put([label, "", "", "", "日期:", "    年  月  日"])

    for column in range(1, width + 1):
        sheet.column_dimensions[get_column_letter(column)].width = 12
    sheet.column_dimensions["C"].width = 21  # 身份证号
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
