"""Handing work to the task queue: the one place that knows the queue (Redis) may be down.

A job's row is written in the request's transaction and its task published after the commit (so the
worker finds the row). If Redis is down the publish fails within about a second (the broker timeouts in
config/settings/base.py); the row must not stay behind as "排队中" forever, so `undo` puts it back as it
was (deletes a new row, restores a retried one) and QueueUnavailable reaches the view, which says
"任务队列暂不可用,请稍后重试" at once. When Redis is back, the same button works again.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence

from celery import Task
from django.db import transaction
from kombu.exceptions import OperationalError
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

QUEUE_DOWN = "任务队列暂不可用,请稍后重试。"
QUEUE_ERRORS = (OperationalError, RedisError, ConnectionError, TimeoutError)


class QueueUnavailable(Exception):
    def __init__(self) -> None:
        super().__init__(QUEUE_DOWN)
        self.message = QUEUE_DOWN


def send_after_commit(task: Task, args: Sequence, *, task_id: str, undo: Callable[[], None]) -> None:
    """Publish `task` once the current transaction commits; if the queue is down, run `undo` (in its
    own transaction) and raise QueueUnavailable from the commit."""

    def send() -> None:
        try:
            task.apply_async(tuple(args), task_id=task_id)
        except QUEUE_ERRORS as error:
            logger.warning("task queue unavailable (%s): %s not started", type(error).__name__, task.name)
            with transaction.atomic():
                undo()
            raise QueueUnavailable from None

    transaction.on_commit(send)
