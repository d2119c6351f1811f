"""Counts of the rolls by area: the one place that counts them.

The dashboards and every export that shows figures (乡有簿 summary, 行政村登记表, 村民小组登记表) call
this module, so a number on a screen and the same number in a spreadsheet come from one query.

    table = figures_by_child(township, user=request.user)   # one row per 行政村, and the total
    for row in table.rows: row.name, row.households, row.fupin.persons, row.incidence, row.quota
    table.total                                             # the township itself (= sum of the rows)

What is counted (persons are a household's members *now*, not at the time it entered a roll):

- `households`, `persons`: the registry, every household of the area whatever its rolls.
- `fupin`, `dibao`, `tekun`: households and persons with an *open* case of that roll (state 在册 or
  返贫; a household has at most one open case per roll, a database constraint).
- `by_attribute`, `by_cause`, `by_class`, `by_year`: the open 扶贫 roll by 贫困户属性, 主要致贫原因,
  the case's 贫困类型 (seed 002 四(一)) and the year it entered the roll (the year of its round).
- `by_state`: every case, open or closed, by roll and state (在册, 已脱贫, 已退出, 返贫). These count
  cases: a household that left the 低保 roll and came back has two 低保 cases.
- `quota`: the round's 规模控制 persons for the area, where the county has set one. The total row's
  is the area's own quota, or else the sum of its child areas' quotas (when any is set).
- `deep_poverty`: households flagged 深度贫困户 on their 户卡 (the county's confirmed list,
  identification.deep_poverty), and their persons.
- `villages`, `poor_villages`: 行政村 inside the area, and how many of them are 贫困村 (村情概况).

A handful of grouped queries, whatever the number of areas: the registry, and its cases, keyed on the
leading digits of the 村民小组 code (`substr(code, 1, n)`, the same prefix that scopes everything
else); the areas, the villages with their profiles, the quotas. bench/bench_dashboard.py measures them at county scale.

The functions take the acting user and refuse an area outside the user's own (PermissionDenied):
callers fetch the area through the scoped selectors first, and this is the second lock on the door.
`user=None` is for jobs the system runs itself (the nightly standing reports) and sees everything;
it must be passed explicitly, and no request can produce it (views pass request.user).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import PermissionDenied
from django.db import connection, transaction
from django.db.models import Q

from accounts.models import User
from households.choices import Attribute, CaseState, Cause, PovertyClass, Program
from households.models import Case
from identification.models import Quota, Round
from identification.selectors import current_round
from villages.models import SIGNIFICANT_DIGITS, Area, AreaProfile

OPEN_STATES = tuple(str(s) for s in Case.OPEN_STATES)
BLANK = "未填写"

# Column orders (value, label) for tables and exports. The blank value counts households on the roll
# whose 属性 / 致贫原因 / 类型 were never filled in, so that the columns always add up to the roll.
ATTRIBUTES: list[tuple[str, str]] = [*Attribute.choices, ("", BLANK)]
CAUSES: list[tuple[str, str]] = [*Cause.choices, ("", BLANK)]
CLASSES: list[tuple[int | None, str]] = [*PovertyClass.choices, (None, BLANK)]
PROGRAMS: list[tuple[str, str]] = list(Program.choices)
STATES: list[tuple[str, str]] = list(CaseState.choices)

HUNDRED = Decimal(100)
CENT = Decimal("0.01")


@dataclass(frozen=True)
class Tally:
    """Households and their persons."""

    households: int = 0
    persons: int = 0

    def __add__(self, other: Tally) -> Tally:
        return Tally(self.households + other.households, self.persons + other.persons)


def percent(part: int, whole: int) -> Decimal | None:
    """part ÷ whole as a percentage with two decimals, half up (18.705 → 18.71); None when whole is 0."""
    if not whole:
        return None
    return (Decimal(part) * HUNDRED / Decimal(whole)).quantize(CENT, rounding=ROUND_HALF_UP)


def _zeros(keys) -> dict:
    return {key: Tally() for key, _label in keys}


@dataclass
class AreaFigures:
    """One row of a statistics table: one area (or the table's total)."""

    code: str
    name: str
    level: str
    area: Area
    is_total: bool = False
    households: int = 0
    persons: int = 0
    fupin: Tally = Tally()
    dibao: Tally = Tally()
    tekun: Tally = Tally()
    deep_poverty: Tally = Tally()
    by_attribute: dict[str, Tally] = field(default_factory=lambda: _zeros(ATTRIBUTES))
    by_cause: dict[str, Tally] = field(default_factory=lambda: _zeros(CAUSES))
    by_class: dict[int | None, Tally] = field(default_factory=lambda: _zeros(CLASSES))
    by_year: dict[int, Tally] = field(default_factory=dict)
    by_state: dict[str, dict[str, Tally]] = field(
        default_factory=lambda: {program: _zeros(STATES) for program, _ in PROGRAMS}
    )
    quota: int | None = None
    villages: int = 0
    poor_villages: int = 0
    # The 村情概况 of a village row; a 村民小组 row without its own shows its village's.
    profile: AreaProfile | None = None

    @property
    def incidence(self) -> Decimal | None:
        """贫困发生率 (%): persons on the open 扶贫 roll ÷ persons in the registry, two decimals.

        The denominator is the registry's persons of the same area, not the township's 乡村人口数
        base indicator: that one exists only for townships and only for the year it was set, while the
        registry holds every rural household of every village and 村民小组 (DESIGN.md, scale), so the
        rate means the same at every level, follows each change of the registry, and numerator and
        denominator count the same people at the same moment.
        """
        return percent(self.fupin.persons, self.persons)

    @property
    def quota_incidence(self) -> Decimal | None:
        """The 贫困发生率 the quota allows: quota persons ÷ registry persons (seed 002's annex column
        贫困发生率 is its quota ÷ 乡村人口数). Compare with `incidence`."""
        if self.quota is None:
            return None
        return percent(self.quota, self.persons)

    @property
    def quota_left(self) -> int | None:
        """Quota persons not taken by the open 扶贫 roll (negative: over the quota)."""
        return None if self.quota is None else self.quota - self.fupin.persons

    def add(self, other: AreaFigures) -> None:
        """Add another row's counts of the rolls into this one (quota, villages and profile stay)."""
        self.households += other.households
        self.persons += other.persons
        self.fupin += other.fupin
        self.dibao += other.dibao
        self.tekun += other.tekun
        for mine, theirs in (
            (self.by_attribute, other.by_attribute),
            (self.by_cause, other.by_cause),
            (self.by_class, other.by_class),
            (self.by_year, other.by_year),
        ):
            for key, tally in theirs.items():
                mine[key] = mine.get(key, Tally()) + tally
        for program, states in other.by_state.items():
            mine = self.by_state.setdefault(program, {})
            for state, tally in states.items():
                mine[state] = mine.get(state, Tally()) + tally


@dataclass
class FiguresTable:
    """The rows of one level inside an area, in code order, and their total (the area itself)."""

    area: Area
    level: str
    round: Round | None
    rows: list[AreaFigures]
    total: AreaFigures

    @property
    def years(self) -> list[int]:
        """The entry years present anywhere in the table: the columns of a by-year table."""
        return sorted(self.total.by_year)

    @property
    def all_rows(self) -> list[AreaFigures]:
        return [*self.rows, self.total]

    def __iter__(self) -> Iterator[AreaFigures]:
        return iter(self.all_rows)


def figures_by_child(area: Area, *, user: User | None, round: Round | None = None) -> FiguresTable:
    """One row per child area (乡镇 of the county, 行政村 of a township, …) and the total."""
    return figures_by_level(area, area.child_level or area.level, user=user, round=round)


def figures_by_village(area: Area, *, user: User | None, round: Round | None = None) -> FiguresTable:
    """One row per 行政村 inside a county, township or village: the 行政村登记表."""
    return figures_by_level(area, Area.Level.VILLAGE, user=user, round=round)


def figures_by_group(area: Area, *, user: User | None, round: Round | None = None) -> FiguresTable:
    """One row per 村民小组 inside an area: the 村民小组登记表."""
    return figures_by_level(area, Area.Level.GROUP, user=user, round=round)


def figures_for(area: Area, *, user: User | None, round: Round | None = None) -> AreaFigures:
    """The figures of one area alone (the total row of its table)."""
    return figures_by_level(area, area.level, user=user, round=round).total


def figures_by_level(
    area: Area, level: str, *, user: User | None, round: Round | None = None
) -> FiguresTable:
    """One row per area of `level` inside `area` (`level` at or below the area's own), and the total.

    `round` picks the quotas; by default the current round (identification.selectors.current_round).
    """
    _check_scope(user, area)
    levels = list(Area.Level.values)
    if levels.index(level) < levels.index(area.level):
        raise ValueError(f"{level} is above {area.level}")
    if round is None:
        round = current_round()
    digits = SIGNIFICANT_DIGITS[level]
    prefix = area.scope_prefix
    if level == area.level:
        areas = [area]
    else:
        areas = list(Area.objects.filter(level=level, code__startswith=prefix).order_by("code"))
    rows = {a.code[:digits]: AreaFigures(code=a.code, name=a.name, level=a.level, area=a) for a in areas}

    total = AreaFigures(code=area.code, name=area.name, level=area.level, area=area, is_total=True)
    _count_registry(rows, total, prefix=prefix, digits=digits, parallel=area.level == Area.Level.CITY)
    _count_villages(rows, total, prefix=prefix, digits=digits)
    profiles = _profiles(areas + [area])
    for row in rows.values():
        row.profile = profiles.get(row.area.pk)
        if row.profile is None and row.level == Area.Level.GROUP:
            row.profile = profiles.get(row.area.parent_id)
    quotas, child_quotas = _quotas(round, areas + [area], parent=area)
    for row in rows.values():
        row.quota = quotas.get(row.area.pk)

    # The area's own quota where the county set one; otherwise its child areas', when they have any
    # (whatever the level of the rows, so that every table of an area shows the same total).
    total.quota = quotas.get(area.pk, sum(child_quotas) if child_quotas else None)
    total.profile = profiles.get(area.pk)
    if total.profile is None and area.level == Area.Level.GROUP:
        total.profile = profiles.get(area.parent_id)
    years = sorted(total.by_year)
    for row in [*rows.values(), total]:
        row.by_year = {year: row.by_year.get(year, Tally()) for year in years}
    return FiguresTable(area=area, level=level, round=round, rows=list(rows.values()), total=total)


def _check_scope(user: User | None, area: Area) -> None:
    if user is None:  # a job the system runs itself (the nightly standing reports), never a request
        return
    if not user.is_active or user.area is None or not user.area.contains(area):
        raise PermissionDenied(f"无权查看“{area.name}”的统计数据。")


# Two statements over the area alone (bench/README.md, "Dashboard" and "Scale"): the households of the area
# are the range of `household_area_number` for its code prefix, its cases the range of
# `case_area_program_state` (each carries its household's code), and each household carries its persons
# (all kept by the database: households.persons), so neither the area table nor the member table is
# read, nor another area's cases. One pass for the registry; one over the area's cases joined to the
# area's households, grouped on every dimension at once. The Python below folds that small cube (under a
# thousand rows for the county by township) into the breakdowns.
_REGISTRY_SQL = """
SELECT substr(h.area_code, 1, %(digits)s), count(*), coalesce(sum(h.persons), 0)::integer,
       count(*) FILTER (WHERE h.deep_poverty), coalesce(sum(h.persons) FILTER (WHERE h.deep_poverty), 0)::integer
FROM households_household h
WHERE h.area_code LIKE %(like)s AND h.merged_into_id IS NULL  -- a household merged into another (合户) is gone
GROUP BY 1
"""
# The household's own code is repeated so that the planner bounds both sides of the join by the area.
_CASES_SQL = """
SELECT substr(c.area_code, 1, %(digits)s), c.program, c.state, c.poverty_class, c.entered_year,
       h.attribute, h.main_cause, count(*), sum(h.persons)::integer
FROM households_case c
JOIN households_household h ON h.id = c.household_id
WHERE c.area_code LIKE %(like)s AND h.area_code LIKE %(like)s
GROUP BY 1, 2, 3, 4, 5, 6, 7
"""


def _count_registry(
    rows: dict[str, AreaFigures], total: AreaFigures, *, prefix: str, digits: int, parallel: bool
) -> None:
    """Fill in the registry and roll counts of every row, and of the total in the same pass.

    `parallel`: whether the planner may scan the whole household table with parallel workers — only
    for an area that is most of it (a 市)."""
    params = {"digits": digits, "like": f"{prefix}%"}
    with transaction.atomic(), connection.cursor() as cursor:
        # A county's passes look costly enough to the planner for JIT, whose compilation (≈ 50 ms)
        # costs more than it saves; and with the default 4 MB the planner sorts the cube on disk
        # where a hash of < 1,000 groups would do.
        # Below the 市, no parallel workers: the planner cannot see that an area's households lie
        # together (written county by county, not in code order: the code's correlation is near 0), so
        # it prices the area's range above a parallel scan of the whole table — in a prefecture of
        # 1,000,000 households that made a county's cases 3.8× its 100,000 figure (bench/README.md, "Scale").
        serial = "" if parallel else "; SET LOCAL max_parallel_workers_per_gather = 0"
        cursor.execute(f"SET LOCAL jit = off; SET LOCAL work_mem = '32MB'{serial}")
        cursor.execute(_REGISTRY_SQL, params)
        registry = cursor.fetchall()
        cursor.execute(_CASES_SQL, params)
        cube = cursor.fetchall()
    for key, households, persons, deep_households, deep_persons in registry:
        if key in rows:
            for row in (rows[key], total):
                row.households += households
                row.persons += persons
                row.deep_poverty += Tally(deep_households, deep_persons)
    # Summed into plain [households, persons] lists first: a county table by 村民小组 folds tens of
    # thousands of cube rows, and an immutable Tally per addition would cost more than the query.
    sums: dict[tuple, list[int]] = defaultdict(lambda: [0, 0])
    for key, program, state, poverty_class, year, attribute, cause, n, persons in cube:
        if key not in rows:
            continue
        targets = [("by_state", program, state)]
        if state in OPEN_STATES:
            targets.append((program,))
            if program == Program.FUPIN:
                targets += [
                    ("by_attribute", attribute),
                    ("by_cause", cause),
                    ("by_class", poverty_class),
                    ("by_year", year),
                ]
        for owner in (key, None):
            for target in targets:
                acc = sums[(owner, *target)]
                acc[0] += n
                acc[1] += persons
    for (owner, kind, *rest), (n, persons) in sums.items():
        row = total if owner is None else rows[owner]
        tally = Tally(n, persons)
        if kind in ("fupin", "dibao", "tekun"):
            setattr(row, kind, tally)
        elif kind == "by_state":
            row.by_state.setdefault(rest[0], {})[rest[1]] = tally
        else:
            getattr(row, kind)[rest[0]] = tally


def _count_villages(rows: dict[str, AreaFigures], total: AreaFigures, *, prefix: str, digits: int) -> None:
    """行政村 and 贫困村 inside each row and the total (a 村民小组 row has none inside it)."""
    villages = Area.objects.filter(level=Area.Level.VILLAGE, code__startswith=prefix).values_list(
        "code", "profile__is_poor_village"
    )
    for code, poor in villages:
        for row in (rows.get(code[:digits]), total):
            if row is not None:
                row.villages += 1
                row.poor_villages += bool(poor)


def _profiles(areas: list[Area]) -> dict[int, AreaProfile]:
    """Profiles of these areas and of their parents (a 村民小组 row falls back on its village's)."""
    ids = {a.pk for a in areas} | {a.parent_id for a in areas if a.level == Area.Level.GROUP}
    return {p.area_id: p for p in AreaProfile.objects.filter(area_id__in=ids)}


def _quotas(round: Round | None, areas: list[Area], *, parent: Area) -> tuple[dict[int, int], list[int]]:
    """({area id: quota} for `areas`, the quotas of `parent`'s child areas), in one query."""
    if round is None:
        return {}, []
    rows = Quota.objects.filter(
        Q(area_id__in={a.pk for a in areas}) | Q(area__parent_id=parent.pk), round=round
    ).values_list("area_id", "area__parent_id", "persons")
    quotas = {area_id: persons for area_id, _parent, persons in rows}
    return quotas, [persons for _area, parent_id, persons in rows if parent_id == parent.pk]


# --- 帮扶 (assistance) --------------------------------------------------------------------------------------
# The dashboards' 帮扶 counts and the 整改清单's line counts, so that the page, the export and the dashboard
# show one number. Measures and funds are this year's 一户一策 (plans of the current calendar year).


@dataclass
class AssistanceFigures:
    area: Area
    year: int
    rolled: int = 0  # households on the open 扶贫 roll
    rolled_with_helper: int = 0
    helpers: int = 0  # helpers with at least one open pairing inside the area
    pairings: int = 0  # open pairings inside the area (exited households within the transition period too)
    measures_by_group: dict[str, int] = field(default_factory=dict)
    funds_by_source: dict[str, Decimal] = field(default_factory=dict)
    loans_open: int = 0
    loans_open_amount: Decimal = Decimal("0")
    loans_overdue: int = 0
    coverage: dict[str, int] = field(default_factory=dict)

    @property
    def helper_percent(self) -> Decimal | None:
        return percent(self.rolled_with_helper, self.rolled)

    @property
    def funds_total(self) -> Decimal:
        return sum(self.funds_by_source.values(), Decimal("0"))

    @property
    def coverage_total(self) -> int:
        return sum(self.coverage.values())

    @property
    def coverage_rows(self) -> list[tuple[str, int]]:
        """(title, lines) of each 整改清单 check, in the list's order."""
        from assistance.coverage import CHECKS

        return [(check.title, self.coverage.get(check.code, 0)) for check in CHECKS]


# One pass over the area's households: each has at most one open 扶贫 case and one open pairing (database
# constraints), so the two LEFT JOINs never multiply rows. The case's own code bounds its side to the
# area's open 扶贫 cases (case_area_program_state), not every county's. Loans in a second statement.
_ASSISTANCE_SQL = """
SELECT count(f.id), count(f.id) FILTER (WHERE p.id IS NOT NULL), count(DISTINCT p.helper_id), count(p.id)
FROM households_household h
LEFT JOIN households_case f ON f.household_id = h.id AND f.area_code LIKE %(like)s
      AND f.program = 'fupin' AND f.state IN ('active', 'returned')
LEFT JOIN assistance_pairing p ON p.household_id = h.id AND p.ended_on IS NULL
WHERE h.area_code LIKE %(like)s
"""
_LOANS_SQL = """
SELECT count(*), coalesce(sum(l.amount), 0), count(*) FILTER (WHERE l.due_on < %(today)s)
FROM assistance_loan l JOIN households_household h ON h.id = l.household_id
WHERE h.area_code LIKE %(like)s AND l.status <> '已还'
"""
_MEASURES_SQL = """
SELECT ms.category, ms.funding_source, count(*), coalesce(sum(ms.amount), 0)
FROM assistance_measure ms JOIN assistance_plan pl ON pl.id = ms.plan_id
JOIN households_household h ON h.id = ms.household_id
WHERE h.area_code LIKE %(like)s AND pl.year = %(year)s
GROUP BY 1, 2
"""


def check_scope(user: User | None, area: Area) -> None:
    """The statistics' own scope check, for exports that count through another module (the 整改清单)."""
    _check_scope(user, area)


def assistance_figures(
    area: Area, *, user: User | None, with_coverage: bool = True, coverage_by_child: dict | None = None
) -> AssistanceFigures:
    """帮扶 counts of an area: helpers, measures by category group, funds by source, loans, 整改清单 lines.

    `coverage_by_child`: the 整改清单's counts by child area (assistance.coverage.counts) when the caller
    has them already — the 整改清单 page — so they are not counted twice."""
    from django.utils import timezone

    from assistance import choices as assistance_choices
    from assistance import coverage

    _check_scope(user, area)
    today = timezone.localdate()
    figures = AssistanceFigures(area=area, year=today.year)
    params = {"like": f"{area.scope_prefix}%", "year": today.year, "today": today}
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL jit = off")
        cursor.execute(_ASSISTANCE_SQL, params)
        figures.rolled, figures.rolled_with_helper, figures.helpers, figures.pairings = cursor.fetchone()
        cursor.execute(_LOANS_SQL, params)
        figures.loans_open, figures.loans_open_amount, figures.loans_overdue = cursor.fetchone()
        cursor.execute(_MEASURES_SQL, params)
        measures = cursor.fetchall()
    figures.measures_by_group = {group: 0 for group in assistance_choices.GROUPS}
    figures.funds_by_source = {source: Decimal("0") for source in assistance_choices.FundingSource.values}
    for category, source, n, amount in measures:
        group = assistance_choices.GROUP_OF.get(category, assistance_choices.OTHER)
        figures.measures_by_group[group] += n
        figures.funds_by_source[source] = figures.funds_by_source.get(source, Decimal("0")) + amount
    if coverage_by_child is not None:
        figures.coverage = {code: sum(by_area.values()) for code, by_area in coverage_by_child.items()}
    elif with_coverage:
        figures.coverage = coverage.totals(area.scope_prefix, today=today)
    return figures
