"""Every write of 贫困村退出, one plain function per move (the allowed moves are the table below):

    乡镇申报 (township official, all conditions met) → 乡镇公示 (the shared 公示 component, kind
    "exits.poor_village") → 公示无异议 (closing the notice) → 县批准 (县扶贫办, conditions checked again)
    → AreaProfile.is_poor_village off, with the exit year.

An upheld objection sends the exit back to 乡镇已申报 (重新核查, to be published again) or ends it
(不予退出). Each move locks the exit row, checks role and area, and writes an audit event.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from accounts import audit
from accounts.models import Role, User
from exits.models import VillageExit, VillageExitSettings
from exits.models.village_exit import DEFAULT_THRESHOLD
from exits.village_exits.rules import Check, exit_checks, failing
from identification.poor_villages.indicators import FACILITIES
from identification.poor_villages.scoring import village_figures
from notices import registry
from notices import services as notices
from notices.models import Entry, Notice, Objection
from villages.models import Area, AreaProfile

State = VillageExit.State
KIND = "exits.poor_village"
NOTICE_DAYS = 7
TOWNSHIP, FUPIN = Role.TOWNSHIP_OFFICIAL, Role.COUNTY_FUPIN

# {state: {next state: role allowed}}: the whole truth about who moves an exit where.
TRANSITIONS: dict[str, dict[str, str]] = {
    State.PROPOSED: {State.PUBLICIZING: TOWNSHIP},
    State.PUBLICIZING: {State.PUBLICIZED: TOWNSHIP, State.PROPOSED: TOWNSHIP, State.REJECTED: TOWNSHIP},
    State.PUBLICIZED: {State.APPROVED: FUPIN, State.REJECTED: FUPIN},
}


class VillageExitError(ValidationError):
    """A refused move; `code` names the rule ("wrong_role" is a 403), the message says why in Chinese."""

    def __init__(self, message: str, code: str) -> None:
        super().__init__(message, code=code)

    def __str__(self) -> str:
        return self.message


class NotInScope(VillageExitError):
    pass


def _role_name(role: str) -> str:
    return str(Role(role).label)


# What must come first, said when a move is asked for too early.
BEFORE = {
    State.PUBLICIZING: "只有乡镇已申报、尚未公示的退出才能公示。",
    State.APPROVED: "须经乡镇公示、公示期满无异议后,县扶贫办方可审批。",
    State.REJECTED: "须经乡镇公示、公示期满无异议后,县扶贫办方可审批。",
}


def check_move(exit: VillageExit, target: str, actor: User) -> None:
    allowed = TRANSITIONS.get(exit.state, {})
    if target not in allowed:
        raise VillageExitError(
            f"“{exit.village.name}”的退出当前为“{exit.get_state_display()}”,不能转为“{State(target).label}”:"
            + BEFORE.get(target, ""),
            code="wrong_state",
        )
    if actor.role != allowed[target]:
        raise VillageExitError(
            f"此步只能由{_role_name(allowed[target])}办理,您的角色是{actor.get_role_display() or '未分配'}。",
            code="wrong_role",
        )


def _move(exit: VillageExit, target: str, actor: User, *, event_type: str, reason: str = "", **new) -> None:
    old = exit.state
    check_move(exit, target, actor)
    exit.state = target
    fields = ["state"]
    if target in (State.APPROVED, State.REJECTED):
        exit.decided_by, exit.decided_at, exit.decision_note = actor, timezone.now(), reason[:300]
        fields += ["decided_by", "decided_at", "decision_note"]
    exit.save(update_fields=fields)
    audit.record(
        event_type=event_type,
        actor=actor,
        obj=exit,
        area_code=exit.village.code,
        old={"state": old},
        new={"state": target, **new},
        reason=reason,
    )


def _locked(actor: User, pk: int) -> VillageExit:
    try:
        return (
            VillageExit.objects.visible_to(actor)
            .select_for_update(of=("self",))
            .select_related("village__parent")
            .get(pk=pk)
        )
    except VillageExit.DoesNotExist:
        from django.http import Http404

        raise Http404("该贫困村退出不存在,或不在您的管辖区域内。") from None


# --- the county's standard --------------------------------------------------------------------------


def county_of(area: Area) -> Area:
    return area if area.level == Area.Level.COUNTY else area.ancestors()[0]


def standard_for(county: Area) -> VillageExitSettings:
    """The county's saved standard, or the default one (3%, no other condition) unsaved."""
    return VillageExitSettings.objects.filter(county=county).first() or VillageExitSettings(
        county=county, threshold=DEFAULT_THRESHOLD, facilities=[]
    )


