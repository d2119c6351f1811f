"""低保 side of 有进有出 (seed 002 四(三)): proposals computed from the registry, decided by 民政.

A 低保 household whose 年人均纯收入 without its 低保金 and 特困供养金 reaches the 农村低保标准 is proposed
for 退保; a household not on the 低保 roll (nor 特困) whose income so counted is below it, for 纳入. The
computation is idempotent (one proposal per household, kind and income year: a re-run adds only what is
new), and nothing changes on a roll until 民政 accepts.
"""

from __future__ import annotations

from decimal import Decimal

from django.db import transaction
from django.db.models import DecimalField, Exists, ExpressionWrapper, F, OuterRef, Q
from django.db.models.functions import Round as RoundTo
from django.utils import timezone

from accounts import audit, clock
from accounts.models import Role, User
from exits.models import DibaoProposal
from exits.services._common import WorkflowError, require_reason, require_role, scoped
from households.choices import CaseState, Program
from households.models import Case, Household, IncomeRecord
from households.services import registry_changed
from identification.models import Round

COMPUTE_ROLES = frozenset({Role.VILLAGE_CADRE, Role.TOWNSHIP_OFFICIAL, Role.COUNTY_MINZHENG})
MONEY = DecimalField(max_digits=14, decimal_places=2)


def _per_capita_without_benefits():
    """(纯收入 − 低保金 − 特困供养金) ÷ 人口, in SQL: the same sum as IncomeRecord.net_income."""
    net = (
        F("wage_income")
        + F("business_income")
        - F("business_expense")
        + F("property_income")
        + F("family_planning_subsidy")
        + F("pension")
        + F("ecological_compensation")
        + F("other_transfer")
    )
    return RoundTo(ExpressionWrapper(net * Decimal("1.00") / F("persons"), output_field=MONEY), 2)


@transaction.atomic
def dibao_proposals_compute(*, actor: User, round: Round) -> dict[str, int]:
    """Propose 退保 and 纳入 in the actor's area from the round's income year and 农村低保标准."""
    require_role(actor, COMPUTE_ROLES, "计算退保、纳入建议")
    year, line = round.income_year, Decimal(round.dibao_line).quantize(Decimal("0.01"))
    open_case = Case.objects.filter(household=OuterRef("household"), state__in=Case.OPEN_STATES)
    incomes = (
        IncomeRecord.objects.filter(year=year, household__in=_households(actor))
        .annotate(
            per_capita=_per_capita_without_benefits(),
            on_dibao=Exists(open_case.filter(program=Program.DIBAO)),
            on_tekun=Exists(open_case.filter(program=Program.TEKUN)),
        )
        .filter(
            Q(on_dibao=True, per_capita__gte=line) | Q(on_dibao=False, on_tekun=False, per_capita__lt=line)
        )
        .select_related("household__group")
    )
    existing = set(
        DibaoProposal.objects.filter(year=year, household__in=_households(actor)).values_list(
            "household_id", "kind"
        )
    )
    created = []
    for record in incomes:
        kind = DibaoProposal.Kind.EXIT if record.on_dibao else DibaoProposal.Kind.ENTER
        if (record.household_id, kind) in existing:
            continue
        verdict = "达到" if kind == DibaoProposal.Kind.EXIT else "低于"
        created.append(
            DibaoProposal(
                household=record.household,
                kind=kind,
                year=year,
                per_capita=record.per_capita,
                dibao_line=line,
                detail=f"{year} 年人均纯收入(不含低保金、特困供养金){record.per_capita} 元,{verdict}农村低保标准 {line} 元",
            )
        )
    # ignore_conflicts: a concurrent run's rows stand; the unique constraint is the guard.
    DibaoProposal.objects.bulk_create(created, ignore_conflicts=True, batch_size=2000)
    saved = DibaoProposal.objects.filter(
        year=year, household_id__in=[p.household_id for p in created], status=DibaoProposal.Status.PENDING
    )
    audit.record_many(
        [
            audit.event(
                event_type="dibao_proposal.created",
                actor=actor,
                obj=p,
                area_code=p.household.group.code,
                new={"kind": p.kind, "year": p.year, "per_capita": p.per_capita, "dibao_line": p.dibao_line},
                reason=p.detail,
            )
            for p in saved.select_related("household__group")
            if (p.household_id, p.kind) not in existing
        ]
    )
    return {
        "exit": sum(p.kind == DibaoProposal.Kind.EXIT for p in created),
        "enter": sum(p.kind == DibaoProposal.Kind.ENTER for p in created),
    }


