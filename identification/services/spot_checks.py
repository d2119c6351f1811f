"""第五步, 第六步: the township's and the county's random re-checks.

- 第五步 "按照各不低于20%的比例,进行入户抽查": the township draws ≥ 20% of a village's 扶贫 list **and** ≥ 20% of
  its 低保 list (a cross household counts in both), from the applications whose village notice closed.
  One untrue finding: "责令其将上报对象推倒重来,则重新开展该村组的调查登记" — the reported list of the 村民小组
  of the untrue household goes back to 评议, or the whole village's (the text reads either way: the township
  chooses and the choice is recorded on the sample).
- 第六步 "县扶贫办和民政局…按照不低于5%的比例,进行入户抽查": each bureau draws its own ≥ 5% of its own list of
  publicized applications, and decides only applications its own complete sample covers.
"""

from __future__ import annotations

from decimal import Decimal

from django.db import transaction

from accounts import audit
from accounts.models import Role, User
from identification import sampling
from identification.choices import (
    PROGRAM_LABELS,
    REPORTED_STATES,
    RedoScope,
    SpotCheckLevel,
    SpotCheckStatus,
    State,
)
from identification.models import Application, Round, SpotCheck, SpotCheckResult
from identification.services._common import (
    PROGRAM_ROLE,
    _area_in_scope,
    _lock_application,
    _move_many,
    _require_open_round,
    _require_role,
    _scoped,
)
from identification.transitions import WorkflowError
from notices import services as notices
from villages.models import Area


def _program_of_bureau(actor: User) -> str:
    program = {role: p for p, role in PROGRAM_ROLE.items()}.get(actor.role)
    if program is None:
        raise WorkflowError(
            f"县级抽查由县扶贫办(扶贫)和县民政局(低保)各自抽取,您的角色是{actor.get_role_display() or '未分配'}。",
            code="wrong_role",
        )
    return program


def _populations(round: Round, level: str, area: Area, actor: User) -> dict[str, list[int]]:
    """{program: sorted application ids} this draw samples from."""
    if level == SpotCheckLevel.TOWNSHIP:
        if area.level != Area.Level.VILLAGE:
            raise WorkflowError("乡镇抽查以行政村为单位抽取。", code="wrong_area_level")
        reported = Application.objects.filter(
            round=round, state=State.VILLAGE_PUBLICIZED, household__group__code__startswith=area.scope_prefix
        )
        return {
            program: sorted(reported.filter(**{f"for_{program}": True}).values_list("pk", flat=True))
            for program in PROGRAM_ROLE
        }
    if area.level != Area.Level.COUNTY:
        raise WorkflowError("县级抽查以全县为范围抽取。", code="wrong_area_level")
    program = _program_of_bureau(actor)
    sampled = {
        pk
        for ids in SpotCheck.objects.filter(round=round, level=SpotCheckLevel.COUNTY, program=program)
        .exclude(status=SpotCheckStatus.SUPERSEDED)
        .values_list("population", flat=True)
        for pk in ids
    }
    reported = Application.objects.filter(round=round, state=State.PUBLICIZED, **{f"for_{program}": True})
    return {program: sorted(set(reported.values_list("pk", flat=True)) - sampled)}


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
    """Draw a sample, each list with the same recorded seed. A new draw replaces an open one without results."""
    township = level == SpotCheckLevel.TOWNSHIP
    if township:
        _require_role(actor, {Role.TOWNSHIP_OFFICIAL}, SpotCheckLevel(level).label)
    _require_open_round(round)
    area = _area_in_scope(actor, area)
    populations = _populations(round, level, area, actor)
    program = "" if township else next(iter(populations))
    minimum = round.township_sample_rate if township else round.county_sample_rate
    rate = Decimal(minimum if rate is None else rate)
    if rate < minimum or rate > 1:
        raise WorkflowError(
            f"抽查比例须在 {minimum:.0%} 到 100% 之间,您填写的是 {rate:.1%}。", code="rate_too_low"
        )
    if not any(populations.values()):
        what = f"{PROGRAM_LABELS[program]}" if program else ""
        raise WorkflowError(
            f"“{area.name}”目前没有可抽查的{what}申请"
            + ("(村委会公示结束后才能抽查)。" if township else "(乡镇公示结束后才能抽查)。"),
            code="empty_population",
        )

    previous = list(
        SpotCheck.objects.select_for_update().filter(
            round=round, level=level, program=program, area=area, status=SpotCheckStatus.OPEN
        )
    )
    for check in previous:
        if check.results.exists():
            raise WorkflowError(
                "上一次抽查已有核查结果,不能重新抽取;请先录入其余抽中户的结果。", code="check_in_progress"
            )
        check.status = SpotCheckStatus.SUPERSEDED
        check.save(update_fields=["status"])

    seed = sampling.new_seed() if seed is None else seed
    lists = {
        name: {"population": ids, "drawn": sampling.draw(ids, rate=rate, seed=seed) if ids else []}
        for name, ids in populations.items()
    }
    check = SpotCheck.objects.create(
        round=round,
        level=level,
        program=program,
        area=area,
        rate=rate,
        seed=seed,
        population=sorted({pk for ids in populations.values() for pk in ids}),
        drawn=sorted({pk for part in lists.values() for pk in part["drawn"]}),
        lists=lists,
        drawn_by=actor,
    )
    audit.record(
        event_type="spot_check.drawn",
        actor=actor,
        obj=check,
        area_code=area.code,
        new={
            "level": level,
            "program": program,
            "rate": str(rate),
            "seed": seed,
            "lists": {name: [len(part["population"]), len(part["drawn"])] for name, part in lists.items()},
            "drawn": check.drawn,
            "superseded": [c.pk for c in previous],
        },
    )
    return check


