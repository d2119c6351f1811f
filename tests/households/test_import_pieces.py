"""The 花名册 read in pieces by a reader thread (villages.pieces, households.importer.feed): the rows are
those of the whole sheet, a late bad row still imports nothing, and the reader's failures end the import
(and its job) in Chinese without leaving a thread behind."""

from __future__ import annotations

import datetime
import shutil
import threading
from pathlib import Path

import pytest
import xlsxwriter
from openpyxl import load_workbook
from python_calamine import CalamineError

import villages.guard
import villages.pieces
from households.importer import import_roster, run_import_job
from households.importer.feed import THREAD_NAME, PieceFeed, rows_of
from households.models import Household, ImportJob, Member
from tests.households.import_helpers import family, write_roster
from villages.guard import ROSTER, open_workbook

pytestmark = pytest.mark.django_db


@pytest.fixture
def small_pieces(monkeypatch):
    """Blocks of 2 KB and pieces of 4 KB: a roster of a few hundred rows comes in many pieces."""
    monkeypatch.setattr(villages.guard, "CHUNK", 2048)
    monkeypatch.setattr(villages.pieces, "PIECE_BYTES", 4096)
    monkeypatch.setattr(villages.pieces, "SHARED_STRINGS_PIECES", 0)


def reader_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name == THREAD_NAME]


def numbers(count: int) -> list[str]:
    return [f"530323101001001{serial:04d}" for serial in range(1, count + 1)]


def roster_of(tmp_path: Path, households: int, **values) -> tuple[Path, list[dict]]:
    rows = [
        row for index, number in enumerate(numbers(households)) for row in family(number, 1 + 3 * index, 2)
    ]
    return write_roster(tmp_path / "r.xlsx", rows, **values), rows


def pieces_of(path: Path) -> list:
    return list(open_workbook(path, limits=ROSTER, in_pieces=True).first().iter_pieces())


def test_a_sheet_read_in_pieces_gives_the_rows_of_the_whole_sheet(tmp_path, small_pieces):
    # Shared strings (xlsxwriter writes them), dates, numbers, blank rows, and the first value at B3.
    path = tmp_path / "wide.xlsx"
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet()
    day = book.add_format({"num_format": "yyyy-mm-dd"})
    for index in range(400):
        if index % 97 == 5:
            continue
        row = 2 + index
        sheet.write_row(row, 1, [f"姓名{index}", index * 1.5])
        sheet.write_datetime(row, 3, datetime.datetime(2014, 1 + index % 12, 1), day)
        sheet.write_row(row, 4, ["是", index])
    book.close()
    whole = open_workbook(path, limits=ROSTER).first()

    pieces = pieces_of(path)
    got = list(rows_of(iter(pieces)))

    assert len(pieces) > 5
    assert whole.start == (2, 1)
    assert pieces[0][0] == 2
    assert got == list(rows_of(whole.iter_pieces()))
    assert got[0] == ["", "姓名0", 0.0, datetime.date(2014, 1, 1), "是", 0.0]
    assert not any(got[5])  # the blank row stays a row: Excel's numbering holds
    assert got[-1][1] == "姓名399"


def test_errors_name_excel_rows_when_empty_rows_sit_above_the_header(tmp_path, users, county_tree):
    # python-calamine's iter_rows starts at row 0 whatever the sheet's first row: counted from `start`,
    # a header on row 3 was taken for row 5, and every error named a row two too low.
    rows = family("5303231010010010001", 1, 2)
    rows[1]["证件号码"] = "53032319900101123X"
    path = tmp_path / "low.xlsx"
    write_roster(path, rows, title=False)
    book = load_workbook(path)
    book.active.insert_rows(1, amount=2)
    book.save(path)

    result = import_roster(path=path, user=users.fupin, dry_run=True, year=2012)

    assert result.header_row == 3
    assert [(e.row, e.column) for e in result.errors] == [(5, "证件号码")]


def test_a_roster_read_in_pieces_imports_every_household(tmp_path, users, county_tree, small_pieces):
    path, rows = roster_of(tmp_path, 120)
    assert len(pieces_of(path)) > 5

    result = import_roster(path=path, user=users.fupin, dry_run=False, year=2012)

    assert result.ok, [e.as_dict() for e in result.errors[:3]]
    assert result.header_row == 2  # under the merged title row
    assert Household.objects.count() == 120
    assert Member.objects.count() == len(rows)
    assert Member.history.count() == len(rows)
    assert reader_threads() == []


