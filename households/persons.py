"""The copies a household keeps of its area and its persons (`Household.area_code`, `Household.persons`),
and each case of its household's area (`Case.area_code`).

The database keeps them (migration households/0007_area_bounded_indexes): a row trigger copies the
村民小组's code into `area_code` on every insert and every change of group, and statement triggers on the
member table recount `persons` for the households a statement touched (a COPY of 400,000 members
recounts once). The definition of "the household's persons" is the SQL function
`households_recount_persons`, and only there. A case copies its household's area_code on insert and
on a change of household, and a household whose area_code changes passes it to its cases (migration
0010_case_area_code). This module rebuilds all three (`manage.py rebuild_household_copies`) and checks
the copies against the source.

Why copies at all: with them a village's list reads its own 50 rows through (area_code, 户编号), and
the statistics sum `persons` over the area's households instead of grouping 3.5 million members, and
count the area's cases instead of hashing the whole case table (bench/README.md, "Scale").
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
_CASE_AREA_CODES_SQL = """
UPDATE households_case c SET area_code = h.area_code
  FROM households_household h WHERE h.id = c.household_id AND c.area_code IS DISTINCT FROM h.area_code
"""
# Against the source, the household's group, so that a household's own wrong copy is not counted twice.
_CASE_DRIFT_SQL = """
SELECT count(*) FROM households_case c JOIN households_household h ON h.id = c.household_id
  JOIN villages_area a ON a.id = h.group_id
 WHERE c.area_code IS DISTINCT FROM a.code
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


def rebuild_copies() -> tuple[int, int, int]:
    """Set every household's area_code and persons from the areas and the members, then every case's
    area_code from its household; returns how many of each were wrong before (all 0 unless the triggers
    were bypassed, e.g. disabled for a restore)."""
    with transaction.atomic(), connection.cursor() as cursor:
        drift = copies_drift()
        cursor.execute(_AREA_CODES_SQL)
        cursor.execute("SELECT households_recount_persons(ARRAY(SELECT id FROM households_household))")
        # After the households': a household repaired above passes its code on by trigger already.
        cursor.execute(_CASE_AREA_CODES_SQL)
    return drift


def copies_drift() -> tuple[int, int, int]:
    """(households whose area_code is wrong, households whose persons is wrong, cases whose area_code is
    not their household's group's code): a full check."""
    with connection.cursor() as cursor:
        cursor.execute(_DRIFT_SQL)
        wrong_area, wrong_persons = cursor.fetchone()
        cursor.execute(_CASE_DRIFT_SQL)
        (wrong_case_area,) = cursor.fetchone()
    return wrong_area, wrong_persons, wrong_case_area
