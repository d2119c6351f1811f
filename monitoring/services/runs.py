"""The monitoring run: every trigger over the county, as a job (nightly by beat, or started by the county);
and the check of a few households at once when their data are entered (monitoring.entry)."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Sequence

from django.db import transaction

from accounts import audit, clock
from accounts.models import User
from config.queue import send_after_commit
from monitoring import triggers
from monitoring.choices import RunKind
from monitoring.models import MonitoringRun
from monitoring.services._common import COUNTY_SETTERS, FUPIN, MonitoringError, require_role
from villages.models import Area

logger = logging.getLogger(__name__)

RUN_STARTERS = frozenset({FUPIN}) | COUNTY_SETTERS


def run_create(*, actor: User | None, kind: str = RunKind.MANUAL) -> MonitoringRun:
    """A run row and its task, sent after commit (the queue may be down: the row is taken back)."""
    from monitoring import tasks

    if actor is not None:
        require_role(actor, RUN_STARTERS, "启动监测运行")
        if actor.area is None or actor.area.level != Area.Level.COUNTY:
            raise MonitoringError("监测运行由县级启动。", code="wrong_role")
    with transaction.atomic():
        if MonitoringRun.objects.filter(status__in=["queued", "running"]).exists():
            raise MonitoringError("已有一次监测运行正在排队或进行中,请等待其结束。", code="running")
        run = MonitoringRun.objects.create(kind=kind, as_of=clock.today(), started_by=actor)
        run.task_id = str(uuid.uuid4())
        run.save(update_fields=["task_id"])
        if actor is not None:
            audit.record(
                event_type="monitoring.run_started",
                actor=actor,
                obj=run,
                area_code=actor.area.code,
                new={"as_of": run.as_of},
            )

        def undo() -> None:
            audit.forget(run)
            MonitoringRun.objects.filter(pk=run.pk).delete()

        send_after_commit(tasks.run_monitoring, [run.pk], task_id=run.task_id, undo=undo)
    return run


def run_execute(run_id: int) -> MonitoringRun:
    """The worker's side: idempotent (a finished run is left alone; a re-run raises nothing twice)."""
    run = MonitoringRun.objects.get(pk=run_id)
    if run.status == "done":
        return run
    run.start()
    try:
        outcome = triggers.check(run_id=run.pk, today=run.as_of, progress=run.step)
    except Exception as error:
        logger.exception("monitoring run %s failed", run.pk)
        run.fail(f"监测运行失败:{type(error).__name__}")
        raise
    MonitoringRun.objects.filter(pk=run.pk).update(households_checked=outcome.checked, raised=outcome.raised)
    run.households_checked, run.raised = outcome.checked, outcome.raised
    run.finish(f"检查 {outcome.checked} 户,新增预警 {outcome.total} 条。")
    return run


def check_households(household_ids: Sequence[int]) -> triggers.Outcome:
    """At once on data entry: the same triggers, for these households only."""
    return triggers.check(household_ids=list(household_ids), today=clock.today())