def test_a_bad_row_in_the_last_piece_imports_nothing_and_names_row_column_and_reason(
    tmp_path, users, county_tree, small_pieces
):
    rows = [row for index, number in enumerate(numbers(120)) for row in family(number, 1 + 3 * index, 2)]
    rows[-1]["证件号码"] = "53032319900101123X"  # a wrong check digit, on the very last row
    path = write_roster(tmp_path / "r.xlsx", rows)
    pieces = pieces_of(path)
    last_row = 2 + len(rows)  # title, header, then the rows, as Excel numbers them
    assert pieces[-1][0] + 1 <= last_row and pieces[0][0] + len(pieces[0][2]) < last_row

    result = import_roster(path=path, user=users.fupin, dry_run=False, year=2012)

    assert [(e.row, e.column) for e in result.errors] == [(last_row, "证件号码")]
    assert "校验" in result.errors[0].reason
    assert Household.objects.count() == 0
    assert Member.objects.count() == 0
    assert Household.history.count() == 0
    assert reader_threads() == []


def test_a_piece_calamine_cannot_read_refuses_the_file_and_writes_nothing(
    tmp_path, users, county_tree, small_pieces, monkeypatch
):
    path, _ = roster_of(tmp_path, 120)
    real = villages.pieces.CalamineWorkbook.from_filelike
    read = []

    def broken_after_two(buffer):
        read.append(1)
        if len(read) > 2:
            raise CalamineError("corrupt piece")
        return real(buffer)

    monkeypatch.setattr(villages.pieces.CalamineWorkbook, "from_filelike", broken_after_two)

    result = import_roster(path=path, user=users.fupin, dry_run=False, year=2012)

    assert [(e.row, e.column, e.reason) for e in result.errors] == [
        (1, "文件", "文件已损坏,无法读取,请用 Excel 重新保存为 .xlsx 后上传。")
    ]
    assert Household.objects.count() == 0
    assert reader_threads() == []


def test_an_error_in_the_reader_thread_fails_the_job_with_a_chinese_message(
    tmp_path, users, county_tree, small_pieces, monkeypatch, settings
):
    settings.MEDIA_ROOT = tmp_path / "media"
    path, _ = roster_of(tmp_path, 120)
    (tmp_path / "media" / "imports").mkdir(parents=True)
    shutil.copy(path, tmp_path / "media" / "imports" / "r.xlsx")
    job = ImportJob.objects.create(
        user=users.fupin,
        file="imports/r.xlsx",
        original_name="r.xlsx",
        year=2012,
        phase=ImportJob.Phase.IMPORT,
    )
    real = villages.pieces._piece
    made = []

    def fails_on_the_third(*args, **kwargs):
        made.append(1)
        if len(made) == 3:
            raise MemoryError  # anything the reader may raise, not only a broken file
        yield from real(*args, **kwargs)

    monkeypatch.setattr(villages.pieces, "_piece", fails_on_the_third)

    with pytest.raises(MemoryError):  # raised again in the worker, so Celery records it too
        run_import_job(job_id=job.pk)

    job.refresh_from_db()
    assert job.status == ImportJob.Status.FAILED
    assert job.message == "导入过程中出错,未写入任何数据。可以重试;仍然出错请联系系统管理员。"
    assert Household.objects.count() == 0
    assert reader_threads() == []


def test_no_reader_thread_outlives_an_import_that_stops_early(tmp_path, users, county_tree, small_pieces):
    no_header = write_roster(tmp_path / "h.xlsx", [{"x": 1}] * 50, headers=["甲", "乙", "丙"])
    missing_column, _ = roster_of(tmp_path, 60, headers=["县", "乡", "行政村", "户编号", "姓名", "证件号码"])

    for path in (no_header, missing_column):
        result = import_roster(path=path, user=users.fupin, dry_run=True, year=2012)
        assert not result.ok
        assert reader_threads() == []


def test_closing_the_feed_stops_a_reader_waiting_on_a_full_queue():
    produced = []

    def endless():
        while True:
            produced.append(1)
            yield (len(produced), 0, [["x"]])

    feed = PieceFeed(endless(), depth=1)
    first = next(iter(feed))

    feed.close()

    assert first == (1, 0, [["x"]])
    assert reader_threads() == []
    assert len(produced) <= 4  # bounded: the reader waited for the queue instead of running ahead
