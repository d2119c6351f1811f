"""第二步 申报, the township's offer of 低保, and the moves that end or restart an application."""

from __future__ import annotations

import datetime
from collections.abc import Mapping

from django.core.files import File
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts import audit
from accounts.models import Role, User
from households.models import Household
from identification import rules
from identification.choices import Origin, State
from identification.models import Application, Round
from identification.services._common import (
    _lock_application,
    _move,
    _require_open_round,
    _require_reason,
    _require_role,
    _scoped,
)
from identification.transitions import WorkflowError
from notices import services as notices


def _clean_declaration(declared: Mapping[str, bool] | None) -> dict[str, bool]:
    """第三步's 13 conditions as the household declares them: every one answered, none assumed."""
    declared = dict(declared or {})
    missing = [code for code in rules.SURVEY_QUESTIONS if declared.get(code) is None]
    if missing:
        names = "、".join(f"{c} {rules.SURVEY_QUESTIONS[c]}" for c in missing)
        raise WorkflowError(f"请逐项填写申报自述(是或否),尚缺:{names}。", code="declaration_missing")
    return {code: bool(declared[code]) for code in rules.SURVEY_QUESTIONS}


@transaction.atomic
def application_submit(
    *,
    round: Round,
    household: Household,
    actor: User,
    wants_fupin: bool,
    wants_dibao: bool,
    origin: str,
    declared: Mapping[str, bool] | None,
    applied_on: datetime.date | None = None,
    application_scan: File | None = None,
    nomination_reason: str = "",
) -> Application:
    """The head applies in writing (date + scan of the signed form) or the group nominates (reason).

    The 13 conditions of 第三步 are declared here: a direct-entry condition gives the household its place
    first at the group vote; an exclusion means it cannot ask for 扶贫 (it never holds a 扶贫 quota place).
    """
    _require_role(actor, {Role.VILLAGE_CADRE}, "录入申请")
    _require_open_round(round)
    household = _scoped(Household.objects.select_related("group"), actor, household.pk, "该户")
    if not (wants_fupin or wants_dibao):
        raise WorkflowError("请至少选择申请扶贫或低保中的一项。", code="no_program")
    if origin == Origin.APPLIED:
        if applied_on is None or not application_scan:
            raise WorkflowError(
                "户主申请须填写申请日期并上传签名申请书的扫描件或照片。", code="evidence_required"
            )
        if applied_on > timezone.localdate():
            raise WorkflowError("申请日期不能晚于今天。", code="invalid")
    elif origin == Origin.NOMINATED:
        nomination_reason = _require_reason(nomination_reason, "村民小组提名")
    else:
        raise WorkflowError("申报方式只能是户主申请或村民小组提名。", code="invalid")
    declared = _clean_declaration(declared)
    exclusions = [code for code in rules.EXCLUSIONS if declared[code]]
    if wants_fupin and exclusions:
        names = "、".join(f"{c} {rules.EXCLUSIONS[c]}" for c in exclusions)
        raise WorkflowError(
            f"本户自述有排除情形({names}),按第三步不能作为扶贫开发对象;如需申请低保,请只选择低保。",
            code="excluded",
        )
    persons = household.members.count()
    if not persons:
        raise WorkflowError(
            f"户 {household.number} 尚未登记家庭成员,请先录入家庭成员再申报。", code="no_members"
        )
    duplicate = WorkflowError(
        f"户 {household.number} 在“{round.name}”中已有申请,不能重复申报。", code="duplicate"
    )
    if Application.objects.filter(round=round, household=household).exists():
        raise duplicate
    try:
        # Two cadres entering the same household at once: the unique constraint decides.
        with transaction.atomic():
            application = Application.objects.create(
                round=round,
                household=household,
                wants_fupin=wants_fupin,
                wants_dibao=wants_dibao,
                for_fupin=wants_fupin,
                for_dibao=wants_dibao,
                declared=declared,
                origin=origin,
                applied_on=applied_on,
                application_scan=application_scan or "",
                nomination_reason=nomination_reason,
                persons=persons,
                state=State.SUBMITTED,
                state_changed_at=timezone.now(),
                created_by=actor,
            )
    except IntegrityError as error:
        if "application_one_per_household" not in str(error):
            raise
        raise duplicate from None
    audit.record(
        event_type="application.submitted",
        actor=actor,
        obj=application,
        area_code=household.group.code,
        new={
            "state": State.SUBMITTED.value,
            "programs": application.programs,
            "origin": origin,
            "persons": application.persons,
            "direct_entry": application.direct_entry,
        },
        reason=nomination_reason,
    )
    return application


