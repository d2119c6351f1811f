"""jobs.stale.fail_stale: one sweeper over every kind of job, each with its own patience and message."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from households.models import ImportJob
from identification.models import Decomposition
from jobs.models import Status
from jobs.stale import fail_stale, job_models
from reports.models import Report

pytestmark = pytest.mark.django_db


def test_every_kind_of_job_is_swept():
    assert {ImportJob, Report, Decomposition} <= set(job_models())


def silence(job, *, minutes: int, heartbeat: bool = True) -> None:
    then = timezone.now() - datetime.timedelta(minutes=minutes)
    type(job).objects.filter(pk=job.pk).update(
        status=Status.RUNNING, started_at=then, heartbeat_at=then if heartbeat else None
    )


def test_silent_running_jobs_of_every_kind_fail_with_their_own_message(report, import_job, decomposition):
    for job in (report, import_job, decomposition):
        silence(job, minutes=11)

    assert fail_stale() == 3

    for job in (report, import_job, decomposition):
        job.refresh_from_db()
        assert (job.status, job.message) == (Status.FAILED, type(job).STALE_MESSAGE) and job.finished_at
    assert (
        "确认导入" in import_job.message and "重试" in report.message and "重新测算" in decomposition.message
    )


def test_a_job_with_a_recent_heartbeat_or_not_running_is_left_alone(report, import_job, decomposition):
    silence(report, minutes=9)
    type(import_job).objects.filter(pk=import_job.pk).update(
        status=Status.QUEUED, started_at=timezone.now() - datetime.timedelta(hours=1)
    )
    silence(decomposition, minutes=60)
    Decomposition.objects.filter(pk=decomposition.pk).update(status=Status.DONE)

    assert fail_stale() == 0
    assert [type(j).objects.get(pk=j.pk).status for j in (report, import_job, decomposition)] == [
        Status.RUNNING, Status.QUEUED, Status.DONE,
    ]  # fmt: skip


def test_a_job_that_never_sent_a_heartbeat_is_judged_by_its_start(report):
    silence(report, minutes=11, heartbeat=False)

    assert fail_stale(models=[Report]) == 1


def test_a_kind_waits_its_own_stale_after(report, monkeypatch):
    monkeypatch.setattr(Report, "STALE_AFTER", datetime.timedelta(hours=1))
    silence(report, minutes=30)

    assert fail_stale() == 0
    assert fail_stale(now=timezone.now() + datetime.timedelta(minutes=31)) == 1
