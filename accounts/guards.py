"""The two guards every service starts with: the actor's role, and the row fetched through the actor's scope.

Each domain app raises its own refusal (identification's WorkflowError, monitoring's MonitoringError …), all
of them a `Refused`: a ValidationError whose `code` names the rule ("wrong_role" is answered with 403) and
whose message says it in Chinese.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from accounts.models import Role, User


class Refused(ValidationError):
    def __init__(self, message: str, code: str) -> None:
        super().__init__(message, code=code)

    def __str__(self) -> str:
        return self.message


class NotInScope(Http404):
    """Missing, or outside the actor's area: the same answer for both, so nothing leaks."""


def role_refusal(actor: User, roles: Iterable[str], what: str) -> str | None:
    """Why `actor` may not do `what`, or None when their role is one of `roles`."""
    roles = frozenset(roles)
    if actor.is_authenticated and actor.role in roles:
        return None
    names = "、".join(str(Role(r).label) for r in sorted(roles))
    mine = (actor.get_role_display() if actor.is_authenticated else "") or "未分配"
    return f"{what}只能由{names}办理,您的角色是{mine}。"


def require_role(actor: User, roles: Iterable[str], what: str, *, error: type[Refused] = Refused) -> None:
    if (refusal := role_refusal(actor, roles, what)) is not None:
        raise error(refusal, code="wrong_role")


def require_role_to_see(actor: User, roles: Iterable[str], what: str) -> None:
    """For pages that only show a form: a 403 before the user types anything the service would refuse."""
    if (refusal := role_refusal(actor, roles, what)) is not None:
        raise PermissionDenied(refusal)


def in_scope(
    queryset, actor: User, pk: int, what: str, *, lock: bool = True, missing: type[Http404] = NotInScope
):
    """The row through the actor's scope, locked for the move: missing and outside are the same 404, so
    nothing leaks."""
    queryset = queryset.visible_to(actor)
    if lock:
        queryset = queryset.select_for_update(of=("self",))
    try:
        return queryset.get(pk=pk)
    except queryset.model.DoesNotExist:
        raise missing(f"{what}不存在,或不在您的管辖区域内。") from None
