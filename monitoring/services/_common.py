"""What every monitoring service shares: the refusal, the role guard, the scoped locking fetch."""

from __future__ import annotations

from functools import partial

from accounts import guards
from accounts.guards import NotInScope as NotInScope  # re-exported: monitoring.services.NotInScope
from accounts.guards import Refused
from accounts.models import Role

VILLAGE = Role.VILLAGE_CADRE
TOWNSHIP = Role.TOWNSHIP_OFFICIAL
FUPIN = Role.COUNTY_FUPIN
COUNTY_SETTERS = frozenset({Role.COUNTY_FUPIN, Role.ADMIN})


class MonitoringError(Refused):
    """A refused move; `code` names the rule ("wrong_role" → 403), the message says it in Chinese."""


require_role = partial(guards.require_role, error=MonitoringError)
locked = guards.in_scope


def require_text(value: str, what: str) -> str:
    value = (value or "").strip()
    if not value:
        raise MonitoringError(f"请填写{what}。", code="reason_required")
    return value
