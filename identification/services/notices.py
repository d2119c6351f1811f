"""三级公示: notices, objections and their closing."""

from __future__ import annotations

import datetime
from collections.abc import Sequence

from django.db import transaction
from django.utils import timezone

from accounts import audit
from accounts.models import User
from identification import clock
from identification.choices import (
    NOTICE_ORDER,
    NoticeLevel,
    NoticeStatus,
    ObjectionOutcome,
    ObjectionStatus,
    State,
)
from identification.models import (
    Application,
    Notice,
    NoticeEntry,
    Objection,
    Round,
)
from identification.selectors import notice_levels
from identification.services._common import (
    LOCAL_ROLES,
    NOTICE_ROLES,
    NotInScope,
    _area_in_scope,
    _lock_application,
    _move,
    _move_many,
    _require_open_round,
    _require_reason,
    _require_role,
    _scoped,
)
from identification.services.applications import _send_back_locked
from identification.transitions import WorkflowError
from villages.models import Area


@transaction.atomic
def notice_publish(
    *,
    round: Round,
    level: str,
    area: Area,
    actor: User,
    starts_on: datetime.date,
    ends_on: datetime.date,
    issuing_body: str,
    complaint_phone: str,
    applications: Sequence[Application],
    title: str = "",
) -> Notice:
    """Post a notice: group, then village, then township; each lists verified applications of its area
    that passed the level below."""
    level = NoticeLevel(level)
    _require_role(actor, NOTICE_ROLES[level], level.label)
    _require_open_round(round)
    area = _area_in_scope(actor, area)
    if area.level != level.value:
        raise WorkflowError(
            f"{level.label}须在{Area.Level(level.value).label}发布。", code="wrong_area_level"
        )
    if starts_on < clock.today():
        raise WorkflowError("公示开始日期不能早于今天。", code="invalid")
    if ends_on < starts_on + datetime.timedelta(days=round.notice_days):
        raise WorkflowError(
            f"公示期不得少于 {round.notice_days} 天:自 {starts_on} 起,结束日期最早为 "
            f"{starts_on + datetime.timedelta(days=round.notice_days)}。",
            code="period_too_short",
        )
    if not issuing_body.strip() or not complaint_phone.strip():
        raise WorkflowError("请填写公示单位和监督电话。", code="invalid")
    ids = {a.pk for a in applications}
    if not ids:
        raise WorkflowError("公示名单不能为空。", code="invalid")
    found = list(
        Application.objects.visible_to(actor)
        .select_for_update(of=("self",))
        .select_related("household")
        .filter(pk__in=ids, round=round, household__group__code__startswith=area.scope_prefix)
        .order_by("pk")
    )
    if len(found) != len(ids):
        raise NotInScope(f"公示名单中有申请不属于“{area.name}”本批次,或不在您的管辖区域内。")
    below = NOTICE_ORDER[NOTICE_ORDER.index(level) - 1] if level != NoticeLevel.GROUP else None
    on_notices = notice_levels([a.pk for a in found])
    for application in found:
        number = application.household.number
        if application.state != State.VERIFIED:
            raise WorkflowError(
                f"户 {number} 当前状态为“{application.get_state_display()}”,乡镇审核通过后才能公示。",
                code="wrong_state",
            )
        levels = on_notices.get(application.pk, {})
        if level in levels:
            raise WorkflowError(f"户 {number} 已在{level.label}中。", code="duplicate")
        if below and levels.get(below) != NoticeStatus.CLOSED:
            raise WorkflowError(
                f"户 {number} 尚未完成{NoticeLevel(below).label},不能进入{level.label}。", code="wrong_order"
            )
    notice = Notice.objects.create(
        round=round,
        level=level,
        area=area,
        title=title or f"{area.name}{round.name}{level.label}",
        starts_on=starts_on,
        ends_on=ends_on,
        issuing_body=issuing_body,
        complaint_phone=complaint_phone,
        published_by=actor,
    )
    NoticeEntry.objects.bulk_create(NoticeEntry(notice=notice, application=a) for a in found)
    audit.record(
        event_type="notice.published",
        actor=actor,
        obj=notice,
        area_code=area.code,
        new={
            "level": level.value,
            "starts_on": starts_on,
            "ends_on": ends_on,
            "entries": [a.pk for a in found],
        },
    )
    return notice


