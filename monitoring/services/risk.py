"""风险消除 of a 监测对象, in the procedure's shape: 核实 → 评议 → 公示 (the shared notices component, kind
"monitoring.risk_cleared") → 县审批 → 公告. The moves are data (`MOVES`), as in identification.transitions.

The 公示 lists 户编号, 户主姓名, 村民小组, 监测对象类型 and the 评议 result: no ID, phone, bank or health data.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from accounts import audit, clock
from accounts.models import User
from households.choices import Relation
from households.models import Member
from monitoring.choices import MonitoredState
from monitoring.models import MonitoredHousehold
from monitoring.services._common import (
    FUPIN,
    TOWNSHIP,
    VILLAGE,
    MonitoringError,
    locked,
    require_role,
    require_text,
)
from notices import registry
from notices import services as notices
from notices.models import Entry, Notice, Objection
from villages.models import Area

KIND = "monitoring.risk_cleared"
NOTICE_DAYS = 7
LOCAL = frozenset({VILLAGE, TOWNSHIP})
M = MonitoredState
MOVES: dict[str, dict[str, frozenset[str]]] = {
    M.MONITORING: {M.CLEAR_VERIFIED: LOCAL},
    M.CLEAR_VERIFIED: {M.CLEAR_REVIEWED: frozenset({VILLAGE}), M.MONITORING: frozenset({VILLAGE})},
    M.CLEAR_REVIEWED: {
        M.CLEAR_PUBLICIZED: LOCAL,
        M.MONITORING: LOCAL,
    },  # closing the 公示; an upheld objection
    M.CLEAR_PUBLICIZED: {M.CLEAR_APPROVED: frozenset({FUPIN}), M.MONITORING: frozenset({FUPIN})},
    M.CLEAR_APPROVED: {M.CLEARED: frozenset({FUPIN})},
    M.CLEARED: {},
}
COLUMNS = ("户编号", "户主姓名", "村民小组", "监测对象类型", "村民代表评议")


def check_move(monitored: MonitoredHousehold, target: str, actor: User, what: str) -> None:
    roles = MOVES[monitored.state].get(target)
    if not roles:
        raise MonitoringError(
            f"该监测对象当前为“{monitored.get_state_display()}”,不能{what}。", code="wrong_state"
        )
    require_role(actor, roles, what)


def _lock(actor: User, monitored: MonitoredHousehold) -> MonitoredHousehold:
    return locked(MonitoredHousehold.objects.select_related("household"), actor, monitored.pk, "该监测对象")


def _move(
    monitored: MonitoredHousehold,
    target: str,
    actor: User | None,
    event_type: str,
    fields: Sequence[str] = (),
    reason: str = "",
    **new,
) -> None:
    old = monitored.state
    monitored.state = target
    monitored.save(update_fields=["state", *fields])
    audit.record(
        event_type=event_type,
        actor=actor,
        obj=monitored,
        area_code=monitored.area_code,
        old={"state": old},
        new={"state": target, **new},
        reason=reason,
    )


@transaction.atomic
def risk_verify(
    *, monitored: MonitoredHousehold, actor: User, visited_on: datetime.date, visitors: str, findings: str
) -> MonitoredHousehold:
    """核实: the household visited, the risk found gone (收入稳定, 风险因素消除 …)."""
    monitored = _lock(actor, monitored)
    check_move(monitored, M.CLEAR_VERIFIED, actor, "核实风险消除")
    if visited_on > clock.today() or visited_on < monitored.started_on:
        raise MonitoringError("核实日期须在纳入监测之后、今天之前。", code="invalid")
    monitored.clear_visited_on = visited_on
    monitored.clear_visitors = require_text(visitors, "核实人员")
    monitored.clear_findings = require_text(findings, "核实情况")
    _move(monitored, M.CLEAR_VERIFIED, actor, "monitoring.risk_verified",
          ["clear_visited_on", "clear_visitors", "clear_findings"], monitored.clear_findings, visited_on=visited_on)  # fmt: skip
    return monitored


@transaction.atomic
def risk_review(
    *,
    monitored: MonitoredHousehold,
    actor: User,
    held_on: datetime.date,
    attendance: int,
    votes_for: int,
    minutes: str,
) -> MonitoredHousehold:
    """评议 by the 村民代表: carried by more than half of those present, else back to 监测中."""
    monitored = _lock(actor, monitored)
    check_move(monitored, M.CLEAR_REVIEWED, actor, "评议风险消除")
    if held_on > clock.today() or (monitored.clear_visited_on and held_on < monitored.clear_visited_on):
        raise MonitoringError("评议日期须在核实之后、今天之前。", code="invalid")
    if attendance < 1 or not 0 <= votes_for <= attendance:
        raise MonitoringError("参会人数至少 1 人,同意票不能超过参会人数。", code="invalid")
    monitored.review_held_on, monitored.review_attendance, monitored.review_votes_for = (
        held_on,
        attendance,
        votes_for,
    )
    monitored.review_minutes = require_text(minutes, "评议记录")
    fields = ["review_held_on", "review_attendance", "review_votes_for", "review_minutes"]
    if votes_for * 2 > attendance:
        _move(
            monitored,
            M.CLEAR_REVIEWED,
            actor,
            "monitoring.risk_reviewed",
            fields,
            votes_for=votes_for,
            attendance=attendance,
        )
    else:
        monitored.sent_back_reason = f"评议未通过(同意 {votes_for} 票 / 参会 {attendance} 人)"
        _move(
            monitored,
            M.MONITORING,
            actor,
            "monitoring.risk_sent_back",
            [*fields, "sent_back_reason"],
            monitored.sent_back_reason,
        )
    return monitored


def publishable(village: Area, actor: User) -> list[MonitoredHousehold]:
    """The village's 监测对象 评议 for 风险消除 and on no running notice."""
    on_notice = Entry.objects.filter(
        notice__kind=KIND, notice__status=Notice.Status.RUNNING, struck=False
    ).values("subject_id")
    return list(
        MonitoredHousehold.objects.visible_to(actor)
        .filter(area_code__startswith=village.scope_prefix, state=M.CLEAR_REVIEWED)
        .exclude(pk__in=on_notice)
        .select_related("household__group")
        .order_by("household__number")
    )


