"""Celery tasks of identification: thin wrappers that take ids and call the service."""

from __future__ import annotations

from celery import shared_task

from identification import decomposition


# acks_late: a worker lost mid-run re-runs it, which is safe (decomposition.run is idempotent).
@shared_task(acks_late=True)
def run_decomposition(decomposition_id: int) -> None:
    decomposition.run(decomposition_id=decomposition_id)


# acks_late: a lost worker's run is scored again from nothing (poor_villages.services.run is idempotent).
@shared_task(acks_late=True)
def run_poor_village_ranking(run_id: int) -> None:
    from identification.poor_villages import services

    services.run(run_id=run_id)
