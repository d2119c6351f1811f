"""Hostile spreadsheets against every reader of uploaded sheets (villages.guard): the 花名册 import job,
the quota sheet and the indicator sheet. Each one: a clear Chinese message, nothing written, the import
job ends failed with the reason, and the memory of the process that reads it stays bounded (measured in
a child process, peak RSS from getrusage)."""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.core.files import File
from django.core.files.uploadedfile import SimpleUploadedFile

from households.importer import import_roster, run_import_job
from households.models import Household, ImportJob, Member
from identification.models import Quota
from identification.quota_import import import_quotas
from tests.hardening import hostile
from tests.households.import_helpers import HEADERS, family, write_roster
from villages import guard
from villages.indicators import import_indicators

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]

# name → (builder, words the refusal must contain)
HOSTILE = {
    "far_cell_XFD1048576": (hostile.far_cell, "超过上限"),
    "zero_bytes": (lambda p: (p.write_bytes(b""), p)[1], "空的"),
    "not_a_spreadsheet": (lambda p: (p.write_bytes(os.urandom(4096)), p)[1], "另存为"),
    "text_renamed_xlsx": (lambda p: (p.write_text("户编号,姓名\n1,张三\n", encoding="gbk"), p)[1], "另存为"),
    "old_xls": (hostile.old_xls, ".xls"),
    "password_protected": (hostile.encrypted, "密码"),
    "formula_cells": (hostile.formula_cells, "公式"),
    "one_megabyte_cell": (hostile.long_cell, "32767"),
    "zip_bomb_declared": (lambda p: hostile.zip_bomb(p, megabytes=64), "压缩炸弹"),
    "zip_bomb_lying_directory": (lambda p: hostile.lying_bomb(p, megabytes=32), "损坏"),
    "broken_zip": (lambda p: (p.write_bytes(b"PK\x03\x04" + os.urandom(2000)), p)[1], "损坏"),
}
# The roster is allowed far more than the area sheets; these are over even its caps.
ROSTER_ONLY = {"zip_bomb_declared": (lambda p: hostile.zip_bomb(p, megabytes=1600), "压缩炸弹")}


def build(tmp_path: Path, name: str, *, roster: bool = False) -> tuple[Path, str]:
    builder, words = (ROSTER_ONLY if roster and name in ROSTER_ONLY else HOSTILE)[name]
    return builder(tmp_path / f"{name}.xlsx"), words


def _message_has(message: str, words: str) -> bool:
    return words.replace("32767", "32,767") in message or words in message


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_guard_refuses_before_loading(tmp_path, name):
    path, words = build(tmp_path, name)
    started = time.monotonic()
    with pytest.raises(guard.SheetRefused) as refused:
        guard.open_workbook(path, limits=guard.AREA_SHEET)
    assert _message_has(refused.value.message, words), refused.value.message
    assert time.monotonic() - started < 5


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_roster_import_job_fails_with_the_reason_and_writes_nothing(
    tmp_path, users, county_tree, name, settings
):
    settings.MEDIA_ROOT = tmp_path / "media"
    path, words = build(tmp_path, name, roster=True)
    with path.open("rb") as handle:
        job = ImportJob.objects.create(
            user=users.fupin, file=File(handle, name=path.name), original_name=path.name, year=2012
        )
    run_import_job(job_id=job.pk)
    job.refresh_from_db()
    assert job.status == ImportJob.Status.FAILED
    assert _message_has(job.message, words), job.message
    assert job.error_count == 1 and not job.can_confirm
    assert not Household.objects.exists() and not Member.objects.exists()


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_quota_and_indicator_imports_refuse_and_write_nothing(tmp_path, users, county_tree, round_2012, name):
    path, words = build(tmp_path, name)
    upload = SimpleUploadedFile(path.name, path.read_bytes())
    quotas = import_quotas(round=round_2012, actor=users.fupin, file=upload)
    indicators = import_indicators(actor=users.fupin, file=upload)
    for result in (quotas, indicators):
        assert not result.ok and _message_has(result.errors[0].reason, words), result.errors[0].reason
    assert not Quota.objects.exists()
    county_tree.danfeng.refresh_from_db()
    assert county_tree.danfeng.rural_population == 118696


def test_an_upload_bigger_than_the_cap_is_refused_by_its_declared_size(users, county_tree, round_2012):
    upload = SimpleUploadedFile("big.xlsx", b"PK\x03\x04")
    upload.size = guard.AREA_SHEET.max_bytes + 1  # what Django knows before anything is read
    result = import_quotas(round=round_2012, actor=users.fupin, file=upload)
    assert "MB 上限" in result.errors[0].reason


