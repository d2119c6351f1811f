"""The writes of 帮扶, one function per move: keyword-only, in a transaction, rows locked, the actor's role
and scope checked, an audit event written (accounts.audit). Views, the sheet import, the demo and the
tests all come through here. A refusal is an AssistanceError whose message (Chinese) names the reason.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone

from accounts import audit
from accounts.models import Role, User
from assistance import choices, selectors
from assistance.models import (
    DEFAULT_HELPER_LIMIT,
    MAX_LOAN_MONTHS,
    Attendance,
    CountySettings,
    CreditRating,
    Helper,
    Loan,
    Measure,
    Pairing,
    Plan,
    TeamMember,
    TeamRecord,
    Unit,
    VillageAssistance,
    Visit,
    WorkTeam,
    add_months,
)
from households.models import Household, Member
from villages.models import Area, county_code


class AssistanceError(Exception):
    """A refused move; the message (Chinese) is shown to the user as is."""


# Who may make which kind of move (the area or the pairing limits it further, through accounts.scoping).
ASSIGNERS = {Role.TOWNSHIP_OFFICIAL, Role.COUNTY_FUPIN, Role.ADMIN}  # helpers, pairings, teams
RECORDERS = {
    Role.VILLAGE_CADRE,
    Role.TOWNSHIP_OFFICIAL,
    Role.COUNTY_FUPIN,
    Role.HELPER,
}  # plans, measures, visits
LOAN_RECORDERS = {Role.VILLAGE_CADRE, Role.TOWNSHIP_OFFICIAL, Role.COUNTY_FUPIN}
TEAM_RECORDERS = {Role.VILLAGE_CADRE, Role.TOWNSHIP_OFFICIAL, Role.COUNTY_FUPIN}
COUNTY_SETTERS = {Role.COUNTY_FUPIN, Role.ADMIN}

PHOTO_TYPES = {".jpg", ".jpeg", ".png"}
PHOTO_MAX_BYTES = 5 * 1024 * 1024


def can(user: User, roles: set[str]) -> bool:
    return bool(user.is_authenticated and user.is_active and user.role in roles)


def _require(actor: User, roles: set[str], what: str) -> None:
    if not can(actor, roles):
        raise AssistanceError(f"您的角色不能{what}。")


def _household_in_scope(actor: User, household_id: int, *, lock: bool = False) -> Household:
    households = Household.objects.visible_to(actor).select_related("group")
    if lock:
        households = households.select_for_update(of=("self",))
    household = households.filter(pk=household_id).first()
    if household is None:
        raise AssistanceError("该户不在您的帮扶或管辖范围内。")
    return household


def _today() -> datetime.date:
    return timezone.localdate()


def _not_future(day: datetime.date, label: str) -> None:
    if day > _today():
        raise AssistanceError(f"{label}不能晚于今天({_today():%Y-%m-%d})。")


def settings_for(area_code: str) -> CountySettings:
    """The county's settings for an area code, or the defaults (unsaved) where the county set none."""
    county = Area.objects.get(code=county_code(area_code))
    found = CountySettings.objects.filter(county=county).first()
    return found or CountySettings(county=county, helper_limit=DEFAULT_HELPER_LIMIT)


def settings_save(
    *, actor: User, county: Area, helper_limit: int, transition_ends_on: datetime.date | None
) -> CountySettings:
    _require(actor, COUNTY_SETTERS, "修改帮扶设置")
    if not Area.objects.visible_to(actor).filter(pk=county.pk, level=Area.Level.COUNTY).exists():
        raise AssistanceError("只能修改本县的帮扶设置。")
    if helper_limit < 1:
        raise AssistanceError("每名帮扶责任人联系户数上限至少为 1 户。")
    with transaction.atomic():
        row, _created = CountySettings.objects.select_for_update().get_or_create(county=county)
        old = {"helper_limit": row.helper_limit, "transition_ends_on": row.transition_ends_on}
        row.helper_limit, row.transition_ends_on = helper_limit, transition_ends_on
        row.save()
        audit.record(
            event_type="assistance.settings",
            actor=actor,
            obj=row,
            area_code=county.code,
            old=old,
            new={"helper_limit": helper_limit, "transition_ends_on": transition_ends_on},
        )
    return row