@transaction.atomic
def application_offer_dibao(*, application: Application, actor: User, consent: str) -> Application:
    """四(二) "属于农村低保对象的,报县民政部门": a household that asked for 扶贫 only but was found below the
    低保 line is put forward to 民政 too — the township's recorded choice, with the household's consent.

    Only before the village notice, so the 低保 side passes every 公示 like the rest.
    """
    _require_role(actor, {Role.TOWNSHIP_OFFICIAL}, "转报低保")
    application = _lock_application(actor, application)
    _require_open_round(application.round)
    consent = _require_reason(consent, "转报低保(写明本户同意的情况)")
    if application.state != State.SURVEYED:
        raise WorkflowError(
            f"转报低保须在入户调查之后、村委会公示之前办理,本申请当前为“{application.get_state_display()}”。",
            code="wrong_state",
        )
    if application.for_dibao:
        raise WorkflowError("本申请已报低保。", code="duplicate")
    if not application.eligibility.get("dibao"):
        raise WorkflowError("入户调查结果显示本户不符合低保条件,不能转报低保。", code="not_eligible")
    application.for_dibao = True
    application.dibao_offered = True
    application.dibao_offer_note = consent
    application.save(update_fields=["for_dibao", "dibao_offered", "dibao_offer_note"])
    audit.record(
        event_type="application.dibao_offered",
        actor=actor,
        obj=application,
        area_code=application.household.group.code,
        old={"programs": [p for p in application.programs if p != "dibao"]},
        new={"programs": application.programs},
        reason=consent,
    )
    return application


def _send_back_locked(application: Application, actor: User, *, reason: str, event_type: str) -> None:
    """To 已申报 for a fresh 评议: it is taken off every notice and must pass every level again."""
    _move(application, State.SUBMITTED, actor, event_type=event_type, reason=reason)
    notices.strike([application])


@transaction.atomic
def application_send_back(*, application: Application, actor: User, reason: str) -> Application:
    """退回重新评议."""
    application = _lock_application(actor, application)
    _require_open_round(application.round)
    reason = _require_reason(reason, "退回重新评议")
    _send_back_locked(application, actor, reason=reason, event_type="application.sent_back")
    return application


def _reject_locked(application: Application, actor: User, *, reason: str, event_type: str) -> None:
    application.rejection_reason = reason
    _move(
        application,
        State.REJECTED,
        actor,
        event_type=event_type,
        reason=reason,
        update_fields=["rejection_reason"],
    )
    notices.strike([application])


@transaction.atomic
def application_reject(*, application: Application, actor: User, reason: str) -> Application:
    """不予认定 before the county: 评议未通过, 调查不符合条件, 乡镇审核不通过."""
    application = _lock_application(actor, application)
    _require_open_round(application.round)
    if application.state == State.PUBLICIZED:
        raise WorkflowError("县级认定请按扶贫、低保分别作出认定决定。", code="use_decide")
    reason = _require_reason(reason, "不予认定")
    _reject_locked(application, actor, reason=reason, event_type="application.rejected")
    return application


@transaction.atomic
def application_withdraw(*, application: Application, actor: User, reason: str) -> Application:
    """The applicant withdraws; the village cadre records it with the reason given."""
    application = _lock_application(actor, application)
    _require_open_round(application.round)
    reason = _require_reason(reason, "撤回申请")
    application.withdrawal_reason = reason
    _move(
        application,
        State.WITHDRAWN,
        actor,
        event_type="application.withdrawn",
        reason=reason,
        update_fields=["withdrawal_reason"],
    )
    notices.strike([application])
    return application