def test_200000_empty_formatted_rows_cost_nothing(tmp_path):
    path = hostile.empty_formatted_rows(tmp_path / "formatted.xlsx")
    started = time.monotonic()
    sheet = guard.open_workbook(path, limits=guard.AREA_SHEET).first()
    assert sheet.height == 2
    assert list(sheet.iter_rows())[1][:2] == ["530323101201001001", "张三"]
    assert time.monotonic() - started < 10


def test_real_rows_past_the_cap_are_refused(tmp_path):
    rows = "".join(f'<row r="{i}">{hostile.text_cell(f"A{i}", "x")}</row>' for i in range(1, 10_003))
    path = hostile.xlsx(tmp_path / "long.xlsx", rows)
    with pytest.raises(guard.SheetRefused, match="10,000"):
        guard.open_workbook(path, limits=guard.AREA_SHEET)


def test_cells_without_references_are_counted_too(tmp_path):
    """Writers may leave out r="A1": cells then follow each other, and 41 of them are 41 columns."""
    path = hostile.xlsx(
        tmp_path / "wide.xlsx", "<row>" + '<c t="inlineStr"><is><t>x</t></is></c>' * 41 + "</row>"
    )
    with pytest.raises(guard.SheetRefused, match="40 列"):
        guard.open_workbook(path, limits=guard.AREA_SHEET)


# ------------------------------------------------------------------------------------------- CSV


@pytest.mark.parametrize("encoding", ["gbk", "utf-8-sig", "utf-8"])
def test_csv_in_gbk_or_utf8_previews_like_the_same_xlsx(tmp_path, users, county_tree, encoding):
    rows = [*family("530323101201001001", 1), *family("530323101201001002", 3, size=3)]
    xlsx_result = import_roster(
        path=write_roster(tmp_path / "r.xlsx", rows, title=False), user=users.fupin, dry_run=True, year=2012
    )
    csv_path = tmp_path / "r.csv"
    lines = [",".join(HEADERS)] + [",".join(str(row.get(h, "")) for h in HEADERS) for row in rows]
    csv_path.write_bytes("\r\n".join(lines).encode(encoding))
    csv_result = import_roster(path=csv_path, user=users.fupin, dry_run=True, year=2012)
    assert csv_result.ok, [e.as_dict() for e in csv_result.errors]
    assert csv_result.counts == xlsx_result.counts
    assert csv_result.counts["households_created"] == 2 and csv_result.counts["members_created"] == 5


def test_csv_person_twice_in_the_file_is_refused(tmp_path, users, county_tree):
    rows = [*family("530323101201001001", 1), *family("530323101201001002", 1)]  # same people twice
    csv_path = tmp_path / "dup.csv"
    lines = [",".join(HEADERS)] + [",".join(str(row.get(h, "")) for h in HEADERS) for row in rows]
    csv_path.write_bytes("\n".join(lines).encode("gbk"))
    result = import_roster(path=csv_path, user=users.fupin, dry_run=False, year=2012)
    assert not result.ok and any("证件号码" in e.column for e in result.errors)
    assert not Household.objects.exists()


def test_csv_with_a_huge_field_is_refused(tmp_path):
    path = tmp_path / "huge.csv"
    path.write_text("户编号,姓名\n1," + "名" * 200_000 + "\n", encoding="utf-8")
    with pytest.raises(guard.SheetRefused, match="32,767"):
        guard.open_workbook(path, limits=guard.ROSTER)


# ------------------------------------------------------------------------------------- memory

PROBE = """
import json, sys
import django
django.setup()
from households.importer import open_sheet

def high_water_mb():
    for line in open("/proc/self/status"):
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024

# Reset the peak (Linux: clear_refs 5), so the figure is the reading alone, not Django's start-up.
open("/proc/self/clear_refs", "w").write("5")
before = high_water_mb()
sheet, errors = open_sheet(sys.argv[1])
rows = sum(1 for _ in sheet.rows) if sheet else 0
print(json.dumps({"reason": errors[0].reason if errors else "", "rows": rows,
                  "peak_mb": high_water_mb(), "rise_mb": high_water_mb() - before}))
"""