# --- units and helpers --------------------------------------------------------------------------------


def unit_create(*, actor: User, area: Area, name: str, level: str) -> Unit:
    _require(actor, ASSIGNERS, "登记帮扶单位")
    if not Area.objects.visible_to(actor).filter(pk=area.pk).exists():
        raise AssistanceError("所选区划不在您的管辖范围内。")
    name = name.strip()
    if not name:
        raise AssistanceError("请填写单位名称。")
    with transaction.atomic():
        if Unit.objects.filter(area=area, name=name).exists():
            raise AssistanceError(f"“{name}”已经登记过。")
        unit = Unit.objects.create(area=area, name=name, level=level)
        audit.record(
            event_type="assistance.unit_create",
            actor=actor,
            obj=unit,
            area_code=area.code,
            new={"name": name, "level": level},
        )
    return unit


def helper_create(
    *,
    actor: User,
    unit: Unit,
    name: str,
    area: Area,
    position: str = "",
    is_cadre: bool = True,
    is_manager: bool = False,
    phone: str = "",
    user: User | None = None,
) -> Helper:
    _require(actor, ASSIGNERS, "登记帮扶责任人")
    if not Area.objects.visible_to(actor).filter(pk=area.pk).exists():
        raise AssistanceError("所选区划不在您的管辖范围内。")
    if user is not None and user.role != Role.HELPER:
        raise AssistanceError("登录账号的角色必须是“帮扶责任人”。")
    with transaction.atomic():
        helper = Helper.objects.create(
            unit=unit,
            name=name.strip(),
            area=area,
            position=position,
            is_cadre=is_cadre,
            is_manager=is_manager,
            phone=phone,
            user=user,
        )
        audit.record(
            event_type="assistance.helper_create",
            actor=actor,
            obj=helper,
            area_code=area.code,
            new={"name": helper.name, "unit": unit.name, "is_cadre": is_cadre, "is_manager": is_manager},
        )
    return helper


def helper_account_create(*, actor: User, helper: Helper, username: str, password: str) -> User:
    """A login for a helper (Role.HELPER, no area): they will see the households paired with them."""
    from django.contrib.auth.password_validation import validate_password
    from django.core.exceptions import ValidationError

    _require(actor, ASSIGNERS, "为帮扶责任人开通账号")
    username = username.strip()
    if not username:
        raise AssistanceError("请填写用户名。")
    with transaction.atomic():
        helper = selectors.pool(Helper, actor).select_for_update().filter(pk=helper.pk).first()
        if helper is None:
            raise AssistanceError("该帮扶责任人不在您的管辖范围内。")
        if helper.user_id is not None:
            raise AssistanceError(f"{helper.name}已有登录账号。")
        if User.objects.filter(username=username).exists():
            raise AssistanceError(f"用户名“{username}”已被使用。")
        user = User(username=username, last_name=helper.name, role=Role.HELPER)
        try:
            validate_password(password, user)
        except ValidationError as error:
            raise AssistanceError("密码不符合要求:" + ";".join(error.messages)) from None
        user.set_password(password)
        user.save()
        helper.user = user
        helper.save(update_fields=["user"])
        audit.record(
            event_type="assistance.helper_account",
            actor=actor,
            obj=helper,
            area_code=helper.area.code,
            new={"username": username},
        )
    return user


# --- 结对 ----------------------------------------------------------------------------------------------


