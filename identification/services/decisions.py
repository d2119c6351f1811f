"""第六步 县级认定: the bureaus' decisions per program, and the cases they open."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from accounts import audit
from accounts.models import Role, User
from households import choices as hh
from households.bulk import copy_history, copy_insert
from households.models import Case, Household
from identification.choices import (
    PROGRAM_LABELS,
    Decision,
    State,
)
from identification.models import (
    Application,
    Round,
)
from identification.selectors import county_checked_ids
from identification.services._common import (
    PROGRAM_ROLE,
    NotInScope,
    _require_open_round,
    _require_reason,
)
from identification.transitions import WorkflowError, check_move


@dataclass
class DecisionOutcome:
    applications: list[Application]
    confirmed: list[int] = field(default_factory=list)
    rejected: list[int] = field(default_factory=list)
    pending: list[int] = field(default_factory=list)
    cases: list[Case] = field(default_factory=list)


def _program_of(actor: User, program: str | None) -> str:
    """扶贫 is decided by 县扶贫办, 低保 by 县民政局, each only its own."""
    mine = {r: p for p, r in PROGRAM_ROLE.items()}.get(actor.role)
    program = program or mine
    if program not in PROGRAM_ROLE:
        raise WorkflowError("认定项目只能是扶贫或低保。", code="invalid")
    if actor.role != PROGRAM_ROLE[program]:
        raise WorkflowError(
            f"{PROGRAM_LABELS[program]}对象由{Role(PROGRAM_ROLE[program]).label}认定,"
            f"您的角色是{actor.get_role_display() or '未分配'},不能作出{PROGRAM_LABELS[program]}认定。",
            code="wrong_role",
        )
    return program


def _decide(
    *, round: Round, actor: User, program: str, decisions: Mapping[int, str | None]
) -> DecisionOutcome:
    """Decide `program` for many applications at once: {application id: None to confirm, or the
    reason to reject}. Locks all rows in one SELECT … FOR UPDATE and writes with a handful of
    statements, so that a county batch of 10,000 stays fast."""
    _require_open_round(round)
    applications = list(
        Application.objects.visible_to(actor)
        .select_for_update(of=("self",))
        .select_related("household__group", "fupin_decided_by", "dibao_decided_by")
        .filter(round=round, pk__in=list(decisions))
        .order_by("pk")  # one lock order for everyone: no deadlocks between two batches
    )
    if len(applications) != len(decisions):
        raise NotInScope(f"有 {len(decisions) - len(applications)} 份申请不存在,或不在您的管辖区域内。")
    covered, untrue = county_checked_ids(round)
    label = PROGRAM_LABELS[program]
    problems: list[tuple[str, str]] = []
    for a in applications:
        number = a.household.number
        reason = decisions[a.pk]
        if a.state != State.PUBLICIZED:
            problems.append(
                (f"户 {number} 当前状态为“{a.get_state_display()}”,不能作出认定。", "wrong_state")
            )
        elif program not in a.programs:
            problems.append((f"户 {number} 未申请{label}。", "not_requested"))
        elif a.decision(program):
            who = getattr(a, f"{program}_decided_by")
            problems.append(
                (
                    f"户 {number} 的{label}认定已由 {who.get_full_name() or who.username} 作出,不能重复认定。",
                    "already_decided",
                )
            )
        elif a.pk not in covered:
            problems.append((f"户 {number} 所在批次的县级抽查尚未完成,不能认定。", "county_check_pending"))
        elif reason is None and a.pk in untrue:
            problems.append((f"县级抽查发现户 {number} 情况不实,只能不予认定。", "untrue"))
        elif reason is None and not a.eligibility.get(program):
            problems.append((f"入户调查结果显示户 {number} 不符合{label}条件,只能不予认定。", "not_eligible"))
        elif reason is not None and not reason.strip():
            problems.append((f"户 {number} 不予认定须填写理由。", "reason_required"))
    if problems:
        shown = "\n".join(message for message, _ in problems[:20])
        more = f"\n……共 {len(problems)} 个问题。" if len(problems) > 20 else ""
        raise WorkflowError(shown + more, code=problems[0][1])

    now = timezone.now()
    outcome = DecisionOutcome(applications=applications)
    events = []
    for a in applications:
        reason = decisions[a.pk]
        setattr(a, f"{program}_decision", Decision.REJECTED if reason else Decision.CONFIRMED)
        setattr(a, f"{program}_decided_by", actor)
        setattr(a, f"{program}_decided_at", now)
        setattr(a, f"{program}_reason", (reason or "").strip())
        old_state = a.state
        if a.all_decided():
            target = State.CONFIRMED if a.confirmed_programs() else State.REJECTED
            check_move(a.state, target, actor)
            a.state, a.state_changed_at = target, now
            if target == State.REJECTED:
                a.rejection_reason = ";".join(
                    f"{PROGRAM_LABELS[p]}:{getattr(a, f'{p}_reason')}" for p in a.programs
                )
                outcome.rejected.append(a.pk)
            else:
                outcome.confirmed.append(a.pk)
        else:
            outcome.pending.append(a.pk)
        events.append(
            audit.event(
                event_type="application.decided",
                actor=actor,
                obj=a,
                area_code=a.household.group.code,
                old={"state": old_state},
                new={"state": a.state, "program": program, "decision": a.decision(program)},
                reason=(reason or "").strip(),
                when=now,
            )
        )

    # Confirmations share every written value, so they go out as one UPDATE per resulting state;
    # bulk_update's CASE per row took minutes at 10,000 rows. Rejections carry their own reasons
    # and are few (per-item overrides), so bulk_update is fine for them.
    confirmations = {"decision": Decision.CONFIRMED, "decided_by": actor, "decided_at": now, "reason": ""}
    for state in (State.CONFIRMED, State.PUBLICIZED):
        ids = [a.pk for a in applications if decisions[a.pk] is None and a.state == state]
        if ids:
            Application.objects.filter(pk__in=ids).update(
                state=state,
                state_changed_at=F("state_changed_at") if state == State.PUBLICIZED else now,
                **{f"{program}_{name}": value for name, value in confirmations.items()},
            )
    rejected = [a for a in applications if decisions[a.pk] is not None]
    Application.objects.bulk_update(
        rejected,
        [*(f"{program}_{name}" for name in confirmations), "state", "state_changed_at", "rejection_reason"],
    )
    confirmed = [a for a in applications if a.state == State.CONFIRMED]
    outcome.cases = _open_cases(confirmed, round=round, actor=actor, when=now)
    audit.record_many(events)
    return outcome


def _open_cases(applications: Sequence[Application], *, round: Round, actor: User, when) -> list[Case]:
    """Open the household's cases for the confirmed programs and set its 贫困户属性.

    A household already on a roll (an open case of that program) keeps that case: the unique
    constraint allows one open case per program, and its history stays unbroken.
    """
    if not applications:
        return []
    household_ids = [a.household_id for a in applications]
    open_already = set(
        Case.objects.filter(household_id__in=household_ids, state__in=Case.OPEN_STATES).values_list(
            "household_id", "program"
        )
    )
    reason = f"{round.name}县级认定"
    cases = [
        Case(
            household_id=a.household_id,
            program=program,
            entered_year=round.year,
            poverty_class=a.poverty_class,
            state=hh.CaseState.ACTIVE,
            note=reason,
        )
        for a in applications
        for program in a.confirmed_programs()
        if (a.household_id, program) not in open_already
    ]
    copy_insert(cases, user=actor, reason=reason)

    attribute = {
        a.household_id: hh.Attribute.DIBAO if "dibao" in a.confirmed_programs() else hh.Attribute.GENERAL
        for a in applications
    }
    households = list(Household.objects.filter(pk__in=household_ids))
    for household in households:
        household.attribute = attribute[household.pk]
        household.updated_at = when
    for value in set(attribute.values()):
        Household.objects.filter(pk__in=[pk for pk, v in attribute.items() if v == value]).update(
            attribute=value, updated_at=when
        )
    copy_history(households, history_type="~", user=actor, reason=reason, when=when)
    return cases


def application_decide(
    *, application: Application, actor: User, program: str | None = None, confirm: bool, reason: str = ""
) -> DecisionOutcome:
    """One county decision on one program. When the last requested program is decided, the
    application is 已认定 (at least one program confirmed: its cases open) or 不予认定."""
    program = _program_of(actor, program)
    if not confirm:
        reason = _require_reason(reason, "不予认定")
    with transaction.atomic():
        round = Round.objects.get(pk=application.round_id)
        try:
            return _decide(
                round=round,
                actor=actor,
                program=program,
                decisions={application.pk: None if confirm else reason},
            )
        except NotInScope:
            raise NotInScope("该申请不存在,或不在您的管辖区域内。") from None


def county_confirm_bulk(
    *, round: Round, actor: User, applications: Iterable[int], rejections: Mapping[int, str] | None = None
) -> DecisionOutcome:
    """Bulk confirmation of the actor's own program, with per-item overrides: {id: reason} rejects.

    All or nothing: one problem anywhere refuses the whole batch and lists what to fix.
    """
    program = _program_of(actor, None)
    rejections = rejections or {}
    decisions: dict[int, str | None] = {pk: None for pk in applications}
    for pk, reason in rejections.items():
        decisions[pk] = reason if (reason or "").strip() else ""
    if not decisions:
        raise WorkflowError("请选择要认定的申请。", code="invalid")
    with transaction.atomic():
        return _decide(round=round, actor=actor, program=program, decisions=decisions)