@transaction.atomic
def standard_save(
    *,
    actor: User,
    threshold: Decimal,
    facilities: Sequence[str],
    min_collective_income: Decimal | None,
    min_net_income: Decimal | None,
) -> VillageExitSettings:
    if actor.role != FUPIN or actor.area is None or actor.area.level != Area.Level.COUNTY:
        raise VillageExitError(
            f"贫困村退出标准由县扶贫办设定,您的角色是{actor.get_role_display() or '未分配'}。",
            code="wrong_role",
        )
    if not Decimal(0) < Decimal(threshold) <= 100:
        raise VillageExitError("贫困发生率标准须大于 0、不超过 100%。", code="invalid")
    known = {i.code for i in FACILITIES}
    unknown = sorted(set(facilities) - known)
    if unknown:
        raise VillageExitError(f"未知的退出条件:{'、'.join(unknown)}。", code="invalid")
    for value in (min_collective_income, min_net_income):
        if value is not None and value < 0:
            raise VillageExitError("收入标准不能为负数。", code="invalid")
    settings = VillageExitSettings.objects.select_for_update().filter(county=actor.area).first()
    old = {} if settings is None else _standard_json(settings)
    settings = settings or VillageExitSettings(county=actor.area, updated_by=actor)
    settings.threshold = Decimal(threshold)
    settings.facilities = [i.code for i in FACILITIES if i.code in set(facilities)]
    settings.min_collective_income, settings.min_net_income = min_collective_income, min_net_income
    settings.updated_by = actor
    settings.full_clean()
    settings.save()
    audit.record(
        event_type="village_exit.standard_set",
        actor=actor,
        obj=settings,
        area_code=actor.area.code,
        old=old,
        new=_standard_json(settings),
    )
    return settings


def _standard_json(settings: VillageExitSettings) -> dict:
    def text(value):
        return None if value is None else f"{Decimal(value):f}"

    return {
        "threshold": text(settings.threshold),
        "facilities": list(settings.facilities),
        "min_collective_income": text(settings.min_collective_income),
        "min_net_income": text(settings.min_net_income),
    }


# --- evaluating villages ------------------------------------------------------------------------------


def evaluate(area: Area, *, year: int) -> dict[int, tuple[dict, list[Check]]]:
    """{village id: (figures, checks)} for every 行政村 inside `area`, in one set-based read."""
    standard = standard_for(county_of(area))
    figures = village_figures(prefix=area.scope_prefix, income_year=year)
    return {
        village_id: (
            {**item, "threshold": f"{standard.threshold:f}"},
            exit_checks(
                item,
                threshold=standard.threshold,
                facilities=list(standard.facilities),
                min_collective_income=standard.min_collective_income,
                min_net_income=standard.min_net_income,
            ),
        )
        for village_id, item in figures.items()
    }


def _jsonable(figures: dict) -> dict:
    return {k: (str(v) if isinstance(v, Decimal) else v) for k, v in figures.items()}


# --- the moves ------------------------------------------------------------------------------------------