@transaction.atomic
def objection_record(
    *,
    notice: Notice,
    application: Application,
    actor: User,
    content: str,
    complainant: str = "",
    received_at: datetime.datetime | None = None,
) -> Objection:
    _require_role(actor, LOCAL_ROLES, "登记异议")
    notice = _scoped(Notice.objects.select_related("round"), actor, notice.pk, "该公示")
    _require_open_round(notice.round)
    if notice.status != NoticeStatus.RUNNING:
        raise WorkflowError("该公示已结束,不能再登记异议。", code="notice_closed")
    application = _scoped(
        Application.objects.select_related("household__group"), actor, application.pk, "该申请", lock=False
    )
    if not NoticeEntry.objects.filter(notice=notice, application=application, struck=False).exists():
        raise WorkflowError("该户不在这份公示名单上。", code="not_on_notice")
    content = _require_reason(content, "异议内容")
    objection = Objection.objects.create(
        notice=notice,
        application=application,
        complainant=complainant.strip(),
        content=content,
        received_at=received_at or timezone.now(),
        recorded_by=actor,
    )
    audit.record(
        event_type="objection.recorded",
        actor=actor,
        obj=objection,
        area_code=application.household.group.code,
        new={"notice": notice.pk, "application": application.pk, "complainant": objection.complainant},
        reason=content,
    )
    return objection


@transaction.atomic
def objection_handle(
    *, objection: Objection, actor: User, upheld: bool, note: str, outcome: str = ""
) -> Objection:
    """Dismiss, or uphold and send the application back to 评议 (or reject it: township only)."""
    _require_role(actor, LOCAL_ROLES, "核实异议")
    objection = _scoped(Objection.objects.select_related("notice__round"), actor, objection.pk, "该异议")
    _require_open_round(objection.notice.round)
    if objection.status != ObjectionStatus.OPEN:
        raise WorkflowError(f"该异议已处理({objection.get_status_display()})。", code="already_handled")
    note = _require_reason(note, "异议核实情况")
    if upheld and outcome not in ObjectionOutcome.values:
        raise WorkflowError("异议成立时请选择退回重新评议或不予认定。", code="invalid")
    application = _lock_application(actor, objection.application)
    if upheld and application.state == State.VERIFIED:
        reason = f"公示异议成立:{note}"
        if outcome == ObjectionOutcome.REEVALUATE:
            _send_back_locked(application, actor, reason=reason, event_type="application.sent_back")
        else:
            application.rejection_reason = reason
            _move(
                application,
                State.REJECTED,
                actor,
                event_type="application.rejected",
                reason=reason,
                update_fields=["rejection_reason"],
            )
            NoticeEntry.objects.filter(application=application, struck=False).update(struck=True)
    objection.status = ObjectionStatus.UPHELD if upheld else ObjectionStatus.DISMISSED
    objection.outcome = outcome if upheld else ""
    objection.verification_note = note
    objection.handled_by = actor
    objection.handled_at = timezone.now()
    objection.save(update_fields=["status", "outcome", "verification_note", "handled_by", "handled_at"])
    audit.record(
        event_type=f"objection.{objection.status}",
        actor=actor,
        obj=objection,
        area_code=application.household.group.code,
        old={"status": ObjectionStatus.OPEN.value},
        new={"status": objection.status, "outcome": objection.outcome},
        reason=note,
    )
    return objection


@transaction.atomic
def notice_close(*, notice: Notice, actor: User) -> list[Application]:
    """Close a notice after its end date with every objection handled. Closing the township notice
    completes 三级公示 for the applications that passed all three levels: they become 公示完毕."""
    notice = _scoped(Notice.objects.select_related("round"), actor, notice.pk, "该公示")
    _require_role(actor, NOTICE_ROLES[NoticeLevel(notice.level)], f"结束{notice.get_level_display()}")
    _require_open_round(notice.round)
    if notice.status != NoticeStatus.RUNNING:
        raise WorkflowError("该公示已经结束。", code="notice_closed")
    if clock.today() <= notice.ends_on:
        raise WorkflowError(
            f"公示期至 {notice.ends_on} 止,期满后(自 {notice.ends_on + datetime.timedelta(days=1)} 起)才能结束公示。",
            code="notice_running",
        )
    open_count = notice.objections.filter(status=ObjectionStatus.OPEN).count()
    if open_count:
        raise WorkflowError(f"尚有 {open_count} 条异议未核实处理,不能结束公示。", code="open_objections")
    notice.status = NoticeStatus.CLOSED
    notice.closed_at = timezone.now()
    notice.save(update_fields=["status", "closed_at"])
    audit.record(
        event_type="notice.closed",
        actor=actor,
        obj=notice,
        area_code=notice.area.code,
        old={"status": NoticeStatus.RUNNING.value},
        new={"status": NoticeStatus.CLOSED.value},
    )
    publicized: list[Application] = []
    if notice.level == NoticeLevel.TOWNSHIP:
        candidates = list(
            Application.objects.select_for_update(of=("self",))
            .select_related("household__group")
            .filter(notice_entries__notice=notice, notice_entries__struck=False, state=State.VERIFIED)
            .order_by("pk")
        )
        levels = notice_levels([a.pk for a in candidates])
        closed = {level: NoticeStatus.CLOSED for level in NoticeLevel.values}
        publicized = [a for a in candidates if levels.get(a.pk) == closed]
        _move_many(
            publicized,
            State.PUBLICIZED,
            actor,
            event_type="application.publicized",
            new={"notice": notice.pk},
        )
    return publicized


# --- 县级认定 -------------------------------------------------------------------------------------
