"""第五步, 第六步: the township's and the county's random re-checks."""

from __future__ import annotations

from decimal import Decimal

from django.db import transaction

from accounts import audit
from accounts.models import Role, User
from identification import sampling
from identification.choices import (
    SpotCheckLevel,
    SpotCheckStatus,
    State,
)
from identification.models import (
    Application,
    Round,
    SpotCheck,
    SpotCheckResult,
)
from identification.services._common import (
    COUNTY_ROLES,
    _area_in_scope,
    _lock_application,
    _move_many,
    _require_open_round,
    _require_role,
    _scoped,
)
from identification.transitions import WorkflowError
from villages.models import Area


@transaction.atomic
def spot_check_draw(
    *,
    round: Round,
    level: str,
    area: Area,
    actor: User,
    rate: Decimal | None = None,
    seed: int | None = None,
) -> SpotCheck:
    """Draw a sample: the township from a village's surveyed applications, the county from the
    publicized ones not yet sampled. A new draw replaces an open one that has no results yet."""
    township = level == SpotCheckLevel.TOWNSHIP
    _require_role(actor, {Role.TOWNSHIP_OFFICIAL} if township else COUNTY_ROLES, SpotCheckLevel(level).label)
    _require_open_round(round)
    area = _area_in_scope(actor, area)
    if township:
        if area.level != Area.Level.VILLAGE:
            raise WorkflowError("乡镇抽查以行政村为单位抽取。", code="wrong_area_level")
        minimum = round.township_sample_rate
        population = Application.objects.filter(
            round=round, state=State.SURVEYED, household__group__code__startswith=area.scope_prefix
        )
    else:
        if area.level != Area.Level.COUNTY:
            raise WorkflowError("县级抽查以全县为范围抽取。", code="wrong_area_level")
        minimum = round.county_sample_rate
        sampled = [
            pk
            for ids in SpotCheck.objects.filter(round=round, level=SpotCheckLevel.COUNTY)
            .exclude(status=SpotCheckStatus.SUPERSEDED)
            .values_list("population", flat=True)
            for pk in ids
        ]
        population = Application.objects.filter(round=round, state=State.PUBLICIZED).exclude(pk__in=sampled)
    rate = Decimal(minimum if rate is None else rate)
    if rate < minimum or rate > 1:
        raise WorkflowError(
            f"抽查比例须在 {minimum:.0%} 到 100% 之间,您填写的是 {rate:.1%}。", code="rate_too_low"
        )
    ids = sorted(population.values_list("pk", flat=True))
    if not ids:
        raise WorkflowError(f"“{area.name}”目前没有可抽查的申请。", code="empty_population")

    previous = list(
        SpotCheck.objects.select_for_update().filter(
            round=round, level=level, area=area, status=SpotCheckStatus.OPEN
        )
    )
    for check in previous:
        if check.results.exists():
            raise WorkflowError(
                "上一次抽查已有核查结果,不能重新抽取;请先完成该次抽查。", code="check_in_progress"
            )
        check.status = SpotCheckStatus.SUPERSEDED
        check.save(update_fields=["status"])

    seed = sampling.new_seed() if seed is None else seed
    check = SpotCheck.objects.create(
        round=round,
        level=level,
        area=area,
        rate=rate,
        seed=seed,
        population=ids,
        drawn=sampling.draw(ids, rate=rate, seed=seed),
        drawn_by=actor,
    )
    audit.record(
        event_type="spot_check.drawn",
        actor=actor,
        obj=check,
        area_code=area.code,
        new={
            "level": level,
            "rate": str(rate),
            "seed": seed,
            "population": len(ids),
            "drawn": check.drawn,
            "superseded": [c.pk for c in previous],
        },
    )
    return check