@transaction.atomic
def exit_propose(*, actor: User, village: Area, year: int, note: str = "") -> VillageExit:
    """乡镇申报: a 贫困村 of the township whose figures meet every condition of the county's standard."""
    if actor.role != TOWNSHIP:
        raise VillageExitError(
            f"贫困村退出由乡镇审核员申报,您的角色是{actor.get_role_display() or '未分配'}。",
            code="wrong_role",
        )
    try:
        village = (
            Area.objects.visible_to(actor).select_for_update().get(pk=village.pk, level=Area.Level.VILLAGE)
        )
    except Area.DoesNotExist:
        from django.http import Http404

        raise Http404("该行政村不存在,或不在您的管辖区域内。") from None
    profile = AreaProfile.objects.select_for_update().filter(area=village).first()
    if profile is None or not profile.is_poor_village:
        raise VillageExitError(f"“{village.name}”不是贫困村,无需退出。", code="not_poor")
    if VillageExit.objects.filter(village=village, state__in=[s.value for s in _open()]).exists():
        raise VillageExitError(f"“{village.name}”已有进行中的退出申报。", code="already_open")
    figures, checks = evaluate(village, year=year)[village.pk]
    failed = failing(checks)
    if failed:
        raise VillageExitError(f"“{village.name}”未达到退出标准:" + ";".join(failed), code="standard_not_met")
    exit = VillageExit.objects.create(
        village=village,
        year=year,
        figures=_jsonable(figures),
        checks=[c.as_json() for c in checks],
        note=note.strip()[:300],
        proposed_by=actor,
    )
    audit.record(
        event_type="village_exit.proposed",
        actor=actor,
        obj=exit,
        area_code=village.code,
        new={"state": exit.state, "year": year, "poverty_rate": exit.figures["poverty_rate"]},
        reason=exit.note,
    )
    return exit


def _open():
    return (State.PROPOSED, State.PUBLICIZING, State.PUBLICIZED)


def _row(exit: VillageExit) -> list[str]:
    f = exit.figures
    return [
        exit.village.name,
        exit.village.code,
        str(f["persons"]),
        str(f["fupin_persons"]),
        f"{Decimal(f['poverty_rate']):.2f}" if f.get("poverty_rate") is not None else "—",
        f"{Decimal(f['net_income']):.2f}" if f.get("net_income") is not None else "—",
        f"{Decimal(f['collective_income']):.2f}" if f.get("collective_income") is not None else "—",
    ]


@transaction.atomic
def exits_publish(
    *,
    actor: User,
    township: Area,
    exits: Sequence[VillageExit],
    starts_on: datetime.date,
    ends_on: datetime.date,
    issuing_body: str,
    complaint_phone: str,
    title: str = "",
) -> Notice:
    """乡镇公示 of proposed exits of one township (at least seven days, objections on the shared component)."""
    if not exits:
        raise VillageExitError("请选择要公示的贫困村退出申报。", code="invalid")
    locked = [_locked(actor, e.pk) for e in sorted(exits, key=lambda e: e.pk)]
    for exit in locked:
        check_move(exit, State.PUBLICIZING, actor)
        if not exit.village.code.startswith(township.scope_prefix):
            raise VillageExitError(f"“{exit.village.name}”不属于“{township.name}”。", code="invalid")
    notice = notices.notice_publish(
        kind=KIND,
        context=f"year:{locked[0].year}",
        area=township,
        actor=actor,
        subjects=[
            notices.Subject(obj=e, area_code=e.village.code, key=e.village.code, row=_row(e)) for e in locked
        ],
        starts_on=starts_on,
        ends_on=ends_on,
        issuing_body=issuing_body,
        complaint_phone=complaint_phone,
        title=title or f"{township.name}贫困村退出公示",
        min_days=NOTICE_DAYS,
    )
    for exit in locked:
        _move(exit, State.PUBLICIZING, actor, event_type="village_exit.publicizing", notice=notice.pk)
    return notice


