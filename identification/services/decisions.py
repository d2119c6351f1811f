"""第六步 县级认定: the bureaus' decisions per program, the cases they open, and the referrals between them.

- 四(二) "属于扶贫对象的,报县扶贫部门审批,属于农村低保对象的,报县民政部门审批": each bureau decides only the
  applications that go on for its program (`Application.programs`), and only after its own county sample.
- The class (四(一)) follows the rolls: a household confirmed for 低保 or already on the 低保 roll is class 1 or 2
  by capacity, else 3 (rules.poverty_class).
- 贫困户属性 follows the rolls too: 特困供养贫困户 if on the 特困 roll, 低保贫困户 if on the 低保 roll, else 一般贫困户 —
  confirming 扶贫 never turns a 低保 or 特困 household into 一般贫困户.
- A household whose 扶贫 case was lifted and that is confirmed again returns on that case (返贫, with the year).
- 四(二) last sentence (seed 001 "双向纳入"): "县民政局在进行复核时,要配合县扶贫办将其中有劳动能力和致富意愿的
  贫困农户确认为扶贫对象": 民政 confirming 低保 for a household with labour that is not on the 扶贫 side refers it to
  县扶贫办 (a Referral), who confirms or declines it.
"""

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
from households.choices import PovertyClass
from households.models import Case, Household
from identification import rules
from identification.choices import PROGRAM_LABELS, Decision, ReferralStatus, State
from identification.models import Application, Referral, Round
from identification.selectors import county_checked_ids
from identification.services._common import (
    PROGRAM_ROLE,
    NotInScope,
    _require_open_round,
    _require_reason,
    _require_role,
    _scoped,
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
    covered, untrue = county_checked_ids(round, program)
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
            problems.append((f"户 {number} 未报{label}(申请或入户调查结果不含{label})。", "not_requested"))
        elif a.decision(program):
            who = getattr(a, f"{program}_decided_by")
            problems.append(
                (
                    f"户 {number} 的{label}认定已由 {who.get_full_name() or who.username} 作出,不能重复认定。",
                    "already_decided",
                )
            )
        elif a.pk not in covered:
            problems.append(
                (
                    f"户 {number} 尚未纳入已完成的{label}县级抽查,不能认定(第六步:先抽查后认定)。",
                    "county_check_pending",
                )
            )
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
    """Open (or reopen as 返贫) the household's cases for the confirmed programs, set the class and the
    贫困户属性 from the rolls, and refer 低保 households with labour to 扶贫办.

    A household already on a roll (an open case of that program) keeps that case: the unique
    constraint allows one open case per program, and its history stays unbroken.
    """
    if not applications:
        return []
    household_ids = [a.household_id for a in applications]
    rolls: dict[int, dict[str, Case]] = {}
    for case in Case.objects.filter(household_id__in=household_ids).order_by("pk"):
        if case.is_open or case.state == hh.CaseState.LIFTED:
            # An open case wins over a lifted one of the same program.
            held = rolls.setdefault(case.household_id, {}).get(case.program)
            if held is None or not held.is_open:
                rolls[case.household_id][case.program] = case
    reason = f"{round.name}县级认定"
    new_cases: list[Case] = []
    returned: list[Case] = []
    referrals: list[Referral] = []
    attributes: dict[int, str] = {}
    for a in applications:
        held = rolls.get(a.household_id, {})
        confirmed = a.confirmed_programs()
        on_dibao = "dibao" in confirmed or (held.get("dibao") is not None and held["dibao"].is_open)
        capacity = next(
            (r["fired"] for r in a.eligibility.get("rules", []) if r["code"] == "CAPACITY"), False
        )
        a.poverty_class = rules.poverty_class(
            dibao_household=on_dibao, capacity=capacity, fupin="fupin" in confirmed, poor=True
        )
        for program in confirmed:
            case = held.get(program)
            if case is not None and case.is_open:
                continue
            if case is not None and program == "fupin":  # lifted before, confirmed again: 返贫
                case.state, case.returned_year, case.poverty_class = (
                    hh.CaseState.RETURNED,
                    round.year,
                    a.poverty_class,
                )
                case.note = f"{round.year}年返贫({reason})"
                returned.append(case)
                continue
            new_cases.append(
                Case(
                    household_id=a.household_id,
                    program=program,
                    entered_year=round.year,
                    poverty_class=a.poverty_class,
                    state=hh.CaseState.ACTIVE,
                    note=reason,
                )
            )
        on_fupin = "fupin" in confirmed or (held.get("fupin") is not None and held["fupin"].is_open)
        on_tekun = held.get("tekun") is not None and held["tekun"].is_open
        if on_fupin:
            attributes[a.household_id] = (
                hh.Attribute.TEKUN if on_tekun else hh.Attribute.DIBAO if on_dibao else hh.Attribute.GENERAL
            )
        elif "dibao" in confirmed and a.poverty_class == PovertyClass.DIBAO_WITH_CAPACITY:
            referrals.append(
                Referral(
                    application=a,
                    reason=f"民政认定低保,家庭有劳动力({a.get_poverty_class_display()}),转县扶贫办确认是否纳入扶贫对象",
                    referred_by=actor,
                )
            )
    copy_insert(new_cases, user=actor, reason=reason)
    for case in returned:
        case._change_reason = reason
        case.save(update_fields=["state", "returned_year", "poverty_class", "note"])
    Referral.objects.bulk_create(referrals)
    for referral in referrals:
        audit.record(
            event_type="referral.created",
            actor=actor,
            obj=referral,
            area_code=referral.application.household.group.code,
            new={"application": referral.application_id},
            reason=referral.reason,
        )
    for klass in {a.poverty_class for a in applications}:
        Application.objects.filter(pk__in=[a.pk for a in applications if a.poverty_class == klass]).update(
            poverty_class=klass
        )
    _set_attributes(attributes, actor=actor, reason=reason, when=when)
    return new_cases + returned


def _set_attributes(attributes: dict[int, str], *, actor: User, reason: str, when) -> None:
    """Write 贫困户属性 where it changes, with history rows."""
    households = [
        h for h in Household.objects.filter(pk__in=list(attributes)) if h.attribute != attributes[h.pk]
    ]
    for household in households:
        household.attribute = attributes[household.pk]
        household.updated_at = when
    for value in {h.attribute for h in households}:
        Household.objects.filter(pk__in=[h.pk for h in households if h.attribute == value]).update(
            attribute=value, updated_at=when
        )
    copy_history(households, history_type="~", user=actor, reason=reason, when=when)


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


@transaction.atomic
def referral_decide(*, referral: Referral, actor: User, accept: bool, note: str = "") -> Referral:
    """县扶贫办 confirms a referred 低保 household as 扶贫对象 (its 扶贫 case opens, class 2) or declines it."""
    _require_role(actor, {Role.COUNTY_FUPIN}, "确认低保转扶贫")
    referral = _scoped(
        Referral.objects.select_related("application__household__group", "application__round"),
        actor,
        referral.pk,
        "该转介",
    )
    application = referral.application
    _require_open_round(application.round)
    if referral.status != ReferralStatus.PENDING:
        raise WorkflowError(f"该转介已处理({referral.get_status_display()})。", code="already_handled")
    note = (note or "").strip()
    if not accept and not note:
        raise WorkflowError("不予确认须填写理由。", code="reason_required")
    excluded = [
        r["code"]
        for r in application.eligibility.get("rules", [])
        if r["code"].startswith("X") and r["fired"]
    ]
    if accept and excluded:
        raise WorkflowError(
            f"入户调查发现排除情形({'、'.join(excluded)}),按第三步不能作为扶贫开发对象。", code="not_eligible"
        )
    if accept and not application.eligibility.get("fupin"):
        raise WorkflowError("入户调查结果显示本户不符合扶贫条件,只能不予确认。", code="not_eligible")
    now = timezone.now()
    referral.status = ReferralStatus.ACCEPTED if accept else ReferralStatus.DECLINED
    referral.decided_by, referral.decided_at, referral.note = actor, now, note
    referral.save(update_fields=["status", "decided_by", "decided_at", "note"])
    reason = f"{application.round.name}低保转扶贫"
    if accept:
        household = application.household
        open_fupin = Case.objects.filter(
            household=household, program="fupin", state__in=Case.OPEN_STATES
        ).exists()
        if not open_fupin:
            lifted = Case.objects.filter(
                household=household, program="fupin", state=hh.CaseState.LIFTED
            ).first()
            if lifted:
                lifted.state, lifted.returned_year = hh.CaseState.RETURNED, application.round.year
                lifted.poverty_class, lifted.note = (
                    application.poverty_class,
                    f"{application.round.year}年返贫({reason})",
                )
                lifted._change_reason = reason
                lifted.save(update_fields=["state", "returned_year", "poverty_class", "note"])
            else:
                copy_insert(
                    [
                        Case(
                            household=household,
                            program="fupin",
                            entered_year=application.round.year,
                            poverty_class=application.poverty_class,
                            state=hh.CaseState.ACTIVE,
                            note=reason,
                        )
                    ],
                    user=actor,
                    reason=reason,
                )
        on_tekun = Case.objects.filter(
            household=household, program="tekun", state__in=Case.OPEN_STATES
        ).exists()
        _set_attributes(
            {household.pk: hh.Attribute.TEKUN if on_tekun else hh.Attribute.DIBAO},
            actor=actor,
            reason=reason,
            when=now,
        )
    audit.record(
        event_type=f"referral.{referral.status}",
        actor=actor,
        obj=referral,
        area_code=application.household.group.code,
        old={"status": ReferralStatus.PENDING.value},
        new={"status": referral.status},
        reason=note,
    )
    return referral