def pair(
    *,
    actor: User,
    household: Household,
    helper: Helper,
    started_on: datetime.date | None = None,
    note: str = "",
) -> Pairing:
    """Pair a household with a helper; a household that has one already is re-assigned (its old pairing
    ends with the reason 调整帮扶责任人). Refused beyond the county's limit of households per helper."""
    _require(actor, ASSIGNERS, "安排帮扶责任人")
    started_on = started_on or _today()
    _not_future(started_on, "结对日期")
    with transaction.atomic():
        household = _household_in_scope(actor, household.pk, lock=True)
        helper = selectors.pool(Helper, actor).select_for_update().filter(pk=helper.pk).first()
        if helper is None:
            raise AssistanceError("该帮扶责任人不在您的管辖范围内。")
        if not helper.is_active:
            raise AssistanceError(f"{helper.name}已不在岗,不能结对。")
        current = (
            Pairing.objects.select_for_update().filter(household=household, ended_on__isnull=True).first()
        )
        if current is not None and current.helper_id == helper.pk:
            raise AssistanceError(f"该户已与{helper.name}结对。")
        limit = settings_for(household.group.code).helper_limit
        held = Pairing.objects.filter(helper=helper, ended_on__isnull=True).count()
        if held >= limit:
            raise AssistanceError(
                f"{helper.name}已联系 {held} 户,达到每人最多 {limit} 户的上限"
                f"(省定“每名帮扶联系人所联系的贫困家庭一般不超过3户”),不能再结对。"
            )
        if current is not None:
            if started_on < current.started_on:
                raise AssistanceError(f"新的结对日期不能早于原结对日期({current.started_on:%Y-%m-%d})。")
            _end(
                actor=actor,
                pairing=current,
                ended_on=started_on,
                reason=choices.PairingEnd.REASSIGNED,
                note=f"改由{helper.name}帮扶",
            )
        pairing = Pairing.objects.create(helper=helper, household=household, started_on=started_on, note=note)
        audit.record(
            event_type="assistance.pair",
            actor=actor,
            obj=pairing,
            area_code=household.group.code,
            old={"helper": current.helper.name} if current else {},
            new={"helper": helper.name, "household": household.number, "started_on": started_on},
            reason=note,
        )
    return pairing


def unpair(
    *, actor: User, pairing: Pairing, reason: str, ended_on: datetime.date | None = None, note: str = ""
) -> Pairing:
    """End a pairing. An exited household keeps its helper until the county's transition period ends
    (seed 004: "已脱贫户的帮扶联系人不脱钩"), so 已脱贫 is no reason before then."""
    _require(actor, ASSIGNERS, "解除结对")
    if reason not in choices.PairingEnd.values:
        raise AssistanceError("请选择解除原因。")
    ended_on = ended_on or _today()
    _not_future(ended_on, "解除日期")
    with transaction.atomic():
        pairing = Pairing.objects.visible_to(actor).select_for_update().filter(pk=pairing.pk).first()
        if pairing is None:
            raise AssistanceError("该结对不在您的管辖范围内。")
        if not pairing.is_open:
            raise AssistanceError("该结对已经解除。")
        if ended_on < pairing.started_on:
            raise AssistanceError(f"解除日期不能早于结对日期({pairing.started_on:%Y-%m-%d})。")
        if reason == choices.PairingEnd.LIFTED:
            transition = settings_for(pairing.household.group.code).transition_ends_on
            if transition is None or ended_on <= transition:
                until = f"{transition:%Y-%m-%d}" if transition else "县里确定的结束日期"
                raise AssistanceError(
                    f"过渡期(至{until})内已脱贫户的帮扶责任人不脱钩,不能以“已脱贫”为由解除。"
                )
            if pairing.household.cases.filter(program="fupin", state__in=["active", "returned"]).exists():
                raise AssistanceError("该户仍在扶贫名册上,不能以“已脱贫”为由解除。")
        _end(actor=actor, pairing=pairing, ended_on=ended_on, reason=reason, note=note)
    return pairing


def _end(*, actor: User, pairing: Pairing, ended_on: datetime.date, reason: str, note: str) -> None:
    pairing.ended_on, pairing.end_reason = ended_on, reason
    pairing.save(update_fields=["ended_on", "end_reason"])
    audit.record(
        event_type="assistance.unpair",
        actor=actor,
        obj=pairing,
        area_code=pairing.household.group.code,
        old={"helper": pairing.helper.name},
        new={"ended_on": ended_on, "end_reason": reason},
        reason=note,
    )


