"""The 公示 of the exit procedure, through the shared component (notices):

- 村内公示 of the households that agreed to exit (the village cadre publishes it; village and township
  record and handle objections). Publishing lists the exits (→ 已村内公示); the 乡镇 may review while it
  runs, the county approves only once it has closed with no objection open.
- 县级公告 of the exits the 扶贫办 approved: closing it lifts them (the 扶贫 case becomes 已脱贫).

Entries print no 身份证号, phone, bank or health data: 户编号, 户主姓名, 家庭人口, the village, the year.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence

from django.db import transaction
from django.db.models import Count
from django.urls import reverse

from accounts.models import Role, User
from exits.models import ExitApplication, ExitState
from exits.services._common import (
    COUNTY_KIND,
    VILLAGE_KIND,
    NotInScope,
    WorkflowError,
    lock_exit,
    move,
    require_role,
    scoped,
)
from exits.services.household_exit import lift_locked, send_back_locked, withdraw_locked
from households.choices import Relation
from households.models import Member
from notices import registry
from notices import services as notices
from notices.models import Entry, Notice, Objection
from villages.models import Area

COLUMNS = ("户编号", "户主姓名", "家庭人口", "所在村民小组", "退出年度")
LOCAL = frozenset({Role.VILLAGE_CADRE, Role.TOWNSHIP_OFFICIAL})
FUPIN = frozenset({Role.COUNTY_FUPIN})
PERIOD = "公示期自 {starts_on} 至 {ends_on}。如有异议,请在公示期内向公示单位反映。监督电话:{phone}。"
VILLAGE_OUTCOMES = {"recheck": "退回重新核实评议", "withdraw": "不予退出"}
COUNTY_OUTCOMES = {"recheck": "撤销审批,重新核实"}
# What each notice lists, and where its exits stand while it runs.
LISTED_STATE = {VILLAGE_KIND: ExitState.AGREED, COUNTY_KIND: ExitState.APPROVED}
AREA_LEVEL = {VILLAGE_KIND: Area.Level.VILLAGE, COUNTY_KIND: Area.Level.COUNTY}


def _exit_url(entry: Entry) -> str:
    return reverse("exits:exit", args=[entry.subject_id])


def _list_url(notice: Notice) -> str:
    return reverse("exits:notices")


def _on_upheld(objection: Objection, actor: User) -> None:
    exit = lock_exit(actor, ExitApplication(pk=objection.entry.subject_id))
    reason = f"{objection.notice.kind_label}异议成立:{objection.verification_note}"
    if exit.is_final:
        return
    if objection.outcome == "withdraw":
        withdraw_locked(exit, actor, reason=reason, event_type="exit.withdrawn")
    else:
        send_back_locked(exit, actor, reason=reason, event_type="exit.sent_back")


def _on_county_closed(notice: Notice, standing: list[Entry], actor: User) -> None:
    exits = (
        ExitApplication.objects.select_for_update(of=("self",))
        .select_related("round", "household__group", "case")
        .filter(pk__in=[e.subject_id for e in standing], state=ExitState.APPROVED)
        .order_by("pk")
    )
    for exit in exits:
        lift_locked(exit, actor, notice=notice)


def register_publishers() -> None:
    """Called from ExitsConfig.ready."""
    registry.register(
        registry.Publisher(
            kind=VILLAGE_KIND,
            label="脱贫退出村内公示",
            area_level=Area.Level.VILLAGE,
            publish_roles=frozenset({Role.VILLAGE_CADRE}),
            handle_roles=LOCAL,
            columns=COLUMNS,
            outcomes=VILLAGE_OUTCOMES,
            on_upheld=_on_upheld,
            lead="经村两委和驻村工作队评议、本户签字认可,现将{area}拟脱贫退出户名单予以公示。" + PERIOD,
            subject_url=_exit_url,
            list_url=_list_url,
        )
    )
    registry.register(
        registry.Publisher(
            kind=COUNTY_KIND,
            label="脱贫退出公告",
            area_level=Area.Level.COUNTY,
            publish_roles=FUPIN,
            handle_roles=FUPIN,
            columns=COLUMNS,
            outcomes=COUNTY_OUTCOMES,
            on_upheld=_on_upheld,
            on_closed=_on_county_closed,
            lead="经乡镇审核、县扶贫办审批,现将{area}脱贫退出户名单予以公告。" + PERIOD,
            subject_url=_exit_url,
            list_url=_list_url,
        )
    )


def publishable(kind: str, area: Area, user: User, *, lock: bool = False) -> list[ExitApplication]:
    """The exits of `area` the notice may list now (in the listed state, not standing on one of its kind)."""
    exits = ExitApplication.objects.visible_to(user).filter(
        state=LISTED_STATE[kind], household__group__code__startswith=area.scope_prefix
    )
    exits = exits.select_related("household__group", "round").order_by("household__number")
    if lock:
        exits = exits.select_for_update(of=("self",))
    listed = set(
        Entry.objects.filter(
            notice__kind=kind, struck=False, subject_id__in=[e.pk for e in exits]
        ).values_list("subject_id", flat=True)
    )
    return [e for e in exits if e.pk not in listed]


def _rows(exits: Sequence[ExitApplication]) -> list[notices.Subject]:
    heads = {
        m.household_id: m.name
        for m in Member.objects.filter(
            household_id__in=[e.household_id for e in exits], relation=Relation.HEAD
        )
    }
    persons = {
        m["household_id"]: m["n"]
        for m in Member.objects.filter(household_id__in=[e.household_id for e in exits])
        .values("household_id")
        .annotate(n=Count("id"))
    }
    return [
        notices.Subject(
            obj=e,
            area_code=e.household.group.code,
            key=e.household.number,
            row=[
                e.household.number,
                heads.get(e.household_id, ""),
                str(persons.get(e.household_id, 0)),
                e.household.group.name,
                str(e.round.year),
            ],
        )
        for e in exits
    ]


@transaction.atomic
def exit_notice_publish(
    *,
    kind: str,
    area: Area,
    actor: User,
    exits: Sequence[ExitApplication],
    starts_on: datetime.date,
    ends_on: datetime.date,
    issuing_body: str,
    complaint_phone: str,
    title: str = "",
) -> Notice:
    """Publish the 村内公示 (village) or the 公告 (county) listing `exits`, each publishable there."""
    if kind not in LISTED_STATE:
        raise WorkflowError("未知的公示类型。", code="invalid")
    publisher = registry.publisher(kind)
    require_role(actor, publisher.publish_roles, f"发布{publisher.label}")
    area = scoped(Area.objects.all(), actor, area.pk, "该区划", lock=False)
    if area.level != AREA_LEVEL[kind]:
        raise WorkflowError(
            f"{publisher.label}须在{area.Level(AREA_LEVEL[kind]).label}发布。", code="wrong_area_level"
        )
    ids = {e.pk for e in exits}
    if not ids:
        raise WorkflowError("公示名单不能为空。", code="invalid")
    candidates = {e.pk: e for e in publishable(kind, area, actor, lock=True)}
    missing = ids - candidates.keys()
    if missing:
        found = list(
            ExitApplication.objects.visible_to(actor)
            .filter(pk__in=missing, household__group__code__startswith=area.scope_prefix)
            .select_related("household")
        )
        if len(found) < len(missing):
            raise NotInScope(f"公示名单中有退出申请不属于“{area.name}”,或不在您的管辖区域内。")
        problems = [f"户 {e.household.number} 当前为“{e.get_state_display()}”或已在公示中" for e in found]
        raise WorkflowError(
            f"不能列入{publisher.label}:" + ";".join(problems[:10]) + "。", code="wrong_state"
        )
    chosen = [candidates[pk] for pk in sorted(ids, key=lambda pk: candidates[pk].household.number)]
    rounds = {e.round_id: e.round for e in chosen}
    notice = notices.notice_publish(
        kind=kind,
        context="exits",
        area=area,
        actor=actor,
        subjects=_rows(chosen),
        starts_on=starts_on,
        ends_on=ends_on,
        issuing_body=issuing_body,
        complaint_phone=complaint_phone,
        title=title or f"{area.name}{publisher.label}",
        min_days=min(r.notice_days for r in rounds.values()),
    )
    if kind == VILLAGE_KIND:
        for exit in chosen:
            move(exit, ExitState.PUBLICIZED, actor, event_type="exit.publicized", new={"notice": notice.pk})
    return notice


notice_close = notices.notice_close
objection_handle = notices.objection_handle


def objection_record(
    *, notice: Notice, exit: ExitApplication, actor: User, content: str, complainant: str = ""
) -> Objection:
    entry = Entry.objects.filter(notice=notice, subject_id=exit.pk, struck=False).first()
    if entry is None or not notice.kind.startswith("exits."):
        raise WorkflowError("该户不在这份公示名单上。", code="not_on_notice")
    return notices.objection_record(
        notice=notice, entry=entry, actor=actor, content=content, complainant=complainant
    )