def _peak(path: Path) -> dict:
    """Open the file as the import does, in a child process, and report its peak RSS."""
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.test"}
    done = subprocess.run(
        [sys.executable, "-c", PROBE, str(path)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-2000:]  # an abort (the defect) is a non-zero exit
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_peak_memory_stays_bounded_on_the_far_cell_and_the_zip_bombs(tmp_path, capsys):
    baseline = _peak(write_roster(tmp_path / "ok.xlsx", family("530323101201001001", 1)))
    assert not baseline["reason"] and baseline["rows"] == 2
    far = hostile.far_cell(tmp_path / "far.xlsx")
    bomb = hostile.zip_bomb(tmp_path / "bomb.xlsx", megabytes=1600)
    lying = hostile.lying_bomb(tmp_path / "lying.xlsx", megabytes=32)
    figures = {}
    for name, path in (("far", far), ("bomb", bomb), ("lying", lying)):
        figures[name] = _peak(path)
        assert figures[name]["reason"], name  # refused, and the process lived to say so
        # Refusing a file costs no more than reading a one-household roster, give or take 20 MB.
        assert figures[name]["rise_mb"] < baseline["rise_mb"] + 20, (name, figures, baseline)
    with capsys.disabled():
        sizes = {n: p.stat().st_size for n, p in (("far", far), ("bomb", bomb), ("lying", lying))}
        print(
            f"\n[hardening] RSS rise while opening (MB): one-household roster {baseline['rise_mb']:.1f}; "
            + "; ".join(f"{n} ({sizes[n] // 1024} KB) {figures[n]['rise_mb']:.1f}" for n in sizes)
        )


def test_without_the_guard_the_far_cell_aborts_the_reader(tmp_path):
    """The control: the same file given straight to calamine kills the process (SIGABRT), which no
    try/except can catch — so the file is the real attack, and the guard is what stops it. Run under a
    1 GB address-space limit so the attempt fails fast instead of eating the machine."""
    far = hostile.far_cell(tmp_path / "far.xlsx")

    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (1 << 30, 1 << 30))

    code = f"import python_calamine as c; c.CalamineWorkbook.from_path({str(far)!r}).get_sheet_by_index(0)"
    done = subprocess.run([sys.executable, "-c", code], preexec_fn=limit, capture_output=True, timeout=120)
    assert done.returncode != 0


def test_an_area_sheet_at_the_cap_reads_in_the_request_in_about_a_second(tmp_path, capsys):
    """10,000 rows × 20 columns, the most a quota or indicator sheet may hold: read fast enough to keep
    these imports in the request (villages.guard.AREA_SHEET)."""
    from openpyxl import Workbook

    from villages import sheets

    book = Workbook()
    sheet = book.active
    sheet.append(["区划代码", "名称", "规模控制人数", *(f"备注{i}" for i in range(17))])
    for i in range(guard.AREA_SHEET.max_rows - 1):
        sheet.append([f"530323101{i:06d}", f"村{i}", i, *(["备注文字"] * 17)])
    path = tmp_path / "cap.xlsx"
    book.save(path)
    upload = SimpleUploadedFile("cap.xlsx", path.read_bytes())
    started = time.monotonic()
    rows, header = sheets.read_table(
        upload, {"区划代码": "code", "规模控制人数": "persons"}, {"code", "persons"}
    )
    elapsed = time.monotonic() - started
    assert header is not None and len(rows) == guard.AREA_SHEET.max_rows
    assert elapsed < 20, elapsed  # ≈ 0.4 s on an idle machine; generous for a loaded CI box
    with capsys.disabled():
        print(
            f"\n[hardening] area sheet at the cap (10,000 × 20, {path.stat().st_size >> 10} KB) read in {elapsed:.2f} s"
        )


def test_an_empty_row_does_not_hide_the_row_after_it(tmp_path):
    """<row r="1"/> before a real row must not swallow it: the far cell is still found."""
    rows = (
        hostile.header_row()
        + '<row r="2"/>'
        + f'<row r="1048576">{hostile.text_cell("XFD1048576", "x")}</row>'
    )
    with pytest.raises(guard.SheetRefused, match="超过上限"):
        guard.open_workbook(hostile.xlsx(tmp_path / "hide.xlsx", rows), limits=guard.ROSTER)


def test_namespace_prefixed_sheet_xml_is_measured_too(tmp_path):
    cell = '<x:c r="XFD1048576" t="inlineStr"><x:is><x:t>x</x:t></x:is></x:c>'
    rows = f'<x:row r="1">{hostile.text_cell("A1", "户编号")}</x:row><x:row r="1048576">{cell}</x:row>'
    with pytest.raises(guard.SheetRefused, match="超过上限"):
        guard.open_workbook(hostile.xlsx(tmp_path / "prefixed.xlsx", rows), limits=guard.ROSTER)


