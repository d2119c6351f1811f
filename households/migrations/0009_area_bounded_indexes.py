"""Households carry their 村民小组's code and their persons, kept by the database (households/persons.py).

Lists and counts of an area then read only that area's households through `household_area_number`
(area_code, 户编号), and the statistics sum `persons` instead of grouping the whole member table
(bench/README.md, "Scale"). Triggers keep both right on every path — forms, services, the importer's
COPY, the demo, the tests' factories — so no writer can forget them.
"""

from django.db import migrations, models

# The one definition of a household's persons: its members now. (A member state such as "removed"
# joins this WHERE, and only here.)
RECOUNT = """
CREATE FUNCTION households_recount_persons(ids bigint[]) RETURNS void LANGUAGE sql AS $$
    UPDATE households_household h SET persons = coalesce(c.n, 0)
      FROM unnest(ids) AS d(id)
      LEFT JOIN (SELECT m.household_id, count(*) AS n FROM households_member m
                  WHERE m.household_id IN (SELECT unnest(ids)) AND m.removed_at IS NULL
                  GROUP BY m.household_id) c
             ON c.household_id = d.id
     WHERE h.id = d.id AND h.persons IS DISTINCT FROM coalesce(c.n, 0)
$$;

CREATE FUNCTION households_member_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM households_recount_persons(ARRAY(SELECT DISTINCT household_id FROM new_rows));
    RETURN NULL;
END $$;
CREATE FUNCTION households_member_deleted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM households_recount_persons(ARRAY(SELECT DISTINCT household_id FROM old_rows));
    RETURN NULL;
END $$;
CREATE FUNCTION households_member_updated() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM households_recount_persons(
        ARRAY(SELECT household_id FROM new_rows UNION SELECT household_id FROM old_rows));
    RETURN NULL;
END $$;
-- Statement-level with transition tables: one recount per statement, a COPY of 400,000 members included.
CREATE TRIGGER households_member_persons_insert AFTER INSERT ON households_member
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION households_member_inserted();
CREATE TRIGGER households_member_persons_delete AFTER DELETE ON households_member
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION households_member_deleted();
CREATE TRIGGER households_member_persons_update AFTER UPDATE ON households_member
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION households_member_updated();

CREATE FUNCTION households_household_area_code() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.area_code := (SELECT code FROM villages_area WHERE id = NEW.group_id);
    RETURN NEW;
END $$;
CREATE TRIGGER households_household_area_code BEFORE INSERT OR UPDATE OF group_id, area_code
    ON households_household FOR EACH ROW EXECUTE FUNCTION households_household_area_code();

-- An area renumbered (rare: a 区划 change) takes its households' codes along.
CREATE FUNCTION households_area_recoded() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE households_household SET area_code = NEW.code WHERE group_id = NEW.id;
    RETURN NULL;
END $$;
CREATE TRIGGER households_area_recoded AFTER UPDATE OF code ON villages_area
    FOR EACH ROW WHEN (OLD.code IS DISTINCT FROM NEW.code) EXECUTE FUNCTION households_area_recoded();

-- The rows already there.
UPDATE households_household h SET area_code = a.code FROM villages_area a WHERE a.id = h.group_id;
UPDATE households_household h SET persons = c.n
  FROM (SELECT household_id, count(*) AS n FROM households_member GROUP BY household_id) c
 WHERE c.household_id = h.id;
"""

DROP = """
DROP TRIGGER households_area_recoded ON villages_area;
DROP FUNCTION households_area_recoded();
DROP TRIGGER households_household_area_code ON households_household;
DROP FUNCTION households_household_area_code();
DROP TRIGGER households_member_persons_insert ON households_member;
DROP TRIGGER households_member_persons_delete ON households_member;
DROP TRIGGER households_member_persons_update ON households_member;
DROP FUNCTION households_member_inserted();
DROP FUNCTION households_member_deleted();
DROP FUNCTION households_member_updated();
DROP FUNCTION households_recount_persons(bigint[]);
"""


class Migration(migrations.Migration):
    dependencies = [
        ("households", "0008_change_requests"),
        ("villages", "0002_area_profile"),
    ]

    operations = [
        migrations.AddField(
            model_name="household",
            name="area_code",
            field=models.CharField(
                db_collation="C",
                db_default="",
                default="",
                editable=False,
                max_length=15,
                verbose_name="村民小组代码",
            ),
        ),
        migrations.AddField(
            model_name="household",
            name="persons",
            field=models.PositiveSmallIntegerField(
                db_default=0, default=0, editable=False, verbose_name="家庭人口数"
            ),
        ),
        migrations.RunSQL(RECOUNT, DROP),
        migrations.AddIndex(
            model_name="household",
            index=models.Index(fields=["area_code", "number"], name="household_area_number"),
        ),
    ]
