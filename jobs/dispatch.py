"""Handing a job to its Celery task: the one way in for a new job and for a retry.

The task id is chosen here and written on the row before the task can run, and the task is published
after the commit (config.queue.send_after_commit), so the worker always finds the row. The queue may be
down: then `undo` puts the row back as it was and QueueUnavailable reaches the view, which says
任务队列暂不可用 in Chinese; nothing is lost and the same button works again later.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable

from celery import Task
from django.db import transaction

from config.queue import send_after_commit
from jobs.models import Job, Status

# What a retry resets, and so what a failed publish puts back.
RESET_FIELDS = ("status", "progress", "message", "finished_at")


def submit(job: Job, task: Task, *, undo: Callable[[], object]) -> None:
    """Publish `task(job.pk)` after the commit. `undo` takes a new job back (delete its row, its file)."""
    job.task_id = str(uuid.uuid4())
    job._write(task_id=job.task_id)
    send_after_commit(task, (job.pk,), task_id=job.task_id, undo=undo)


def failed(job: Job) -> bool:
    return job.status == Status.FAILED


def retry(job: Job, task: Task, *, allowed: Callable[[Job], bool] = failed, **changes) -> bool:
    """Put a job back in the queue and publish its task again; False (nothing done) when `allowed` says
    no of the row as it is now (default: only a failed job). Locks the row, so two clicks queue it once.
    `changes` are written with it (an import's next phase); with the queue down, they and the status go
    back to what they were."""
    with transaction.atomic():
        locked = type(job)._default_manager.select_for_update().get(pk=job.pk)
        if not allowed(locked):
            return False
        before = {name: getattr(locked, name) for name in (*RESET_FIELDS, "task_id", *changes)}
        locked.requeue(**changes)
        submit(locked, task, undo=lambda: type(job)._default_manager.filter(pk=job.pk).update(**before))
    for name in (*RESET_FIELDS, "task_id", *changes):
        setattr(job, name, getattr(locked, name))
    return True