def end_pairings_after_transition(*, actor: User | None, today: datetime.date | None = None) -> int:
    """After the transition period, the pairings of households no longer on the 扶贫 roll end (nightly or by
    hand). Counties without an end date keep them all."""
    today = today or _today()
    ended = 0
    with transaction.atomic():
        for row in CountySettings.objects.filter(transition_ends_on__lt=today).select_related("county"):
            stale = (
                Pairing.objects.select_for_update()
                .filter(ended_on__isnull=True, household__group__code__startswith=row.county.scope_prefix)
                .exclude(
                    household__cases__program="fupin", household__cases__state__in=["active", "returned"]
                )
                .select_related("helper", "household__group")
            )
            for pairing in stale:
                _end(
                    actor=actor,
                    pairing=pairing,
                    ended_on=today,
                    reason=choices.PairingEnd.LIFTED,
                    note="过渡期结束",
                )
                ended += 1
    return ended


# --- 一户一策 --------------------------------------------------------------------------------------------


def plan_save(*, actor: User, household: Household, year: int, target_year: int, wishes: str = "") -> Plan:
    _require(actor, RECORDERS, "制定帮扶计划")
    if target_year < year:
        raise AssistanceError(f"计划脱贫年度({target_year})不能早于计划年度({year})。")
    with transaction.atomic():
        household = _household_in_scope(actor, household.pk, lock=True)
        plan = Plan.objects.select_for_update().filter(household=household, year=year).first()
        old = {"target_year": plan.target_year, "wishes": plan.wishes} if plan else {}
        if plan is None:
            plan = Plan(household=household, year=year)
        plan.target_year, plan.wishes = target_year, wishes.strip()
        plan.save()
        audit.record(
            event_type="assistance.plan_save",
            actor=actor,
            obj=plan,
            area_code=household.group.code,
            old=old,
            new={"year": year, "target_year": target_year, "wishes": plan.wishes},
        )
    return plan


def measure_add(
    *,
    actor: User,
    plan: Plan,
    category: str,
    content: str,
    funding_source: str,
    started_on: datetime.date,
    amount: Decimal = Decimal("0"),
    member: Member | None = None,
    ended_on: datetime.date | None = None,
    status: str = choices.MeasureStatus.PLANNED,
) -> Measure:
    _require(actor, RECORDERS, "登记帮扶措施")
    if category not in choices.Category.values:
        raise AssistanceError("请选择措施类别。")
    if funding_source not in choices.FundingSource.values:
        raise AssistanceError("请选择资金来源。")
    if amount < 0:
        raise AssistanceError("金额不能为负数。")
    if ended_on and ended_on < started_on:
        raise AssistanceError("结束日期不能早于开始日期。")
    with transaction.atomic():
        plan = (
            Plan.objects.visible_to(actor)
            .select_for_update()
            .filter(pk=plan.pk)
            .select_related("household__group")
            .first()
        )
        if plan is None:
            raise AssistanceError("该帮扶计划不在您的帮扶或管辖范围内。")
        if member is not None and member.household_id != plan.household_id:
            raise AssistanceError(f"{member.name}不是该户的家庭成员。")
        measure = Measure.objects.create(
            plan=plan,
            household=plan.household,
            category=category,
            member=member,
            content=content.strip(),
            amount=amount,
            funding_source=funding_source,
            started_on=started_on,
            ended_on=ended_on,
            status=status,
        )
        audit.record(
            event_type="assistance.measure_add",
            actor=actor,
            obj=measure,
            area_code=plan.household.group.code,
            new={
                "category": category,
                "content": measure.content,
                "amount": amount,
                "funding_source": funding_source,
                "member": member.name if member else "",
            },
        )
    return measure


