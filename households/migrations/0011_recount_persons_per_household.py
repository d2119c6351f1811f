"""`households_recount_persons` counts each household's members through the member table's household
index, one lookup per household.

The first form (0009) let the planner match `removed_at IS NULL` to the partial index
`households_member_id_number_current` and semi-join the members against the id array: planned while the
member table is new or unanalysed (a bulk load, the tests' registries), that scans every member for every
id — a COPY of 350,000 members ran for more than ten minutes. Counting with a FILTER leaves only the
household index to match the lookup.

The households are rewritten in id order: a bulk load recounts every household it wrote, and rewritten in
the hash order of a DISTINCT the new row versions scattered an area's households over the whole table
(a county of a prefecture over half its pages), which every read of the area then paid for.
"""

from django.db import migrations

# The one definition of a household's persons: its members now. (A member state such as "removed"
# joins this FILTER, and only here.)
PER_HOUSEHOLD = """
CREATE OR REPLACE FUNCTION households_recount_persons(ids bigint[]) RETURNS void LANGUAGE sql AS $$
    UPDATE households_household h SET persons = c.n
      FROM (SELECT DISTINCT unnest(ids) ORDER BY 1) AS d(id)
     CROSS JOIN LATERAL (SELECT count(*) FILTER (WHERE m.removed_at IS NULL) AS n
                           FROM households_member m WHERE m.household_id = d.id) c
     WHERE h.id = d.id AND h.persons IS DISTINCT FROM c.n
$$;
"""

SEMI_JOIN = """
CREATE OR REPLACE FUNCTION households_recount_persons(ids bigint[]) RETURNS void LANGUAGE sql AS $$
    UPDATE households_household h SET persons = coalesce(c.n, 0)
      FROM unnest(ids) AS d(id)
      LEFT JOIN (SELECT m.household_id, count(*) AS n FROM households_member m
                  WHERE m.household_id IN (SELECT unnest(ids)) AND m.removed_at IS NULL
                  GROUP BY m.household_id) c
             ON c.household_id = d.id
     WHERE h.id = d.id AND h.persons IS DISTINCT FROM coalesce(c.n, 0)
$$;
"""


class Migration(migrations.Migration):
    dependencies = [
        ("households", "0010_case_area_code"),
    ]

    operations = [migrations.RunSQL(PER_HOUSEHOLD, SEMI_JOIN)]
