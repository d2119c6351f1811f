"""Jobs whose worker died: a SIGKILLed or out-of-memory worker stops sending heartbeats; every kind of job
found silent for longer than its STALE_AFTER becomes failed (with its STALE_MESSAGE), so its owner can
retry it. Run every five minutes by beat (jobs.tasks.fail_stale)."""

from __future__ import annotations

import datetime

from django.apps import apps
from django.utils import timezone

from jobs.models import Job, Status


def job_models() -> list[type[Job]]:
    return [model for model in apps.get_models() if issubclass(model, Job)]


def fail_stale(now: datetime.datetime | None = None, models: list[type[Job]] | None = None) -> int:
    now = now or timezone.now()
    failed = 0
    for model in models or job_models():
        failed += model._default_manager.filter(model.silent_since(now - model.STALE_AFTER)).update(
            status=Status.FAILED, message=model.STALE_MESSAGE, finished_at=now
        )
    return failed