def measure_progress(*, actor: User, measure: Measure, status: str, effect: str = "") -> Measure:
    """A measure's progress as the helper or a cadre sees it: its status and 成效."""
    _require(actor, RECORDERS, "更新措施进展")
    if status not in choices.MeasureStatus.values:
        raise AssistanceError("请选择措施状态。")
    with transaction.atomic():
        measure = (
            Measure.objects.visible_to(actor)
            .select_for_update()
            .filter(pk=measure.pk)
            .select_related("household__group")
            .first()
        )
        if measure is None:
            raise AssistanceError("该措施不在您的帮扶或管辖范围内。")
        old = {"status": measure.status, "effect": measure.effect}
        measure.status = status
        measure.effect = effect.strip() or measure.effect
        if status in (choices.MeasureStatus.DONE, choices.MeasureStatus.STOPPED) and measure.ended_on is None:
            measure.ended_on = max(_today(), measure.started_on)
        measure.save(update_fields=["status", "effect", "ended_on", "updated_at"])
        audit.record(
            event_type="assistance.measure_progress",
            actor=actor,
            obj=measure,
            area_code=measure.household.group.code,
            old=old,
            new={"status": status, "effect": measure.effect},
        )
    return measure


# --- 走访 ----------------------------------------------------------------------------------------------


def _check_photo(photo: UploadedFile | None) -> None:
    if photo is None:
        return
    name = (photo.name or "").lower()
    if not any(name.endswith(ext) for ext in PHOTO_TYPES):
        raise AssistanceError("照片只能是 JPG 或 PNG 文件。")
    if photo.size > PHOTO_MAX_BYTES:
        raise AssistanceError(f"照片不能超过 {PHOTO_MAX_BYTES // 1024 // 1024} MB。")


def visit_log(
    *,
    actor: User,
    household: Household,
    visited_on: datetime.date,
    content: str,
    photo: UploadedFile | None = None,
    helper: Helper | None = None,
) -> Visit:
    """A visit, by the household's helper (the actor, when a helper) or recorded by a cadre for one."""
    _require(actor, RECORDERS, "登记走访")
    _not_future(visited_on, "走访日期")
    content = content.strip()
    if not content:
        raise AssistanceError("请填写走访内容。")
    _check_photo(photo)
    with transaction.atomic():
        household = _household_in_scope(actor, household.pk)
        if actor.role == Role.HELPER:
            helper = Helper.objects.filter(user=actor).first()
        elif helper is None:
            current = (
                Pairing.objects.filter(household=household, ended_on__isnull=True)
                .select_related("helper")
                .first()
            )
            helper = current.helper if current else None
        if helper is None:
            raise AssistanceError("该户尚未安排帮扶责任人,不能登记走访。")
        visit = Visit(helper=helper, household=household, visited_on=visited_on, content=content)
        if photo is not None:
            visit.photo.save(photo.name, photo, save=False)
        visit.save()
        audit.record(
            event_type="assistance.visit",
            actor=actor,
            obj=visit,
            area_code=household.group.code,
            new={"helper": helper.name, "visited_on": visited_on, "content": content[:200]},
        )
    return visit


# --- 驻村工作队 -------------------------------------------------------------------------------------------


def team_create(*, actor: User, village: Area, unit: Unit, started_on: datetime.date) -> WorkTeam:
    _require(actor, ASSIGNERS, "派驻工作队")
    if (
        village.level != Area.Level.VILLAGE
        or not Area.objects.visible_to(actor).filter(pk=village.pk).exists()
    ):
        raise AssistanceError("请选择您管辖范围内的行政村。")
    with transaction.atomic():
        if WorkTeam.objects.filter(village=village, ended_on__isnull=True).exists():
            raise AssistanceError(f"{village.name}已有在驻的工作队,请先登记其撤离。")
        team = WorkTeam.objects.create(village=village, unit=unit, started_on=started_on)
        audit.record(
            event_type="assistance.team_create",
            actor=actor,
            obj=team,
            area_code=village.code,
            new={"unit": unit.name, "started_on": started_on},
        )
    return team


