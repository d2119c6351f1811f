"""What the exits services share: the guards, the scoped locking fetch, the move with its audit event."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from accounts import audit
from accounts.models import Role, User
from exits.models import ExitApplication, ExitState
from exits.transitions import check_move
from identification.services._common import NotInScope
from identification.transitions import WorkflowError

__all__ = ["NotInScope", "WorkflowError"]


def require_role(actor: User, roles: Iterable[str], what: str) -> None:
    roles = frozenset(roles)
    if actor.role not in roles:
        names = "、".join(str(Role(r).label) for r in sorted(roles))
        raise WorkflowError(
            f"{what}只能由{names}办理,您的角色是{actor.get_role_display() or '未分配'}。", code="wrong_role"
        )


def require_reason(reason: str, what: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise WorkflowError(f"{what}必须填写理由。", code="reason_required")
    return reason


def scoped(queryset, actor: User, pk: int, what: str, *, lock: bool = True):
    """The row through the actor's scope (locked): missing and outside are the same 404."""
    queryset = queryset.visible_to(actor)
    if lock:
        queryset = queryset.select_for_update(of=("self",))
    try:
        return queryset.get(pk=pk)
    except queryset.model.DoesNotExist:
        raise NotInScope(f"{what}不存在,或不在您的管辖区域内。") from None


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
