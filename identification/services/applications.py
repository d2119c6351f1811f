"""第二步 申报, and the moves that end or restart an application: send back, reject, withdraw."""

from __future__ import annotations

import datetime

from django.core.files import File
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts import audit
from accounts.models import Role, User
from households.models import Household
from identification.choices import (
    Origin,
    State,
)
from identification.models import (
    Application,
    NoticeEntry,
    Round,
)
from identification.services._common import (
    _lock_application,
    _move,
    _require_open_round,
    _require_reason,
    _require_role,
    _scoped,
)
from identification.transitions import WorkflowError


@transaction.atomic
def application_submit(
    *,
    round: Round,
    household: Household,
    actor: User,
    wants_fupin: bool,
    wants_dibao: bool,
    origin: str,
    applied_on: datetime.date | None = None,
    application_scan: File | None = None,
    nomination_reason: str = "",
) -> Application:
    """The head applies in writing (date + scan of the signed form) or the group nominates (reason)."""
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
    elif origin == Origin.NOMINATED:
        nomination_reason = _require_reason(nomination_reason, "村民小组提名")
    else:
        raise WorkflowError("申报方式只能是户主申请或村民小组提名。", code="invalid")
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
        },
        reason=nomination_reason,
    )
    return application


# --- 第三步, 第四步: 评议 ---------------------------------------------------------------------------

# --- send back, reject, withdraw ------------------------------------------------------------------


def _send_back_locked(application: Application, actor: User, *, reason: str, event_type: str) -> None:
    """To 已申报 for a fresh 评议: its places on notices are struck, it must pass every level again."""
    _move(application, State.SUBMITTED, actor, event_type=event_type, reason=reason)
    NoticeEntry.objects.filter(application=application, struck=False).update(struck=True)


@transaction.atomic
def application_send_back(*, application: Application, actor: User, reason: str) -> Application:
    """退回重新评议."""
    application = _lock_application(actor, application)
    _require_open_round(application.round)
    reason = _require_reason(reason, "退回重新评议")
    _send_back_locked(application, actor, reason=reason, event_type="application.sent_back")
    return application


@transaction.atomic
def application_reject(*, application: Application, actor: User, reason: str) -> Application:
    """不予认定 before the county: 评议未通过, 调查不符合条件, 乡镇审核不通过."""
    application = _lock_application(actor, application)
    _require_open_round(application.round)
    if application.state == State.PUBLICIZED:
        raise WorkflowError("县级认定请按扶贫、低保分别作出认定决定。", code="use_decide")
    reason = _require_reason(reason, "不予认定")
    application.rejection_reason = reason
    _move(
        application,
        State.REJECTED,
        actor,
        event_type="application.rejected",
        reason=reason,
        update_fields=["rejection_reason"],
    )
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
    return application


# --- 第五步, 第六步: spot checks ---------------------------------------------------------------------