@transaction.atomic
def exit_decide(*, actor: User, exit: VillageExit, approve: bool, note: str = "") -> VillageExit:
    """县审批. Approving checks the standard again on today's figures (the registry may have changed since
    the proposal) and takes the village off the 贫困村 list with the exit year; refusing needs a reason."""
    exit = _locked(actor, exit.pk)
    note = (note or "").strip()
    if not approve:
        if not note:
            check_move(exit, State.REJECTED, actor)
            raise VillageExitError("不予退出必须填写理由。", code="reason_required")
        _move(exit, State.REJECTED, actor, event_type="village_exit.rejected", reason=note)
        return exit
    check_move(exit, State.APPROVED, actor)
    figures, checks = evaluate(exit.village, year=exit.year)[exit.village_id]
    failed = failing(checks)
    if failed:
        raise VillageExitError(
            f"“{exit.village.name}”按当前数据已不符合退出标准:" + ";".join(failed), code="standard_not_met"
        )
    exit.figures, exit.checks = _jsonable(figures), [c.as_json() for c in checks]
    exit.save(update_fields=["figures", "checks"])
    profile = AreaProfile.objects.select_for_update().get(area=exit.village)
    old = {
        "is_poor_village": profile.is_poor_village,
        "poor_village_exit_year": profile.poor_village_exit_year,
    }
    profile.is_poor_village, profile.poor_village_exit_year = False, exit.year
    profile.save(update_fields=["is_poor_village", "poor_village_exit_year", "updated_at"])
    audit.record(
        event_type="poor_village.exited",
        actor=actor,
        obj=profile,
        area_code=exit.village.code,
        old=old,
        new={"is_poor_village": False, "poor_village_exit_year": exit.year, "exit": exit.pk},
        reason=note,
    )
    _move(
        exit,
        State.APPROVED,
        actor,
        event_type="village_exit.approved",
        reason=note,
        poverty_rate=exit.figures["poverty_rate"],
    )
    return exit


# --- what the 公示 component calls back -------------------------------------------------------------


def _on_closed(notice: Notice, standing: list[Entry], actor: User) -> None:
    for entry in standing:
        exit = _locked(actor, entry.subject_id)
        if exit.state == State.PUBLICIZING:
            _move(exit, State.PUBLICIZED, actor, event_type="village_exit.publicized", notice=notice.pk)


def _on_upheld(objection: Objection, actor: User) -> None:
    exit = _locked(actor, objection.entry.subject_id)
    reason = f"贫困村退出公示异议成立:{objection.verification_note}"
    if objection.outcome == "reject":
        _move(exit, State.REJECTED, actor, event_type="village_exit.rejected", reason=reason)
    else:
        _move(exit, State.PROPOSED, actor, event_type="village_exit.sent_back", reason=reason)


def _exit_url(entry: Entry) -> str:
    return reverse("exits:village_exit", args=[entry.subject_id])


def _list_url(notice: Notice) -> str:
    return reverse("exits:village_exits")


COLUMNS = (
    "行政村",
    "区划代码",
    "台账人口",
    "扶贫对象人数",
    "贫困发生率(%)",
    "农民人均纯收入(元)",
    "村集体经济收入(元)",
)


def register_publisher() -> None:
    """Called from ExitsConfig.ready."""
    registry.register(
        registry.Publisher(
            kind=KIND,
            label="贫困村退出公示",
            area_level=Area.Level.TOWNSHIP,
            publish_roles=frozenset({TOWNSHIP}),
            handle_roles=frozenset({TOWNSHIP}),
            columns=COLUMNS,
            outcomes={"recheck": "退回重新核查", "reject": "不予退出"},
            on_upheld=_on_upheld,
            on_closed=_on_closed,
            lead=(
                "经乡镇审核,{area}下列贫困村的贫困发生率和其他指标已达到县定退出标准,拟申请退出,现予公示。"
                "公示期自 {starts_on} 至 {ends_on}。如有异议,请在公示期内向公示单位反映。监督电话:{phone}。"
            ),
            subject_url=_exit_url,
            list_url=_list_url,
        )
    )


EVENT_LABELS = {
    "village_exit.standard_set": "设定贫困村退出标准",
    "village_exit.proposed": "申报贫困村退出",
    "village_exit.publicizing": "贫困村退出公示",
    "village_exit.publicized": "贫困村退出公示无异议",
    "village_exit.sent_back": "贫困村退出退回重新核查",
    "village_exit.rejected": "贫困村不予退出",
    "village_exit.approved": "批准贫困村退出",
    "poor_village.exited": "贫困村退出",
}
