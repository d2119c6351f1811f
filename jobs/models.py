"""Long work run by Celery (imports, exports, runs): one shape for status, progress, heartbeat and retry.

Each kind of job is a concrete model that inherits `Job` and adds what it needs (its file, its inputs, its
result). The worker reports through `start`, `step`, `finish` and `fail`, which write with one UPDATE so a
progress report never overwrites what the page or another process changed; `jobs.stale.fail_stale` marks
any job whose heartbeats stopped as failed, so the user can retry it.
"""

from __future__ import annotations

import datetime

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Status(models.TextChoices):
    QUEUED = "queued", _("排队中")
    RUNNING = "running", _("进行中")
    DONE = "done", _("已完成")
    FAILED = "failed", _("失败")


class Job(models.Model):
    # Longer than the longest silent stretch of a live job of this kind.
    STALE_AFTER = datetime.timedelta(minutes=10)
    STALE_MESSAGE = "任务中断(后台进程已退出),请点击“重试”。"

    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    progress = models.PositiveSmallIntegerField(_("进度(%)"), default=0)
    message = models.CharField(_("说明"), max_length=500, blank=True)
    task_id = models.CharField(_("任务编号"), max_length=50, blank=True)
    attempts = models.PositiveSmallIntegerField(_("尝试次数"), default=0)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    started_at = models.DateTimeField(_("开始时间"), null=True, blank=True)
    heartbeat_at = models.DateTimeField(_("最近进展时间"), null=True, blank=True)
    finished_at = models.DateTimeField(_("结束时间"), null=True, blank=True)

    class Meta:
        abstract = True

    @property
    def is_finished(self) -> bool:
        return self.status in (Status.DONE, Status.FAILED)

    @property
    def duration(self) -> datetime.timedelta | None:
        if self.started_at and self.finished_at:
            return self.finished_at - self.started_at
        return None

    def _write(self, **fields) -> None:
        type(self)._default_manager.filter(pk=self.pk).update(**fields)
        for name, value in fields.items():
            setattr(self, name, value)

    def start(self) -> None:
        now = timezone.now()
        self._write(
            status=Status.RUNNING, progress=0, message="", started_at=now, heartbeat_at=now,
            finished_at=None, attempts=self.attempts + 1,
        )  # fmt: skip

    def step(self, percent: int, message: str | None = None) -> None:
        """Progress and heartbeat in one write; the page polls them."""
        fields = {"progress": max(0, min(100, percent)), "heartbeat_at": timezone.now()}
        if message is not None:
            fields["message"] = message
        self._write(**fields)

    def finish(self, message: str = "") -> None:
        now = timezone.now()
        self._write(status=Status.DONE, progress=100, message=message, heartbeat_at=now, finished_at=now)

    def fail(self, message: str) -> None:
        now = timezone.now()
        self._write(status=Status.FAILED, message=message[:500], heartbeat_at=now, finished_at=now)

    def requeue(self) -> None:
        """Back to the queue for a retry (the task is idempotent)."""
        self._write(status=Status.QUEUED, progress=0, message="", finished_at=None)
