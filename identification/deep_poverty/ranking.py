"""The county's 深度贫困 ranking: one set-based SQL statement over the registry.

Candidates: households with an open 扶贫 case ("在贫困识别的基础上") inside the county whose latest income
record up to the round's income year (a household on the roll is not surveyed every year) shows a 年人均纯收入
at most the county's ceiling ("家庭收入最低"). Each hardship
the county weights ("生活最困难、条件最艰苦") adds its points; households reaching the minimum score are ranked
county-wide by score (high first), then 年人均纯收入 (low first), then 户编号 (so the order is total and the
same every time). Persons are summed down the ranking; a household is within the target while the running
sum is at most the county's target persons.

The ranking is the county's whatever the reader's area (the target is a county figure); an area's page
filters the ranked rows afterwards, so a village sees its households with their county rank.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.db import connection

from identification.deep_poverty.models import DeepPovertyCriteria
from villages.models import SIGNIFICANT_DIGITS, Area

# (key, label shown, weight field, condition on household h). The labour and health words are the
# national 劳动技能 / 健康状况 terms (households.choices).
HARDSHIPS: tuple[tuple[str, str, str, str], ...] = (
    (
        "no_labour",
        "无劳动力",
        "weight_no_labour",
        "NOT EXISTS (SELECT 1 FROM households_member m WHERE m.household_id = h.id AND m.removed_at IS NULL"
        " AND m.labour IN ('普通劳动力', '技能劳动力'))",
    ),
    (
        "illness",
        "大病或重度残疾",
        "weight_illness",
        "EXISTS (SELECT 1 FROM households_member m WHERE m.household_id = h.id AND m.removed_at IS NULL"
        " AND (m.health = '患有大病' OR (m.health = '残疾' AND m.disability_grade IN ('一级', '二级'))))",
    ),
    ("dangerous_house", "危房", "weight_dangerous_house", "coalesce(h.dangerous_house, false)"),
    (
        "water",
        "饮水困难或不安全",
        "weight_water",
        "(coalesce(h.drinking_water_difficult, false) OR h.drinking_water_safe IS FALSE)",
    ),
)
LABELS = {key: label for key, label, _w, _sql in HARDSHIPS}

_NET = (
    "(i.wage_income + i.business_income - i.business_expense + i.property_income + i.family_planning_subsidy"
    " + i.dibao_benefit + i.tekun_benefit + i.pension + i.ecological_compensation + i.other_transfer)"
)

_RANKED = f"""
WITH candidate AS (
    SELECT h.id, h.number, a.code AS group_code,
           h.persons,
           round({_NET} / i.persons, 2) AS income, i.year AS income_year,
           {", ".join(f"{sql} AS {key}" for key, _l, _w, sql in HARDSHIPS)}
    FROM households_household h
    JOIN villages_area a ON a.id = h.group_id
    JOIN LATERAL (SELECT * FROM households_incomerecord r WHERE r.household_id = h.id AND r.year <= %(year)s
                  ORDER BY r.year DESC LIMIT 1) i ON true
    WHERE a.code LIKE %(county)s
      AND EXISTS (SELECT 1 FROM households_case c WHERE c.household_id = h.id
                  AND c.program = 'fupin' AND c.state IN ('active', 'returned'))
), scored AS (
    SELECT *, ({" + ".join(f"{key}::integer * %({key})s" for key, _l, _w, _s in HARDSHIPS)}) AS score
    FROM candidate
    WHERE income <= %(income_limit)s AND persons > 0
), ranked AS (
    SELECT *, row_number() OVER w AS rank, sum(persons) OVER w AS running
    FROM scored
    WHERE score >= %(min_score)s
    WINDOW w AS (ORDER BY score DESC, income ASC, number ASC ROWS UNBOUNDED PRECEDING)
)
"""


@dataclass(frozen=True)
class Ranked:
    household_id: int
    number: str
    group_code: str
    persons: int
    income: Decimal
    income_year: int
    hardships: tuple[str, ...]
    score: int
    rank: int
    running: int
    within_target: bool

    @property
    def hardship_labels(self) -> str:
        return "、".join(LABELS[key] for key in self.hardships)


@dataclass
class AreaSummary:
    """One child area (or the whole area): candidates and those within the county's target."""

    area: Area
    candidates: int = 0
    candidate_persons: int = 0
    households: int = 0
    persons: int = 0


