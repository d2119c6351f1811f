"""The rows of the ledgers, straight from SQL: one query per sheet, streamed, labels resolved in the query.

A ledger can hold 400,000 persons, so nothing here builds model instances: each query returns tuples of
display values (Chinese labels, '是'/'否', ISO dates; numbers as numbers, so that a sheet can sum them)
ready for the sheet writer, through a server-side cursor in batches, each row led by its 序号. Personal
numbers are masked in Python (households.idnumber.mask and friends), and health columns emptied, where the
file's level (reports.privacy) does not show them whole.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from django.db import connection

from accounts import clock
from households import choices
from households.idnumber import mask as mask_id_number
from households.policy import IN_POLICY
from households.privacy import mask_bank_account, mask_phone

BATCH = 5000


@dataclass(frozen=True)
class Column:
    header: str
    sql: str
    width: int = 10


def labels(field: str, choices_: type) -> str:
    """A SQL CASE that shows a stored choice value as its Chinese label."""
    whens = " ".join(f"WHEN '{value}' THEN '{label}'" for value, label in choices_.choices)
    return f"CASE {field} {whens} ELSE coalesce({field}::text, '') END"


def yes_no(field: str) -> str:
    return f"CASE WHEN {field} THEN '是' WHEN NOT {field} THEN '否' ELSE '' END"


def text(field: str) -> str:
    return f"coalesce({field}::text, '')"


AREA_JOINS = """
    JOIN villages_area g ON g.id = h.group_id
    JOIN villages_area v ON v.id = g.parent_id
    JOIN villages_area t ON t.id = v.parent_id