def team_member_add(
    *,
    actor: User,
    team: WorkTeam,
    name: str,
    role: str,
    joined_on: datetime.date,
    is_first_secretary: bool = False,
    unit: Unit | None = None,
    phone: str = "",
) -> TeamMember:
    _require(actor, ASSIGNERS, "调整工作队队员")
    with transaction.atomic():
        team = (
            WorkTeam.objects.visible_to(actor)
            .select_for_update()
            .filter(pk=team.pk)
            .select_related("village")
            .first()
        )
        if team is None:
            raise AssistanceError("该工作队不在您的管辖范围内。")
        member = TeamMember.objects.create(
            team=team,
            name=name.strip(),
            role=role,
            joined_on=joined_on,
            is_first_secretary=is_first_secretary,
            unit=unit,
            phone=phone,
        )
        audit.record(
            event_type="assistance.team_member_add",
            actor=actor,
            obj=member,
            area_code=team.village.code,
            new={"name": member.name, "role": role, "is_first_secretary": is_first_secretary},
        )
    return member


def team_end(*, actor: User, team: WorkTeam, ended_on: datetime.date) -> WorkTeam:
    """撤离: the team leaves the village (its members with it); a new team may then be sent."""
    _require(actor, ASSIGNERS, "登记工作队撤离")
    _not_future(ended_on, "撤离日期")
    with transaction.atomic():
        team = (
            WorkTeam.objects.visible_to(actor)
            .select_for_update()
            .filter(pk=team.pk)
            .select_related("village")
            .first()
        )
        if team is None:
            raise AssistanceError("该工作队不在您的管辖范围内。")
        if team.ended_on is not None:
            raise AssistanceError("该工作队已撤离。")
        if ended_on < team.started_on:
            raise AssistanceError(f"撤离日期不能早于进驻日期({team.started_on:%Y-%m-%d})。")
        team.ended_on = ended_on
        team.save(update_fields=["ended_on"])
        team.members.filter(left_on__isnull=True).update(left_on=ended_on)
        audit.record(
            event_type="assistance.team_end",
            actor=actor,
            obj=team,
            area_code=team.village.code,
            new={"ended_on": ended_on},
        )
    return team


def team_member_leave(*, actor: User, member: TeamMember, left_on: datetime.date) -> TeamMember:
    _require(actor, ASSIGNERS, "调整工作队队员")
    _not_future(left_on, "离开日期")
    with transaction.atomic():
        member = (
            TeamMember.objects.visible_to(actor)
            .select_for_update()
            .filter(pk=member.pk)
            .select_related("team__village")
            .first()
        )
        if member is None:
            raise AssistanceError("该队员不在您的管辖范围内。")
        if member.left_on is not None:
            raise AssistanceError(f"{member.name}已离开工作队。")
        if left_on < member.joined_on:
            raise AssistanceError(f"离开日期不能早于进驻日期({member.joined_on:%Y-%m-%d})。")
        member.left_on = left_on
        member.save(update_fields=["left_on"])
        audit.record(
            event_type="assistance.team_member_leave",
            actor=actor,
            obj=member,
            area_code=member.team.village.code,
            new={"name": member.name, "left_on": left_on},
        )
    return member


def attendance_record(
    *, actor: User, member: TeamMember, month: datetime.date, days_present: int, days_leave: int = 0
) -> Attendance:
    _require(actor, TEAM_RECORDERS, "登记考勤")
    month = month.replace(day=1)
    if days_present < 0 or days_leave < 0 or days_present + days_leave > 31:
        raise AssistanceError("在岗天数与请假天数之和不能超过当月天数。")
    with transaction.atomic():
        member = (
            TeamMember.objects.visible_to(actor).filter(pk=member.pk).select_related("team__village").first()
        )
        if member is None:
            raise AssistanceError("该队员不在您的管辖范围内。")
        row, created = Attendance.objects.select_for_update().get_or_create(
            member=member, month=month, defaults={"days_present": days_present, "days_leave": days_leave}
        )
        old = {} if created else {"days_present": row.days_present, "days_leave": row.days_leave}
        row.days_present, row.days_leave = days_present, days_leave
        row.save()
        audit.record(
            event_type="assistance.attendance",
            actor=actor,
            obj=row,
            area_code=member.team.village.code,
            old=old,
            new={"month": month, "days_present": days_present, "days_leave": days_leave},
        )
    return row


