"""What every monitoring service shares: the refusal, the role guard, the scoped locking fetch."""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.http import Http404

from accounts.models import Role, User

VILLAGE = Role.VILLAGE_CADRE
TOWNSHIP = Role.TOWNSHIP_OFFICIAL
FUPIN = Role.COUNTY_FUPIN
COUNTY_SETTERS = frozenset({Role.COUNTY_FUPIN, Role.ADMIN})


class MonitoringError(ValidationError):
    """A refused move; `code` names the rule ("wrong_role" → 403), the message says it in Chinese."""

    def __init__(self, message: str, code: str) -> None:
        super().__init__(message, code=code)

    def __str__(self) -> str:
        return self.message


class NotInScope(Http404):
    """Missing, or outside the actor's area: the same answer for both."""


def require_role(actor: User, roles: Iterable[str], what: str) -> None:
    roles = frozenset(roles)
    if not actor.is_authenticated or actor.role not in roles:
        names = "、".join(str(Role(r).label) for r in sorted(roles))
        mine = actor.get_role_display() if actor.is_authenticated and actor.role else "未分配"
        raise MonitoringError(f"{what}只能由{names}办理,您的角色是{mine}。", code="wrong_role")


def locked(queryset, actor: User, pk: int, what: str):
    try:
        return queryset.visible_to(actor).select_for_update(of=("self",)).get(pk=pk)
    except queryset.model.DoesNotExist:
        raise NotInScope(f"{what}不存在,或不在您的管辖区域内。") from None


def require_text(value: str, what: str) -> str:
    value = (value or "").strip()
    if not value:
        raise MonitoringError(f"请填写{what}。", code="reason_required")
    return value
