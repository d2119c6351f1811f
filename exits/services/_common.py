"""What the exits services share: the guards, the scoped locking fetch, the move with its audit event."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import partial

from accounts import audit, guards
from accounts.models import User
from exits.models import ExitApplication, ExitState
from exits.transitions import check_move
from identification.services._common import NotInScope
from identification.transitions import WorkflowError

__all__ = ["NotInScope", "WorkflowError"]


require_role = partial(guards.require_role, error=WorkflowError)


def require_reason(reason: str, what: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise WorkflowError(f"{what}必须填写理由。", code="reason_required")
    return reason


scoped = guards.in_scope


def lock_exit(actor: User, exit: ExitApplication) -> ExitApplication:
    return scoped(
        ExitApplication.objects.select_related("round", "household__group", "case"),
        actor,
        exit.pk,
        "该退出申请",
    )


def move(
    exit: ExitApplication,
    target: ExitState,
    actor: User,
    *,
    event_type: str,
    reason: str = "",
    new: Mapping | None = None,
    update_fields: Sequence[str] = (),
) -> None:
    """Change the state of a locked exit and write its audit event."""
    old = exit.state
    check_move(old, target, actor)
    exit.state = target
    exit.save(update_fields=["state", "updated_at", *update_fields])
    audit.record(
        event_type=event_type,
        actor=actor,
        obj=exit,
        area_code=exit.household.group.code,
        old={"state": old},
        new={"state": target.value, **(new or {})},
        reason=reason,
    )


# The 公示 of the exit procedure (the shared component, notices): the village's, and the county's 公告.
VILLAGE_KIND = "exits.village"
COUNTY_KIND = "exits.county"
