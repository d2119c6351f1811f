"""The copies a household keeps of its area and its persons: `Household.area_code` and `Household.persons`.

The database keeps them (migration households/0007_area_bounded_indexes): a row trigger copies the
村民小组's code into `area_code` on every insert and every change of group, and statement triggers on the
member table recount `persons` for the households a statement touched (a COPY of 400,000 members
recounts once). The definition of "the household's persons" is the SQL function
`households_recount_persons`, and only there; this module calls it for a rebuild (`manage.py
rebuild_household_copies`) and checks the copies against the source.

Why copies at all: with them a village's list reads its own 50 rows through (area_code, 户编号), and
the statistics sum `persons` over the area's households instead of grouping 3.5 million members
(bench/README.md, "Scale").
"""

from __future__ import annotations

from collections.abc import Sequence

from django.db import connection, transaction

# The columns the database keeps: no writer sets them (the importer leaves them out of its rows).
DATABASE_KEPT = frozenset({"area_code", "persons"})

_AREA_CODES_SQL = """
UPDATE households_household h SET area_code = a.code
  FROM villages_area a WHERE a.id = h.group_id AND h.area_code IS DISTINCT FROM a.code
"""
_DRIFT_SQL = """
SELECT count(*) FILTER (WHERE h.area_code IS DISTINCT FROM a.code),
       count(*) FILTER (WHERE h.persons IS DISTINCT FROM coalesce(c.n, 0))
  FROM households_household h JOIN villages_area a ON a.id = h.group_id
  LEFT JOIN (SELECT household_id, count(*) AS n FROM households_member WHERE removed_at IS NULL
             GROUP BY household_id) c
         ON c.household_id = h.id
"""


def recount_persons(household_ids: Sequence[int]) -> None:
    """Recount the persons of these households (the triggers do it on every write; this is for repairs)."""
    if household_ids:
        with connection.cursor() as cursor:
            cursor.execute("SELECT households_recount_persons(%s::bigint[])", [list(household_ids)])


def rebuild_copies() -> tuple[int, int]:
    """Set every household's area_code and persons from the areas and the members; returns how many of
    each were wrong before (both 0 unless the triggers were bypassed, e.g. disabled for a restore)."""
    with transaction.atomic(), connection.cursor() as cursor:
        drift = copies_drift()
        cursor.execute(_AREA_CODES_SQL)
        cursor.execute("SELECT households_recount_persons(ARRAY(SELECT id FROM households_household))")
    return drift


def copies_drift() -> tuple[int, int]:
    """(households whose area_code is wrong, households whose persons is wrong): a full check."""
    with connection.cursor() as cursor:
        cursor.execute(_DRIFT_SQL)
        wrong_area, wrong_persons = cursor.fetchone()
    return wrong_area, wrong_persons