def test_an_unclosed_last_row_is_measured(tmp_path):
    rows = hostile.header_row() + f'<row r="1048576">{hostile.text_cell("XFD1048576", "x")}'
    with pytest.raises(guard.SheetRefused):
        guard.open_workbook(hostile.xlsx(tmp_path / "unclosed.xlsx", rows), limits=guard.ROSTER)


def test_200000_rows_of_formatted_empty_cells_pass_the_exact_count(tmp_path):
    """Formatting a range writes styled empty cells (<c r="A5" s="1"/>): the quick bound counts those
    rows, goes over the area sheet's cap, and the exact pass finds only the two rows with values."""
    blank = "".join(f'<row r="{i}"><c r="A{i}" s="1"/><c r="B{i}" s="1"/></row>' for i in range(3, 200_003))
    data = (
        f'<row r="2">{hostile.text_cell("A2", "530323101201001001")}{hostile.text_cell("B2", "张三")}</row>'
    )
    path = hostile.xlsx(tmp_path / "styled.xlsx", hostile.header_row() + data + blank)
    sheet = guard.open_workbook(path, limits=guard.AREA_SHEET).first()
    assert sheet.height == 2


def test_the_job_page_shows_the_failure_and_its_reason(
    client, users, county_tree, tmp_path, settings, django_capture_on_commit_callbacks
):
    """Through the browser flow: upload → the preview task refuses the file → the page says 失败 and why
    (never 进行中 0% forever)."""
    from django.urls import reverse

    settings.MEDIA_ROOT = tmp_path / "media"
    path = hostile.far_cell(tmp_path / "far.xlsx")
    client.force_login(users.fupin)
    with django_capture_on_commit_callbacks(execute=True), path.open("rb") as handle:
        response = client.post(reverse("households:import_upload"), {"file": handle, "year": 2012})
    job = ImportJob.objects.get()
    assert response.status_code == 302 and job.status == ImportJob.Status.FAILED
    page = client.get(reverse("households:import_job", args=[job.pk])).content.decode()
    assert "失败" in page and "超过上限" in page


def test_a_cell_placed_by_its_own_reference_is_measured(tmp_path):
    """calamine puts <c r="B1048576"> at row 1,048,576 even inside <row r="2">: the guard measures the
    cells' references, not the rows' numbers."""
    rows = hostile.header_row() + f'<row r="2">{hostile.text_cell("B1048576", "x")}</row>'
    with pytest.raises(guard.SheetRefused, match="1,048,576"):
        guard.open_workbook(hostile.xlsx(tmp_path / "misplaced.xlsx", rows), limits=guard.ROSTER)


def test_cells_without_references_far_down_are_measured(tmp_path):
    rows = hostile.header_row() + '<row r="1048576"><c t="inlineStr"><is><t>x</t></is></c></row>'
    with pytest.raises(guard.SheetRefused, match="1,048,576"):
        guard.open_workbook(hostile.xlsx(tmp_path / "norefs.xlsx", rows), limits=guard.ROSTER)


def test_a_declared_dimension_alone_is_not_trusted_either_way(tmp_path):
    """<dimension ref="A1:XFD1048576"> over three cells: calamine sizes its range by the cells, so the
    guard does too — the file is read (3 cells), not refused for what it merely declares."""
    path = hostile.xlsx(tmp_path / "declared.xlsx", hostile.header_row(), dimension="A1:XFD1048576")
    sheet = guard.open_workbook(path, limits=guard.AREA_SHEET).first()
    assert (sheet.height, sheet.width) == (1, 3)


def test_an_upload_declared_too_big_is_refused_before_the_body_is_read(client, users, county_tree, settings):
    """Content-Length over the cap: a Chinese 413 at once (config.uploads), no job, nothing stored."""
    from django.urls import reverse

    assert guard.ROSTER.max_bytes <= settings.UPLOAD_MAX_BYTES
    client.force_login(users.fupin)
    response = client.post(
        reverse("households:import_upload"),
        {"file": SimpleUploadedFile("r.xlsx", b"PK\x03\x04"), "year": 2012},
        CONTENT_LENGTH=str(200 << 20),  # what the browser declares; the body itself never gets read
    )
    assert response.status_code == 413
    assert "上传的文件过大" in response.content.decode() and "101 MB" in response.content.decode()
    assert not ImportJob.objects.exists()
