"""The 整改清单 (coverage): what 帮扶 still lacks, line by line, each line with the page that fixes it.

Each check is one named rule in the style of identification/rules.py: a title, the policy sentence it
applies, and one SQL statement that lists its lines for an area prefix. The same statements serve the
page (counts by child area, the first lines of each check), the dashboards' counts (reports.statistics)
and the ledger export (`export_ledger coverage`), so the three always agree.

"On the 扶贫 roll" is an open 扶贫 case (在册 or 返贫), as everywhere in reports.statistics. "This year" is
the calendar year of `today` (Asia/Shanghai): plans and measures of this year's 一户一策, visits since
1 January.

Every statement returns the same columns:
    area_code, household_id, helper_id, village_code, subject, detail
and is filtered on `area_code LIKE prefix%` through an indexed code column, so a township's list costs
what its own households cost.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass

from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone

from assistance import choices
from assistance.models import DEFAULT_HELPER_LIMIT

ROLLED = """EXISTS (SELECT 1 FROM households_case c WHERE c.household_id = h.id AND c.program = 'fupin'
                   AND c.state IN ('active', 'returned'))"""
HEAD = (
    "coalesce((SELECT m.name FROM households_member m WHERE m.household_id = h.id AND m.relation = '户主'"
    " AND m.removed_at IS NULL), '')"
)
HOUSEHOLD_FROM = "FROM households_household h JOIN villages_area g ON g.id = h.group_id"


def _in(values) -> str:
    return "(" + ", ".join(f"'{v}'" for v in values) + ")"


EDUCATION = _in(choices.categories_of(choices.EDUCATION))
HEALTH = _in(choices.categories_of(choices.HEALTH))
OPEN_LOANS = _in(choices.OPEN_LOAN_STATUSES)


@dataclass(frozen=True)
class Check:
    code: str
    title: str
    basis: str  # the policy sentence the check applies
    sql: str  # params: like, year, year_start, today
    subject: str  # what a line is about: 户, 帮扶责任人, 行政村, 成员, 贷款
    # For checks of rolled households (h) or of their members (m): the condition a line meets beyond "inside
    # the area and on the roll". `counts` evaluates all of one kind in a single pass with it, and `sql` is
    # built from the very same text, so the counts and the lines cannot disagree.
    row_condition: str = ""
    row_kind: str = ""  # "household" or "member"
    row_base: str = ""  # members: the cheap part of the condition (who could be listed at all)


def _household_check(code: str, title: str, basis: str, condition: str, detail: str) -> Check:
    return Check(
        code,
        title,
        basis,
        f"""SELECT g.code, h.id, NULL::bigint, NULL::text, h.number || ' ' || {HEAD}, {detail}
            {HOUSEHOLD_FROM} WHERE g.code LIKE %(like)s AND {ROLLED} AND {condition}""",
        "户",
        row_condition=condition,
        row_kind="household",
    )


# Current members only: one removed by an approved 减少成员 (households.changes) is no longer a person to help.
MEMBER_FROM = """FROM households_member m JOIN households_household h ON h.id = m.household_id
            AND m.removed_at IS NULL JOIN villages_area g ON g.id = h.group_id"""


def _member_check(code: str, title: str, basis: str, base: str, categories: str, detail: str) -> Check:
    condition = f"""{base}
              AND NOT EXISTS (SELECT 1 FROM assistance_measure ms JOIN assistance_plan pl ON pl.id = ms.plan_id
                              WHERE ms.member_id = m.id AND pl.year = %(year)s AND ms.category IN {categories}
                                AND ms.status <> '已终止')"""
    return Check(
        code,
        title,
        basis,
        f"""SELECT g.code, h.id, NULL::bigint, NULL::text, h.number || ' ' || m.name, {detail}
            {MEMBER_FROM} WHERE g.code LIKE %(like)s AND {ROLLED} AND {condition}""",
        "成员",
        row_condition=condition,
        row_kind="member",
        row_base=base,
    )


HELPER_COUNTS = """
    SELECT p.helper_id, count(*) AS n FROM assistance_pairing p
    WHERE p.ended_on IS NULL GROUP BY p.helper_id"""
HELPER_FROM = f"""FROM assistance_helper x JOIN villages_area xa ON xa.id = x.area_id
    JOIN assistance_unit u ON u.id = x.unit_id JOIN ({HELPER_COUNTS}) held ON held.helper_id = x.id
    LEFT JOIN assistance_countysettings s
           ON s.county_id = (SELECT id FROM villages_area WHERE code = substr(xa.code, 1, 6) || '000000')"""
# A helper belongs to an area's list when managed inside it, or when paired with a household inside it
# (a county cadre helping a township's households is also that township's to see).
HELPER_IN_AREA = """(xa.code LIKE %(like)s OR EXISTS (
    SELECT 1 FROM assistance_pairing p2 JOIN households_household h2 ON h2.id = p2.household_id
    JOIN villages_area g2 ON g2.id = h2.group_id
    WHERE p2.helper_id = x.id AND p2.ended_on IS NULL AND g2.code LIKE %(like)s))"""
QUALIFIED = f"""CASE WHEN u.level = '企业' THEN x.is_manager
                     ELSE x.is_cadre AND u.level IN {_in(choices.CADRE_LEVELS)} END"""

FIVE_ONES = """
    SELECT v.code AS code, array_remove(ARRAY[
        CASE WHEN coalesce(va.liaison_leader, '') = '' THEN '联系领导' END,
        CASE WHEN va.unit_id IS NULL THEN '帮扶单位' END,
        CASE WHEN t.id IS NULL THEN '驻村工作队' END,
        CASE WHEN NOT EXISTS (SELECT 1 FROM assistance_teammember tm WHERE tm.team_id = t.id
                              AND tm.is_first_secretary AND tm.left_on IS NULL) THEN '第一书记' END,
        CASE WHEN coalesce(va.agronomist, '') = '' THEN '农技员' END], NULL) AS missing, v.name AS name
    FROM villages_area v JOIN villages_areaprofile pr ON pr.area_id = v.id AND pr.is_poor_village
    LEFT JOIN assistance_villageassistance va ON va.village_id = v.id
    LEFT JOIN assistance_workteam t ON t.village_id = v.id AND t.ended_on IS NULL
    WHERE v.level = 'village' AND v.code LIKE %(like)s"""

CHECKS: list[Check] = [
    _household_check(
        "no_helper",
        "扶贫对象户没有帮扶责任人",
        "精准帮扶:每个贫困户都有帮扶责任人(结对帮扶全覆盖)。",
        "NOT EXISTS (SELECT 1 FROM assistance_pairing p WHERE p.household_id = h.id AND p.ended_on IS NULL)",
        "'没有在结对的帮扶责任人'",
    ),
    _household_check(
        "no_plan",
        "没有本年度帮扶计划",
        "一户一策:逐户制定帮扶计划。",
        "NOT EXISTS (SELECT 1 FROM assistance_plan pl WHERE pl.household_id = h.id AND pl.year = %(year)s)",
        "'没有' || %(year)s || '年帮扶计划'",
    ),
    _household_check(
        "no_measure",
        "有计划但没有本年度帮扶措施",
        "一户一策:计划须落实到具体措施。",
        """EXISTS (SELECT 1 FROM assistance_plan pl WHERE pl.household_id = h.id AND pl.year = %(year)s)
           AND NOT EXISTS (SELECT 1 FROM assistance_measure ms JOIN assistance_plan pl ON pl.id = ms.plan_id
                           WHERE ms.household_id = h.id AND pl.year = %(year)s)""",
        "%(year)s || '年帮扶计划没有措施'",
    ),
    _household_check(
        "not_visited",
        "本年度未走访",
        "帮扶责任人定期入户走访(走访记录)。",
        """NOT EXISTS (SELECT 1 FROM assistance_visit vi WHERE vi.household_id = h.id
                       AND vi.visited_on >= %(year_start)s)""",
        "'本年度(' || %(year)s || '年)没有走访记录'",
    ),
    Check(
        "helper_over_limit",
        "帮扶责任人联系户数超过上限",
        "省扶贫办:“每名帮扶联系人所联系的贫困家庭一般不超过3户”。",
        f"""SELECT xa.code, NULL::bigint, x.id, NULL::text, x.name || '(' || u.name || ')',
                   '联系 ' || held.n || ' 户,超过上限 ' || coalesce(s.helper_limit, {DEFAULT_HELPER_LIMIT}) || ' 户'
            {HELPER_FROM}
            WHERE {HELPER_IN_AREA} AND held.n > coalesce(s.helper_limit, {DEFAULT_HELPER_LIMIT})""",
        "帮扶责任人",
    ),
    Check(
        "helper_unqualified",
        "帮扶责任人不符合条件",
        "省扶贫办:“帮扶联系人必须是乡镇以上党政机关、事业单位在编干部或企业中层以上管理人员”。",
        f"""SELECT xa.code, NULL::bigint, x.id, NULL::text, x.name || '(' || u.name || ')',
                   CASE WHEN u.level = '企业' THEN '企业人员不是中层以上管理人员'
                        WHEN u.level NOT IN {_in(choices.CADRE_LEVELS)} THEN u.level || '单位人员(须为乡镇以上单位)'
                        ELSE '不是在编干部' END
            {HELPER_FROM}
            WHERE {HELPER_IN_AREA} AND NOT ({QUALIFIED})""",
        "帮扶责任人",
    ),
    Check(
        "five_ones",
        "贫困村“五个一”不全",
        "每个贫困村有一名联系领导、一个帮扶单位、一个驻村工作组、一个第一书记、一个驻村农技员(“五个一”全覆盖)。",
        f"""SELECT f.code, NULL::bigint, NULL::bigint, f.code, f.name, '缺' || array_to_string(f.missing, '、')
            FROM ({FIVE_ONES}) f WHERE cardinality(f.missing) > 0""",
        "行政村",
    ),
    _member_check(
        "student_unaided",
        "在校学生没有教育扶贫措施(应助未助)",
        "教育扶贫:建档立卡家庭学生资助“应助尽助”,按月发布应助未助学生名单。",
        "m.school_status <> '非在校生'",
        EDUCATION,
        "'在读' || m.school_status || ',没有' || %(year)s || '年教育扶贫措施'",
    ),
    _member_check(
        "patient_unaided",
        "大病、慢病患者没有健康扶贫措施",
        "健康脱贫:大病专项救治、慢病签约服务、家庭医生签约服务全覆盖。",
        "m.health IN ('患有大病', '长期慢性病')",
        HEALTH,
        "m.health || ',没有' || %(year)s || '年健康扶贫措施'",
    ),
    _household_check(
        "dangerous_house",
        "危房户没有危房改造措施",
        "住房安全有保障:建档立卡贫困户危房改造。",
        """h.dangerous_house AND NOT EXISTS (SELECT 1 FROM assistance_measure ms WHERE ms.household_id = h.id
                                             AND ms.category = '危房改造' AND ms.status <> '已终止')""",
        "'危房' || coalesce('(' || nullif(h.dangerous_house_grade, '') || ')', '') || ',没有危房改造措施'",
    ),
    Check(
        "overdue_loan",
        "扶贫小额贷款逾期",
        "扶贫小额信贷“贷得到、用得好、还得上”:到期未还即逾期,逾期按到期日计算。",
        f"""SELECT g.code, h.id, NULL::bigint, NULL::text, h.number || ' ' || {HEAD},
                   l.bank || ' ' || l.amount || '元,' || to_char(l.due_on, 'YYYY-MM-DD') || '到期,已逾期 '
                   || (%(today)s::date - l.due_on) || ' 天'
            FROM assistance_loan l JOIN households_household h ON h.id = l.household_id
            JOIN villages_area g ON g.id = h.group_id
            WHERE g.code LIKE %(like)s AND l.status IN {OPEN_LOANS} AND l.due_on < %(today)s""",
        "贷款",
    ),
]
BY_CODE = {check.code: check for check in CHECKS}


@dataclass(frozen=True)
class Line:
    check: Check
    area_code: str
    household_id: int | None
    helper_id: int | None
    village_code: str | None
    subject: str
    detail: str

    @property
    def fix_url(self) -> str:
        """The page where the line is put right."""
        if self.household_id is not None:
            return reverse("assistance:household", args=[self.household_id])
        if self.helper_id is not None:
            return reverse("assistance:helper", args=[self.helper_id])
        return reverse("assistance:village", args=[self.village_code])


def params(prefix: str, today: datetime.date | None = None) -> dict:
    today = today or timezone.localdate()
    return {
        "like": f"{prefix}%",
        "year": today.year,
        "year_start": datetime.date(today.year, 1, 1),
        "today": today,
    }


def _execute(cursor, sql: str, values: dict) -> None:
    # The NOT EXISTS lookups are index probes per household; JIT compilation costs more than it saves.
    cursor.execute(sql, values)


def counts(
    prefix: str, *, digits: int | None = None, today: datetime.date | None = None
) -> dict[str, dict[str, int]]:
    """{check code: {area key: lines}}; the area key is the first `digits` of each line's area code
    (a child area), or "" for the whole prefix when `digits` is None.

    The checks of rolled households are counted in one pass over them (`count(*) FILTER (WHERE …)` with each
    check's own condition), those of their members in another: at county scale that is two scans instead of
    seven (bench/README.md, "帮扶"). The other checks run their own statements.
    """
    values = params(prefix, today)
    out: dict[str, dict[str, int]] = {check.code: defaultdict(int) for check in CHECKS}
    key = f"substr({{code}}, 1, {int(digits)})" if digits else "''"
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL jit = off")
        for kind, source in (("household", HOUSEHOLD_FROM), ("member", MEMBER_FROM)):
            group = [check for check in CHECKS if check.row_kind == kind]
            filters = ", ".join(f"count(*) FILTER (WHERE {check.row_condition})" for check in group)
            # Members: only those some member check could list, so the pass probes a fraction of the persons.
            narrow = f" AND ({' OR '.join(check.row_base for check in group)})" if kind == "member" else ""
            _execute(
                cursor,
                f"SELECT {key.format(code='g.code')}, {filters} {source}"
                f" WHERE g.code LIKE %(like)s AND {ROLLED}{narrow} GROUP BY 1",
                values,
            )
            for area_key, *numbers in cursor.fetchall():
                for check, n in zip(group, numbers, strict=True):
                    if n:
                        out[check.code][area_key] += n
        for check in CHECKS:
            if check.row_kind:
                continue
            _execute(
                cursor,
                f"SELECT {key.format(code='q.area_code')}, count(*)"
                f" FROM ({check.sql}) AS q(area_code, a, b, c, d, e) GROUP BY 1",
                values,
            )
            for area_key, n in cursor.fetchall():
                out[check.code][area_key] += n
    return {code: dict(by_area) for code, by_area in out.items()}


def totals(prefix: str, *, today: datetime.date | None = None) -> dict[str, int]:
    return {code: by_area.get("", 0) for code, by_area in counts(prefix, today=today).items()}


def lines(
    prefix: str, check: Check, *, limit: int | None = None, today: datetime.date | None = None
) -> list[Line]:
    sql = f"{check.sql} ORDER BY 1, 5" + (f" LIMIT {int(limit)}" if limit else "")
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL jit = off")
        _execute(cursor, sql, params(prefix, today))
        return [Line(check, *row) for row in cursor.fetchall()]


def all_lines(prefix: str, *, today: datetime.date | None = None) -> list[Line]:
    """Every line of every check, in check order then area code (the export). A plain cursor, not a
    server-side one: a cursor's plan is chosen for its first rows (nested loops), which made the county's
    list 6× slower, and the lines are few (a handful per household at most) — bench/README.md, "帮扶"."""
    out: list[Line] = []
    for check in CHECKS:
        out += lines(prefix, check, today=today)
    return out
