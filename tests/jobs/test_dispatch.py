"""jobs.dispatch: a new job and a retry reach their task after the commit; with the queue down, the row
is put back as it was and the view's QueueUnavailable says so."""

from __future__ import annotations

import pytest
from celery import shared_task

from config.queue import QueueUnavailable
from jobs import dispatch
from jobs.models import Status
from reports.models import Report
from tests.hardening.test_faults import redis_down  # noqa: F401  (the broker on a closed port)

pytestmark = pytest.mark.django_db


@shared_task
def finish_report(report_id: int) -> None:
    """A worker's side in miniature: claim the row, report, finish."""
    report = Report.claim(report_id)
    if report is not None:
        report.step(50)
        report.finish("完成", rows=1)


def test_submit_names_the_task_on_the_row_and_publishes_after_the_commit(
    report, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        dispatch.submit(report, finish_report, undo=report.delete)
        stored = Report.objects.get(pk=report.pk)
        assert stored.task_id == report.task_id and len(report.task_id) == 36
        assert stored.status == Status.QUEUED  # nothing ran before the commit

    assert len(callbacks) == 1
    report.refresh_from_db()
    assert (report.status, report.rows, report.attempts) == (Status.DONE, 1, 1)


def test_retry_puts_a_failed_job_back_in_the_queue_with_a_new_task_id(
    report, django_capture_on_commit_callbacks
):
    Report.objects.filter(pk=report.pk).update(
        status=Status.FAILED, message="出错", attempts=1, task_id="old"
    )

    with django_capture_on_commit_callbacks(execute=True):
        assert dispatch.retry(report, finish_report)

    report.refresh_from_db()
    assert (report.status, report.attempts, report.message) == (Status.DONE, 2, "完成")
    assert report.task_id not in ("", "old")


@pytest.mark.parametrize("status", [Status.QUEUED, Status.RUNNING, Status.DONE])
def test_retry_refuses_a_job_that_has_not_failed(report, status, django_capture_on_commit_callbacks):
    Report.objects.filter(pk=report.pk).update(status=status, task_id="old")

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        assert not dispatch.retry(report, finish_report)

    assert callbacks == []
    stored = Report.objects.get(pk=report.pk)
    assert (stored.status, stored.task_id) == (status, "old")


def test_retry_may_allow_other_states_and_change_fields_with_it(
    import_job, django_capture_on_commit_callbacks
):
    type(import_job).objects.filter(pk=import_job.pk).update(status=Status.DONE)

    with django_capture_on_commit_callbacks(execute=False):
        queued = dispatch.retry(
            import_job, finish_report, allowed=lambda job: job.status == Status.DONE, phase="import"
        )

    stored = type(import_job).objects.get(pk=import_job.pk)
    assert queued and (stored.status, stored.phase) == (Status.QUEUED, "import")
    assert (import_job.status, import_job.phase) == (Status.QUEUED, "import")  # the caller's object follows


def test_retry_with_the_queue_down_puts_the_row_back_as_it_was(
    redis_down,  # noqa: F811
    report,
    django_capture_on_commit_callbacks,
):
    Report.objects.filter(pk=report.pk).update(
        status=Status.FAILED, message="生成中断", progress=40, task_id="old"
    )

    with pytest.raises(QueueUnavailable), django_capture_on_commit_callbacks(execute=True):
        dispatch.retry(report, finish_report)

    stored = Report.objects.get(pk=report.pk)
    assert (stored.status, stored.message, stored.progress, stored.task_id) == (
        Status.FAILED, "生成中断", 40, "old",
    )  # fmt: skip


def test_a_new_job_with_the_queue_down_is_taken_back(
    redis_down,  # noqa: F811
    report,
    django_capture_on_commit_callbacks,
):
    with pytest.raises(QueueUnavailable), django_capture_on_commit_callbacks(execute=True):
        dispatch.submit(report, finish_report, undo=Report.objects.filter(pk=report.pk).delete)

    assert not Report.objects.filter(pk=report.pk).exists()
