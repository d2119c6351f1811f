"""Long work run by Celery (imports, exports, runs): one shape for status, progress, heartbeat and retry.

Each kind of job is a concrete model that inherits `Job` and adds what it needs (its file, its inputs, its
result). The worker reports through `claim` (or `start`), `step`, `finish` and `fail`, which write with one
UPDATE so a progress report never overwrites what the page or another process changed;
`jobs.stale.fail_stale` marks any job whose heartbeats stopped as failed, so the user can retry it
(`jobs.dispatch.retry`: `requeue` and publish again).

A kind may name its states in its own words (`STATUS_LABELS`: an export is 生成中, a decomposition 计算中);
the values stay the four of `Status`, so one sweeper, one partial (templates/jobs/progress.html) and one
retry path serve every kind.
"""

from __future__ import annotations

import datetime
from typing import ClassVar

from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Status(models.TextChoices):
    QUEUED = "queued", _("排队中")
    RUNNING = "running", _("进行中")
    DONE = "done", _("已完成")
    FAILED = "failed", _("失败")


FINISHED = (Status.DONE, Status.FAILED)


class Job(models.Model):
    # Longer than the longest silent stretch of a live job of this kind.
    STALE_AFTER = datetime.timedelta(minutes=10)
    STALE_MESSAGE = "任务中断(后台进程已退出),请点击“重试”。"
    # {status value: label} where this kind words a state differently from `Status`.
    STATUS_LABELS: ClassVar[dict[str, str]] = {}
    # True where the kind's task is acks_late: its message comes back only once the worker that had it is
    # gone (the visibility timeout is above the longest task), so a running row it finds was interrupted
    # and `claim` runs it again at once. Otherwise a running row with a fresh heartbeat has a live worker.
    RESUMES_WHEN_REDELIVERED: ClassVar[bool] = False

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
        return self.status in FINISHED

    @property
    def status_label(self) -> str:
        return self.STATUS_LABELS.get(self.status) or str(Status(self.status).label)

    @property
    def duration(self) -> datetime.timedelta | None:
        if self.started_at and self.finished_at:
            return self.finished_at - self.started_at
        return None

    @classmethod
    def silent_since(cls, since: datetime.datetime) -> Q:
        """Running rows with no sign of life since `since` (jobs.stale)."""
        return Q(status=Status.RUNNING) & (
            Q(heartbeat_at__lt=since) | Q(heartbeat_at__isnull=True, started_at__lt=since)
        )

    def _write(self, *, current_only: bool = False, **fields) -> bool:
        """One UPDATE of this row. `current_only`: only if no later attempt has started since this one
        (a retry makes an older worker's report a no-op)."""
        rows = type(self)._default_manager.filter(pk=self.pk)
        if current_only:
            rows = rows.filter(attempts=self.attempts)
        written = rows.update(**fields) > 0
        for name, value in fields.items():
            setattr(self, name, value)
        return written

    @classmethod
    def claim(cls, pk: int, queryset: models.QuerySet | None = None):
        """The worker's way in: lock the row and start it, or None when there is nothing to do — it is
        finished (a retry goes through `requeue`), or another worker is alive on it (a redelivered
        message; see RESUMES_WHEN_REDELIVERED). `queryset` adds select_related and the like."""
        queryset = cls._default_manager.all() if queryset is None else queryset
        with transaction.atomic():
            job = queryset.select_for_update(of=("self",)).filter(pk=pk).first()
            if job is None or job.is_finished:
                return None
            if job.status == Status.RUNNING and not (cls.RESUMES_WHEN_REDELIVERED or job.is_silent()):
                return None
            job.start()
            return job

    def is_silent(self, now: datetime.datetime | None = None) -> bool:
        last = self.heartbeat_at or self.started_at
        return last is None or (now or timezone.now()) - last >= self.STALE_AFTER

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

    def finish(self, message: str = "", **fields) -> None:
        """Done; `fields` are the kind's own results, written in the same UPDATE."""
        now = timezone.now()
        end = {"status": Status.DONE, "progress": 100, "heartbeat_at": now, "finished_at": now}
        self._write(**{**end, "message": message[:500], **fields})

    def fail(self, message: str, *, current_only: bool = False, **fields) -> None:
        """Failed with a message for the user (Chinese); `fields` as for `finish`."""
        now = timezone.now()
        end = {"status": Status.FAILED, "heartbeat_at": now, "finished_at": now}
        self._write(current_only=current_only, **{**end, "message": message[:500], **fields})

    def fail_if_stale(self, now: datetime.datetime | None = None) -> bool:
        """This row alone, at once (the page polling a job whose worker died need not wait for beat)."""
        now = now or timezone.now()
        rows = type(self)._default_manager.filter(self.silent_since(now - self.STALE_AFTER), pk=self.pk)
        if not rows.update(status=Status.FAILED, message=self.STALE_MESSAGE, finished_at=now):
            return False
        self.status, self.message, self.finished_at = Status.FAILED, self.STALE_MESSAGE, now
        return True

    def requeue(self, **fields) -> None:
        """Back to the queue for a retry (the task is idempotent); `fields` change with it (an import's
        next phase)."""
        self._write(**{"status": Status.QUEUED, "progress": 0, "message": "", "finished_at": None, **fields})
