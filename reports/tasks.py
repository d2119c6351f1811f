"""Celery tasks of the reports app: thin wrappers that take ids and call reports.exports."""

from __future__ import annotations

from celery import shared_task

from reports import exports, standing


# No acks_late: a worker killed mid-export loses the message; its row goes stale and fails
# (jobs.tasks.fail_stale), and the user's retry re-runs it. Re-running a finished row does nothing.
@shared_task
def run_report(report_id: int) -> None:
    exports.run(report_id)


@shared_task
def write_report_part(report_id: int, attempt: int, index: int) -> None:
    exports.write_part(report_id, attempt, index)


@shared_task
def join_report_parts(report_id: int, attempt: int) -> None:
    exports.join_parts(report_id, attempt)


@shared_task
def delete_expired_reports() -> int:
    return exports.delete_expired()


@shared_task
def regenerate_standing_reports() -> list[int]:
    return standing.regenerate()
