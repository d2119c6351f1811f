"""Writes of 贫困村识别: the county's weights, a ranking run (queued, then scored by the Celery task) and
the county's marking of 贫困村 from a finished run. Only the county's 扶贫办 writes; the county's other
accounts read (selectors)."""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from decimal import Decimal
from functools import partial

from django.db import transaction
from django.utils import timezone

from accounts import audit
from accounts.models import Role, User
from config.queue import send_after_commit
from identification.poor_villages import scoring
from identification.poor_villages.indicators import CODES, DEFAULT_WEIGHTS, check_weights
from identification.poor_villages.models import RankingRow, RankingRun, RankingSettings
from identification.transitions import WorkflowError
from jobs.models import Status
from villages.models import Area, AreaProfile

EVENT_LABELS = {
    "poor_village.weights_set": "设置贫困村识别指标和权重",
    "poor_village.run_created": "贫困村识别测算",
    "poor_village.run_retried": "重试贫困村识别测算",
    "poor_village.marked": "认定贫困村",
}
READ_ROLES = frozenset({Role.COUNTY_FUPIN, Role.COUNTY_MINZHENG, Role.ADMIN})


def can_view(user: User) -> bool:
    """The ranking is the county's work: its accounts read it; townships and villages get the result
    (是否贫困村 on their 村情概况)."""
    return bool(
        user.is_authenticated
        and user.area_id
        and user.area.level == Area.Level.COUNTY
        and user.role in READ_ROLES
    )


def can_change(user: User) -> bool:
    return can_view(user) and user.role == Role.COUNTY_FUPIN


def _require_change(actor: User, what: str) -> None:
    if not can_change(actor):
        raise WorkflowError(
            f"{what}只能由县扶贫办办理,您的角色是{actor.get_role_display() or '未分配'}。", code="wrong_role"
        )


def _plain(value) -> str:
    """35.00 → "35", 12.50 → "12.5" (never "1E+2")."""
    return f"{Decimal(value).normalize():f}"


def current_weights(county: Area) -> dict[str, Decimal]:
    saved = RankingSettings.objects.filter(county=county).values_list("weights", flat=True).first()
    if not saved:
        return dict(DEFAULT_WEIGHTS)
    return {code: Decimal(saved.get(code, "0")) for code in CODES}


def weights_snapshot(county: Area) -> dict[str, str]:
    """The county's current weights as a run keeps them."""
    return {k: _plain(v) for k, v in current_weights(county).items()}


@transaction.atomic
def settings_save(*, actor: User, weights: Mapping[str, Decimal]) -> RankingSettings:
    _require_change(actor, "设置贫困村识别指标和权重")
    problems = check_weights(dict(weights))
    if problems:
        raise WorkflowError("".join(problems), code="invalid")
    county = actor.area
    old = {k: _plain(v) for k, v in current_weights(county).items()}
    new = {code: _plain(weights.get(code, 0)) for code in CODES}
    settings = RankingSettings.objects.select_for_update().filter(county=county).first()
    if settings is None:
        settings = RankingSettings(county=county, updated_by=actor)
    settings.weights, settings.updated_by = new, actor
    settings.save()
    audit.record(
        event_type="poor_village.weights_set",
        actor=actor,
        obj=settings,
        area_code=county.code,
        old=old,
        new=new,
    )
    return settings


@transaction.atomic
def run_create(*, actor: User, year: int, income_year: int, note: str = "") -> RankingRun:
    """A new run with the county's current weights, queued; the task scores it after the commit."""
    _require_change(actor, "贫困村识别测算")
    if income_year > year:
        raise WorkflowError(f"收入年度({income_year})不能晚于识别年度({year})。", code="invalid")
    run = RankingRun.objects.create(
        county=actor.area,
        year=year,
        income_year=income_year,
        weights=weights_snapshot(actor.area),
        note=note.strip(),
        created_by=actor,
    )
    audit.record(
        event_type="poor_village.run_created",
        actor=actor,
        obj=run,
        area_code=actor.area.code,
        new={"year": year, "income_year": income_year, "weights": run.weights},
        reason=run.note,
    )
    _enqueue(run, undo=partial(_forget, run))
    return run


@transaction.atomic
def run_retry(*, actor: User, run: RankingRun) -> RankingRun:
    _require_change(actor, "重新测算")
    run = _scoped_run(actor, run.pk)
    if run.status != Status.FAILED:
        raise WorkflowError("只有失败的测算可以重试。", code="wrong_state")
    run.requeue()
    audit.record(event_type="poor_village.run_retried", actor=actor, obj=run, area_code=run.county.code)
    _enqueue(run, undo=partial(_back_to_failed, run, run.message))
    return run


def _scoped_run(actor: User, pk: int) -> RankingRun:
    try:
        return (
            RankingRun.objects.visible_to(actor)
            .select_for_update(of=("self",))
            .select_related("county")
            .get(pk=pk)
        )
    except RankingRun.DoesNotExist:
        from identification.services._common import NotInScope

        raise NotInScope("该测算不存在,或不在您的管辖区域内。") from None


