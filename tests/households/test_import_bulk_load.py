"""A big first import: loaded without secondary indexes (rebuilt identical), ids drawn in one run,
history copied by PostgreSQL, and fresh planner statistics afterwards."""

from __future__ import annotations

import contextlib

import psycopg
import pytest
from django.db import IntegrityError, connection, transaction

from households.bulk import copy_insert, indexes_rebuilt_after, reserve_ids, rows_fewer_than
from households.importer import import_roster, pipeline, writing
from households.models import Case, Household, Member
from tests.factories import HouseholdFactory, MemberFactory
from tests.households.import_helpers import H1, H2, family, write_roster

pytestmark = pytest.mark.django_db

LOADED = ("households_household", "households_member", "households_case")


def schema(tables=LOADED) -> dict:
    """Index and constraint names of the tables, with what they enforce."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT x.relname, i.indisunique, i.indisprimary, pg_get_expr(i.indpred, i.indrelid) IS NOT NULL,
                   array(SELECT attname FROM pg_attribute
                          WHERE attrelid = i.indrelid AND attnum = ANY(i.indkey) ORDER BY attnum)
              FROM pg_index i JOIN pg_class x ON x.oid = i.indexrelid JOIN pg_class t ON t.oid = i.indrelid
             WHERE t.relname = ANY(%s)
            """,
            [list(tables)],
        )
        indexes = {row[0]: row[1:] for row in cursor.fetchall()}
        cursor.execute(
            """
            SELECT c.conname, pg_get_constraintdef(c.oid) FROM pg_constraint c JOIN pg_class t ON t.oid = c.conrelid
             WHERE t.relname = ANY(%s)
            """,
            [list(tables)],
        )
        return {"indexes": indexes, "constraints": dict(cursor.fetchall())}


@pytest.fixture
def rebuilt(monkeypatch):
    """Every import counts as big; the tables each import did rebuild are recorded."""
    monkeypatch.setattr(writing, "REBUILD_INDEXES_MIN_ROWS", 1)
    seen: list[list[str]] = []
    original = writing.indexes_rebuilt_after

    @contextlib.contextmanager
    def spy(tables, **kwargs):
        with original(tables, **kwargs) as done:
            seen.append(done)
            yield done

    monkeypatch.setattr(writing, "indexes_rebuilt_after", spy)
    return seen


def test_first_big_import_rebuilds_indexes_and_constraints_identically(tmp_path, users, county_tree, rebuilt):
    before = schema()
    path = write_roster(tmp_path / "r.xlsx", family(H1, 1, 3) + family(H2, 10, 2, 贫困户属性="低保贫困户"))

    result = import_roster(path=path, user=users.fupin, dry_run=False, year=2012)

    assert result.ok
    assert rebuilt == [
        [
            "households_household",
            "households_historicalhousehold",
            "households_member",
            "households_historicalmember",
            "households_case",
            "households_historicalcase",
        ]
    ]
    assert schema() == before
    assert Member.objects.count() == Member.history.filter(history_type="+").count() == 5
    assert Case.objects.count() == Case.history.count() == 3
    head = Member.objects.get(household__number=H1, relation="户主")
    assert Member.history.get(id=head.pk).household_id == head.household_id
    # The rebuilt constraints hold again: the same person cannot be registered twice.
    with pytest.raises(IntegrityError, match="id_number"), transaction.atomic():
        MemberFactory(household=head.household, relation="配偶", id_number=head.id_number)


def test_tables_already_holding_as_many_rows_keep_their_indexes(tmp_path, users, county_tree, rebuilt):
    for number in ("E1", "E2", "E3"):
        HouseholdFactory(number=number, group=county_tree.dazhai)
    path = write_roster(tmp_path / "r.xlsx", family(H1, 1, 3) + family(H2, 10, 2))

    assert import_roster(path=path, user=users.fupin, dry_run=False, year=2012).ok

    # 2 new households into 3: indexes kept; 5 members into none, and 2 cases: rebuilt.
    assert "households_household" not in rebuilt[0]
    assert "households_member" in rebuilt[0] and "households_case" in rebuilt[0]
    assert Household.objects.count() == 5


def test_small_import_keeps_indexes_and_skips_analyze(tmp_path, users, county_tree, monkeypatch):
    analyzed = []
    monkeypatch.setattr(pipeline, "_analyze", analyzed.append)
    path = write_roster(tmp_path / "r.xlsx", family(H1, 1, 2))

    assert import_roster(path=path, user=users.fupin, dry_run=False, year=2012).ok

    assert analyzed == []