def _row(monitored: MonitoredHousehold, head: Member | None) -> list[str]:
    votes = f"同意 {monitored.review_votes_for} / 参会 {monitored.review_attendance}"
    return [monitored.household.number, head.name if head else "", monitored.household.group.name,
            monitored.get_kind_display(), votes]  # fmt: skip


@transaction.atomic
def risk_notice_publish(
    *,
    village: Area,
    actor: User,
    monitored: Sequence[MonitoredHousehold],
    starts_on: datetime.date,
    ends_on: datetime.date,
    issuing_body: str,
    complaint_phone: str,
) -> Notice:
    """村 公示 of the households whose risk the village found cleared."""
    require_role(actor, LOCAL, "发布风险消除公示")
    candidates = {m.pk: m for m in publishable(village, actor)}
    chosen = [candidates[m.pk] for m in monitored if m.pk in candidates]
    if len(chosen) != len(monitored) or not chosen:
        raise MonitoringError("公示名单须是本村已评议、尚未公示的监测对象。", code="wrong_state")
    heads = {
        m.household_id: m
        for m in Member.objects.filter(
            household_id__in=[c.household_id for c in chosen], relation=Relation.HEAD
        )
    }
    return notices.notice_publish(
        kind=KIND,
        area=village,
        actor=actor,
        subjects=[
            notices.Subject(
                obj=m,
                area_code=m.household.group.code,
                key=m.household.number,
                row=_row(m, heads.get(m.household_id)),
            )
            for m in chosen
        ],
        starts_on=starts_on,
        ends_on=ends_on,
        issuing_body=issuing_body,
        complaint_phone=complaint_phone,
        title=f"{village.name}防返贫监测对象风险消除公示",
        min_days=NOTICE_DAYS,
    )


def _on_closed(notice: Notice, standing: list[Entry], actor: User) -> None:
    for monitored in MonitoredHousehold.objects.select_for_update().filter(
        pk__in=[e.subject_id for e in standing], state=M.CLEAR_REVIEWED
    ):
        _move(monitored, M.CLEAR_PUBLICIZED, actor, "monitoring.risk_publicized", notice=notice.pk)


def _on_upheld(objection: Objection, actor: User) -> None:
    monitored = MonitoredHousehold.objects.select_for_update().get(pk=objection.entry.subject_id)
    if monitored.state == M.CLEAR_REVIEWED:
        monitored.sent_back_reason = f"公示异议成立:{objection.verification_note}"
        _move(
            monitored,
            M.MONITORING,
            actor,
            "monitoring.risk_sent_back",
            ["sent_back_reason"],
            monitored.sent_back_reason,
        )


def register_publisher() -> None:
    """Called from MonitoringConfig.ready."""
    registry.register(
        registry.Publisher(
            kind=KIND,
            label="风险消除公示",
            area_level=Area.Level.VILLAGE,
            publish_roles=LOCAL,
            handle_roles=LOCAL,
            columns=COLUMNS,
            outcomes={"keep_monitoring": "继续监测"},
            on_upheld=_on_upheld,
            on_closed=_on_closed,
            lead="经入户核实和村民代表评议,{area}以下防返贫监测对象风险已消除,拟解除监测,现予公示。"
            "公示期自 {starts_on} 至 {ends_on}。如有异议,请在公示期内向公示单位反映。监督电话:{phone}。",
            subject_url=lambda entry: reverse("monitoring:monitored_detail", args=[entry.subject_id]),
            list_url=lambda notice: reverse("monitoring:monitored"),
        )
    )


@transaction.atomic
def risk_approve(
    *, monitored: MonitoredHousehold, actor: User, approve: bool, reason: str = ""
) -> MonitoredHousehold:
    """县审批: approve the 风险消除, or send it back to 监测中 with the reason."""
    monitored = _lock(actor, monitored)
    if approve:
        check_move(monitored, M.CLEAR_APPROVED, actor, "审批风险消除")
        monitored.approved_by, monitored.approved_at = actor, timezone.now()
        _move(monitored, M.CLEAR_APPROVED, actor, "monitoring.risk_approved", ["approved_by", "approved_at"])
    else:
        check_move(monitored, M.MONITORING, actor, "退回风险消除")
        monitored.sent_back_reason = require_text(reason, "退回原因")
        _move(
            monitored,
            M.MONITORING,
            actor,
            "monitoring.risk_sent_back",
            ["sent_back_reason"],
            monitored.sent_back_reason,
        )
    return monitored


@transaction.atomic
def risk_announce(*, monitored: Sequence[MonitoredHousehold], actor: User) -> list[MonitoredHousehold]:
    """公告: the county announces the approved 风险消除; the households leave monitoring."""
    require_role(actor, {FUPIN}, "发布风险消除公告")
    if not monitored:
        raise MonitoringError("请选择要公告的监测对象。", code="invalid")
    done = []
    for item in sorted(monitored, key=lambda m: m.pk):
        item = _lock(actor, item)
        check_move(item, M.CLEARED, actor, "发布风险消除公告")
        item.announced_on = clock.today()
        _move(item, M.CLEARED, actor, "monitoring.risk_announced", ["announced_on"])
        done.append(item)
    return done
