"""The import job through a real Celery worker and Redis (skipped without REDIS_URL, failed in CI)."""

from __future__ import annotations

import time

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from households.models import Household, ImportJob
from tests.households.import_helpers import H1, family, write_roster


def wait_for(job: ImportJob, phase: str, timeout: float = 60) -> ImportJob:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job.refresh_from_db()
        if job.phase == phase and job.is_finished:
            return job
        time.sleep(0.2)
    raise AssertionError(f"导入任务未在 {timeout} 秒内完成:{job.phase} {job.status}")


def test_upload_and_confirm_run_on_the_worker(celery_worker, client, users, county_tree, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    client.force_login(users.fupin)
    path = write_roster(tmp_path / "r.xlsx", family(H1, 1, 2))

    client.post(
        reverse("households:import_upload"),
        {"file": SimpleUploadedFile("r.xlsx", path.read_bytes()), "year": 2012},
    )
    job = wait_for(ImportJob.objects.get(), "preview")
    assert (job.status, job.progress, job.counts["members_created"]) == ("done", 100, 2)

    client.post(reverse("households:import_confirm", args=[job.pk]))
    job = wait_for(job, "import")
    assert job.status == "done"
    assert Household.objects.get().members.count() == 2