def test_big_import_refreshes_planner_statistics(tmp_path, users, county_tree, monkeypatch):
    monkeypatch.setattr(pipeline, "ANALYZE_MIN_ROWS", 3)
    analyzed = []
    original = pipeline._analyze
    monkeypatch.setattr(pipeline, "_analyze", lambda tables: (analyzed.append(tables), original(tables)))
    path = write_roster(tmp_path / "r.xlsx", family(H1, 1, 2) + family(H2, 10, 2))

    assert import_roster(path=path, user=users.fupin, dry_run=True, year=2012).ok
    assert analyzed == []  # a preview writes nothing, not even statistics
    assert import_roster(path=path, user=users.fupin, dry_run=False, year=2012).ok

    assert analyzed == [
        ("households_household", "households_member", "households_case", "households_incomerecord")
    ]
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_stats WHERE tablename = 'households_member'")
        assert cursor.fetchone()[0] > 0


def test_a_duplicate_found_by_the_rebuild_rolls_everything_back(county_tree):
    HouseholdFactory(number="DUP", group=county_tree.dazhai)
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # as the import does; ALTER TABLE needs it
    before = schema(["households_household"])

    with (
        pytest.raises(IntegrityError),
        transaction.atomic(),
        indexes_rebuilt_after(["households_household"]) as tables,
    ):
        assert tables == ["households_household"]
        copy_insert([Household(number="NEW", group=county_tree.dazhai)])
        copy_insert([Household(number="DUP", group=county_tree.dazhai)])  # no index to stop it here

    assert schema(["households_household"]) == before
    assert not Household.objects.filter(number="NEW").exists()


def test_a_table_in_use_is_loaded_with_its_indexes(county_tree):
    """A long export holding the table: no waiting for it, the load just keeps the indexes."""
    settings = connection.settings_dict
    params = {"dbname": settings["NAME"], "user": settings["USER"], "password": settings["PASSWORD"]}
    params.update(host=settings["HOST"] or None, port=settings["PORT"] or None)
    with psycopg.connect(**{k: v for k, v in params.items() if v}) as other:
        other.execute("BEGIN")
        other.execute("LOCK TABLE households_household IN ACCESS SHARE MODE")
        before = schema(["households_household"])

        with (
            transaction.atomic(),
            indexes_rebuilt_after(["households_household"], lock_timeout="100ms") as tables,
        ):
            assert tables == []
            assert schema(["households_household"]) == before
        other.rollback()
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('lock_timeout')")
        assert cursor.fetchone()[0] == "0"


def test_rows_fewer_than_reads_no_more_than_asked(county_tree):
    HouseholdFactory(group=county_tree.dazhai)
    HouseholdFactory(group=county_tree.dazhai)

    assert rows_fewer_than("households_household", 3)
    assert not rows_fewer_than("households_household", 2)
    assert rows_fewer_than("households_member", 1)


def test_reserve_ids_returns_every_number_drawn_when_the_run_is_broken(county_tree):
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_get_serial_sequence('households_household', 'id')")
        sequence = cursor.fetchone()[0]
        cursor.execute("SELECT nextval(%s)", [sequence])
        last = cursor.fetchone()[0]
        # Stand-in for another session drawing numbers meanwhile: a step of 2 leaves gaps.
        cursor.execute(f"ALTER SEQUENCE {sequence} INCREMENT BY 2")

    assert reserve_ids(Household, 4) == [last + 2, last + 4, last + 6, last + 8]

    households = [Household(number=f"G{i}", group=county_tree.dazhai) for i in range(3)]
    copy_insert(households)
    assert [h.pk for h in households] == [last + 10, last + 12, last + 14]
    history = Household.history.order_by("id").values_list("id", "number", "history_type")
    assert list(history) == [(last + 10, "G0", "+"), (last + 12, "G1", "+"), (last + 14, "G2", "+")]


def test_reserve_ids_in_one_run_are_consecutive(county_tree):
    ids = reserve_ids(Member, 1000)

    assert ids == list(range(ids[0], ids[0] + 1000))


def test_pending_deferred_checks_leave_the_indexes_in_place(county_tree):
    HouseholdFactory(group=county_tree.dazhai)  # its foreign-key check waits for the commit
    before = schema(["households_household"])

    with transaction.atomic(), indexes_rebuilt_after(["households_household"]) as tables:
        assert tables == []
        assert schema(["households_household"]) == before
        copy_insert([Household(number="NEW", group=county_tree.dazhai)])

    assert Household.objects.filter(number="NEW").exists()
