"""Cases carry their household's area_code, kept by the database (households/persons.py).

The county's statistics then read that county's cases through `case_area_program_state` instead of
hashing the whole case table, the prefecture's nine counties' (bench/README.md, "Scale"). As for the
household's copies, triggers keep it right on every path — forms, services, the importer's COPY, the
demo, the tests' factories — so no writer sets it.
"""

from django.db import migrations, models

TRIGGERS = """
CREATE FUNCTION households_case_area_code() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.area_code := (SELECT area_code FROM households_household WHERE id = NEW.household_id);
    RETURN NEW;
END $$;
CREATE TRIGGER households_case_area_code BEFORE INSERT OR UPDATE OF household_id, area_code
    ON households_case FOR EACH ROW EXECUTE FUNCTION households_case_area_code();

-- A household moved to another group (or its group renumbered) takes its cases along. group_id is in
-- the column list because an UPDATE that sets only the group changes area_code through the BEFORE trigger.
CREATE FUNCTION households_household_recoded() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE households_case SET area_code = NEW.area_code WHERE household_id = NEW.id;
    RETURN NULL;
END $$;
CREATE TRIGGER households_household_recoded AFTER UPDATE OF group_id, area_code ON households_household
    FOR EACH ROW WHEN (OLD.area_code IS DISTINCT FROM NEW.area_code)
    EXECUTE FUNCTION households_household_recoded();

-- The rows already there.
UPDATE households_case c SET area_code = h.area_code FROM households_household h WHERE h.id = c.household_id;
"""

DROP = """
DROP TRIGGER households_household_recoded ON households_household;
DROP FUNCTION households_household_recoded();
DROP TRIGGER households_case_area_code ON households_case;
DROP FUNCTION households_case_area_code();
"""


class Migration(migrations.Migration):
    dependencies = [
        ("households", "0009_area_bounded_indexes"),
    ]

    operations = [
        migrations.AddField(
            model_name="case",
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
        migrations.RunSQL(TRIGGERS, DROP),
        migrations.AddIndex(
            model_name="case",
            index=models.Index(fields=["area_code", "program", "state"], name="case_area_program_state"),
        ),
    ]
