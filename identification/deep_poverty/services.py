"""Writes of 深度贫困: the county 扶贫办 sets the criteria of a round and confirms the list.

Both are plain functions taking the acting user: role and area checked, row locked, audit event written,
inside one transaction. Confirming writes the list as the ranking stands, and the 户卡 flag
(`Household.deep_poverty`) of every household whose membership changed, with a history row each.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from django.db import transaction

from accounts import audit
from accounts.models import Role, User
from households.bulk import history_of_rows
from households.models import Household
from identification.deep_poverty.models import DeepPovertyCriteria, DeepPovertyEntry, DeepPovertyList
from identification.deep_poverty.ranking import ranked
from identification.models import Round
from identification.services._common import _require_open_round, _require_role
from identification.transitions import WorkflowError
from villages.models import Area

CRITERIA_FIELDS = ("target_persons", "income_limit", "min_score", *DeepPovertyCriteria.WEIGHT_FIELDS)


def _require_county_fupin(actor: User, what: str) -> None:
    _require_role(actor, {Role.COUNTY_FUPIN}, what)
    if actor.area is None or actor.area.level != Area.Level.COUNTY:
        raise WorkflowError(f"{what}由县扶贫办办理,您的账号不属于县级。", code="wrong_role")


def _plain(value: Any) -> Any:
    return str(value) if isinstance(value, Decimal) else value


@transaction.atomic
def criteria_set(*, round: Round, actor: User, values: Mapping[str, Any]) -> DeepPovertyCriteria:
    """Create or change the round's criteria; the audit event holds every changed value, old and new."""
    _require_county_fupin(actor, "设置深度贫困认定条件")
    round = Round.objects.select_for_update().get(pk=round.pk)
    _require_open_round(round)
    if any(Decimal(values[name]) < 0 for name in CRITERIA_FIELDS):
        raise WorkflowError("认定条件不能为负数。", code="invalid")
    if int(values["target_persons"]) < 1:
        raise WorkflowError("深度贫困目标人数须为正整数。", code="invalid")
    criteria = DeepPovertyCriteria.objects.select_for_update().filter(round=round).first()
    old = {name: _plain(getattr(criteria, name)) for name in CRITERIA_FIELDS} if criteria else {}
    if criteria is None:
        criteria = DeepPovertyCriteria(round=round)
    for name in CRITERIA_FIELDS:
        setattr(criteria, name, values[name])
    criteria.updated_by = actor
    criteria.full_clean(exclude=["round", "updated_by"])
    criteria.save()
    criteria.refresh_from_db()  # values as stored (1000 → 1000.00), so an unchanged one compares equal
    new = {name: _plain(getattr(criteria, name)) for name in CRITERIA_FIELDS}
    changed = {name for name in CRITERIA_FIELDS if old.get(name) != new[name]}
    if changed:
        audit.record(
            event_type="deep_poverty.criteria_set",
            actor=actor,
            obj=criteria,
            area_code=actor.area.code,
            old={name: old[name] for name in changed if name in old},
            new={name: new[name] for name in changed},
        )
    return criteria


@transaction.atomic
def list_confirm(*, round: Round, actor: User, note: str = "") -> DeepPovertyList:
    """The county's ranked households within its target become the round's 深度贫困 list, and the 户卡 flags
    follow it: set on the list's households, cleared on the county's others."""
    _require_county_fupin(actor, "确认深度贫困名单")
    round = Round.objects.select_for_update().get(pk=round.pk)
    _require_open_round(round)
    # The criteria row is the round's lock for confirmations: two at once are made one after the other.
    criteria = (
        DeepPovertyCriteria.objects.select_for_update().select_related("round").filter(round=round).first()
    )
    if criteria is None:
        raise WorkflowError("县里尚未设置本批次的深度贫困认定条件,请先设置。", code="no_criteria")
    county = actor.area
    rows = ranked(criteria, county, within_only=True)
    if not rows:
        raise WorkflowError(
            "按现行认定条件没有农户进入深度贫困名单(扶贫对象、收入记录、收入上限和最低分值),请核对后再确认。",
            code="empty",
        )
    listed = DeepPovertyList.objects.create(
        round=round,
        area=county,
        criteria=criteria.snapshot(),
        households=len(rows),
        persons=sum(r.persons for r in rows),
        note=note,
        confirmed_by=actor,
    )
    DeepPovertyEntry.objects.bulk_create(
        [
            DeepPovertyEntry(
                deep_list=listed,
                household_id=r.household_id,
                rank=r.rank,
                score=r.score,
                per_capita_income=r.income,
                income_year=r.income_year,
                persons=r.persons,
                hardships=list(r.hardships),
            )  # fmt: skip
            for r in rows
        ],
        batch_size=2000,
    )
    on_list = [r.household_id for r in rows]
    county_households = Household.objects.filter(group__code__startswith=county.scope_prefix)
    flagged = list(
        county_households.filter(pk__in=on_list, deep_poverty=False)
        .select_for_update()
        .values_list("pk", flat=True)
    )
    cleared = list(
        county_households.filter(deep_poverty=True)
        .exclude(pk__in=on_list)
        .select_for_update()
        .values_list("pk", flat=True)
    )
    reason = f"深度贫困名单 #{listed.pk}"
    for ids, value in ((flagged, True), (cleared, False)):
        if ids:
            Household.objects.filter(pk__in=ids).update(deep_poverty=value)
            history_of_rows(Household, ids, history_type="~", user=actor, reason=reason)
    audit.record(
        event_type="deep_poverty.confirmed",
        actor=actor,
        obj=listed,
        area_code=county.code,
        new={
            "households": listed.households,
            "persons": listed.persons,
            "criteria": listed.criteria,
            "flagged": len(flagged),
            "cleared": len(cleared),
        },
        reason=note,
    )
    return listed
