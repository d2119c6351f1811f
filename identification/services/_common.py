"""What every identification service shares: the guards, the scoped locking fetch, the moves."""

from __future__ import annotations

import datetime
from collections.abc import Mapping, Sequence
from functools import partial

from django.utils import timezone

from accounts import audit, clock, guards
from accounts.guards import NotInScope as NotInScope  # re-exported: identification.services.NotInScope
from accounts.models import Role, User
from households import choices as hh
from households.models import IncomeRecord
from identification.choices import (
    NoticeLevel,
    State,
)
from identification.models import (
    Application,
    Round,
)
from identification.transitions import WorkflowError, check_move
from villages.models import Area

PROGRAM_ROLE = {"fupin": Role.COUNTY_FUPIN, "dibao": Role.COUNTY_MINZHENG}
COUNTY_ROLES = frozenset({Role.COUNTY_FUPIN, Role.COUNTY_MINZHENG})
LOCAL_ROLES = frozenset({Role.VILLAGE_CADRE, Role.TOWNSHIP_OFFICIAL})
# The 公示 of the procedure: who publishes them, records and handles objections, and closes them.
NOTICE_ROLES = {
    NoticeLevel.GROUP: LOCAL_ROLES,
    NoticeLevel.VILLAGE: LOCAL_ROLES,
    NoticeLevel.TOWNSHIP: frozenset({Role.TOWNSHIP_OFFICIAL}),
    NoticeLevel.COUNTY: COUNTY_ROLES,
}
LABOURERS = (hh.Labour.ORDINARY, hh.Labour.SKILLED)
NO_LABOUR = (hh.Labour.LOST, hh.Labour.NONE)
INCOME_FIELDS = (
    "wage_income",
    "business_income",
    "business_expense",
    "property_income",
    *IncomeRecord.TRANSFER_FIELDS,
)


def today() -> datetime.date:
    """The workflow's today, for screens that default a date (a meeting, a notice period) to it."""
    return clock.today()


# --- guards -------------------------------------------------------------------------------------


_require_role = partial(guards.require_role, error=WorkflowError)


def _require_open_round(round: Round) -> None:
    # Re-read: the instance the caller holds may predate the closing.
    if Round.objects.filter(pk=round.pk, closed=True).exists():
        raise WorkflowError(f"识别批次“{round.name}”已关闭,不能再作任何修改。", code="round_closed")


_scoped = guards.in_scope


def _lock_application(actor: User, application: Application) -> Application:
    return _scoped(
        Application.objects.select_related("round", "household__group"), actor, application.pk, "该申请"
    )


def _area_in_scope(actor: User, area: Area) -> Area:
    return _scoped(Area.objects.all(), actor, area.pk, "该区划", lock=False)


def _move(
    application: Application,
    target: State,
    actor: User,
    *,
    event_type: str,
    reason: str = "",
    new: Mapping | None = None,
    update_fields: Sequence[str] = (),
) -> None:
    """Change the state of a locked application and write its audit event."""
    old = application.state
    check_move(old, target, actor)
    application.state = target
    application.state_changed_at = timezone.now()
    application.save(update_fields=["state", "state_changed_at", *update_fields])
    audit.record(
        event_type=event_type,
        actor=actor,
        obj=application,
        area_code=application.household.group.code,
        old={"state": old},
        new={"state": target.value, **(new or {})},
        reason=reason,
    )


def _move_many(
    applications: Sequence[Application],
    target: State,
    actor: User,
    *,
    event_type: str,
    reason: str = "",
    new: Mapping | None = None,
) -> None:
    """`_move` for a batch of locked applications: one UPDATE and one audit INSERT batch, so that a
    township notice of 3,000 households closes in a handful of statements."""
    if not applications:
        return
    now = timezone.now()
    events = []
    for application in applications:
        old = application.state
        check_move(old, target, actor)
        application.state, application.state_changed_at = target, now
        events.append(
            audit.event(
                event_type=event_type,
                actor=actor,
                obj=application,
                area_code=application.household.group.code,
                old={"state": old},
                new={"state": target.value, **(new or {})},
                reason=reason,
                when=now,
            )
        )
    Application.objects.filter(pk__in=[a.pk for a in applications]).update(state=target, state_changed_at=now)
    audit.record_many(events)


def _require_reason(reason: str, what: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise WorkflowError(f"{what}必须填写理由。", code="reason_required")
    return reason


# --- rounds and quotas ----------------------------------------------------------------------------