def team_record_add(
    *,
    actor: User,
    team: WorkTeam,
    kind: str,
    date: datetime.date,
    content: str,
    member: TeamMember | None = None,
) -> TeamRecord:
    _require(actor, TEAM_RECORDERS, "登记工作队记录")
    _not_future(date, "日期")
    if not content.strip():
        raise AssistanceError("请填写内容。")
    with transaction.atomic():
        team = WorkTeam.objects.visible_to(actor).filter(pk=team.pk).select_related("village").first()
        if team is None:
            raise AssistanceError("该工作队不在您的管辖范围内。")
        if member is not None and member.team_id != team.pk:
            raise AssistanceError(f"{member.name}不是该工作队的队员。")
        record = TeamRecord.objects.create(
            team=team, member=member, kind=kind, date=date, content=content.strip()
        )
        audit.record(
            event_type="assistance.team_record",
            actor=actor,
            obj=record,
            area_code=team.village.code,
            new={"kind": kind, "date": date},
        )
    return record


def village_contacts_save(
    *, actor: User, village: Area, liaison_leader: str, unit: Unit | None, agronomist: str
) -> VillageAssistance:
    _require(actor, ASSIGNERS, "登记贫困村帮扶力量")
    if (
        village.level != Area.Level.VILLAGE
        or not Area.objects.visible_to(actor).filter(pk=village.pk).exists()
    ):
        raise AssistanceError("请选择您管辖范围内的行政村。")
    with transaction.atomic():
        row, _ = VillageAssistance.objects.select_for_update().get_or_create(village=village)
        old = {
            "liaison_leader": row.liaison_leader,
            "unit": row.unit.name if row.unit else "",
            "agronomist": row.agronomist,
        }
        row.liaison_leader, row.unit, row.agronomist = liaison_leader.strip(), unit, agronomist.strip()
        row.save()
        audit.record(
            event_type="assistance.village_contacts",
            actor=actor,
            obj=row,
            area_code=village.code,
            old=old,
            new={
                "liaison_leader": row.liaison_leader,
                "unit": unit.name if unit else "",
                "agronomist": row.agronomist,
            },
        )
    return row


# --- 扶贫小额信贷 ----------------------------------------------------------------------------------------


def credit_rate(
    *, actor: User, household: Household, grade: str, credit_line: Decimal, rated_on: datetime.date
) -> CreditRating:
    _require(actor, LOAN_RECORDERS, "登记评级授信")
    _not_future(rated_on, "评级日期")
    if grade not in choices.CreditGrade.values:
        raise AssistanceError("请选择信用等级。")
    if credit_line < 0 or (grade == choices.CreditGrade.NONE and credit_line > 0):
        raise AssistanceError("授信额度不能为负数;不予授信时额度应为 0。")
    with transaction.atomic():
        household = _household_in_scope(actor, household.pk)
        rating = CreditRating.objects.create(
            household=household, grade=grade, credit_line=credit_line, rated_on=rated_on
        )
        audit.record(
            event_type="assistance.credit_rate",
            actor=actor,
            obj=rating,
            area_code=household.group.code,
            new={"grade": grade, "credit_line": credit_line, "rated_on": rated_on},
        )
    return rating


