"""The moves of a change request: file (village), approve / reject (township), withdraw (village).

Each takes the acting user, checks role and area, runs in one transaction with the rows locked, writes
an audit event and refuses in Chinese (a ValidationError; code "wrong_role" is a 403 on screens).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts import audit
from accounts.models import User
from households.changes import applying, transitions
from households.changes.checks import Draft, check
from households.changes.models import ChangeRequest, ChangeRequestMember, Kind, State
from households.changes.snapshots import snapshot
from households.models import Household
from households.services import registry_changed

# 分户 and 合户 rearrange whole households: while one is pending nothing else is filed on them.
WHOLE_HOUSEHOLD = (Kind.SPLIT, Kind.MERGE)


def _lock_households(actor: User, *ids: int) -> dict[int, Household]:
    """The households, locked in id order (two requests on the same pair never deadlock), through the
    actor's scope: one outside it is refused as if missing."""
    locked = {
        h.pk: h
        for h in Household.objects.visible_to(actor).select_for_update().filter(pk__in=ids).order_by("pk")
    }
    if any(i not in locked for i in ids):
        raise ValidationError("该户不在您的管辖范围内。", code="out_of_area")
    return locked


def _check_pending(household: Household, kind: str, draft: Draft, *, exclude: int | None = None) -> None:
    households = [household, *([draft.other_household] if draft.other_household else [])]
    pending = ChangeRequest.objects.filter(state=State.PENDING).exclude(pk=exclude)
    for h in households:
        others = pending.filter(household=h) | pending.filter(other_household=h)
        if others.filter(kind__in=WHOLE_HOUSEHOLD).exists():
            raise ValidationError(
                f"户编号{h.number}有待审核的分户或合户申请,审核后才能再申请变更。", code="pending"
            )
        if kind in WHOLE_HOUSEHOLD and others.exists():
            raise ValidationError(
                f"户编号{h.number}有待审核的变更申请,审核后才能申请分户或合户。", code="pending"
            )
    held = (
        ChangeRequestMember.objects.filter(pending=True, member__in=draft.held)
        .exclude(request_id=exclude)
        .select_related("member", "request")
        .first()
    )
    if held is not None:
        raise ValidationError(
            f"{held.member.name}已有一项待审核的“{held.request.get_kind_display()}”申请,审核后才能再申请。",
            code="pending",
        )
    if draft.new_id_number and pending.filter(new_id_number=draft.new_id_number).exists():
        raise ValidationError("该身份证号已在另一项待审核的申请中,审核后才能再申请。", code="pending")


@transaction.atomic
def change_file(
    *, actor: User, household: Household, kind: str, reason: str = "", note: str = "", payload: Mapping
) -> ChangeRequest:
    """A village cadre files a change of a household of their village; nothing changes until approved."""
    transitions.check_filer(actor)
    locked = _lock_households(actor, household.pk)[household.pk]
    draft = check(kind, locked, payload, reason, actor)
    if draft.other_household is not None:
        draft.other_household = _lock_households(actor, draft.other_household.pk)[draft.other_household.pk]
    _check_pending(locked, kind, draft)
    change = ChangeRequest(
        household=locked,
        kind=kind,
        reason=reason,
        note=note.strip(),
        payload=draft.payload,
        new_id_number=draft.new_id_number,
        other_household=draft.other_household,
        filed_by=actor,
    )
    try:
        # The constraints hold what the checks above saw, also against a request filed at this moment
        # on another household (the same person added in two villages).
        with transaction.atomic():
            change.save()
            ChangeRequestMember.objects.bulk_create(
                [
                    ChangeRequestMember(request=change, member=m)
                    for m in {m.pk: m for m in draft.held}.values()
                ]
            )
    except IntegrityError:
        raise ValidationError(
            "涉及的成员或身份证号刚刚已有另一项待审核的申请,请刷新页面后查看。", code="pending"
        ) from None
    audit.record(
        event_type="household_change_filed",
        actor=actor,
        obj=change,
        area_code=locked.group.code,
        new={"kind": kind, "household": locked.number, "reason": reason},
        reason=change.note,
    )
    return change