"""
AREA_COLUMNS = [
    Column("乡(镇)", "t.name", 10),
    Column("行政村", "v.name", 10),
    Column("村民小组", "g.name", 10),
]
ON_ROLLS = "EXISTS (SELECT 1 FROM households_case c WHERE c.household_id = h.id)"

PER_CAPITA = """(i.wage_income + i.business_income - i.business_expense + i.property_income
    + i.family_planning_subsidy + i.dibao_benefit + i.tekun_benefit + i.pension
    + i.ecological_compensation + i.other_transfer) / i.persons"""
CASE_STATE = choices.CaseState

# 村有册's 帮扶 columns (issue 11): the household's 帮扶责任人 now, and this year's measures (一户一策). Aggregated
# once for the chosen households and hash-joined, like the members and cases (household_sql): a lookup per
# household made the county's sheet 3× slower.
ASSISTANCE_CTES = """, current_helper AS (
    SELECT p.household_id, x.name || '(' || u.name || ')' AS name
    FROM assistance_pairing p JOIN assistance_helper x ON x.id = p.helper_id JOIN assistance_unit u ON u.id = x.unit_id
    WHERE p.ended_on IS NULL AND p.household_id IN (SELECT id FROM chosen)
), this_year AS (
    SELECT pl.household_id, string_agg(ms.category || ':' || ms.content, ';' ORDER BY ms.id) AS measures
    FROM assistance_plan pl JOIN assistance_measure ms ON ms.plan_id = pl.id
    WHERE pl.household_id IN (SELECT id FROM chosen)
      AND pl.year = extract(year FROM now() AT TIME ZONE 'Asia/Shanghai')::integer
    GROUP BY pl.household_id
)"""
ASSISTANCE_JOINS = """
LEFT JOIN current_helper hp ON hp.household_id = h.id
LEFT JOIN this_year ty ON ty.household_id = h.id"""
ASSISTANCE_COLUMNS = [
    Column("帮扶责任人", "coalesce(hp.name, '')", 16),
    Column("本年度帮扶措施", "coalesce(ty.measures, '')", 30),
]

# 村有册, sheet 户: one row per household on a roll (open or not: 已脱贫 households stay in the register).
# The aliases f, d, k are the household's latest case on the 扶贫, 低保 and 特困 roll (household_sql).
HOUSEHOLD_COLUMNS = [
    *AREA_COLUMNS,
    Column("户编号", "h.number", 20),
    Column("户主姓名", "coalesce(mc.head_name, '')", 8),
    Column("户主身份证号", "coalesce(mc.head_id_number, '')", 20),
    Column("家庭人口", "coalesce(mc.persons, 0)", 6),
    Column("贫困户属性", text("h.attribute"), 12),
    Column("识别标准", text("h.standard"), 8),
    Column("主要致贫原因", text("h.main_cause"), 10),
    Column("其他致贫原因", "array_to_string(h.other_causes, '、')", 14),
    Column("识别年度", "f.entered_year", 6),
    # 脱贫不脱政策 (households.policy): within the county's transition period a lifted case reads 已脱贫(享受政策).
    Column(
        "扶贫状态",
        f"CASE WHEN f.state = 'lifted' AND (pol.ends_on IS NULL OR pol.ends_on >= today.d) THEN '{IN_POLICY}'"
        f" ELSE {labels('f.state', CASE_STATE)} END",
        10,
    ),
    Column("贫困类型", labels("f.poverty_class", choices.PovertyClass), 20),
    Column("低保状态", labels("d.state", CASE_STATE), 8),
    Column("特困状态", labels("k.state", CASE_STATE), 8),
    Column("收入年度", "i.year", 6),
    Column("年人均纯收入(元)", f"round({PER_CAPITA}, 2)", 10),
    Column("深度贫困户", yes_no("h.deep_poverty"), 6),
    Column("危房户", yes_no("h.dangerous_house"), 6),
    Column("饮水安全", yes_no("h.drinking_water_safe"), 6),
    Column("联系电话", "h.phone", 12),
    Column("开户银行", "h.bank_name", 12),
    Column("银行账号", "h.bank_account", 20),
    *ASSISTANCE_COLUMNS,
]

# 村有册, sheet 人: one row per member of those households.
MEMBER_COLUMNS = [
    *AREA_COLUMNS,
    Column("户编号", "h.number", 20),
    Column("姓名", "m.name", 8),
    Column("身份证号", "m.id_number", 20),
    Column("性别", "m.gender", 4),
    Column("出生日期", "to_char(m.birth_date, 'YYYY-MM-DD')", 11),
    Column("与户主关系", "m.relation", 8),
    Column("民族", "m.ethnicity", 6),
    Column("文化程度", "m.education", 10),
    Column("在校生状况", "m.school_status", 8),
    Column("健康状况", "m.health", 8),
    Column("残疾等级", "m.disability_grade", 6),
    Column("劳动技能", "m.labour", 8),
    Column("务工状况", "m.work_status", 12),
    Column("务工时间(月)", "m.work_months", 6),
    Column("基本医疗保险", yes_no("m.basic_medical_insurance"), 6),
    Column("大病保险", yes_no("m.serious_illness_insurance"), 6),
    Column("养老保险", yes_no("m.pension_insurance"), 6),
    Column("现役军人", yes_no("m.serviceman"), 6),
    Column("联系电话", "m.phone", 12),
]


def _select(columns: list[Column]) -> str:
    return ",\n       ".join(c.sql for c in columns)


def household_sql(*, on_rolls: bool = True) -> str:
    """Members, cases and incomes are each aggregated once for the chosen households and hash-joined:
    at county scale that is 4× faster than a correlated lookup per household (bench/README.md)."""
    where = f"g.code LIKE %s{' AND ' + ON_ROLLS if on_rolls else ''}"
    return f"""
WITH today AS (SELECT %s::date AS d
), pol AS (
    SELECT left(c.code, 6) AS county, s.transition_ends_on AS ends_on
    FROM assistance_countysettings s JOIN villages_area c ON c.id = s.county_id
), chosen AS MATERIALIZED (
    SELECT h.id FROM households_household h JOIN villages_area g ON g.id = h.group_id WHERE {where}
), mc AS (
    SELECT household_id, count(*) AS persons,
           min(name) FILTER (WHERE relation = '户主') AS head_name,
           min(id_number) FILTER (WHERE relation = '户主') AS head_id_number
    FROM households_member WHERE household_id IN (SELECT id FROM chosen) AND removed_at IS NULL GROUP BY household_id
), latest_case AS (
    SELECT DISTINCT ON (household_id, program) household_id, program, state, entered_year, poverty_class
    FROM households_case WHERE household_id IN (SELECT id FROM chosen)
    ORDER BY household_id, program, state IN ('active', 'returned') DESC, entered_year DESC, id DESC
), latest_income AS (
    SELECT DISTINCT ON (household_id) *
    FROM households_incomerecord WHERE household_id IN (SELECT id FROM chosen)
    ORDER BY household_id, year DESC
){ASSISTANCE_CTES}
SELECT {_select(HOUSEHOLD_COLUMNS)}
FROM chosen JOIN households_household h ON h.id = chosen.id {AREA_JOINS}
LEFT JOIN mc ON mc.household_id = h.id
LEFT JOIN latest_case f ON f.household_id = h.id AND f.program = 'fupin'
LEFT JOIN latest_case d ON d.household_id = h.id AND d.program = 'dibao'
LEFT JOIN latest_case k ON k.household_id = h.id AND k.program = 'tekun'
LEFT JOIN latest_income i ON i.household_id = h.id
LEFT JOIN pol ON pol.county = left(g.code, 6) CROSS JOIN today{ASSISTANCE_JOINS}
ORDER BY g.code, h.number"""


def member_sql(*, on_rolls: bool = True) -> str:
    where = f"g.code LIKE %s{' AND ' + ON_ROLLS if on_rolls else ''}"
    return f"""
