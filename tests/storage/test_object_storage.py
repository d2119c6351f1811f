"""Uploads and exports on an S3-compatible bucket (moto's server, tests/storage/conftest.py).

Web and workers of a county may run on several machines: nothing of a stored file may live only on one
machine's disk, and every download still goes through the app's scoped view (never a bucket URL).
"""

from __future__ import annotations

import io
import random
import time
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from households.demo import create_demo_households
from households.models import Household, ImportJob
from reports import exports, services
from reports.models import Kind, Report, Status
from tests.households.import_helpers import H1, H2, family, person, write_roster

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _files_on_disk(root) -> list[str]:
    return [str(p) for p in root.rglob("*") if p.is_file()] if root.exists() else []


@pytest.fixture
def registry(county_tree):
    return create_demo_households(random.Random(7), 60)


@pytest.fixture
def run(django_capture_on_commit_callbacks):
    def run(user, kind, area) -> Report:
        with django_capture_on_commit_callbacks(execute=True):
            report = services.request_report(user=user, kind=kind, area=area)
        report.refresh_from_db()
        return report

    return run


@pytest.mark.django_db
def test_an_export_is_written_to_the_bucket_and_downloaded_only_through_the_scoped_view(
    bucket, run, client, users, county_tree, registry, settings
):
    report = run(users.alice, Kind.VILLAGE_REGISTER, county_tree.shanlong)
    assert report.status == Status.DONE, report.message
    assert bucket.keys("reports/") == [report.file.name]
    assert _files_on_disk(settings.MEDIA_ROOT) == []  # nothing left on this machine's disk

    client.force_login(users.alice)
    download = client.get(reverse("reports:download", args=[report.pk]))
    assert download.status_code == 200 and "Location" not in download  # streamed, not sent to the bucket
    assert b"".join(download.streaming_content) == bucket.read(report.file.name)

    client.force_login(users.bob)  # the neighbouring village's cadre
    assert client.get(reverse("reports:download", args=[report.pk])).status_code == 404


@pytest.mark.django_db
def test_the_county_archive_parts_meet_in_the_bucket_and_go_after_the_join(
    bucket, run, users, county_tree, registry, settings, monkeypatch
):
    seen_before_join = []
    real_join = exports.join_parts

    def join_after_looking(report_id: int, attempt: int) -> None:
        seen_before_join.extend(bucket.keys("reports/parts/"))
        real_join(report_id, attempt)

    monkeypatch.setattr(exports, "join_parts", join_after_looking)
    report = run(users.fupin, Kind.COUNTY_ARCHIVE, county_tree.county)

    assert report.status == Status.DONE, report.message
    # Each part was stored (a part may be written on another machine than the join), with its row count.
    assert len(seen_before_join) == 6
    assert all(key.startswith(f"reports/parts/{report.pk}-1/part-") for key in seen_before_join)
    assert bucket.keys("reports/parts/") == []  # joined, then removed
    archive = zipfile.ZipFile(io.BytesIO(bucket.read(report.file.name)))
    assert sorted(archive.namelist()) == sorted(
        ["乡有簿/丹凤镇.xlsx", "乡有簿/雄壁镇.xlsx", "村有册.xlsx", "花名册.xlsx", "行政村登记表.xlsx",
         "村民小组登记表.xlsx"]
    )  # fmt: skip
    assert all(archive.read(name).startswith(b"PK") for name in archive.namelist())  # whole xlsx files
    assert report.rows == sum(int(key.rsplit("-", 1)[1]) for key in seen_before_join)
    assert _files_on_disk(settings.MEDIA_ROOT) == []


@pytest.mark.django_db
def test_deleting_a_report_deletes_its_object(bucket, run, client, users, county_tree, registry):
    report = run(users.alice, Kind.VILLAGE_REGISTER, county_tree.shanlong)
    assert bucket.keys("reports/") == [report.file.name]

    client.force_login(users.alice)
    client.post(reverse("reports:delete", args=[report.pk]))

    assert not Report.objects.filter(pk=report.pk).exists()
    assert bucket.keys("reports/") == []


@pytest.mark.django_db
def test_expired_reports_leave_the_bucket(bucket, run, users, county_tree, registry):
    report = run(users.alice, Kind.VILLAGE_REGISTER, county_tree.shanlong)
    Report.objects.filter(pk=report.pk).update(expires_at=report.finished_at)

    assert exports.delete_expired() == 1
    assert bucket.keys() == []


def _wait_for(job: ImportJob, phase: str, timeout: float = 90) -> ImportJob:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job.refresh_from_db()
        if job.phase == phase and job.is_finished:
            return job
        time.sleep(0.2)
    raise AssertionError(f"导入任务未在 {timeout} 秒内完成:{job.phase} {job.status}")


def test_an_uploaded_roster_is_read_by_the_worker_from_the_bucket(
    bucket, celery_worker, client, users, county_tree, tmp_path, settings
):
    client.force_login(users.fupin)
    path = write_roster(tmp_path / "r.xlsx", family(H1, 1, 2))

    client.post(
        reverse("households:import_upload"),
        {"file": SimpleUploadedFile("r.xlsx", path.read_bytes(), content_type=XLSX), "year": 2012},
    )
    job = _wait_for(ImportJob.objects.get(), "preview")

    assert (job.status, job.counts["members_created"]) == ("done", 2), job.message
    assert bucket.keys("imports/") == [job.file.name]
    assert bucket.read(job.file.name) == path.read_bytes()
    client.post(reverse("households:import_confirm", args=[job.pk]))
    job = _wait_for(job, "import")
    assert job.status == "done" and Household.objects.get().members.count() == 2
    assert _files_on_disk(settings.MEDIA_ROOT) == []


@pytest.mark.django_db
def test_the_marked_error_file_is_stored_and_served_through_the_view(
    bucket, client, users, county_tree, tmp_path, django_capture_on_commit_callbacks
):
    client.force_login(users.fupin)
    path = write_roster(tmp_path / "r.xlsx", [*family(H1, 1, 2), person(H2, 20, persons=1, 自然村="无此组")])
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("households:import_upload"),
            {"file": SimpleUploadedFile("r.xlsx", path.read_bytes(), content_type=XLSX), "year": 2012},
        )
    job = ImportJob.objects.get()
    assert job.error_count == 1 and job.error_file.name == f"imports/errors/job-{job.pk}.xlsx"
    assert job.error_file.name in bucket.keys("imports/errors/")

    download = client.get(reverse("households:import_error_file", args=[job.pk]))
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == bucket.read(job.error_file.name)
    client.force_login(users.alice)  # another user's import job is not theirs to open
    assert client.get(reverse("households:import_error_file", args=[job.pk])).status_code == 404


@pytest.mark.django_db
def test_deleting_an_interrupted_archive_removes_the_parts_it_left(bucket, users, county_tree, registry):
    report = Report.objects.create(kind=Kind.COUNTY_ARCHIVE, area=county_tree.county, user=users.fupin)
    Report.objects.filter(pk=report.pk).update(status=Status.RUNNING, attempts=1)
    report.refresh_from_db()
    exports.write_part(report.pk, 1, 0)  # one part written, then the worker died before the join
    assert len(bucket.keys(f"reports/parts/{report.pk}-1/")) == 1

    exports.delete(report)

    assert bucket.keys() == []
