"""The 花名册 checked and written in batches of whole households while the reader goes on
(households.importer.reading.Batches): the result is the whole file's, a bad row in the last batch
still imports nothing, and a file whose batches are tied together is taken again as one batch."""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

import pytest

from households.importer import import_roster, pipeline, reading
from households.models import Household, Member
from tests.factories import id_number_for
from tests.households.import_helpers import H1, H2, H3, H4, family, person, write_roster

pytestmark = pytest.mark.django_db


@pytest.fixture
def small_batches(monkeypatch):
    """A batch every 3 rows (a family of 2 or 3 rows closes one); records the imports taken again
    as one batch."""
    monkeypatch.setattr(reading, "BATCH_ROWS", 3)  # the reading process is forked: it sees this too
    restarts: list[str] = []
    original = pipeline._import_file

    def spy(**kwargs):
        if kwargs["whole"]:
            restarts.append("whole")
        return original(**kwargs)

    monkeypatch.setattr(pipeline, "_import_file", spy)
    return restarts


def run(path, user, *, dry_run=False):
    return import_roster(path=path, user=user, dry_run=dry_run, year=2012)


def roster(tmp_path, name="r.xlsx"):
    return write_roster(
        tmp_path / name, family(H1, 1, 3) + family(H2, 10, 2) + family(H3, 20, 3) + family(H4, 30, 2)
    )


def test_a_roster_in_batches_imports_every_household_and_a_second_time_nothing(
    tmp_path, users, county_tree, small_batches
):
    path = roster(tmp_path)

    first = run(path, users.fupin)
    history = Member.history.count()
    again = run(path, users.fupin)

    assert first.ok, [e.as_dict() for e in first.errors]
    assert (first.counts["households_created"], first.counts["members_created"], first.counts["rows"]) == (
        4,
        10,
        10,
    )
    assert (Household.objects.count(), Member.objects.count(), history) == (4, 10, 10)
    assert again.ok
    assert (again.counts["households_unchanged"], again.counts["members_unchanged"]) == (4, 10)
    assert Member.history.count() == history
    assert small_batches == []  # no batch was taken again


def test_a_bad_row_in_the_last_batch_imports_nothing(tmp_path, users, county_tree, small_batches):
    rows = family(H1, 1, 3) + family(H2, 10, 2) + family(H3, 20, 3)
    rows[-1]["证件号码"] = "53032319900101123X"  # a wrong check digit, on the very last row

    result = run(write_roster(tmp_path / "r.xlsx", rows), users.fupin)

    assert [(e.row, e.column) for e in result.errors] == [(10, "证件号码")]
    assert "校验位" in result.errors[0].reason
    assert not Household.objects.exists()
    assert not Member.history.exists()


def test_a_person_twice_in_two_batches_is_an_error_naming_the_first_row(
    tmp_path, users, county_tree, small_batches
):
    rows = family(H1, 1, 3) + family(H2, 10, 2) + [person(H3, 20), person(H3, 2, "配偶")]

    result = run(write_roster(tmp_path / "r.xlsx", rows), users.fupin)

    assert [(e.row, e.column) for e in result.errors] == [(9, "证件号码")]
    assert "第4行" in result.errors[0].reason
    assert not Household.objects.exists()


def test_a_household_whose_rows_are_apart_is_read_again_as_one_batch(
    tmp_path, users, county_tree, small_batches
):
    first, second = family(H1, 1, 3, 人数=4), person(H1, 4, "之女", persons=4)
    rows = first + family(H2, 10, 2) + family(H3, 20, 3) + [second]

    result = run(write_roster(tmp_path / "r.xlsx", rows), users.fupin)

    assert result.ok, [e.as_dict() for e in result.errors]
    assert small_batches == ["whole"]
    assert Household.objects.get(number=H1).members.count() == 4
    assert Member.history.count() == 9


@pytest.mark.parametrize("to", [H1, H4], ids=["to-an-earlier-batch", "to-a-later-batch"])
def test_a_person_moving_to_a_household_of_another_batch_moves(
    tmp_path, users, county_tree, small_batches, to
):
    run(roster(tmp_path), users.fupin)
    # 成员21 (H3, 配偶) moves: H3 keeps 2 persons, the household taking them in has one more.
    rows = {number: family(number, seq, size) for number, seq, size in ((H1, 1, 3), (H2, 10, 2), (H4, 30, 2))}
    rows[H3] = [person(H3, 20, persons=2), person(H3, 22, "之子", persons=2)]
    for row in rows[to]:
        row["人数"] += 1
    rows[to].append(person(to, 21, "之女", persons=rows[to][0]["人数"]))

    result = run(
        write_roster(tmp_path / "r2.xlsx", [r for n in (H1, H2, H3, H4) for r in rows[n]]), users.fupin
    )

    assert result.ok, [e.as_dict() for e in result.errors]
    assert small_batches == ["whole"]
    assert Member.objects.get(id_number=id_number_for(21)).household.number == to
    assert result.counts["members_removed"] == 0
    assert Member.objects.count() == 10


def live_children() -> list[int]:
    """This process's child processes, from /proc (a reading process left behind would be one)."""
    mine = str(os.getpid())
    children = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(OSError):
                if (entry / "stat").read_text().rsplit(")", 1)[1].split()[1] == mine:
                    children.append(int(entry.name))
    return children


def test_no_reading_process_outlives_an_import(tmp_path, users, county_tree, small_batches):
    before = live_children()
    missing_column = write_roster(
        tmp_path / "m.xlsx", family(H1, 1, 2), headers=["县", "乡", "户编号", "姓名"]
    )
    scattered = write_roster(tmp_path / "s.xlsx", family(H1, 1, 3) + family(H2, 10, 2) + family(H1, 4, 1))

    for path in (missing_column, scattered, roster(tmp_path)):
        import_roster(path=path, user=users.fupin, dry_run=True, year=2012)

    assert live_children() == before


def test_an_error_in_the_reading_process_is_raised_in_the_importing_one(
    tmp_path, users, county_tree, small_batches, monkeypatch
):
    def fails(*args, **kwargs):
        raise MemoryError

    monkeypatch.setattr(reading, "_merge_shared", fails)  # runs in the forked child
    rows = family(H1, 1, 2) + family(H2, 10, 2, 联系电话="13900002222")
    rows[1]["联系电话"] = "13900003333"  # the household's rows disagree: _merge_shared is called

    with pytest.raises(MemoryError):
        run(write_roster(tmp_path / "r.xlsx", rows), users.fupin)

    assert not Household.objects.exists()
