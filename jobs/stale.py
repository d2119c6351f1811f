"""Jobs whose worker died: a SIGKILLed or out-of-memory worker stops sending heartbeats; every kind of job
found silent for longer than its STALE_AFTER becomes failed, so its owner can retry it."""

from __future__ import annotations

import datetime

from django.apps import apps
from django.db.models import Q
from django.utils import timezone

from jobs.models import Job, Status


def job_models() -> list[type[Job]]:
    return [model for model in apps.get_models() if issubclass(model, Job)]


def fail_stale(now: datetime.datetime | None = None, models: list[type[Job]] | None = None) -> int:
    now = now or timezone.now()
    failed = 0
    for model in models or job_models():
        since = now - model.STALE_AFTER
        silent = Q(heartbeat_at__lt=since) | Q(heartbeat_at__isnull=True, started_at__lt=since)
        failed += model._default_manager.filter(silent, status=Status.RUNNING).update(
            status=Status.FAILED, message=model.STALE_MESSAGE, finished_at=now
        )
    return failed
