"""Celery tasks of the jobs app: the one sweeper over every kind of job (beat, every five minutes)."""

from __future__ import annotations

from celery import shared_task

from jobs import stale


@shared_task
def fail_stale() -> int:
    return stale.fail_stale()