def _lock_request(actor: User, change: ChangeRequest) -> ChangeRequest:
    locked = ChangeRequest.objects.visible_to(actor).select_for_update().filter(pk=change.pk).first()
    if locked is None:
        raise ValidationError("该申请不在您的管辖范围内。", code="out_of_area")
    return locked


def _close(change: ChangeRequest, state: State, actor: User, reason: str) -> None:
    change.state = state
    change.decided_by = actor
    change.decided_at = timezone.now()
    change.decision_reason = reason
    change.save()
    ChangeRequestMember.objects.filter(request=change).update(pending=False)


def _households_of(change: ChangeRequest) -> list[int]:
    return [change.household_id, *([change.other_household_id] if change.kind == Kind.MERGE else [])]


@dataclass
class Outcome:
    before: list[dict]
    after: list[dict]


def _run(change: ChangeRequest, actor: User) -> Outcome:
    """Check the request against the household as it is now, and apply it (inside the caller's
    transaction, with the households locked)."""
    households = _lock_households(actor, *_households_of(change))
    household = households[change.household_id]
    draft = check(change.kind, household, change.payload, change.reason, actor)
    if draft.other_household is not None:
        draft.other_household = households[draft.other_household.pk]
    _check_pending(household, change.kind, draft, exclude=change.pk)
    before = [snapshot(households[i]) for i in _households_of(change)]
    change.household = household
    touched = applying.apply(change, draft, actor)
    return Outcome(before=before, after=[snapshot(h) for h in touched])


@transaction.atomic
def change_approve(*, actor: User, change: ChangeRequest, reason: str = "") -> ChangeRequest:
    """The township approves: the change is applied now, the before/after kept on the request."""
    locked = _lock_request(actor, change)
    transitions.check_move(locked.state, State.APPROVED, actor)
    outcome = _run(locked, actor)
    locked.before, locked.after = outcome.before, outcome.after
    _close(locked, State.APPROVED, actor, reason.strip())
    audit.record(
        event_type="household_change_approved",
        actor=actor,
        obj=locked,
        area_code=locked.household.group.code,
        old={"state": State.PENDING, "households": outcome.before},
        new={"state": State.APPROVED, "households": outcome.after},
        reason=locked.decision_reason,
    )
    transaction.on_commit(registry_changed)
    return locked


@transaction.atomic
def change_reject(*, actor: User, change: ChangeRequest, reason: str) -> ChangeRequest:
    locked = _lock_request(actor, change)
    transitions.check_move(locked.state, State.REJECTED, actor)
    if not reason.strip():
        raise ValidationError("驳回须写明理由,村里据此更正或告知农户。", code="reason_required")
    _close(locked, State.REJECTED, actor, reason.strip())
    audit.record(
        event_type="household_change_rejected",
        actor=actor,
        obj=locked,
        area_code=locked.household.group.code,
        old={"state": State.PENDING},
        new={"state": State.REJECTED},
        reason=locked.decision_reason,
    )
    return locked


@transaction.atomic
def change_withdraw(*, actor: User, change: ChangeRequest, reason: str = "") -> ChangeRequest:
    locked = _lock_request(actor, change)
    transitions.check_move(locked.state, State.WITHDRAWN, actor)
    _close(locked, State.WITHDRAWN, actor, reason.strip())
    audit.record(
        event_type="household_change_withdrawn",
        actor=actor,
        obj=locked,
        area_code=locked.household.group.code,
        old={"state": State.PENDING},
        new={"state": State.WITHDRAWN},
        reason=locked.decision_reason,
    )
    return locked


class _Preview(Exception):
    def __init__(self, outcome: Outcome) -> None:
        self.outcome = outcome


def change_preview(*, actor: User, change: ChangeRequest) -> tuple[Outcome | None, str]:
    """The before/after of a pending request: applied in a savepoint and rolled back, so that the page
    shows exactly what approval would do, or why approval would now be refused."""
    if not change.is_pending:
        return Outcome(before=change.before, after=change.after), ""
    try:
        with transaction.atomic():
            raise _Preview(_run(ChangeRequest.objects.get(pk=change.pk), actor))
    except _Preview as done:
        return done.outcome, ""
    except ValidationError as error:
        return None, " ".join(error.messages)
