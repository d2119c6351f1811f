"""突发严重困难: the village records the event; its warning follows at once (after the commit)."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.db import transaction

from accounts import audit, clock
from accounts.models import User
from households.models import Household
from monitoring import entry
from monitoring.choices import EventKind
from monitoring.models import HardshipEvent, MonitoringSettings
from monitoring.services._common import (
    COUNTY_SETTERS,
    TOWNSHIP,
    VILLAGE,
    MonitoringError,
    locked,
    require_role,
    require_text,
)
from villages.models import Area

EVENT_RECORDERS = frozenset({VILLAGE, TOWNSHIP})


@transaction.atomic
def event_record(
    *,
    household: Household,
    actor: User,
    kind: str,
    occurred_on: datetime.date,
    amount: Decimal,
    description: str,
) -> HardshipEvent:
    require_role(actor, EVENT_RECORDERS, "登记突发严重困难")
    household = locked(Household.objects.select_related("group"), actor, household.pk, "该户")
    if kind not in EventKind.values:
        raise MonitoringError("请选择突发困难类型。", code="invalid")
    if occurred_on > clock.today():
        raise MonitoringError("发生日期不能晚于今天。", code="invalid")
    if amount is None or amount < 0:
        raise MonitoringError("金额不能为负数。", code="invalid")
    event = HardshipEvent.objects.create(
        household=household, kind=kind, occurred_on=occurred_on, amount=amount,
        description=require_text(description, "情况说明"), recorded_by=actor,
    )  # fmt: skip
    audit.record(
        event_type="monitoring.event_recorded",
        actor=actor,
        obj=event,
        area_code=household.group.code,
        new={"kind": kind, "occurred_on": occurred_on, "amount": amount},
        reason=event.description,
    )
    entry.household_changed(household.pk)
    return event


def settings_for(area: Area) -> MonitoringSettings:
    """The county's settings for any area inside it, or the defaults (unsaved)."""
    county = Area.objects.get(code=area.code[:6].ljust(12, "0"))
    return MonitoringSettings.objects.filter(county=county).first() or MonitoringSettings(county=county)


@transaction.atomic
def settings_save(
    *, actor: User, line_factor: Decimal, drop_share: Decimal, medical_share: Decimal
) -> MonitoringSettings:
    require_role(actor, COUNTY_SETTERS, "修改监测设置")
    if actor.area is None or actor.area.level != Area.Level.COUNTY:
        raise MonitoringError("监测设置由县级修改。", code="wrong_role")
    if not Decimal("1") <= line_factor <= Decimal("5"):
        raise MonitoringError("监测线倍数须在 1 至 5 之间。", code="invalid")
    for value, what in ((drop_share, "收入下降比例"), (medical_share, "医疗支出占收入比例")):
        if not Decimal("0.01") <= value <= Decimal("1"):
            raise MonitoringError(f"{what}须在 0.01 至 1 之间。", code="invalid")
    row, _ = MonitoringSettings.objects.select_for_update().get_or_create(county=actor.area)
    old = {"line_factor": row.line_factor, "drop_share": row.drop_share, "medical_share": row.medical_share}
    row.line_factor, row.drop_share, row.medical_share = line_factor, drop_share, medical_share
    row.full_clean()
    row.save()
    audit.record(
        event_type="monitoring.settings",
        actor=actor,
        obj=row,
        area_code=actor.area.code,
        old=old,
        new={"line_factor": line_factor, "drop_share": drop_share, "medical_share": medical_share},
    )
    return row