@dataclass
class Ranking:
    criteria: DeepPovertyCriteria
    area: Area
    rows: list[Ranked]
    children: list[AreaSummary]
    total: AreaSummary
    county_households: int = 0  # within the target, county-wide
    county_persons: int = 0
    missing_income: int = 0  # 扶贫 households of the area without an income record up to the year: not ranked
    shown: int = field(default=0)


def _params(criteria: DeepPovertyCriteria, county_prefix: str) -> dict:
    return {
        "year": criteria.round.income_year,
        "county": f"{county_prefix}%",
        "income_limit": criteria.income_limit,
        "min_score": criteria.min_score,
        "target": criteria.target_persons,
        **{key: getattr(criteria, weight) for key, _l, weight, _s in HARDSHIPS},
    }


def _county_prefix(area: Area) -> str:
    return area.code[: SIGNIFICANT_DIGITS["county"]]


def ranked(criteria: DeepPovertyCriteria, area: Area, *, within_only: bool = False, limit: int | None = None):
    """The ranked households inside `area` (county rank, running persons), best first."""
    keys = ", ".join(key for key, *_ in HARDSHIPS)
    sql = (
        _RANKED
        + f"SELECT id, number, group_code, persons, income, income_year, ARRAY[{keys}], score, rank, running, "
        "running <= %(target)s FROM ranked WHERE group_code LIKE %(area)s"
        + (" AND running <= %(target)s" if within_only else "")
        + " ORDER BY rank"
        + (" LIMIT %(limit)s" if limit is not None else "")
    )
    params = {**_params(criteria, _county_prefix(area)), "area": f"{area.scope_prefix}%", "limit": limit}
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
        return [
            Ranked(
                household_id=pk,
                number=number,
                group_code=code,
                persons=persons,
                income=income,
                income_year=income_year,
                hardships=tuple(key for (key, *_), met in zip(HARDSHIPS, flags, strict=True) if met),
                score=score,
                rank=rank,
                running=running,
                within_target=within,
            )  # fmt: skip
            for pk, number, code, persons, income, income_year, flags, score, rank, running, within in rows
        ]


def ranking(criteria: DeepPovertyCriteria, area: Area, *, limit: int = 500) -> Ranking:
    """The page's ranking of `area`: its first `limit` ranked households, and per child area (乡镇 of the
    county, 行政村 of a township, 村民小组 of a village) the candidates and those within the target."""
    child_level = area.child_level or area.level
    digits = SIGNIFICANT_DIGITS[child_level]
    children = (
        [area]
        if child_level == area.level
        else list(Area.objects.filter(level=child_level, code__startswith=area.scope_prefix).order_by("code"))
    )
    summaries = {child.code[:digits]: AreaSummary(child) for child in children}
    total = AreaSummary(area)
    params = {**_params(criteria, _county_prefix(area)), "area": f"{area.scope_prefix}%", "digits": digits}
    with connection.cursor() as cursor:
        cursor.execute(
            _RANKED
            + """SELECT substr(group_code, 1, %(digits)s), count(*), sum(persons),
                        count(*) FILTER (WHERE running <= %(target)s),
                        coalesce(sum(persons) FILTER (WHERE running <= %(target)s), 0)
                 FROM ranked WHERE group_code LIKE %(area)s GROUP BY 1""",
            params,
        )
        for key, candidates, candidate_persons, households, persons in cursor.fetchall():
            for summary in (summaries.get(key), total):
                if summary is not None:
                    summary.candidates += candidates
                    summary.candidate_persons += candidate_persons
                    summary.households += households
                    summary.persons += persons
        cursor.execute(
            _RANKED + "SELECT count(*), coalesce(sum(persons), 0) FROM ranked WHERE running <= %(target)s",
            params,
        )
        county_households, county_persons = cursor.fetchone()
        cursor.execute(
            """SELECT count(*) FROM households_household h JOIN villages_area a ON a.id = h.group_id
               WHERE a.code LIKE %(area)s
                 AND EXISTS (SELECT 1 FROM households_case c WHERE c.household_id = h.id
                             AND c.program = 'fupin' AND c.state IN ('active', 'returned'))
                 AND NOT EXISTS (SELECT 1 FROM households_incomerecord i
                                 WHERE i.household_id = h.id AND i.year <= %(year)s)""",
            params,
        )
        missing = cursor.fetchone()[0]
    rows = ranked(criteria, area, limit=limit)
    return Ranking(
        criteria=criteria, area=area, rows=rows, children=list(summaries.values()), total=total,
        county_households=county_households, county_persons=county_persons, missing_income=missing,
        shown=len(rows),
    )  # fmt: skip