SELECT {_select(MEMBER_COLUMNS)}
FROM households_member m
JOIN households_household h ON h.id = m.household_id {AREA_JOINS}
WHERE m.removed_at IS NULL AND {where}
ORDER BY g.code, h.number, m.relation <> '户主', m.id"""


# The national registers number their rows: 序号 leads every ledger sheet.
SERIAL = "序号"
SERIAL_WIDTH = 6


def headers(columns: list[Column]) -> list[str]:
    return [SERIAL, *(c.header for c in columns)]


def widths(columns: list[Column]) -> list[int]:
    return [SERIAL_WIDTH, *(c.width for c in columns)]


def numbered(rows: Iterator[tuple]) -> Iterator[tuple]:
    """Each row led by its 序号 (1, 2, …), counted as the rows stream out."""
    for serial, row in enumerate(rows, start=1):
        yield (serial, *row)


def stream(sql: str, params: list) -> Iterator[tuple]:
    """Rows in batches from a server-side cursor: memory stays flat whatever the area."""
    with connection.chunked_cursor() as cursor:
        cursor.execute(sql, params)
        while batch := cursor.fetchmany(BATCH):
            yield from batch


def _masker(columns: list[Column], reveals: frozenset[str]):
    """A function that masks what the file may not show whole (reports.privacy), or None when it shows
    everything. Personal numbers keep their masked shape (138****5678); health columns are left empty."""
    from reports.privacy import BANK_ACCOUNT, COLUMN_CLASSES, HEALTH, ID_NUMBER, PHONE

    masks = {ID_NUMBER: mask_id_number, PHONE: mask_phone, BANK_ACCOUNT: mask_bank_account,
             HEALTH: lambda value: ""}  # fmt: skip
    positions = [
        (i, masks[COLUMN_CLASSES[c.header]])
        for i, c in enumerate(columns)
        if c.header in COLUMN_CLASSES and COLUMN_CLASSES[c.header] not in reveals
    ]
    if not positions:
        return None

    def masked(row: tuple) -> tuple:
        values = list(row)
        for i, mask in positions:
            values[i] = mask(values[i])
        return tuple(values)

    return masked


def household_rows(prefix: str, *, reveals: frozenset[str], on_rolls: bool = True) -> Iterator[tuple]:
    """The rows of HOUSEHOLD_COLUMNS, each led by its 序号 (headers(HOUSEHOLD_COLUMNS))."""
    rows = stream(household_sql(on_rolls=on_rolls), [clock.today(), prefix + "%"])
    masked = _masker(HOUSEHOLD_COLUMNS, reveals)
    return numbered(map(masked, rows) if masked else rows)


def member_rows(prefix: str, *, reveals: frozenset[str], on_rolls: bool = True) -> Iterator[tuple]:
    """The rows of MEMBER_COLUMNS, each led by its 序号 (headers(MEMBER_COLUMNS))."""
    rows = stream(member_sql(on_rolls=on_rolls), [prefix + "%"])
    masked = _masker(MEMBER_COLUMNS, reveals)
    return numbered(map(masked, rows) if masked else rows)


def count(prefix: str, *, on_rolls: bool = True) -> tuple[int, int]:
    """(households, persons) a register of `prefix` will hold: the denominator of the progress bar."""
    where = f"g.code LIKE %s{' AND ' + ON_ROLLS if on_rolls else ''}"
    with connection.cursor() as cursor:
        cursor.execute(
            f"""SELECT count(*), coalesce(sum(h.persons), 0)
                FROM households_household h JOIN villages_area g ON g.id = h.group_id WHERE {where}""",
            [prefix + "%"],
        )
        households, persons = cursor.fetchone()
    return households, int(persons)
