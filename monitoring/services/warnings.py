"""A warning's way through the township: 入户核实, then one decision — dismiss, 监测对象 with the 帮扶 plan, or
转入识别 (返贫 / 新识别), whose application the village then files through identification's own service.

The moves are data (`MOVES`: {status: {next status: roles}}), as in identification.transitions.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping

from django.db import transaction
from django.utils import timezone

from accounts import audit, clock
from accounts.models import User
from assistance import services as assistance
from assistance.models import Plan
from households.models import Case, Household
from identification import services as identification
from identification.models import Round
from monitoring.choices import MonitoredKind, MonitoredState, ReferralKind, WarningStatus
from monitoring.models import HardshipEvent, MonitoredHousehold, Warning
from monitoring.services._common import (
    TOWNSHIP,
    VILLAGE,
    MonitoringError,
    locked,
    require_role,
    require_text,
)

S = WarningStatus
MOVES: dict[str, dict[str, frozenset[str]]] = {
    S.PENDING: {S.VERIFIED: frozenset({TOWNSHIP})},
    S.VERIFIED: {
        S.DISMISSED: frozenset({TOWNSHIP}),
        S.MONITORED: frozenset({TOWNSHIP}),
        S.REFERRED: frozenset({TOWNSHIP}),
    },
    S.REFERRED: {S.APPLIED: frozenset({VILLAGE})},
    S.DISMISSED: {},
    S.MONITORED: {},
    S.APPLIED: {},
}
DECISIONS = (S.DISMISSED, S.MONITORED, S.REFERRED)


def check_move(warning: Warning, target: str, actor: User) -> None:
    roles = MOVES[warning.status].get(target)
    if not roles:
        raise MonitoringError(
            f"该预警当前为“{warning.get_status_display()}”,不能{WarningStatus(target).label}。"
            + ("请先入户核实。" if warning.status == S.PENDING else ""),
            code="wrong_state",
        )
    require_role(actor, roles, WarningStatus(target).label)


def _lock(actor: User, warning: Warning) -> Warning:
    return locked(Warning.objects.select_related("household"), actor, warning.pk, "该预警")


def _record(warning: Warning, actor: User, event_type: str, old: str, new: Mapping, reason: str = "") -> None:
    audit.record(
        event_type=event_type,
        actor=actor,
        obj=warning,
        area_code=warning.area_code,
        old={"status": old},
        new={"status": warning.status, **new},
        reason=reason,
    )


@transaction.atomic
def warning_verify(
    *, warning: Warning, actor: User, visited_on: datetime.date, visitors: str, findings: str
) -> Warning:
    """入户核实: who went, when, what they found."""
    warning = _lock(actor, warning)
    check_move(warning, S.VERIFIED, actor)
    if visited_on > clock.today():
        raise MonitoringError("核实日期不能晚于今天。", code="invalid")
    if visited_on < warning.raised_at.date() - datetime.timedelta(days=1):
        raise MonitoringError("核实日期不能早于预警产生的日期。", code="invalid")
    old = warning.status
    warning.visitors = require_text(visitors, "核实人员")
    warning.findings = require_text(findings, "核实情况")
    warning.visited_on, warning.verified_by, warning.status = visited_on, actor, S.VERIFIED
    warning.save(update_fields=["visitors", "findings", "visited_on", "verified_by", "status"])
    _record(
        warning,
        actor,
        "monitoring.warning_verified",
        old,
        {"visited_on": visited_on, "visitors": warning.visitors},
        warning.findings,
    )
    return warning


def _decide(warning: Warning, actor: User, target: str, reason: str) -> str:
    check_move(warning, target, actor)
    old = warning.status
    warning.status = target
    warning.decision_reason = require_text(reason, "处理意见")
    warning.decided_by, warning.decided_at = actor, timezone.now()
    return old


@transaction.atomic
def warning_dismiss(*, warning: Warning, actor: User, reason: str) -> Warning:
    """排除: the risk is not real (the reason says why)."""
    warning = _lock(actor, warning)
    old = _decide(warning, actor, S.DISMISSED, reason)
    warning.save(update_fields=["status", "decision_reason", "decided_by", "decided_at"])
    _record(warning, actor, "monitoring.warning_dismissed", old, {}, warning.decision_reason)
    return warning


def default_kind(household: Household) -> str:
    """脱贫不稳定户 when lifted; 突发严重困难户 with a recorded event; else 边缘易致贫户."""
    if Case.objects.filter(household=household, program="fupin", state="lifted").exists():
        return MonitoredKind.UNSTABLE
    if HardshipEvent.objects.filter(household=household).exists():
        return MonitoredKind.SUDDEN
    return MonitoredKind.EDGE


@transaction.atomic
def warning_monitor(*, warning: Warning, actor: User, reason: str, kind: str = "") -> MonitoredHousehold:
    """纳入监测对象, with the household's 帮扶 plan of this year (made through 帮扶's own service if missing):
    its measures are entered there. A household already monitored keeps its one open 监测对象."""
    warning = _lock(actor, warning)
    old = _decide(warning, actor, S.MONITORED, reason)
    household = Household.objects.select_for_update().get(pk=warning.household_id)
    kind = kind or default_kind(household)
    if kind not in MonitoredKind.values:
        raise MonitoringError("请选择监测对象类型。", code="invalid")
    monitored = (
        MonitoredHousehold.objects.filter(household=household).exclude(state=MonitoredState.CLEARED).first()
    )
    if monitored is None:
        year = clock.today().year
        plan = Plan.objects.filter(household=household).order_by("-year").first()
        if plan is None or plan.year < year:
            try:
                plan = assistance.plan_save(
                    actor=actor,
                    household=household,
                    year=year,
                    target_year=year,
                    wishes=f"防返贫监测:{warning.reason}",
                )
            except assistance.AssistanceError as error:
                raise MonitoringError(str(error), code="plan") from None
        monitored = MonitoredHousehold.objects.create(
            household=household, kind=kind, area_code=warning.area_code, warning=warning, plan=plan,
            started_on=clock.today(),
        )  # fmt: skip
        audit.record(
            event_type="monitoring.monitored_created",
            actor=actor,
            obj=monitored,
            area_code=monitored.area_code,
            new={"kind": monitored.kind, "warning": warning.pk, "plan": plan.pk},
            reason=require_text(reason, "处理意见"),
        )
    warning.save(update_fields=["status", "decision_reason", "decided_by", "decided_at"])
    _record(
        warning,
        actor,
        "monitoring.warning_monitored",
        old,
        {"monitored": monitored.pk, "kind": monitored.kind},
        warning.decision_reason,
    )
    return monitored


@transaction.atomic
def warning_refer(*, warning: Warning, actor: User, reason: str) -> Warning:
    """转入识别: 返贫 for a household lifted from the 扶贫 roll, 新识别 otherwise. The application itself is the
    village's to file (identification lets only a 村级录入员 record one, with the household's declaration)."""
    warning = _lock(actor, warning)
    old = _decide(warning, actor, S.REFERRED, reason)
    if Case.objects.filter(
        household_id=warning.household_id, program="fupin", state__in=Case.OPEN_STATES
    ).exists():
        raise MonitoringError("该户已在扶贫名册中,无需转入识别。", code="on_roll")
    lifted = Case.objects.filter(household_id=warning.household_id, program="fupin", state="lifted").exists()
    warning.referral_kind = ReferralKind.RETURNED if lifted else ReferralKind.NEW
    warning.save(update_fields=["status", "decision_reason", "decided_by", "decided_at", "referral_kind"])
    _record(
        warning,
        actor,
        "monitoring.warning_referred",
        old,
        {"referral_kind": warning.referral_kind},
        warning.decision_reason,
    )
    return warning


@transaction.atomic
def warning_apply(*, warning: Warning, actor: User, round: Round, application: Mapping) -> Warning:
    """The village files the referred household's application (identification.services.application_submit,
    with its own rules: the 13 declared conditions, the written application or the group's nomination)."""
    warning = _lock(actor, warning)
    check_move(warning, S.APPLIED, actor)
    submitted = identification.application_submit(
        round=round, household=warning.household, actor=actor, **application
    )
    old = warning.status
    warning.status, warning.application = S.APPLIED, submitted
    warning.save(update_fields=["status", "application"])
    _record(
        warning, actor, "monitoring.warning_applied", old, {"application": submitted.pk, "round": round.name}
    )
    return warning
