"""Rounds and quotas: the county's standards and 规模控制 (seed 002 第一步)."""

from __future__ import annotations

from decimal import Decimal

from django.db import transaction

from accounts import audit
from accounts.models import Role, User
from identification.models import (
    Quota,
    Round,
)
from identification.services._common import (
    _area_in_scope,
    _require_open_round,
    _require_role,
)
from identification.transitions import WorkflowError
from villages.models import Area


@transaction.atomic
def round_create(
    *,
    actor: User,
    year: int,
    name: str,
    poverty_line: Decimal,
    dibao_line: Decimal,
    notice_days: int = 7,
    township_sample_rate: Decimal | None = None,
    county_sample_rate: Decimal | None = None,
) -> Round:
    _require_role(actor, {Role.COUNTY_FUPIN}, "设立识别批次")
    round = Round(
        year=year, name=name, poverty_line=poverty_line, dibao_line=dibao_line, notice_days=notice_days
    )
    if township_sample_rate is not None:
        round.township_sample_rate = township_sample_rate
    if county_sample_rate is not None:
        round.county_sample_rate = county_sample_rate
    if Decimal(round.township_sample_rate) < Decimal("0.20"):
        raise WorkflowError("乡镇抽查比例不得低于20%。", code="rate_too_low")
    if Decimal(round.county_sample_rate) < Decimal("0.05"):
        raise WorkflowError("县级抽查比例不得低于5%。", code="rate_too_low")
    round.save()
    audit.record(
        event_type="round.created",
        actor=actor,
        obj=round,
        area_code=actor.area.code,
        new={
            "year": year,
            "poverty_line": str(poverty_line),
            "dibao_line": str(dibao_line),
            "notice_days": notice_days,
            "township_sample_rate": str(round.township_sample_rate),
            "county_sample_rate": str(round.county_sample_rate),
        },
    )
    return round


@transaction.atomic
def round_close(*, round: Round, actor: User, reason: str = "") -> Round:
    _require_role(actor, {Role.COUNTY_FUPIN}, "关闭识别批次")
    round = Round.objects.select_for_update().get(pk=round.pk)
    _require_open_round(round)
    round.closed = True
    round.save(update_fields=["closed"])
    audit.record(
        event_type="round.closed",
        actor=actor,
        obj=round,
        area_code=actor.area.code,
        old={"closed": False},
        new={"closed": True},
        reason=reason,
    )
    return round


@transaction.atomic
def quota_set(*, round: Round, area: Area, persons: int, actor: User, reason: str = "") -> Quota:
    """Set or raise a township's, village's or group's 规模控制 (the county's call)."""
    _require_role(actor, {Role.COUNTY_FUPIN}, "下达或调整规模控制指标")
    _require_open_round(round)
    area = _area_in_scope(actor, area)
    if area.level == Area.Level.COUNTY:
        raise WorkflowError("规模控制指标下达到乡镇、行政村或村民小组。", code="wrong_area_level")
    if persons < 0:
        raise WorkflowError("规模控制人数不能为负数。", code="invalid")
    quota = Quota.objects.select_for_update().filter(round=round, area=area).first()
    old = {"persons": quota.persons} if quota else {}
    if quota is None:
        quota = Quota(round=round, area=area, persons=persons)
    quota.persons = persons
    quota.save()
    audit.record(
        event_type="quota.set",
        actor=actor,
        obj=quota,
        area_code=area.code,
        old=old,
        new={"persons": persons},
        reason=reason,
    )
    return quota


# --- 第二步: 申报 -------------------------------------------------------------------------------------
