"""The warning triggers: one set-based INSERT … SELECT per trigger, never a loop over households.

A check first writes the watched households (监测范围) into a temporary table with the figures every
trigger needs — the latest income and the year before, the monitoring line of that year, the county's
shares — then runs each trigger's SELECT joined to it. `ON CONFLICT DO NOTHING` on the unique
(household, trigger, cause key) makes every re-run, and every repeated data entry, raise nothing new.

Watched (issue 12's three kinds, never a household on the open 扶贫 roll — it is poor already):
- 脱贫不稳定户: a 扶贫 case 已脱贫;
- 边缘易致贫户: on no open roll, latest 年人均纯收入 below the monitoring line (line_factor × the poverty line
  of the round that judges that income year: the newest round whose year ≤ income year + 1);
- 突发严重困难户: a 突发 event recorded by the village; and any household already a 监测对象.

The same SQL runs for the whole county (the nightly run) or for a few households (data entry): only
the filter differs.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from django.db import connection
from django.utils import timezone

from monitoring.choices import Trigger
from monitoring.models import DEFAULT_DROP_SHARE, DEFAULT_LINE_FACTOR, DEFAULT_MEDICAL_SHARE

NET = (
    "(i.wage_income + i.business_income - i.business_expense + i.property_income + i.family_planning_subsidy"
    " + i.dibao_benefit + i.tekun_benefit + i.pension + i.ecological_compensation + i.other_transfer)"
)
OPEN = "('active', 'returned')"

WATCHED = f"""
CREATE TEMP TABLE monitoring_watched AS
WITH cfg AS (
    SELECT left(a.code, 6) AS county, s.line_factor, s.drop_share, s.medical_share
    FROM monitoring_monitoringsettings s JOIN villages_area a ON a.id = s.county_id
), lines AS (
    SELECT y.year, coalesce(
        (SELECT r.poverty_line FROM identification_round r WHERE r.year <= y.year + 1
         ORDER BY r.year DESC, r.id DESC LIMIT 1),
        (SELECT r.poverty_line FROM identification_round r ORDER BY r.year, r.id LIMIT 1)
    ) AS poverty_line
    FROM (SELECT DISTINCT i.year FROM households_incomerecord i WHERE {{income_filter}}) y
), incomes AS (
    SELECT i.household_id, i.year, i.persons, {NET} AS net,
           row_number() OVER (PARTITION BY i.household_id ORDER BY i.year DESC) AS n
    FROM households_incomerecord i WHERE {{income_filter}}
), cases AS (
    SELECT c.household_id,
           bool_or(c.program = 'fupin' AND c.state IN {OPEN}) AS fupin_open,
           bool_or(c.state IN {OPEN}) AS any_open,
           bool_or(c.program = 'fupin' AND c.state = 'lifted') AS lifted
    FROM households_case c WHERE {{case_filter}} GROUP BY c.household_id
), figures AS (
    SELECT h.id AS household_id, g.code AS area_code,
           coalesce(c.lifted, false) AS lifted, coalesce(c.any_open, false) AS any_open,
           coalesce(c.fupin_open, false) AS fupin_open,
           li.year, li.persons, li.net, round(li.net / li.persons, 2) AS per_capita,
           pr.year AS prev_year, round(pr.net / pr.persons, 2) AS prev_per_capita,
           ln.poverty_line, coalesce(cfg.line_factor, %(line_factor)s) AS factor,
           round(ln.poverty_line * coalesce(cfg.line_factor, %(line_factor)s), 2) AS line,
           coalesce(cfg.drop_share, %(drop_share)s) AS drop_share,
           coalesce(cfg.medical_share, %(medical_share)s) AS medical_share
    FROM households_household h
    JOIN villages_area g ON g.id = h.group_id
    LEFT JOIN cases c ON c.household_id = h.id
    LEFT JOIN incomes li ON li.household_id = h.id AND li.n = 1
    LEFT JOIN incomes pr ON pr.household_id = h.id AND pr.n = 2 AND pr.year = li.year - 1
    LEFT JOIN lines ln ON ln.year = li.year
    LEFT JOIN cfg ON cfg.county = left(g.code, 6)
    WHERE {{household_filter}}
)
SELECT f.* FROM figures f
WHERE NOT f.fupin_open AND (
    f.lifted
    OR (NOT f.any_open AND f.per_capita < f.line)
    OR EXISTS (SELECT 1 FROM monitoring_hardshipevent e WHERE e.household_id = f.household_id)
    OR EXISTS (SELECT 1 FROM monitoring_monitoredhousehold m
               WHERE m.household_id = f.household_id AND m.state <> 'cleared')
)
"""

INSERT = """
INSERT INTO monitoring_warning
    (household_id, trigger, cause_key, area_code, reason, data, raised_at, run_id, status,
     visitors, findings, decision_reason, referral_kind)
