"""The scoring of a ranking run: one INSERT … SELECT that reads the registry and the 村情概况 of every
行政村 and 村民小组 of the county, scores and ranks them, and writes the run's rows. Set-based: the cost
is a few grouped passes over the county's households, members, cases and incomes, whatever the number
of villages (bench/bench_poor_villages.py).

What each unit is measured on (identification/README.md, 贫困村识别):

- 扶贫对象比重 (贫困发生率, %): members of households with an open 扶贫 case ÷ members of the registry's
  households (reports.statistics' `incidence`, the same definition); a unit with no registered persons
  has none and scores 0 on it;
- 农民人均纯收入: the 行政村登记表's figure where the area's own profile gives one, else the registry's
  Σ 家庭纯收入 ÷ Σ 家庭人口 over each household's latest income record up to the income year;
- the general indicators from the area's own 村情概况, a 村民小组 without one taking its village's;
  no profile at all: no facility counts as lacking (score 0) and the run says how many had none.

Indicator scores are min–max over the units of the level (100 = the poorest); where every unit has the
same value the indicator scores 0 for all. score = Σ weight × indicator score ÷ 100, three decimals;
ranks are SQL rank() (equal scores share a rank) in the county and in the township.
"""

from __future__ import annotations

from decimal import Decimal

from django.db import connection

from households.models import Case, IncomeRecord
from identification.poor_villages.indicators import CODES, FACILITIES

NET = (
    " + ".join(
        f"i.{name}"
        for name in ("wage_income", "business_income", "property_income", *IncomeRecord.TRANSFER_FIELDS)
    )
    + " - i.business_expense"
)

# Per 村民小组 of the county: registry persons, persons on an open 扶贫 case, Σ net income and Σ persons
# of the latest income records. Shared with 贫困村退出 (exits), which reads the same figures.
GROUP_FIGURES_SQL = f"""
    hh AS (
        SELECT h.id, h.group_id
        FROM households_household h JOIN villages_area g ON g.id = h.group_id
        WHERE g.code LIKE %(like)s
    ),
    members AS (
        SELECT m.household_id, count(*) AS n
        FROM households_member m JOIN hh ON hh.id = m.household_id
        WHERE m.removed_at IS NULL
        GROUP BY m.household_id
    ),
    fupin AS (
        SELECT DISTINCT c.household_id
        FROM households_case c JOIN hh ON hh.id = c.household_id
        WHERE c.program = 'fupin' AND c.state = ANY(%(open)s)
    ),
    income AS (
        SELECT DISTINCT ON (i.household_id) i.household_id, {NET} AS net, i.persons
        FROM households_incomerecord i JOIN hh ON hh.id = i.household_id
        WHERE i.year <= %(income_year)s
        ORDER BY i.household_id, i.year DESC
    ),
    grp AS (
        SELECT hh.group_id AS area_id,
               coalesce(sum(p.n), 0)::int AS persons,
               coalesce(sum(p.n) FILTER (WHERE f.household_id IS NOT NULL), 0)::int AS fupin,
               sum(i.net) AS net,
               sum(i.persons) AS income_persons
        FROM hh
        LEFT JOIN members p ON p.household_id = hh.id
        LEFT JOIN fupin f ON f.household_id = hh.id
        LEFT JOIN income i ON i.household_id = hh.id
        GROUP BY hh.group_id
    ),
    figures AS (
        SELECT g.id AS area_id, g.code, 'group'::text AS level, g.parent_id AS village_id,
               coalesce(r.persons, 0) AS persons, coalesce(r.fupin, 0) AS fupin,
               r.net, r.income_persons
        FROM villages_area g LEFT JOIN grp r ON r.area_id = g.id
        WHERE g.level = 'group' AND g.code LIKE %(like)s
        UNION ALL
        SELECT v.id, v.code, 'village', v.id,
               coalesce(sum(r.persons), 0)::int, coalesce(sum(r.fupin), 0)::int, sum(r.net), sum(r.income_persons)
        FROM villages_area v
        LEFT JOIN villages_area g ON g.parent_id = v.id AND g.level = 'group'
        LEFT JOIN grp r ON r.area_id = g.id
        WHERE v.level = 'village' AND v.code LIKE %(like)s
        GROUP BY v.id, v.code
    )
"""

_FACILITY_COLUMNS = ",\n".join(
    f"coalesce(own.{i.profile_field}, vp.{i.profile_field}) AS {i.code}" for i in FACILITIES
)
_FACILITY_PARTS = ",\n".join(
    f"CASE WHEN {i.code} IS FALSE THEN 100 ELSE 0 END AS s_{i.code}" for i in FACILITIES
)
_FACILITY_JSON = ", ".join(f"'{i.code}', {i.code}" for i in FACILITIES)
_SCORE = " + ".join(f"%(w_{code})s * s_{code}" for code in CODES)
_PARTS_JSON = ", ".join(f"'{code}', round(s_{code}, 4)" for code in CODES)


def _minmax(column: str, poorer: str) -> str:
    """0–100 over the level, 100 the poorest; 0 where unknown or where every unit has the same value."""
    low, high = f"min({column}) OVER w", f"max({column}) OVER w"
    gap = f"({high} - {low})"
    top = f"({column} - {low})" if poorer == "higher" else f"({high} - {column})"
    return f"CASE WHEN {column} IS NULL OR {gap} = 0 THEN 0 ELSE 100.0 * {top} / {gap} END"


