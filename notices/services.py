"""Every write of a notice: publish, record an objection, handle it, close the notice, strike a subject.

The publishing app passes the subjects with the cells to print; the component checks the roles and the
period, keeps the entries, and calls the publisher back when an objection is upheld or the notice closes
(inside the same transaction, so the app's moves and the notice's change stand or fall together).
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass
from functools import partial

from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction
from django.http import Http404
from django.utils import timezone

from accounts import audit, clock, guards
from accounts.guards import Refused
from accounts.models import User
from notices import registry
from notices.models import Entry, Notice, Objection
from villages.models import Area


class NoticeError(Refused):
    """A refused notice action; `code` says which rule, the message says it in Chinese."""


@dataclass(frozen=True)
class Subject:
    """One thing to publish: the object, its area code, a key people recognise (户编号) and the printed cells."""

    obj: models.Model
    area_code: str
    key: str
    row: Sequence[str]


_require_role = partial(guards.require_role, error=NoticeError)
_locked = guards.in_scope


@transaction.atomic
def notice_publish(
    *,
    kind: str,
    area: Area,
    actor: User,
    subjects: Sequence[Subject],
    starts_on: datetime.date,
    ends_on: datetime.date,
    issuing_body: str,
    complaint_phone: str,
    title: str,
    min_days: int,
    context: str = "",
) -> Notice:
    """Post a notice for at least `min_days` days (the publisher's standard), starting today or later."""
    publisher = registry.publisher(kind)
    _require_role(actor, publisher.publish_roles, f"发布{publisher.label}")
    if not Area.objects.visible_to(actor).filter(pk=area.pk).exists():
        raise Http404("该区划不存在,或不在您的管辖区域内。")
    if area.level != publisher.area_level:
        raise NoticeError(
            f"{publisher.label}须在{Area.Level(publisher.area_level).label}发布。", code="wrong_area_level"
        )
    if starts_on < clock.today():
        raise NoticeError("公示开始日期不能早于今天。", code="invalid")
    earliest_end = starts_on + datetime.timedelta(days=min_days)
    if ends_on < earliest_end:
        raise NoticeError(
            f"公示期不得少于 {min_days} 天:自 {starts_on} 起,结束日期最早为 {earliest_end}。",
            code="period_too_short",
        )
    if not issuing_body.strip() or not complaint_phone.strip():
        raise NoticeError("请填写公示单位和监督电话。", code="invalid")
    if not subjects:
        raise NoticeError("公示名单不能为空。", code="invalid")
    outside = [s.key for s in subjects if not s.area_code.startswith(area.scope_prefix)]
    if outside:
        raise Http404(f"公示名单中有对象不属于“{area.name}”:{'、'.join(outside[:5])}。")
    notice = Notice.objects.create(
        kind=kind,
        context=context,
        area=area,
        title=title.strip() or f"{area.name}{publisher.label}",
        starts_on=starts_on,
        ends_on=ends_on,
        issuing_body=issuing_body.strip(),
        complaint_phone=complaint_phone.strip(),
        columns=list(publisher.columns),
        published_by=actor,
    )
    content_types = ContentType.objects.get_for_models(*{type(s.obj) for s in subjects})
    Entry.objects.bulk_create(
        Entry(
            notice=notice,
            subject_type=content_types[type(s.obj)],
            subject_id=s.obj.pk,
            area_code=s.area_code,
            key=s.key,
            row=[str(cell) for cell in s.row],
            position=position,
        )
        for position, s in enumerate(subjects, start=1)
    )
    audit.record(
        event_type="notice.published",
        actor=actor,
        obj=notice,
        area_code=area.code,
        new={"kind": kind, "starts_on": starts_on, "ends_on": ends_on, "entries": [s.key for s in subjects]},
    )
    return notice


@transaction.atomic
def objection_record(
    *,
    notice: Notice,
    entry: Entry,
    actor: User,
    content: str,
    complainant: str = "",
    received_at: datetime.datetime | None = None,
) -> Objection:
    notice = _locked(Notice.objects.all(), actor, notice.pk, "该公示")
    _require_role(actor, notice.publisher.handle_roles, "登记异议")
    if notice.status != Notice.Status.RUNNING:
        raise NoticeError("该公示已结束,不能再登记异议。", code="notice_closed")
    if not Entry.objects.filter(pk=entry.pk, notice=notice, struck=False).exists():
        raise NoticeError("该对象不在这份公示名单上。", code="not_on_notice")
    content = (content or "").strip()
    if not content:
        raise NoticeError("请填写异议内容。", code="reason_required")
    if received_at and received_at > timezone.now():
        raise NoticeError("收到时间不能晚于现在。", code="invalid")
    objection = Objection.objects.create(
        notice=notice,
        entry=entry,
        complainant=(complainant or "").strip(),
        content=content,
        received_at=received_at or timezone.now(),
        recorded_by=actor,
    )
    audit.record(
        event_type="objection.recorded",
        actor=actor,
        obj=objection,
        area_code=entry.area_code,
        new={"notice": notice.pk, "entry": entry.key, "complainant": objection.complainant},
        reason=content,
    )
    return objection


@transaction.atomic
def objection_handle(
    *, objection: Objection, actor: User, upheld: bool, note: str, outcome: str = ""
) -> Objection:
    """Dismiss, or uphold with one of the publisher's outcomes (the entry is struck, the publisher acts)."""
    objection = _locked(Objection.objects.select_related("notice", "entry"), actor, objection.pk, "该异议")
    publisher = objection.notice.publisher
    _require_role(actor, publisher.handle_roles, "核实异议")
    if objection.status != Objection.Status.OPEN:
        raise NoticeError(f"该异议已处理({objection.get_status_display()})。", code="already_handled")
    note = (note or "").strip()
    if not note:
        raise NoticeError("请填写异议核实情况。", code="reason_required")
    if upheld and outcome not in publisher.outcomes:
        choices = "、".join(publisher.outcomes.values())
        raise NoticeError(f"异议成立时请选择处理结果:{choices}。", code="invalid")
    objection.status = Objection.Status.UPHELD if upheld else Objection.Status.DISMISSED
    objection.outcome = outcome if upheld else ""
    objection.verification_note = note
    objection.handled_by = actor
    objection.handled_at = timezone.now()
    objection.save(update_fields=["status", "outcome", "verification_note", "handled_by", "handled_at"])
    if upheld:
        Entry.objects.filter(pk=objection.entry_id).update(struck=True)
        if publisher.on_upheld:
            publisher.on_upheld(objection, actor)
    audit.record(
        event_type=f"objection.{objection.status}",
        actor=actor,
        obj=objection,
        area_code=objection.entry.area_code,
        old={"status": Objection.Status.OPEN.value},
        new={"status": objection.status, "outcome": objection.outcome},
        reason=note,
    )
    return objection


@transaction.atomic
def notice_close(*, notice: Notice, actor: User) -> list[Entry]:
    """Close a notice after its end date with every objection handled; returns the entries still standing,
    which the publisher has moved on (its `on_closed`)."""
    notice = _locked(Notice.objects.all(), actor, notice.pk, "该公示")
    publisher = notice.publisher
    _require_role(actor, publisher.handle_roles, f"结束{publisher.label}")
    if notice.status != Notice.Status.RUNNING:
        raise NoticeError("该公示已经结束。", code="notice_closed")
    if clock.today() <= notice.ends_on:
        raise NoticeError(
            f"公示期至 {notice.ends_on} 止,期满后(自 {notice.ends_on + datetime.timedelta(days=1)} 起)才能结束公示。",
            code="notice_running",
        )
    open_count = notice.objections.filter(status=Objection.Status.OPEN).count()
    if open_count:
        raise NoticeError(f"尚有 {open_count} 条异议未核实处理,不能结束公示。", code="open_objections")
    notice.status = Notice.Status.CLOSED
    notice.closed_at = timezone.now()
    notice.save(update_fields=["status", "closed_at"])
    standing = list(notice.entries.filter(struck=False).order_by("position"))
    audit.record(
        event_type="notice.closed",
        actor=actor,
        obj=notice,
        area_code=notice.area.code,
        old={"status": Notice.Status.RUNNING.value},
        new={"status": Notice.Status.CLOSED.value, "entries": len(standing)},
    )
    if publisher.on_closed:
        publisher.on_closed(notice, standing, actor)
    return standing


def strike(subjects: Sequence[models.Model]) -> int:
    """Take subjects off every notice they stand on (a send-back: they must be published again)."""
    if not subjects:
        return 0
    by_type: dict[ContentType, list[int]] = {}
    for obj in subjects:
        by_type.setdefault(ContentType.objects.get_for_model(obj), []).append(obj.pk)
    struck = 0
    for content_type, ids in by_type.items():
        struck += Entry.objects.filter(subject_type=content_type, subject_id__in=ids, struck=False).update(
            struck=True
        )
    return struck