@transaction.atomic
def spot_check_record(
    *, spot_check: SpotCheck, application: Application, actor: User, truthful: bool, note: str = ""
) -> SpotCheckResult:
    """Record the re-check of one drawn household. At the township, one untrue finding sends the
    household's whole 村民小组 batch back to 评议 (推倒重来, seed 002 第五步)."""
    check = _scoped(SpotCheck.objects.select_related("round"), actor, spot_check.pk, "该抽查")
    _require_open_round(check.round)
    roles = {Role.TOWNSHIP_OFFICIAL} if check.level == SpotCheckLevel.TOWNSHIP else COUNTY_ROLES
    _require_role(actor, roles, check.get_level_display())
    if check.status != SpotCheckStatus.OPEN:
        raise WorkflowError(f"该抽查已{check.get_status_display()},不能再录入结果。", code="check_closed")
    if application.pk not in check.drawn:
        raise WorkflowError("该户未被抽中,不能录入抽查结果。", code="not_drawn")
    if check.results.filter(application_id=application.pk).exists():
        raise WorkflowError("该户的抽查结果已经录入。", code="duplicate")
    note = (note or "").strip()
    if not truthful and not note:
        raise WorkflowError("情况不实须写明核查发现的问题。", code="reason_required")
    application = _lock_application(actor, application)
    result = SpotCheckResult.objects.create(
        spot_check=check, application=application, truthful=truthful, note=note, checked_by=actor
    )
    audit.record(
        event_type="spot_check.result",
        actor=actor,
        obj=check,
        area_code=check.area.code,
        new={"application": application.pk, "truthful": truthful},
        reason=note,
    )

    recorded = set(check.results.values_list("application_id", flat=True))
    new_status = None
    if check.level == SpotCheckLevel.TOWNSHIP and not truthful:
        new_status = SpotCheckStatus.FAILED
        _redo_group(check, application, actor, note)
    elif recorded >= set(check.drawn):
        all_true = not check.results.filter(truthful=False).exists()
        new_status = SpotCheckStatus.PASSED if all_true else SpotCheckStatus.FAILED
    if new_status:
        check.status = new_status
        check.save(update_fields=["status"])
        audit.record(
            event_type="spot_check.completed",
            actor=actor,
            obj=check,
            area_code=check.area.code,
            old={"status": SpotCheckStatus.OPEN.value},
            new={"status": new_status.value},
        )
    return result


def _redo_group(check: SpotCheck, untrue: Application, actor: User, note: str) -> None:
    group = untrue.household.group
    batch = list(
        Application.objects.select_for_update(of=("self",))
        .select_related("household__group")
        .filter(
            round=check.round,
            household__group=group,
            state__in=[State.RECOMMENDED, State.REVIEWED, State.SURVEYED],
        )
        .order_by("pk")
    )
    reason = f"乡镇抽查发现户 {untrue.household.number} 情况不实,{group.name}推倒重来:{note}"
    # Not verified yet, so on no notice: there are no entries to strike.
    _move_many(batch, State.SUBMITTED, actor, event_type="application.redo", reason=reason)


@transaction.atomic
def village_verify(*, spot_check: SpotCheck, actor: User) -> list[Application]:
    """乡镇审核通过: a village's surveyed applications move on once its sample was found all true."""
    check = _scoped(SpotCheck.objects.select_related("round"), actor, spot_check.pk, "该抽查")
    _require_open_round(check.round)
    _require_role(actor, {Role.TOWNSHIP_OFFICIAL}, "乡镇审核")
    if check.level != SpotCheckLevel.TOWNSHIP:
        raise WorkflowError("乡镇审核须依据乡镇抽查。", code="wrong_check")
    if check.status != SpotCheckStatus.PASSED:
        raise WorkflowError(
            f"该村的抽查{check.get_status_display()},只有抽查全部属实才能审核通过。", code="check_not_passed"
        )
    applications = list(
        Application.objects.visible_to(actor)
        .select_for_update(of=("self",))
        .select_related("household__group")
        .filter(pk__in=check.population, state=State.SURVEYED)
        .order_by("pk")
    )
    _move_many(
        applications, State.VERIFIED, actor, event_type="application.verified", new={"spot_check": check.pk}
    )
    return applications


# --- 三级公示 --------------------------------------------------------------------------------------
