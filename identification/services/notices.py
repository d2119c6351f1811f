"""The 公示 of the procedure, in seed 002's order, through the shared component (notices):

- 村民小组公示 after the group vote — 第三步 "公示无异议后上报村委会";
- 村委会公示 after the survey, of the applications found eligible — 第四步 "在指标范围内将符合条件的对象进行张榜
  公示,无意见后上报乡(镇)人民政府审核";
- 乡镇公示 of the township's 审核意见 after its sample — 四(二) "村民委员会、乡镇人民政府以及县扶贫办、县民政局要
  及时向社会公布民主评议意见、审核意见和审批结果";
- 县级公告 of each bureau's 审批结果.

Closing a notice moves the applications still standing on it to the next step; an upheld objection sends the
application back to 评议 or rejects it, at the level of the notice.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence

from django.db import transaction
from django.urls import reverse

from accounts.models import User
from households.choices import Relation
from households.idnumber import mask
from households.models import Member
from identification.choices import PROGRAM_LABELS, Decision, NoticeLevel, ObjectionOutcome, State
from identification.models import Application, Round
from identification.selectors import notice_context, notice_kind, notice_levels
from identification.services._common import (
    NOTICE_ROLES,
    PROGRAM_ROLE,
    NotInScope,
    _area_in_scope,
    _lock_application,
    _move_many,
    _require_open_round,
    _require_role,
)
from identification.services.applications import _reject_locked, _send_back_locked
from identification.transitions import WorkflowError
from notices import registry
from notices import services as notices
from notices.models import Entry, Notice, Objection
from villages.models import Area

# What each notice lists, and the state its applications are in while it runs (and move on from).
LISTED_STATE = {
    NoticeLevel.GROUP: State.RECOMMENDED,
    NoticeLevel.VILLAGE: State.SURVEYED,
    NoticeLevel.TOWNSHIP: State.VERIFIED,
}
NEXT_STATE = {
    NoticeLevel.GROUP: State.GROUP_PUBLICIZED,
    NoticeLevel.VILLAGE: State.VILLAGE_PUBLICIZED,
    NoticeLevel.TOWNSHIP: State.PUBLICIZED,
}
BASE_COLUMNS = ("户编号", "户主姓名", "身份证号", "家庭人口")
COLUMNS = {
    NoticeLevel.GROUP: (*BASE_COLUMNS, "申请项目", "直接纳入条件"),
    NoticeLevel.VILLAGE: (*BASE_COLUMNS, "拟报项目", "年人均纯收入(元)", "贫困类型"),
    NoticeLevel.TOWNSHIP: (*BASE_COLUMNS, "乡镇审核意见", "贫困类型"),
    NoticeLevel.COUNTY: (*BASE_COLUMNS, "认定项目", "审批结果"),
}
LEADS = {
    NoticeLevel.GROUP: "经{area}户主会议民主评议,现将推荐的调查对象名单予以公示。",
    NoticeLevel.VILLAGE: "经村委会民主评议和入户调查,现将{area}符合条件的对象名单予以公示。",
    NoticeLevel.TOWNSHIP: "经乡镇入户抽查审核,现将{area}的审核意见予以公示。",
    NoticeLevel.COUNTY: "经县级抽查和审批,现将{area}的审批结果予以公告。",
}
PERIOD = "公示期自 {starts_on} 至 {ends_on}。如有异议,请在公示期内向公示单位反映。监督电话:{phone}。"


def county_kind(program: str) -> str:
    return notice_kind(f"county_{program}")


def notice_kind_of(level: NoticeLevel, program: str = "") -> str:
    return county_kind(program) if level == NoticeLevel.COUNTY else notice_kind(level.value)


# --- what the component calls back -----------------------------------------------------------------


def _application_url(entry: Entry) -> str:
    return reverse("identification:application", args=[entry.subject_id])


def _list_url(notice: Notice) -> str:
    return reverse("identification:notices") + f"?round={notice.context.removeprefix('round:')}"


def _on_closed(level: NoticeLevel):
    def moved_on(notice: Notice, standing: list[Entry], actor: User) -> None:
        applications = list(
            Application.objects.select_for_update(of=("self",))
            .select_related("household__group")
            .filter(pk__in=[e.subject_id for e in standing], state=LISTED_STATE[level])
            .order_by("pk")
        )
        _move_many(
            applications,
            NEXT_STATE[level],
            actor,
            event_type=f"application.{level.value}_notice_passed",
            new={"notice": notice.pk},
        )

    return moved_on


def _on_upheld(objection: Objection, actor: User) -> None:
    application = _lock_application(actor, Application(pk=objection.entry.subject_id))
    reason = f"{objection.notice.kind_label}异议成立:{objection.verification_note}"
    if application.is_final or application.state == State.PUBLICIZED:
        # A decided application stays decided: the 公告's objection goes to 动态调整复核, the exits app's
        # queues of cases to review (an exit to 核实 for 扶贫, a 退保 proposal for 民政's 低保).
        program = objection.notice.kind.removeprefix(county_kind(""))
        if objection.notice.kind == county_kind(program):
            from exits.services import review_after_county_objection

            review_after_county_objection(
                household_id=application.household_id,
                program=program,
                round=application.round,
                actor=actor,
                note=reason,
            )
        return
    if objection.outcome == ObjectionOutcome.REEVALUATE:
        _send_back_locked(application, actor, reason=reason, event_type="application.sent_back")
    else:
        _reject_locked(application, actor, reason=reason, event_type="application.rejected")


def register_publishers() -> None:
    """Called from IdentificationConfig.ready."""
    for level in NoticeLevel:
        outcomes = (
            {"recheck": "转入动态调整复核"} if level == NoticeLevel.COUNTY else dict(ObjectionOutcome.choices)
        )
        for program in PROGRAM_ROLE if level == NoticeLevel.COUNTY else [""]:
            registry.register(
                registry.Publisher(
                    kind=notice_kind_of(level, program),
                    label=f"{level.label}({PROGRAM_LABELS[program]})" if program else str(level.label),
                    area_level=level.value,
                    publish_roles=frozenset({PROGRAM_ROLE[program]}) if program else NOTICE_ROLES[level],
                    handle_roles=frozenset({PROGRAM_ROLE[program]}) if program else NOTICE_ROLES[level],
                    columns=COLUMNS[level],
                    outcomes={str(k): str(v) for k, v in outcomes.items()},
                    on_upheld=_on_upheld,
                    on_closed=None if level == NoticeLevel.COUNTY else _on_closed(level),
                    lead=LEADS[level] + PERIOD,
                    subject_url=_application_url,
                    list_url=_list_url,
                )
            )


# --- what may be published, and publishing it ------------------------------------------------------


def _heads(applications: Sequence[Application]) -> dict[int, Member]:
    return {
        m.household_id: m
        for m in Member.objects.filter(
            household_id__in=[a.household_id for a in applications], relation=Relation.HEAD
        ).only("household_id", "name", "id_number")
    }


def _row(level: NoticeLevel, a: Application, head: Member | None, program: str) -> list[str]:
    base = [
        a.household.number,
        head.name if head else "",
        mask(head.id_number) if head else "",
        str(a.persons),
    ]
    klass = a.get_poverty_class_display() if a.poverty_class else ""
    if level == NoticeLevel.GROUP:
        return [*base, "、".join(PROGRAM_LABELS[p] for p in a.programs), "、".join(a.direct_entry)]
    if level == NoticeLevel.VILLAGE:
        income = next(
            (r["detail"] for r in a.eligibility.get("rules", []) if r["code"] == "INCOME_FUPIN"), ""
        )
        per_capita = income.split("人均 ")[1].split(" 元")[0] if "人均 " in income else ""
        return [*base, "、".join(PROGRAM_LABELS[p] for p in a.programs), per_capita, klass]
    if level == NoticeLevel.TOWNSHIP:
        opinion = ";".join(
            f"拟报{'县扶贫办' if p == 'fupin' else '县民政局'}审批{PROGRAM_LABELS[p]}" for p in a.programs
        )
        return [*base, opinion, klass]
    decision = a.decision(program)
    return [*base, PROGRAM_LABELS[program], "认定" if decision == Decision.CONFIRMED else "不予认定"]


def publishable(
    round: Round, level: NoticeLevel, area: Area, user: User, program: str = "", *, lock: bool = False
) -> list[Application]:
    """The applications of `area` that this notice may list now, in household order (locked when publishing,
    so that two officials publishing at once cannot list one household twice)."""
    applications = Application.objects.visible_to(user).filter(
        round=round, household__group__code__startswith=area.scope_prefix
    )
    if level == NoticeLevel.COUNTY:
        applications = applications.filter(**{f"for_{program}": True}).exclude(**{f"{program}_decision": ""})
    else:
        applications = applications.filter(state=LISTED_STATE[level])
        if level == NoticeLevel.VILLAGE:
            # Found eligible for nothing it goes on for (waiting for the township's 低保 choice): not listed.
            applications = applications.exclude(for_fupin=False, for_dibao=False)
    applications = applications.select_related("household__group").order_by("household__number")
    if lock:
        applications = applications.select_for_update(of=("self",))
    applications = list(applications)
    kind = notice_kind_of(level, program)
    on = notice_levels([a.pk for a in applications])
    key = kind.removeprefix("identification.")
    return [a for a in applications if key not in on.get(a.pk, {})]


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
    program: str = "",
) -> Notice:
    """Publish one of the procedure's notices listing `applications` (each must be publishable there)."""
    level = NoticeLevel(level)
    _require_open_round(round)
    if level == NoticeLevel.COUNTY:
        program = {role: p for p, role in PROGRAM_ROLE.items()}.get(actor.role, "")
        if not program:
            _require_role(actor, PROGRAM_ROLE.values(), "发布县级公告")
    _require_role(actor, NOTICE_ROLES[level], f"发布{level.label}")
    area = _area_in_scope(actor, area)
    if area.level != level.value:
        raise WorkflowError(
            f"{level.label}须在{Area.Level(level.value).label}发布。", code="wrong_area_level"
        )
    ids = {a.pk for a in applications}
    if not ids:
        raise WorkflowError("公示名单不能为空。", code="invalid")
    candidates = {a.pk: a for a in publishable(round, level, area, actor, program, lock=True)}
    missing = ids - candidates.keys()
    if missing:
        found = list(
            Application.objects.visible_to(actor)
            .filter(pk__in=missing, round=round, household__group__code__startswith=area.scope_prefix)
            .select_related("household")
        )
        if len(found) < len(missing):
            raise NotInScope(f"公示名单中有申请不属于“{area.name}”本批次,或不在您的管辖区域内。")
        problems = [f"户 {a.household.number} 当前为“{a.get_state_display()}”或已在公示中" for a in found]
        raise WorkflowError(f"不能列入{level.label}:" + ";".join(problems[:10]) + "。", code="wrong_state")
    chosen = [a for a in candidates.values() if a.pk in ids]
    heads = _heads(chosen)
    name = f"{area.parent.name}{area.name}" if level == NoticeLevel.GROUP else area.name
    return notices.notice_publish(
        kind=notice_kind_of(level, program),
        context=notice_context(round),
        area=area,
        actor=actor,
        subjects=[
            notices.Subject(
                obj=a,
                area_code=a.household.group.code,
                key=a.household.number,
                row=_row(level, a, heads.get(a.household_id), program),
            )
            for a in chosen
        ],
        starts_on=starts_on,
        ends_on=ends_on,
        issuing_body=issuing_body,
        complaint_phone=complaint_phone,
        title=title or f"{name}{round.name}{registry.publisher(notice_kind_of(level, program)).label}",
        min_days=round.notice_days,
    )


def objection_record(
    *,
    notice: Notice,
    application: Application,
    actor: User,
    content: str,
    complainant: str = "",
    received_at: datetime.datetime | None = None,
) -> Objection:
    """登记异议 against an application's entry on one of the procedure's notices."""
    entry = Entry.objects.filter(notice=notice, subject_id=application.pk, struck=False).first()
    if entry is None or not notice.kind.startswith("identification."):
        raise WorkflowError("该户不在这份公示名单上。", code="not_on_notice")
    return notices.objection_record(
        notice=notice,
        entry=entry,
        actor=actor,
        content=content,
        complainant=complainant,
        received_at=received_at,
    )


# Closing and handling are the component's own: nothing of them is particular to identification.
notice_close = notices.notice_close
objection_handle = notices.objection_handle