def _households(actor: User):
    return Household.objects.visible_to(actor).values("pk")


@transaction.atomic
def dibao_proposal_decide(
    *, proposal: DibaoProposal, actor: User, accept: bool, reason: str
) -> DibaoProposal:
    """民政 decides: accepting a 退保 ends the 低保 case, accepting a 纳入 opens one; declining changes nothing."""
    require_role(actor, {Role.COUNTY_MINZHENG}, "决定退保、纳入")
    reason = require_reason(reason, "同意或不同意")
    proposal = scoped(DibaoProposal.objects.select_related("household__group"), actor, proposal.pk, "该建议")
    if proposal.status != DibaoProposal.Status.PENDING:
        raise WorkflowError(f"该建议已决定({proposal.get_status_display()})。", code="already_decided")
    year = clock.today().year
    case_change = {}
    if accept:
        case_change = _apply(proposal, actor, year, reason)
    proposal.status = DibaoProposal.Status.ACCEPTED if accept else DibaoProposal.Status.DECLINED
    proposal.decision_reason, proposal.decided_by, proposal.decided_at = reason, actor, timezone.now()
    proposal.save(update_fields=["status", "decision_reason", "decided_by", "decided_at"])
    audit.record(
        event_type=f"dibao_proposal.{proposal.status}",
        actor=actor,
        obj=proposal,
        area_code=proposal.household.group.code,
        old={"status": DibaoProposal.Status.PENDING.value},
        new={"status": proposal.status, **case_change},
        reason=reason,
    )
    return proposal


def _apply(proposal: DibaoProposal, actor: User, year: int, reason: str) -> dict:
    household = proposal.household
    case = (
        Case.objects.select_for_update()
        .filter(household=household, program=Program.DIBAO, state__in=Case.OPEN_STATES)
        .first()
    )
    if proposal.kind == DibaoProposal.Kind.EXIT:
        if case is None:
            raise WorkflowError(f"户 {household.number} 已不在低保名册上。", code="not_on_roll")
        case.state, case.left_year = CaseState.EXITED, max(year, case.entered_year)
        case.note = f"{case.left_year}年退保"
        case._change_reason = f"民政同意退保:{reason}"
        case.save(update_fields=["state", "left_year", "note"])
        event, new = "case.dibao_exited", {"state": case.state, "left_year": case.left_year}
    else:
        if case is not None:
            raise WorkflowError(f"户 {household.number} 已在低保名册上。", code="already_on_roll")
        case = Case(
            household=household, program=Program.DIBAO, entered_year=year, note=f"{year}年民政同意纳入"
        )
        case._change_reason = f"民政同意纳入:{reason}"
        case.save()
        event, new = "case.dibao_entered", {"state": case.state, "entered_year": year}
    audit.record(
        event_type=event,
        actor=actor,
        obj=case,
        area_code=household.group.code,
        new={**new, "proposal": proposal.pk},
    )
    transaction.on_commit(registry_changed)
    return {"case": case.pk}


@transaction.atomic
def dibao_review_after_objection(
    *, household_id: int, actor: User, year: int, note: str
) -> DibaoProposal | None:
    """An upheld objection to the 县级公告 of a 低保 confirmation: a 退保 proposal for 民政 to review."""
    case = Case.objects.filter(
        household_id=household_id, program=Program.DIBAO, state__in=Case.OPEN_STATES
    ).first()
    if case is None:
        return None
    proposal, created = DibaoProposal.objects.get_or_create(
        household_id=household_id,
        kind=DibaoProposal.Kind.EXIT,
        year=year,
        defaults={"source": DibaoProposal.Source.OBJECTION, "detail": note[:300]},
    )
    if created:
        audit.record(
            event_type="dibao_proposal.created",
            actor=actor,
            obj=proposal,
            area_code=case.household.group.code,
            new={"kind": proposal.kind, "year": year, "source": proposal.source},
            reason=note,
        )
    return proposal
