"""逐年进出统计: per area, what each year of 动态管理 changed on the rolls (有进有出, seed 002 四(三)).

For a year and an area, one row per child area (乡镇 of the county, 行政村 of a township…) and the total:

- 新识别: 扶贫 cases that entered the roll that year (`Case.entered_year`);
- 脱贫: 扶贫 cases lifted that year (`left_year`), whatever happened to them afterwards;
- 返贫: lifted 扶贫 cases confirmed again that year (`returned_year`);
- 净增 = 新识别 + 返贫 − 脱贫, the change of the open 扶贫 roll over the year;
- 低保纳入 / 低保退出: 低保 cases that entered or left that year (民政's side of the same table).

Households and their persons, persons counted as the household's members now (as reports.statistics
does). One grouped statement over the cases of the area touched in the years asked for.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import connection

from accounts.models import User
from reports.statistics import Tally, _check_scope
from villages.models import SIGNIFICANT_DIGITS, Area

COLUMNS: list[tuple[str, str]] = [
    ("entered", "新识别"),
    ("lifted", "脱贫"),
    ("returned", "返贫"),
    ("net", "净增"),
    ("dibao_in", "低保纳入"),
    ("dibao_out", "低保退出"),
]


@dataclass
class YearRow:
    code: str
    name: str
    area: Area | None
    is_total: bool = False
    entered: Tally = Tally()
    lifted: Tally = Tally()
    returned: Tally = Tally()
    dibao_in: Tally = Tally()
    dibao_out: Tally = Tally()

    @property
    def net(self) -> Tally:
        return Tally(
            self.entered.households + self.returned.households - self.lifted.households,
            self.entered.persons + self.returned.persons - self.lifted.persons,
        )

    def cells(self) -> list[Tally]:
        return [getattr(self, key) for key, _label in COLUMNS]

    def add(self, other: YearRow) -> None:
        for key in ("entered", "lifted", "returned", "dibao_in", "dibao_out"):
            setattr(self, key, getattr(self, key) + getattr(other, key))


@dataclass
class YearTable:
    area: Area
    year: int
    rows: list[YearRow]
    total: YearRow

    @property
    def all_rows(self) -> list[YearRow]:
        return [*self.rows, self.total]


@dataclass
class History:
    """Every year's table of one area, oldest first, and the years with any movement."""

    area: Area
    tables: list[YearTable] = field(default_factory=list)

    @property
    def totals(self) -> list[YearRow]:
        return [table.total for table in self.tables]


# The area's cases by their own code (case_area_program_state), as reports.statistics counts them: no
# area table, no other area's cases; the household only for its persons.
_SQL = """
SELECT substr(c.area_code, 1, %(digits)s) AS key, c.program, c.entered_year, c.left_year, c.returned_year,
       count(*), sum(h.persons)::integer
FROM households_case c
JOIN households_household h ON h.id = c.household_id
WHERE c.area_code LIKE %(like)s AND h.area_code LIKE %(like)s
  AND c.program IN ('fupin', 'dibao')
  AND (c.entered_year = ANY(%(years)s) OR c.left_year = ANY(%(years)s) OR c.returned_year = ANY(%(years)s))
GROUP BY 1, 2, 3, 4, 5
"""

_YEARS_SQL = """
SELECT DISTINCT y FROM (
    SELECT unnest(ARRAY[c.entered_year, c.left_year, c.returned_year]) AS y
    FROM households_case c
    WHERE c.area_code LIKE %(like)s AND c.program IN ('fupin', 'dibao')
) years WHERE y IS NOT NULL ORDER BY y
"""


def years_with_movement(area: Area, *, user: User | None) -> list[int]:
    _check_scope(user, area)
    with connection.cursor() as cursor:
        cursor.execute(_YEARS_SQL, {"like": f"{area.scope_prefix}%"})
        return [year for (year,) in cursor.fetchall()]


def history(area: Area, years: list[int], *, user: User | None) -> History:
    """The tables of `area` for each of `years` (one statement for all of them)."""
    _check_scope(user, area)
    level = area.child_level or area.level
    digits = SIGNIFICANT_DIGITS[level]
    children = (
        [area]
        if level == area.level
        else list(Area.objects.filter(level=level, code__startswith=area.scope_prefix).order_by("code"))
    )
    tables = {
        year: YearTable(
            area=area,
            year=year,
            rows=[YearRow(code=child.code, name=child.name, area=child) for child in children],
            total=YearRow(code=area.code, name="合计", area=area, is_total=True),
        )
        for year in years
    }
    rows_by_key = {year: {row.code[:digits]: row for row in table.rows} for year, table in tables.items()}
    with connection.cursor() as cursor:
        cursor.execute(_SQL, {"digits": digits, "like": f"{area.scope_prefix}%", "years": list(years)})
        for key, program, entered, left, returned, households, persons in cursor.fetchall():
            tally = Tally(households, persons or 0)
            for year in years:
                row = rows_by_key[year].get(key)
                if row is None:
                    continue
                if program == "fupin":
                    if entered == year:
                        row.entered += tally
                    if left == year:
                        row.lifted += tally
                    if returned == year:
                        row.returned += tally
                else:
                    if entered == year:
                        row.dibao_in += tally
                    if left == year:
                        row.dibao_out += tally
    for table in tables.values():
        for row in table.rows:
            table.total.add(row)
    return History(area=area, tables=[tables[year] for year in years])
