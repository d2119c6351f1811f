"""Celery tasks of the households app: thin wrappers that take ids and call the service."""

from __future__ import annotations

from celery import shared_task

from households.importer import run_import_job


# acks_late: a worker lost mid-import re-runs the job, which is safe (one transaction, idempotent).
@shared_task(acks_late=True)
def run_roster_import(job_id: int) -> None:
    run_import_job(job_id=job_id)
