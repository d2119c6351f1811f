"""The life of one job row (jobs.models.Job) on the real database: claim, step, finish, fail, requeue."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from jobs.models import Status
from reports.models import Report

pytestmark = pytest.mark.django_db


def row(job):
    return type(job).objects.get(pk=job.pk)


def test_claim_starts_a_queued_job_and_counts_the_attempt(report):
    claimed = Report.claim(report.pk)

    stored = row(report)
    assert claimed.pk == report.pk and claimed.attempts == 1
    assert (stored.status, stored.attempts, stored.progress) == (Status.RUNNING, 1, 0)
    assert stored.started_at == stored.heartbeat_at and stored.finished_at is None


@pytest.mark.parametrize("status", [Status.DONE, Status.FAILED])
def test_claim_leaves_a_finished_job_alone(report, status):
    Report.objects.filter(pk=report.pk).update(status=status, attempts=1)

    assert Report.claim(report.pk) is None
    assert (row(report).status, row(report).attempts) == (status, 1)


def test_claim_leaves_a_job_with_a_live_worker_alone_but_takes_over_a_silent_one(report):
    Report.objects.filter(pk=report.pk).update(status=Status.RUNNING, attempts=1, heartbeat_at=timezone.now())
    assert Report.claim(report.pk) is None  # a redelivered message while the first worker is at it

    silent = timezone.now() - Report.STALE_AFTER - datetime.timedelta(seconds=1)
    Report.objects.filter(pk=report.pk).update(heartbeat_at=silent)
    assert Report.claim(report.pk).attempts == 2


def test_an_acks_late_kind_resumes_a_running_row_at_once(decomposition):
    """Its message comes back only when its worker is gone, so the running row was interrupted."""
    type(decomposition).objects.filter(pk=decomposition.pk).update(
        status=Status.RUNNING, attempts=1, heartbeat_at=timezone.now()
    )

    assert type(decomposition).claim(decomposition.pk).attempts == 2


def test_claim_of_a_missing_row_is_none(report):
    assert Report.claim(report.pk + 1000) is None


def test_step_writes_progress_and_heartbeat_and_keeps_within_0_and_100(report):
    job = Report.claim(report.pk)
    before = row(report).heartbeat_at

    job.step(140, "第 3 个村")
    stored = row(report)
    assert (stored.progress, stored.message) == (100, "第 3 个村") and stored.heartbeat_at > before
    job.step(-5)
    assert (row(report).progress, row(report).message) == (0, "第 3 个村")  # no message: kept


def test_step_does_not_overwrite_what_others_changed(report):
    """One UPDATE of progress and heartbeat: a field the page changed meanwhile stays."""
    job = Report.claim(report.pk)
    Report.objects.filter(pk=report.pk).update(rows=7)

    job.step(50)

    assert (row(report).rows, row(report).progress) == (7, 50)


def test_finish_writes_the_kinds_results_in_the_same_update(report):
    job = Report.claim(report.pk)

    job.finish("好了", rows=12, filename="村有册.xlsx")

    stored = row(report)
    assert (stored.status, stored.progress, stored.message) == (Status.DONE, 100, "好了")
    assert (stored.rows, stored.filename) == (12, "村有册.xlsx")
    assert stored.finished_at and stored.is_finished and stored.duration >= datetime.timedelta(0)


def test_fail_keeps_the_message_within_its_column(report):
    job = Report.claim(report.pk)

    job.fail("错" * 600)

    stored = row(report)
    assert stored.status == Status.FAILED and stored.message == "错" * 500 and stored.finished_at


def test_a_failure_of_an_older_attempt_does_not_touch_the_retry(report):
    first = Report.claim(report.pk)
    Report.objects.filter(pk=report.pk).update(status=Status.QUEUED)
    second = Report.claim(report.pk)

    first.fail("旧的尝试出错", current_only=True)

    stored = row(report)
    assert (second.attempts, stored.status, stored.message) == (2, Status.RUNNING, "")


def test_requeue_clears_the_outcome_and_writes_the_changes_with_it(import_job):
    job = type(import_job).claim(import_job.pk)
    job.fail("出错")

    job.requeue(phase="import")

    stored = row(import_job)
    assert (stored.status, stored.progress, stored.message, stored.phase) == (Status.QUEUED, 0, "", "import")
    assert stored.finished_at is None and stored.attempts == 1


def test_fail_if_stale_fails_a_silent_running_row_only(report):
    job = Report.claim(report.pk)
    assert not job.fail_if_stale()
    assert row(report).status == Status.RUNNING

    later = timezone.now() + Report.STALE_AFTER + datetime.timedelta(seconds=1)
    assert job.fail_if_stale(later)
    assert (row(report).status, row(report).message) == (Status.FAILED, Report.STALE_MESSAGE)
    assert job.status == Status.FAILED and not job.fail_if_stale(later)  # once


def test_each_kind_names_its_states_in_its_own_words(report, decomposition, import_job):
    Report.objects.filter(pk=report.pk).update(status=Status.RUNNING)
    type(decomposition).objects.filter(pk=decomposition.pk).update(status=Status.FAILED)

    assert row(report).status_label == "生成中"
    assert row(decomposition).status_label == "未通过"
    assert row(import_job).status_label == "排队中"  # the base's words where the kind has none
