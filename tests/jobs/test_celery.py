"""The sweeper on a real Celery worker over the real Redis broker (beat sends exactly this task)."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.utils import timezone

from households.models import ImportJob
from jobs.models import Status
from jobs.tasks import fail_stale


def test_beat_runs_one_sweeper_for_every_kind():
    tasks = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert "jobs.tasks.fail_stale" in tasks
    assert not {t for t in tasks if "fail_stale_" in t}  # the per-kind sweepers are gone


def test_the_sweeper_fails_a_dead_import_through_the_real_broker(celery_worker, users):
    job = ImportJob.objects.create(
        user=users.fupin,
        file="imports/x.xlsx",
        original_name="x.xlsx",
        year=2012,
        phase=ImportJob.Phase.IMPORT,
    )
    long_ago = timezone.now() - ImportJob.STALE_AFTER - datetime.timedelta(minutes=1)
    ImportJob.objects.filter(pk=job.pk).update(
        status=Status.RUNNING, started_at=long_ago, heartbeat_at=long_ago
    )

    result = fail_stale.delay()

    assert result.get(timeout=30) == 1
    assert result.backend.__class__.__name__ == "RedisBackend"
    job.refresh_from_db()
    assert (job.status, job.message) == (
        Status.FAILED,
        ImportJob.STALE_MESSAGE,
    ) and job.can_confirm  # 确认导入 again