def _enqueue(run: RankingRun, *, undo) -> None:
    from identification.tasks import run_poor_village_ranking

    run.task_id = str(uuid.uuid4())
    RankingRun.objects.filter(pk=run.pk).update(task_id=run.task_id)
    send_after_commit(run_poor_village_ranking, (run.pk,), task_id=run.task_id, undo=undo)


def _forget(run: RankingRun) -> None:
    audit.forget(run)
    RankingRun.objects.filter(pk=run.pk).delete()


def _back_to_failed(run: RankingRun, message: str) -> None:
    RankingRun.objects.filter(pk=run.pk).update(status=Status.FAILED, message=message)


def run(*, run_id: int) -> RankingRun:
    """Score one run (the Celery task's body). Idempotent: a finished run stays as it is; an interrupted
    one is scored again from nothing (its rows are replaced in the same transaction)."""
    job = RankingRun.objects.select_related("county").get(pk=run_id)
    if job.status == Status.DONE:
        return job
    job.start()
    job.step(10, "正在读取户籍台账和村情概况并打分……")
    try:
        with transaction.atomic():
            # A task delivered twice (acks_late) waits here for the first, whose rows and DONE commit
            # together, and then leaves the run as it is.
            status = (
                RankingRun.objects.select_for_update()
                .filter(pk=job.pk)
                .values_list("status", flat=True)
                .get()
            )
            if status == Status.DONE:
                job.refresh_from_db()
                return job
            RankingRow.objects.filter(run=job).delete()
            summary = scoring.score_run(
                run_id=job.pk,
                county_prefix=job.county.scope_prefix,
                income_year=job.income_year,
                weights={k: Decimal(v) for k, v in job.weights.items()},
            )
            RankingRun.objects.filter(pk=job.pk).update(summary=summary)
            job.summary = summary
            villages = summary.get("village", {}).get("units", 0)
            groups = summary.get("group", {}).get("units", 0)
            job.finish(f"已对 {villages} 个行政村、{groups} 个村民小组打分排序。")
    except Exception:
        job.fail("测算过程中出错,可以点击“重试”;仍然出错请联系系统管理员。")
        raise
    return job


@transaction.atomic
def villages_mark(*, actor: User, run: RankingRun, village_ids: Sequence[int]) -> int:
    """The county marks these 行政村 of a finished run as 贫困村 (AreaProfile.is_poor_village, with the
    run's year). A village already a 贫困村 is refused: one goes out only by 贫困村退出. Returns the count."""
    _require_change(actor, "认定贫困村")
    run = _scoped_run(actor, run.pk)
    if run.status != Status.DONE:
        raise WorkflowError("只有测算完成的排序才能据以认定贫困村。", code="wrong_state")
    ids = sorted(set(village_ids))
    if not ids:
        raise WorkflowError("请勾选要认定为贫困村的行政村。", code="invalid")
    rows = list(
        RankingRow.objects.select_for_update(of=("self",))
        .select_related("area")
        .filter(run=run, level=Area.Level.VILLAGE, area_id__in=ids)
    )
    if len(rows) != len(ids):
        raise WorkflowError("所选区划不是本次测算中的行政村。", code="invalid")
    # The villages themselves, in id order: two marks of one village (from two runs) wait for each other
    # instead of both creating its profile.
    list(Area.objects.select_for_update().filter(pk__in=ids).order_by("pk").values_list("pk", flat=True))
    profiles = {p.area_id: p for p in AreaProfile.objects.select_for_update().filter(area_id__in=ids)}
    already = [r.area.name for r in rows if profiles.get(r.area_id) and profiles[r.area_id].is_poor_village]
    if already:
        raise WorkflowError(
            f"以下行政村已是贫困村,无需重复认定:{'、'.join(already[:10])}。", code="already_poor"
        )
    now = timezone.now()
    events, created, changed = [], [], []
    for row in rows:
        profile = profiles.get(row.area_id)
        old = (
            {}
            if profile is None
            else {"is_poor_village": False, "poor_village_exit_year": profile.poor_village_exit_year}
        )
        if profile is None:
            profile = AreaProfile(area=row.area)
            created.append(profile)
        else:
            changed.append(profile)
        profile.is_poor_village = True
        profile.poor_village_year = run.year
        profile.poor_village_exit_year = None
        events.append((profile, row, old))
    AreaProfile.objects.bulk_create(created)
    AreaProfile.objects.bulk_update(
        changed, ["is_poor_village", "poor_village_year", "poor_village_exit_year"]
    )
    RankingRow.objects.filter(pk__in=[r.pk for r in rows]).update(marked=True)
    run.marked_by, run.marked_at = actor, now
    run.save(update_fields=["marked_by", "marked_at"])
    audit.record_many(
        [
            audit.event(
                event_type="poor_village.marked",
                actor=actor,
                obj=profile,
                area_code=row.area.code,
                old=old,
                new={
                    "is_poor_village": True,
                    "poor_village_year": run.year,
                    "run": run.pk,
                    "score": str(row.score),
                    "rank": row.rank,
                },
                reason=f"依贫困村识别测算 #{run.pk} 认定",
                when=now,
            )
            for profile, row, old in events
        ]
    )
    return len(rows)