@transaction.atomic
def spot_check_record(
    *,
    spot_check: SpotCheck,
    application: Application,
    actor: User,
    truthful: bool,
    note: str = "",
    redo_scope: str = RedoScope.GROUP,
) -> SpotCheckResult:
    """Record the re-check of one drawn household. At the township, one untrue finding sends the reported
    list of the household's 村民小组 (or, the township's choice, the whole village) back to 评议."""
    check = _scoped(SpotCheck.objects.select_related("round", "area"), actor, spot_check.pk, "该抽查")
    _require_open_round(check.round)
    if check.level == SpotCheckLevel.TOWNSHIP:
        _require_role(actor, {Role.TOWNSHIP_OFFICIAL}, check.get_level_display())
    elif actor.role != PROGRAM_ROLE[check.program]:
        raise WorkflowError(
            f"这是{Role(PROGRAM_ROLE[check.program]).label}的{PROGRAM_LABELS[check.program]}抽查,"
            f"由其自行核查录入。",
            code="wrong_role",
        )
    if check.status != SpotCheckStatus.OPEN:
        raise WorkflowError(f"该抽查已{check.get_status_display()},不能再录入结果。", code="check_closed")
    if application.pk not in check.drawn:
        raise WorkflowError("该户未被抽中,不能录入抽查结果。", code="not_drawn")
    if check.results.filter(application_id=application.pk).exists():
        raise WorkflowError("该户的抽查结果已经录入。", code="duplicate")
    note = (note or "").strip()
    if not truthful and not note:
        raise WorkflowError("情况不实须写明核查发现的问题。", code="reason_required")
    if redo_scope not in RedoScope.values:
        raise WorkflowError("请选择推倒重来的范围:该村民小组或全村。", code="invalid")
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
    update = ["status"]
    if check.level == SpotCheckLevel.TOWNSHIP and not truthful:
        new_status = SpotCheckStatus.FAILED
        check.redo_scope = redo_scope
        update.append("redo_scope")
        _redo(check, application, actor, note, RedoScope(redo_scope))
    elif recorded >= set(check.drawn):
        all_true = not check.results.filter(truthful=False).exists()
        new_status = SpotCheckStatus.PASSED if all_true else SpotCheckStatus.FAILED
    if new_status:
        check.status = new_status
        check.save(update_fields=update)
        audit.record(
            event_type="spot_check.completed",
            actor=actor,
            obj=check,
            area_code=check.area.code,
            old={"status": SpotCheckStatus.OPEN.value},
            new={"status": new_status.value, "redo_scope": check.redo_scope},
        )
    return result


def _redo(check: SpotCheck, untrue: Application, actor: User, note: str, scope: RedoScope) -> None:
    """推倒重来: the reported list of the group (or village) goes back to 评议, off every notice."""
    area = untrue.household.group if scope == RedoScope.GROUP else check.area
    batch = list(
        Application.objects.select_for_update(of=("self",))
        .select_related("household__group")
        .filter(
            round=check.round, household__group__code__startswith=area.scope_prefix, state__in=REPORTED_STATES
        )
        .order_by("pk")
    )
    reason = f"乡镇抽查发现户 {untrue.household.number} 情况不实,{area.name}推倒重来:{note}"
    _move_many(batch, State.SUBMITTED, actor, event_type="application.redo", reason=reason)
    notices.strike(batch)


@transaction.atomic
def village_verify(*, spot_check: SpotCheck, actor: User) -> list[Application]:
    """乡镇审核通过: the applications the village's sample was drawn from move on once it was found all true.

    Only those: an application the village notice passed after the draw needs a sample of its own.
    """
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
        .filter(pk__in=check.population, state=State.VILLAGE_PUBLICIZED)
        .order_by("pk")
    )
    if not applications:
        raise WorkflowError(
            "这次抽查所涉及的申请都已审核通过或已退回;新公示完毕的申请请重新抽查。", code="nothing_to_verify"
        )
    _move_many(
        applications, State.VERIFIED, actor, event_type="application.verified", new={"spot_check": check.pk}
    )
    return applications