def loan_issue(
    *,
    actor: User,
    household: Household,
    bank: str,
    amount: Decimal,
    issued_on: datetime.date,
    term_months: int,
    purpose: str,
    subsidy_rate: Decimal = Decimal("0"),
    subsidy_amount: Decimal = Decimal("0"),
    risk_compensation: Decimal = Decimal("0"),
) -> Loan:
    """Record a loan: only after a 评级授信 and within its credit line (seed 004: "放贷前需组织对贫困户进行评级
    授信"), for at most three years."""
    _require(actor, LOAN_RECORDERS, "登记扶贫小额贷款")
    _not_future(issued_on, "放贷日期")
    if not 1 <= term_months <= MAX_LOAN_MONTHS:
        raise AssistanceError(
            f"扶贫小额信贷期限须在 1 至 {MAX_LOAN_MONTHS} 个月(3 年)以内,填写的是 {term_months} 个月。"
        )
    if amount <= 0:
        raise AssistanceError("贷款金额必须大于 0。")
    if min(subsidy_rate, subsidy_amount, risk_compensation) < 0:
        raise AssistanceError("贴息和风险补偿金不能为负数。")
    with transaction.atomic():
        household = _household_in_scope(actor, household.pk, lock=True)
        rating = (
            CreditRating.objects.filter(household=household, rated_on__lte=issued_on)
            .order_by("-rated_on", "-id")
            .first()
        )
        if rating is None or rating.grade == choices.CreditGrade.NONE:
            raise AssistanceError("该户在放贷日期前没有评级授信(或未予授信),不能登记扶贫小额贷款。")
        if amount > rating.credit_line:
            raise AssistanceError(f"贷款金额 {amount} 元超过授信额度 {rating.credit_line} 元。")
        loan = Loan.objects.create(
            household=household,
            bank=bank.strip(),
            amount=amount,
            issued_on=issued_on,
            term_months=term_months,
            due_on=add_months(issued_on, term_months),
            purpose=purpose.strip(),
            subsidy_rate=subsidy_rate,
            subsidy_amount=subsidy_amount,
            risk_compensation=risk_compensation,
        )
        audit.record(
            event_type="assistance.loan_issue",
            actor=actor,
            obj=loan,
            area_code=household.group.code,
            new={"bank": loan.bank, "amount": amount, "issued_on": issued_on, "term_months": term_months},
        )
    return loan


def loan_update(
    *, actor: User, loan: Loan, status: str, on: datetime.date | None = None, months: int = 0
) -> Loan:
    """已还 (on = the repayment date), or 展期/续贷/无还本续贷 by `months` (the due date moves; the whole
    term from the first issue stays within three years)."""
    _require(actor, LOAN_RECORDERS, "更新贷款状态")
    if status not in choices.LoanStatus.values:
        raise AssistanceError("请选择贷款状态。")
    on = on or _today()
    _not_future(on, "日期")
    with transaction.atomic():
        loan = (
            Loan.objects.visible_to(actor)
            .select_for_update()
            .filter(pk=loan.pk)
            .select_related("household__group")
            .first()
        )
        if loan is None:
            raise AssistanceError("该贷款不在您的管辖范围内。")
        if loan.status == choices.LoanStatus.REPAID:
            raise AssistanceError("该贷款已还清。")
        old: dict[str, Any] = {"status": loan.status, "due_on": loan.due_on}
        if status == choices.LoanStatus.REPAID:
            if on < loan.issued_on:
                raise AssistanceError("还清日期不能早于放贷日期。")
            loan.repaid_on = on
        elif status != choices.LoanStatus.NORMAL:
            if months < 1:
                raise AssistanceError("展期或续贷须填写延长的月数。")
            if loan.term_months + months > MAX_LOAN_MONTHS:
                raise AssistanceError(
                    f"延长 {months} 个月后总期限 {loan.term_months + months} 个月,超过 {MAX_LOAN_MONTHS} 个月(3 年)。"
                )
            loan.term_months += months
            loan.due_on = add_months(loan.issued_on, loan.term_months)
        loan.status = status
        loan.save()
        audit.record(
            event_type="assistance.loan_update",
            actor=actor,
            obj=loan,
            area_code=loan.household.group.code,
            old=old,
            new={"status": status, "due_on": loan.due_on, "repaid_on": loan.repaid_on},
        )
    return loan
