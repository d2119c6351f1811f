"""Celery tasks of monitoring: thin, they take ids and call the services."""

from __future__ import annotations

from celery import shared_task

from monitoring.services import runs


@shared_task
def run_monitoring(run_id: int) -> None:
    runs.run_execute(run_id)


@shared_task
def nightly_monitoring() -> int | None:
    """CELERY_BEAT_SCHEDULE: the nightly run over the whole county."""
    from jobs.stale import fail_stale
    from monitoring.models import MonitoringRun

    fail_stale(models=[MonitoringRun])  # a run whose worker died must not block tonight's
    try:
        run = runs.run_create(actor=None, kind="nightly")
    except runs.MonitoringError:
        return None  # a run is already under way: tonight's is that one
    return run.pk