# Per 行政村 and 村民小组: the figures each indicator reads (the `inputs` CTE), for scoring and for 贫困村退出.
INPUTS_SQL = f"""
{GROUP_FIGURES_SQL},
inputs AS (
    SELECT f.area_id, f.code, f.level, f.persons, f.fupin,
           CASE WHEN f.persons > 0 THEN round(100.0 * f.fupin / f.persons, 4) END AS poverty_rate,
           CASE WHEN own.net_income_per_capita IS NOT NULL THEN own.net_income_per_capita
                WHEN f.income_persons > 0 THEN round(f.net / f.income_persons, 2) END AS net_income,
           CASE WHEN own.net_income_per_capita IS NOT NULL THEN 'profile'
                WHEN f.income_persons > 0 THEN 'registry' ELSE '' END AS income_source,
           coalesce(own.collective_income, vp.collective_income) AS collective_income,
           CASE WHEN own.id IS NOT NULL THEN 'own' WHEN vp.id IS NOT NULL THEN 'village' ELSE '' END AS profile_of,
           {_FACILITY_COLUMNS}
    FROM figures f
    LEFT JOIN villages_areaprofile own ON own.area_id = f.area_id
    LEFT JOIN villages_areaprofile vp ON f.level = 'group' AND vp.area_id = f.village_id
)"""

SCORING_SQL = f"""
WITH {INPUTS_SQL},
parts AS (
    SELECT inputs.*,
           {_minmax("poverty_rate", "higher")} AS s_poverty_rate,
           {_minmax("net_income", "lower")} AS s_net_income,
           {_minmax("collective_income", "lower")} AS s_collective_income,
           {_FACILITY_PARTS}
    FROM inputs
    WINDOW w AS (PARTITION BY level)
),
scored AS (
    SELECT parts.*, round(({_SCORE}) / 100.0, 3) AS score FROM parts
)
INSERT INTO identification_rankingrow
    (run_id, area_id, level, persons, fupin_persons, poverty_rate, net_income, income_source,
     collective_income, facilities, profile_of, parts, score, rank, township_rank, marked)
SELECT %(run)s, area_id, level, persons, fupin, poverty_rate, net_income, income_source,
       collective_income, jsonb_build_object({_FACILITY_JSON}), profile_of,
       jsonb_build_object({_PARTS_JSON}), score,
       rank() OVER (PARTITION BY level ORDER BY score DESC),
       rank() OVER (PARTITION BY level, substr(code, 1, 9) ORDER BY score DESC),
       false
FROM scored
"""

SUMMARY_SQL = """
SELECT level, count(*),
       min(poverty_rate), max(poverty_rate), min(net_income), max(net_income),
       min(collective_income), max(collective_income),
       count(*) FILTER (WHERE persons = 0),
       count(*) FILTER (WHERE income_source = ''),
       count(*) FILTER (WHERE profile_of = '')
FROM identification_rankingrow WHERE run_id = %s GROUP BY level
"""


VILLAGE_FIGURES_SQL = f"""
WITH {INPUTS_SQL}
SELECT area_id, persons, fupin, poverty_rate, net_income, income_source, collective_income, profile_of,
       {", ".join(i.code for i in FACILITIES)}
FROM inputs WHERE level = 'village'
"""


def params(*, like: str, income_year: int) -> dict:
    return {"like": like, "income_year": income_year, "open": [str(s) for s in Case.OPEN_STATES]}


def score_run(*, run_id: int, county_prefix: str, income_year: int, weights: dict[str, Decimal]) -> dict:
    """Write the rows of run `run_id` (in the caller's transaction) and return its summary."""
    values = {
        **params(like=county_prefix + "%", income_year=income_year),
        "run": run_id,
        **{f"w_{code}": Decimal(weights.get(code, 0)) for code in CODES},
    }
    with connection.cursor() as cursor:
        # The planner's estimates over the joins make PostgreSQL JIT-compile the statement, which costs
        # more than the statement (villages/indicators.py measured the same); off for this transaction.
        cursor.execute("SET LOCAL jit = off; SET LOCAL work_mem = '32MB'")
        cursor.execute(SCORING_SQL, values)
        cursor.execute(SUMMARY_SQL, [run_id])
        summary = {}
        for level, units, *rest in cursor.fetchall():
            (r_lo, r_hi, i_lo, i_hi, c_lo, c_hi, no_persons, no_income, no_profile) = rest
            summary[level] = {
                "units": units,
                "poverty_rate": [_text(r_lo), _text(r_hi)],
                "net_income": [_text(i_lo), _text(i_hi)],
                "collective_income": [_text(c_lo), _text(c_hi)],
                "no_persons": no_persons,
                "no_income": no_income,
                "no_profile": no_profile,
            }
    return summary


def village_figures(*, prefix: str, income_year: int) -> dict[int, dict]:
    """{village id: its figures} for every 行政村 under `prefix`, as the ranking reads them (贫困村退出)."""
    with connection.cursor() as cursor:
        cursor.execute(VILLAGE_FIGURES_SQL, params(like=prefix + "%", income_year=income_year))
        names = [c.name for c in cursor.description]
        rows = cursor.fetchall()
    result = {}
    for row in rows:
        item = dict(zip(names, row, strict=True))
        result[item.pop("area_id")] = {
            "persons": item["persons"],
            "fupin_persons": item["fupin"],
            "poverty_rate": item["poverty_rate"],
            "net_income": item["net_income"],
            "income_source": item["income_source"],
            "collective_income": item["collective_income"],
            "profile_of": item["profile_of"],
            "facilities": {i.code: item[i.code] for i in FACILITIES},
        }
    return result


def _text(value) -> str | None:
    return None if value is None else str(value)
