"""The ledgers (台账), one writer per kind: 户有卡, 村有册, 乡有簿, 县电子档案, 花名册, 行政村/村民小组登记表,
贫困人口分解表. Each writer takes an ExportJob, writes `job.path` and says what the file is called.
"""

from __future__ import annotations

import dataclasses
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from django.utils import timezone

from households.card import Card, build_card, card_xlsx
from households.importer import COLUMNS, NATIONAL_COLUMNS, NOT_FROM_FILE, clean_header
from households.models import Household, Member
from households.privacy import mask_bank_account
from reports import privacy, rows, statistics
from reports.exports import ExportError, ExportJob, Written
from reports.models import Kind, Report
from reports.rows import HOUSEHOLD_COLUMNS, MEMBER_COLUMNS, Column
from reports.xlsx import Progress, Sheet, write_workbook
from villages.models import Area, AreaProfile


def _today() -> str:
    return timezone.localdate().strftime("%Y%m%d")


def _xlsx_name(kind_label: str, area: Area) -> str:
    return f"{kind_label}-{area.name}-{_today()}.xlsx"


# --- 户有卡 ----------------------------------------------------------------------------------------------


def household_card(job: ExportJob) -> Written:
    """One household's card as a workbook, or the cards of a village's households on the rolls as a zip."""
    report = job.report
    households = Household.objects.select_related("group__parent__parent").prefetch_related(
        "members", "incomes", "cases"
    )
    if report.household_id:
        household = households.get(pk=report.household_id)
        job.path.write_bytes(card_xlsx(_card(household, job.reveals)))
        return Written(f"户卡-{household.number}.xlsx", 1)
    chosen = list(
        households.filter(area_code__startswith=job.area.scope_prefix, cases__isnull=False)
        .distinct()
        .order_by("area_code", "number")
    )
    if not chosen:
        raise ExportError(f"{job.area.name}没有在册的户,没有户卡可导出。")
    with zipfile.ZipFile(job.path, "w", zipfile.ZIP_DEFLATED) as archive:
        for done, household in enumerate(chosen, start=1):
            head = next((m.name for m in household.members.all() if m.is_head), "")
            card = card_xlsx(_card(household, job.reveals))
            archive.writestr(f"{household.group.name}/{household.number}-{head}.xlsx", card)
            job.progress(100 * done // len(chosen))
    return Written(f"户卡-{job.area.name}-{_today()}.zip", len(chosen))


def _card(household: Household, reveals: frozenset[str]) -> Card:
    """The page's card (households.card), then narrowed to the file's level: the card itself knows only
    whole or masked numbers, the ledgers also mask the bank account and drop health (reports.privacy)."""
    card = build_card(household, reveal=privacy.ID_NUMBER in reveals)
    bank = str(Household._meta.get_field("bank_account").verbose_name)
    fields = [
        (
            label,
            mask_bank_account(text)
            if label == bank and privacy.BANK_ACCOUNT not in reveals and text != "—"
            else text,
        )
        for label, text in card.fields
    ]
    member_rows = card.member_rows
    if privacy.HEALTH not in reveals:
        health = card.member_headers.index(str(Member._meta.get_field("health").verbose_name))
        member_rows = [[*row[:health], "—", *row[health + 1 :]] for row in member_rows]
    return dataclasses.replace(card, fields=fields, member_rows=member_rows)


# --- 村有册 ----------------------------------------------------------------------------------------------


def register_sheets(area: Area, *, reveals: frozenset[str], name_prefix: str = "") -> list[Sheet]:
    """The two sheets of a register: households on the rolls, then their members."""
    prefix = area.scope_prefix
    return [
        Sheet(
            f"{name_prefix}户"[:31],
            rows.headers(HOUSEHOLD_COLUMNS),
            rows.household_rows(prefix, reveals=reveals),
            rows.widths(HOUSEHOLD_COLUMNS),
            title=f"{area_title(area)}建档立卡贫困户花名册(户)",
        ),
        Sheet(
            f"{name_prefix}人"[:31],
            rows.headers(MEMBER_COLUMNS),
            rows.member_rows(prefix, reveals=reveals),
            rows.widths(MEMBER_COLUMNS),
            title=f"{area_title(area)}建档立卡贫困人口花名册(人)",
        ),
    ]


def area_title(area: Area) -> str:
    """师宗县丹凤镇山龙村: the names from the county down, as the forms' titles give them."""
    return "".join(a.name for a in area.ancestors()) + area.name


def village_register(job: ExportJob) -> Written:
    area = job.area
    households, persons = rows.count(area.scope_prefix)
    progress = Progress(households + persons, job.progress)
    written = write_workbook(job.path, register_sheets(area, reveals=job.reveals), progress)
    return Written(_xlsx_name("村有册", area), written)


# --- 乡有簿 ----------------------------------------------------------------------------------------------

SUMMARY_HEADERS = [
    rows.SERIAL, "行政村", "总户数", "总人口", "贫困户数", "贫困人口", "低保户数", "低保人口", "特困户数", "特困人口",
    *(f"{label}(户)" for _, label in statistics.ATTRIBUTES), "贫困发生率(%)", "规模控制指标",
    *(f"致贫原因:{label}(户)" for _, label in statistics.CAUSES),
]  # fmt: skip


def summary_row(f: statistics.AreaFigures, serial: int | str = "") -> list[object]:
    """A village's line of the township summary, from reports.statistics (the dashboard's own numbers)."""
    return [
        serial, "合计" if f.is_total else f.name, f.households, f.persons, f.fupin.households, f.fupin.persons,
        f.dibao.households, f.dibao.persons, f.tekun.households, f.tekun.persons,
        *(f.by_attribute[value].households for value, _ in statistics.ATTRIBUTES),
        f.incidence, f.quota,
        *(f.by_cause[value].households for value, _ in statistics.CAUSES),
    ]  # fmt: skip


def township_sheets(township: Area, *, job: ExportJob) -> Iterator[Sheet]:
    figures = statistics.figures_by_child(township, user=job.report.user, round=job.report.round)
    yield Sheet(
        "汇总",
        SUMMARY_HEADERS,
        [summary_row(f, "" if f.is_total else serial) for serial, f in enumerate(figures.all_rows, start=1)],
        [rows.SERIAL_WIDTH, 12] + [8] * (len(SUMMARY_HEADERS) - 2),
        title=f"{area_title(township)}建档立卡贫困人口汇总表",
        bold_last=True,
    )
    for village in township.children.order_by("code"):
        yield from register_sheets(village, reveals=job.reveals, name_prefix=f"{village.name}-")


def township_book(job: ExportJob) -> Written:
    township = job.area
    households, persons = rows.count(township.scope_prefix)
    progress = Progress(households + persons, job.progress)
    written = write_workbook(job.path, township_sheets(township, job=job), progress)
    return Written(_xlsx_name("乡有簿", township), written)


# --- 花名册 (the import layout) ---------------------------------------------------------------------------


def roster_columns() -> list[Column]:
    """The household import's own headers (households.importer.COLUMNS), so an export re-imports as is."""
    columns = [
        Column(rows.SERIAL, "row_number() OVER (ORDER BY g.code, h.number, m.relation <> '户主', m.id)", 6),
        Column("乡(镇)", "t.name", 10),
        Column("行政村", "v.name", 10),
        Column("村民小组", "g.name", 10),
    ]
    for prefix, model in (("h", Household), ("m", Member)):
        alias = prefix
        for f in model._meta.concrete_fields:
            if f.name in NOT_FROM_FILE:
                continue
            key = f"{prefix}.{f.name}"
            header = str(f.verbose_name)
            if COLUMNS.get(clean_header(header), None) is None or COLUMNS[clean_header(header)].key != key:
                header = NATIONAL_COLUMNS[key][0]
            columns.append(Column(header, _roster_sql(f"{alias}.{f.column}", f), 10))
    columns.append(
        Column(
            "脱贫属性",
            """CASE WHEN EXISTS (SELECT 1 FROM households_case c WHERE c.household_id = h.id
                                  AND c.program = 'fupin' AND c.state = 'lifted')
                     AND NOT EXISTS (SELECT 1 FROM households_case c WHERE c.household_id = h.id
                                  AND c.program = 'fupin' AND c.state IN ('active', 'returned'))
                    THEN '已脱贫' ELSE '' END""",
            8,
        )
    )
    return columns


def _roster_sql(column: str, field) -> str:
    from django.db import models

    if isinstance(field, models.BooleanField):
        return rows.yes_no(column)
    if hasattr(field, "base_field"):
        return f"array_to_string({column}, '、')"
    if isinstance(field, models.DecimalField | models.IntegerField) and not field.choices:
        return column  # a number, blank when unknown; the import reads numbers as numbers
    if isinstance(field, models.DateField):
        return f"coalesce(to_char({column}, 'YYYY-MM-DD'), '')"
    return rows.text(column)


def roster_sql() -> str:
    columns = roster_columns()
    return f"""
SELECT {", ".join(c.sql for c in columns)}
FROM households_member m
JOIN households_household h ON h.id = m.household_id {rows.AREA_JOINS}
WHERE m.removed_at IS NULL AND g.code LIKE %s
ORDER BY g.code, h.number, m.relation <> '户主', m.id"""


def roster_sheet(area: Area) -> Sheet:
    columns = roster_columns()
    return Sheet(
        "花名册",
        [c.header for c in columns],
        rows.stream(roster_sql(), [area.scope_prefix + "%"]),
        [c.width for c in columns],
        title=f"{area_title(area)}农户花名册",
    )


def roster(job: ExportJob) -> Written:
    """Every household of the area (not only those on the rolls), whole numbers: it is the county's data
    file, so only a file asked for at a level that shows them all (reports.privacy.WHOLE_ONLY)."""
    needed, refusal = privacy.WHOLE_ONLY[Kind.ROSTER]
    if not needed <= job.reveals:
        raise ExportError(refusal)
    area = job.area
    _, persons = rows.count(area.scope_prefix, on_rolls=False)
    written = write_workbook(job.path, [roster_sheet(area)], Progress(persons, job.progress))
    return Written(_xlsx_name("花名册", area), written)


# --- 行政村登记表, 村民小组登记表 ------------------------------------------------------------------------

PROFILE_FIELDS = ["is_poor_village", "has_paved_road", "has_tap_water", "drinking_water_safe", "has_power",
                  "has_clinic", "has_school", "has_broadband", "collective_income", "distance_to_township_km"]  # fmt: skip
FORM_HEADERS = [
    rows.SERIAL,
    "区划代码",
    "乡(镇)",
    "行政村",
    "总户数",
    "总人口",
    "贫困户数",
    "贫困人口",
    "贫困发生率(%)",
]


def profile_cells(profile: AreaProfile | None) -> list[object]:
    if profile is None:
        return [""] * len(PROFILE_FIELDS)
    cells = []
    for name in PROFILE_FIELDS:
        value = getattr(profile, name)
        # Numbers (集体经济收入, 距离) stay numbers; yes/no as 是/否.
        cells.append(("是" if value else "否") if isinstance(value, bool) else value)
    return cells


def form_rows(job: ExportJob, level: str) -> list[list[object]]:
    """One row per village (or group) inside the area, from reports.statistics, with its profile."""
    table = statistics.figures_by_level(job.area, level, user=job.report.user)
    villages = {
        a.pk: a for a in Area.objects.filter(level=Area.Level.VILLAGE, code__startswith=job.area.scope_prefix)
    }
    townships = {
        a.pk: a for a in Area.objects.filter(level=Area.Level.TOWNSHIP, code__startswith=job.area.code[:6])
    }
    out = []
    for serial, f in enumerate(table.rows, start=1):
        village = f.area if level == Area.Level.VILLAGE else villages[f.area.parent_id]
        township = townships[village.parent_id]
        group = [f.name] if level == Area.Level.GROUP else []
        out.append([
            serial, f.code, township.name, village.name, *group, f.households, f.persons, f.fupin.households,
            f.fupin.persons, f.incidence, *profile_cells(f.profile),
        ])  # fmt: skip
    return out


def area_form(job: ExportJob, level: str, label: str) -> Written:
    profile_headers = [str(AreaProfile._meta.get_field(name).verbose_name) for name in PROFILE_FIELDS]
    group = ["村民小组"] if level == Area.Level.GROUP else []
    headers = [*FORM_HEADERS[:4], *group, *FORM_HEADERS[4:], *profile_headers]
    data = form_rows(job, level)
    widths = [rows.SERIAL_WIDTH, 16, 10, 10] + [9] * (len(headers) - 4)
    write_workbook(job.path, [Sheet(label, headers, data, widths, title=f"{area_title(job.area)}{label}")])
    return Written(_xlsx_name(label, job.area), len(data))


def village_form(job: ExportJob) -> Written:
    return area_form(job, Area.Level.VILLAGE, "行政村登记表")


def group_form(job: ExportJob) -> Written:
    return area_form(job, Area.Level.GROUP, "村民小组登记表")


# --- 贫困人口分解表 ----------------------------------------------------------------------------------------


def quota_table(job: ExportJob) -> Written:
    from identification.quota_table import write_quota_table

    area, round = job.area, job.report.round
    rows_written = write_quota_table(round, area, job.path)
    return Written(f"贫困人口分解表-{round.name}-{area.name}.xlsx", rows_written or 0)


# --- 帮扶整改清单 ------------------------------------------------------------------------------------------

COVERAGE_HEADERS = ["问题类别", "乡(镇)", "行政村", "村民小组", "对象", "问题说明", "整改依据", "整改页面"]


def coverage_ledger(job: ExportJob) -> Written:
    """The 整改清单 of a township or the county: a summary by check, then every line with the page that
    fixes it (assistance.coverage, the same statements as the page and the dashboard)."""
    from assistance import coverage

    area = job.area
    statistics.check_scope(job.report.user, area)
    # Read once (at most a line or two per household): the summary's counts are those of the lines below.
    lines = coverage.all_lines(area.scope_prefix)
    totals = {check.code: 0 for check in coverage.CHECKS}
    for line in lines:
        totals[line.check.code] += 1
    names = dict(
        Area.objects.filter(code__startswith=area.code[:6])
        .exclude(level=Area.Level.GROUP)
        .values_list("code", "name")
    )
    groups = dict(
        Area.objects.filter(code__startswith=area.scope_prefix, level=Area.Level.GROUP).values_list(
            "code", "name"
        )
    )

    def line_row(line) -> list[object]:
        code = line.area_code
        township = names.get(code[:9].ljust(12, "0"), "") if len(code) >= 9 and code[6:9] != "000" else ""
        village = names.get(code[:12], "") if len(code) >= 12 and code[9:12] != "000" else ""
        return [line.check.title, township, village, groups.get(code, ""), line.subject, line.detail,
                line.check.basis, line.fix_url]  # fmt: skip

    expected = sum(totals.values())
    progress = Progress(expected, job.progress)
    summary = [[c.title, c.subject, totals.get(c.code, 0), c.basis] for c in coverage.CHECKS]
    summary.append(["合计", "", expected, ""])
    written = write_workbook(
        job.path,
        [
            Sheet(
                "汇总",
                ["问题类别", "对象", "条数", "整改依据"],
                summary,
                [30, 10, 8, 60],
                title=f"{area_title(area)}帮扶整改清单汇总",
                bold_last=True,
            ),
            Sheet(
                "整改清单",
                COVERAGE_HEADERS,
                map(line_row, lines),
                [26, 10, 12, 10, 26, 40, 40, 30],
                title=f"{area_title(area)}帮扶整改清单",
            ),
        ],
        progress,
    )
    return Written(_xlsx_name("帮扶整改清单", area), written)


# --- 县电子档案 ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Part:
    """One file of a composite export: its path in the zip, the kind whose writer makes it, and its area."""

    name: str
    kind: str
    area: Area


def county_archive_parts(report: Report, reveals: frozenset[str]) -> list[Part]:
    """The township books, the county register, the 花名册 (re-importable; only for those who may see whole
    numbers), the two area forms and, with a round, its 贫困人口分解表 — biggest first, so that the parts
    spread evenly over the workers."""
    county = report.area
    parts = [
        Part("村有册.xlsx", Kind.VILLAGE_REGISTER, county),
        *(
            (Part("花名册.xlsx", Kind.ROSTER, county),)
            if privacy.WHOLE_ONLY[Kind.ROSTER][0] <= reveals
            else ()
        ),
        *(Part(f"乡有簿/{t.name}.xlsx", Kind.TOWNSHIP_BOOK, t) for t in county.children.order_by("code")),
        Part("行政村登记表.xlsx", Kind.VILLAGE_FORM, county),
        Part("村民小组登记表.xlsx", Kind.GROUP_FORM, county),
    ]
    if report.round is not None:
        parts.append(Part("贫困人口分解表.xlsx", Kind.QUOTA_TABLE, county))
    return parts


def archive_name(report: Report) -> str:
    return f"县电子档案-{report.area.name}-{_today()}.zip"


# Exports made of parts, run in parallel as a Celery chord and zipped together (reports.exports.run).
PARTS: dict[str, Callable[[Report, frozenset[str]], list[Part]]] = {Kind.COUNTY_ARCHIVE: county_archive_parts}

WRITERS: dict[str, Callable[[ExportJob], Written]] = {
    Kind.HOUSEHOLD_CARD: household_card,
    Kind.VILLAGE_REGISTER: village_register,
    Kind.TOWNSHIP_BOOK: township_book,
    Kind.ROSTER: roster,
    Kind.VILLAGE_FORM: village_form,
    Kind.GROUP_FORM: group_form,
    Kind.QUOTA_TABLE: quota_table,
    Kind.COVERAGE: coverage_ledger,
}