SELECT s.household_id, %(trigger)s, s.cause_key, w.area_code, left(s.reason, 300), s.data, %(now)s, %(run)s,
       'pending', '', '', '', ''
FROM ({select}) s JOIN monitoring_watched w ON w.household_id = s.household_id
ON CONFLICT (household_id, trigger, cause_key) DO NOTHING
"""

IN_WATCHED = "household_id IN (SELECT household_id FROM monitoring_watched)"


@dataclass(frozen=True)
class Rule:
    trigger: Trigger
    select: str  # returns household_id, cause_key, reason, data
    explains: str  # one line for the README and the run page


RULES: Sequence[Rule] = (
    Rule(
        Trigger.INCOME_LOW,
        """SELECT household_id, year::text AS cause_key,
               year || '年人均纯收入 ' || per_capita || ' 元,低于监测线 ' || line || ' 元(扶贫标准 '
                   || poverty_line || ' 元 × ' || factor || ')' AS reason,
               jsonb_build_object('year', year, 'per_capita', per_capita, 'line', line,
                   'poverty_line', poverty_line, 'factor', factor, 'persons', persons, 'net', net) AS data
           FROM monitoring_watched WHERE per_capita < line""",
        "最近一年人均纯收入低于监测线(每户每年一次)",
    ),
    Rule(
        Trigger.INCOME_DROP,
        """SELECT household_id, year::text AS cause_key,
               year || '年人均纯收入 ' || per_capita || ' 元,比' || prev_year || '年的 ' || prev_per_capita
                   || ' 元下降 ' || round(100 * (prev_per_capita - per_capita) / prev_per_capita, 1)
                   || '%%,超过县定的 ' || round(100 * drop_share, 1) || '%%' AS reason,
               jsonb_build_object('year', year, 'per_capita', per_capita, 'prev_year', prev_year,
                   'prev_per_capita', prev_per_capita, 'drop_share', drop_share) AS data
           FROM monitoring_watched
           WHERE prev_per_capita > 0 AND per_capita < prev_per_capita * (1 - drop_share)""",
        "人均纯收入比上一年下降超过县定比例(每户每年一次)",
    ),
    Rule(
        Trigger.SERIOUS_ILLNESS,
        f"""SELECT m.household_id, 'member:' || m.id AS cause_key, m.name || ' 患有大病' AS reason,
               jsonb_build_object('member_id', m.id, 'member', m.name, 'health', m.health) AS data
           FROM households_member m
           WHERE m.health = '患有大病' AND m.removed_at IS NULL AND m.{IN_WATCHED}""",
        "家庭成员患有大病(每人一次)",
    ),
    Rule(
        Trigger.SEVERE_DISABILITY,
        f"""SELECT m.household_id, 'member:' || m.id AS cause_key,
               m.name || ' 残疾等级' || m.disability_grade || '(重度残疾)' AS reason,
               jsonb_build_object('member_id', m.id, 'member', m.name, 'disability_grade', m.disability_grade) AS data
           FROM households_member m
           WHERE m.health = '残疾' AND m.disability_grade IN ('一级', '二级') AND m.removed_at IS NULL
             AND m.{IN_WATCHED}""",
        "家庭成员为一、二级残疾(每人一次)",
    ),
    Rule(
        Trigger.DISASTER,
        f"""SELECT e.household_id, 'event:' || e.id AS cause_key,
               to_char(e.occurred_on, 'YYYY-MM-DD') || ' 因灾受损 ' || e.amount || ' 元:' || left(e.description, 120) AS reason,
               jsonb_build_object('event_id', e.id, 'occurred_on', e.occurred_on, 'amount', e.amount) AS data
           FROM monitoring_hardshipevent e WHERE e.kind = '因灾' AND e.{IN_WATCHED}""",
        "村里登记了因灾损失(每次灾害一次)",
    ),
    Rule(
        Trigger.ACCIDENT,
        f"""SELECT e.household_id, 'event:' || e.id AS cause_key,
               to_char(e.occurred_on, 'YYYY-MM-DD') || ' ' || e.kind || ' 损失 ' || e.amount || ' 元:'
                   || left(e.description, 120) AS reason,
               jsonb_build_object('event_id', e.id, 'occurred_on', e.occurred_on, 'amount', e.amount, 'kind', e.kind) AS data
           FROM monitoring_hardshipevent e WHERE e.kind IN ('因意外', '其他') AND e.{IN_WATCHED}""",
        "村里登记了意外或其他突发困难(每次一次)",
    ),
    Rule(
        Trigger.LOAN_OVERDUE,
        f"""SELECT l.household_id, 'loan:' || l.id || ':' || l.due_on AS cause_key,
               l.bank || ' 扶贫小额贷款 ' || l.amount || ' 元,' || to_char(l.due_on, 'YYYY-MM-DD') || ' 到期未还' AS reason,
               jsonb_build_object('loan_id', l.id, 'bank', l.bank, 'amount', l.amount, 'due_on', l.due_on) AS data
           FROM assistance_loan l
           WHERE l.status IN ('正常', '展期', '续贷', '无还本续贷') AND l.due_on < %(today)s AND l.{IN_WATCHED}""",
        "扶贫小额贷款到期未还(每笔每个到期日一次)",
    ),
    Rule(
        Trigger.SCHOOL_DROPOUT,
        f"""SELECT c.household_id, 'member:' || c.id || ':' || c.history_id AS cause_key,
               c.name || ' 由' || c.before || '在校生变为非在校生(' || to_char(c.history_date, 'YYYY-MM-DD') || ',未满18岁)' AS reason,
               jsonb_build_object('member_id', c.id, 'member', c.name, 'from', c.before,
                   'changed_on', to_char(c.history_date, 'YYYY-MM-DD')) AS data
           FROM (
               SELECT hm.id, hm.household_id, hm.history_id, hm.name, hm.school_status, hm.history_date,
                      hm.birth_date,
                      lag(hm.school_status) OVER (PARTITION BY hm.id ORDER BY hm.history_date, hm.history_id) AS before
               FROM households_historicalmember hm WHERE hm.{IN_WATCHED}
           ) c
           JOIN households_member m ON m.id = c.id AND m.school_status = '非在校生' AND m.removed_at IS NULL
           WHERE c.school_status = '非在校生' AND c.before NOT IN ('非在校生', '学前教育')
             AND c.history_date < c.birth_date + interval '18 years'""",
        "未满18岁的在校生变为非在校生(每次变化一次)",
    ),
    Rule(
        Trigger.MEDICAL_COSTS,
        f"""SELECT e.household_id, e.year::text AS cause_key,
               e.year || '年因病医疗自付 ' || e.total || ' 元,' || CASE WHEN w.net IS NULL THEN '本户未登记收入'
                   ELSE '超过家庭纯收入 ' || w.net || ' 元的 ' || round(100 * w.medical_share, 1) || '%%' END AS reason,
               jsonb_build_object('year', e.year, 'medical_costs', e.total, 'net', w.net,
                   'medical_share', w.medical_share) AS data
           FROM (SELECT household_id, extract(year FROM occurred_on)::int AS year, sum(amount) AS total
                 FROM monitoring_hardshipevent WHERE kind = '因病' AND {IN_WATCHED}
                 GROUP BY household_id, extract(year FROM occurred_on)) e
           JOIN monitoring_watched w ON w.household_id = e.household_id
           WHERE e.total > 0 AND (w.net IS NULL OR e.total > w.medical_share * greatest(w.net, 0))""",
        "因病医疗自付费用(突发登记)一年合计超过家庭纯收入的县定比例(每户每年一次)",
    ),
)


@dataclass
class Outcome:
    checked: int
    raised: dict[str, int]

    @property
    def total(self) -> int:
        return sum(self.raised.values())


def check(
    *,
    household_ids: Sequence[int] | None = None,
    run_id: int | None = None,
    today: datetime.date | None = None,
    progress: Callable[[int, str], None] | None = None,
) -> Outcome:
    """Run every trigger over the watched households (all, or `household_ids`); returns the counts."""
    if household_ids is None:
        filters = {"household_filter": "TRUE", "income_filter": "TRUE", "case_filter": "TRUE"}
    else:
        filters = {
            "household_filter": "h.id = ANY(%(ids)s)",
            "income_filter": "i.household_id = ANY(%(ids)s)",
            "case_filter": "c.household_id = ANY(%(ids)s)",
        }
    params = {
        "ids": list(household_ids or []),
        "line_factor": DEFAULT_LINE_FACTOR,
        "drop_share": DEFAULT_DROP_SHARE,
        "medical_share": DEFAULT_MEDICAL_SHARE,
        "today": today or timezone.localdate(),
        "now": timezone.now(),
        "run": run_id,
    }
    raised: dict[str, int] = {}
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS monitoring_watched")
        cursor.execute(WATCHED.format(**filters), params)
        checked = cursor.rowcount
        try:
            cursor.execute("ANALYZE monitoring_watched")
            for position, rule in enumerate(RULES, start=1):
                cursor.execute(INSERT.format(select=rule.select), {**params, "trigger": rule.trigger.value})
                raised[rule.trigger.value] = cursor.rowcount
                if progress:
                    progress(int(100 * position / (len(RULES) + 1)), rule.trigger.label)
        finally:
            cursor.execute("DROP TABLE IF EXISTS monitoring_watched")
    return Outcome(checked=checked, raised=raised)
