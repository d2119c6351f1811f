"""Every write of the identification workflow: one plain function per move.

Each takes the acting user and keyword-only arguments, runs in `transaction.atomic`, re-reads the rows
it changes through the scoped managers with `SELECT … FOR UPDATE` (so an object outside the actor's
area is "not found", exactly like a missing one, and two officials never act on the same row at once),
asks identification.transitions whether the move is allowed for the actor's role, and writes an
AuditEvent. Refusals are WorkflowError with a Chinese message saying what is wrong.

Views, imports, commands and tests all come through here.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.files import File
from django.db import IntegrityError, transaction
from django.db.models import F
from django.http import Http404
from django.utils import timezone

from accounts import audit
from accounts.models import Role, User
from households import choices as hh
from households.bulk import copy_history, copy_insert
from households.models import Case, Household, IncomeRecord
from identification import rules, sampling
from identification.choices import (
    NOTICE_ORDER,
    PROGRAM_LABELS,
    Decision,
    MeetingKind,
    NoticeLevel,
    NoticeStatus,
    ObjectionOutcome,
    ObjectionStatus,
    Origin,
    SpotCheckLevel,
    SpotCheckStatus,
    State,
)
from identification.models import (
    Application,
    Meeting,
    Notice,
    NoticeEntry,
    Objection,
    Quota,
    Round,
    SpotCheck,
    SpotCheckResult,
    Survey,
    Vote,
)
from identification.selectors import county_checked_ids, notice_levels, quota_used
from identification.transitions import WorkflowError, check_move
from villages.models import Area

PROGRAM_ROLE = {"fupin": Role.COUNTY_FUPIN, "dibao": Role.COUNTY_MINZHENG}
COUNTY_ROLES = frozenset({Role.COUNTY_FUPIN, Role.COUNTY_MINZHENG})
LOCAL_ROLES = frozenset({Role.VILLAGE_CADRE, Role.TOWNSHIP_OFFICIAL})
# 三级公示: who publishes and closes a notice of each level.
NOTICE_ROLES = {
    NoticeLevel.GROUP: LOCAL_ROLES,
    NoticeLevel.VILLAGE: LOCAL_ROLES,
    NoticeLevel.TOWNSHIP: frozenset({Role.TOWNSHIP_OFFICIAL}),
}
LABOURERS = (hh.Labour.ORDINARY, hh.Labour.SKILLED)
NO_LABOUR = (hh.Labour.LOST, hh.Labour.NONE)
INCOME_FIELDS = (
    "wage_income",
    "business_income",
    "business_expense",
    "property_income",
    *IncomeRecord.TRANSFER_FIELDS,
)


class NotInScope(Http404):
    """Missing, or outside the actor's area: the same answer for both, so nothing leaks."""


def _today() -> datetime.date:
    # One place for "today", so that tests can move the calendar past a notice period.
    return timezone.localdate()


def today() -> datetime.date:
    """The workflow's today, for screens that default a date (a meeting, a notice period) to it."""
    return _today()


# --- guards -------------------------------------------------------------------------------------


def _require_role(actor: User, roles: Iterable[str], what: str) -> None:
    roles = frozenset(roles)
    if actor.role not in roles:
        names = "、".join(str(Role(r).label) for r in sorted(roles))
        raise WorkflowError(
            f"{what}只能由{names}办理,您的角色是{actor.get_role_display() or '未分配'}。", code="wrong_role"
        )


def _require_open_round(round: Round) -> None:
    # Re-read: the instance the caller holds may predate the closing.
    if Round.objects.filter(pk=round.pk, closed=True).exists():
        raise WorkflowError(f"识别批次“{round.name}”已关闭,不能再作任何修改。", code="round_closed")


def _scoped(queryset, actor: User, pk: int, what: str, *, lock: bool = True):
    queryset = queryset.visible_to(actor)
    if lock:
        queryset = queryset.select_for_update(of=("self",))
    try:
        return queryset.get(pk=pk)
    except queryset.model.DoesNotExist:
        raise NotInScope(f"{what}不存在,或不在您的管辖区域内。") from None


def _lock_application(actor: User, application: Application) -> Application:
    return _scoped(
        Application.objects.select_related("round", "household__group"), actor, application.pk, "该申请"
    )


def _area_in_scope(actor: User, area: Area) -> Area:
    return _scoped(Area.objects.all(), actor, area.pk, "该区划", lock=False)


def _move(
    application: Application,
    target: State,
    actor: User,
    *,
    event_type: str,
    reason: str = "",
    new: Mapping | None = None,
    update_fields: Sequence[str] = (),
) -> None:
    """Change the state of a locked application and write its audit event."""
    old = application.state
    check_move(old, target, actor)
    application.state = target
    application.state_changed_at = timezone.now()
    application.save(update_fields=["state", "state_changed_at", *update_fields])
    audit.record(
        event_type=event_type,
        actor=actor,
        obj=application,
        area_code=application.household.group.code,
        old={"state": old},
        new={"state": target.value, **(new or {})},
        reason=reason,
    )


def _move_many(
    applications: Sequence[Application],
    target: State,
    actor: User,
    *,
    event_type: str,
    reason: str = "",
    new: Mapping | None = None,
) -> None:
    """`_move` for a batch of locked applications: one UPDATE and one audit INSERT batch, so that a
    township notice of 3,000 households closes in a handful of statements."""
    if not applications:
        return
    now = timezone.now()
    events = []
    for application in applications:
        old = application.state
        check_move(old, target, actor)
        application.state, application.state_changed_at = target, now
        events.append(
            audit.event(
                event_type=event_type,
                actor=actor,
                obj=application,
                area_code=application.household.group.code,
                old={"state": old},
                new={"state": target.value, **(new or {})},
                reason=reason,
                when=now,
            )
        )
    Application.objects.filter(pk__in=[a.pk for a in applications]).update(state=target, state_changed_at=now)
    audit.record_many(events)


def _require_reason(reason: str, what: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise WorkflowError(f"{what}必须填写理由。", code="reason_required")
    return reason


# --- rounds and quotas ----------------------------------------------------------------------------


@transaction.atomic
def round_create(
    *,
    actor: User,
    year: int,
    name: str,
    poverty_line: Decimal,
    dibao_line: Decimal,
    notice_days: int = 7,
    township_sample_rate: Decimal | None = None,
    county_sample_rate: Decimal | None = None,
) -> Round:
    _require_role(actor, {Role.COUNTY_FUPIN}, "设立识别批次")
    round = Round(
        year=year, name=name, poverty_line=poverty_line, dibao_line=dibao_line, notice_days=notice_days
    )
    if township_sample_rate is not None:
        round.township_sample_rate = township_sample_rate
    if county_sample_rate is not None:
        round.county_sample_rate = county_sample_rate
    if Decimal(round.township_sample_rate) < Decimal("0.20"):
        raise WorkflowError("乡镇抽查比例不得低于20%。", code="rate_too_low")
    if Decimal(round.county_sample_rate) < Decimal("0.05"):
        raise WorkflowError("县级抽查比例不得低于5%。", code="rate_too_low")
    round.save()
    audit.record(
        event_type="round.created",
        actor=actor,
        obj=round,
        area_code=actor.area.code,
        new={
            "year": year,
            "poverty_line": str(poverty_line),
            "dibao_line": str(dibao_line),
            "notice_days": notice_days,
            "township_sample_rate": str(round.township_sample_rate),
            "county_sample_rate": str(round.county_sample_rate),
        },
    )
    return round


@transaction.atomic
def round_close(*, round: Round, actor: User, reason: str = "") -> Round:
    _require_role(actor, {Role.COUNTY_FUPIN}, "关闭识别批次")
    round = Round.objects.select_for_update().get(pk=round.pk)
    _require_open_round(round)
    round.closed = True
    round.save(update_fields=["closed"])
    audit.record(
        event_type="round.closed",
        actor=actor,
        obj=round,
        area_code=actor.area.code,
        old={"closed": False},
        new={"closed": True},
        reason=reason,
    )
    return round


@transaction.atomic
def quota_set(*, round: Round, area: Area, persons: int, actor: User, reason: str = "") -> Quota:
    """Set or raise a township's, village's or group's 规模控制 (the county's call)."""
    _require_role(actor, {Role.COUNTY_FUPIN}, "下达或调整规模控制指标")
    _require_open_round(round)
    area = _area_in_scope(actor, area)
    if area.level == Area.Level.COUNTY:
        raise WorkflowError("规模控制指标下达到乡镇、行政村或村民小组。", code="wrong_area_level")
    if persons < 0:
        raise WorkflowError("规模控制人数不能为负数。", code="invalid")
    quota = Quota.objects.select_for_update().filter(round=round, area=area).first()
    old = {"persons": quota.persons} if quota else {}
    if quota is None:
        quota = Quota(round=round, area=area, persons=persons)
    quota.persons = persons
    quota.save()
    audit.record(
        event_type="quota.set",
        actor=actor,
        obj=quota,
        area_code=area.code,
        old=old,
        new={"persons": persons},
        reason=reason,
    )
    return quota


# --- 第二步: 申报 -------------------------------------------------------------------------------------


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


@dataclass(frozen=True)
class VoteInput:
    application: Application
    votes_for: int
    votes_against: int


@transaction.atomic
def meeting_record(
    *,
    round: Round,
    area: Area,
    kind: str,
    actor: User,
    held_on: datetime.date,
    attendance: int,
    votes: Sequence[VoteInput],
    attendees: str = "",
    minutes: str = "",
) -> Meeting:
    """A 户主会议 of a group (votes on submitted applications) or a 村委会 review (on recommended ones).

    Ranks by votes for, then fewer votes against; the rank is the order of recommendation within quota.
    """
    _require_role(actor, {Role.VILLAGE_CADRE}, "记录评议会议")
    _require_open_round(round)
    area = _area_in_scope(actor, area)
    expected_level, expected_state = (
        (Area.Level.GROUP, State.SUBMITTED)
        if kind == MeetingKind.GROUP
        else (Area.Level.VILLAGE, State.RECOMMENDED)
    )
    if area.level != expected_level:
        raise WorkflowError(
            f"{MeetingKind(kind).label}应在{Area.Level(expected_level).label}召开,“{area.name}”不是。",
            code="wrong_area_level",
        )
    if attendance < 1:
        raise WorkflowError("请填写到会户数或人数。", code="invalid")
    if not votes:
        raise WorkflowError("会议至少要对一户进行表决。", code="invalid")
    ids = [v.application.pk for v in votes]
    if len(set(ids)) != len(ids):
        raise WorkflowError("同一户在一次会议上只能表决一次。", code="invalid")
    applications = {
        a.pk: a
        for a in Application.objects.visible_to(actor)
        .select_related("household")
        .filter(pk__in=ids, round=round, household__group__code__startswith=area.scope_prefix)
    }
    for v in votes:
        application = applications.get(v.application.pk)
        if application is None:
            raise NotInScope(f"申请 {v.application.pk} 不属于“{area.name}”本批次,或不在您的管辖区域内。")
        if application.state != expected_state:
            raise WorkflowError(
                f"户 {application.household.number} 当前状态为“{application.get_state_display()}”,"
                f"不能在{MeetingKind(kind).label}上表决(应为“{expected_state.label}”)。",
                code="wrong_state",
            )
        if v.votes_for < 0 or v.votes_against < 0 or v.votes_for + v.votes_against > attendance:
            raise WorkflowError(
                f"户 {application.household.number} 的票数(赞成 {v.votes_for}、反对 {v.votes_against})"
                f"超过到会 {attendance}。",
                code="invalid",
            )
    meeting = Meeting.objects.create(
        round=round,
        area=area,
        kind=kind,
        held_on=held_on,
        attendance=attendance,
        attendees=attendees,
        minutes=minutes,
        recorded_by=actor,
    )
    ranked = sorted(votes, key=lambda v: (-v.votes_for, v.votes_against, v.application.pk))
    Vote.objects.bulk_create(
        Vote(
            meeting=meeting,
            application_id=v.application.pk,
            votes_for=v.votes_for,
            votes_against=v.votes_against,
            rank=rank,
        )
        for rank, v in enumerate(ranked, start=1)
    )
    audit.record(
        event_type="meeting.recorded",
        actor=actor,
        obj=meeting,
        area_code=area.code,
        new={
            "kind": kind,
            "held_on": held_on,
            "attendance": attendance,
            "votes": [[v.application.pk, v.votes_for, v.votes_against] for v in ranked],
        },
    )
    return meeting


def _carried_vote(application: Application, meeting: Meeting) -> Vote:
    vote = Vote.objects.filter(meeting=meeting, application=application).first()
    if vote is None:
        raise WorkflowError(f"户 {application.household.number} 未在该次会议上表决。", code="no_vote")
    vote.meeting = meeting
    if not vote.carried:
        raise WorkflowError(
            f"户 {application.household.number} 未获过半数赞成(赞成 {vote.votes_for} 票,到会 {meeting.attendance})。",
            code="vote_failed",
        )
    return vote


def _check_quotas(application: Application) -> dict:
    """Refuse a recommendation past the group's quota, and past the village's or township's where set.

    The quota rows of the chain are locked (township first, as the codes sort), so two cadres
    recommending at once queue up here instead of both slipping under the limit.
    """
    group = application.household.group
    chain = [group.code[:9].ljust(12, "0"), group.code[:12], group.code]
    quotas = list(
        Quota.objects.select_for_update(of=("self",))
        .select_related("area")
        .filter(round=application.round, area__code__in=chain)
        .order_by("area__code")
    )
    if not any(q.area_id == group.pk for q in quotas):
        raise WorkflowError(f"县里尚未下达“{group.name}”的规模控制指标,暂不能推荐。", code="no_quota")
    usage = {}
    for quota in quotas:
        used = quota_used(application.round, quota.area)
        if used + application.persons > quota.persons:
            raise WorkflowError(
                f"超出“{quota.area.name}”的规模控制指标:指标 {quota.persons} 人,已推荐 {used} 人,"
                f"本户 {application.persons} 人。如确需增加,请县扶贫办调整指标。",
                code="over_quota",
            )
        usage[quota.area.code] = {"quota": quota.persons, "used": used + application.persons}
    return usage


@transaction.atomic
def application_recommend(*, application: Application, actor: User, meeting: Meeting) -> Application:
    """组评议推荐: the 户主会议 carried it, and the group's quota has room for the household's persons."""
    application = _lock_application(actor, application)
    _require_open_round(application.round)
    meeting = _scoped(Meeting.objects.all(), actor, meeting.pk, "该会议", lock=False)
    if meeting.kind != MeetingKind.GROUP or meeting.area_id != application.household.group_id:
        raise WorkflowError("推荐须依据本村民小组的户主会议。", code="wrong_meeting")
    check_move(application.state, State.RECOMMENDED, actor)
    vote = _carried_vote(application, meeting)
    application.persons = application.household.members.count()
    usage = _check_quotas(application)
    _move(
        application,
        State.RECOMMENDED,
        actor,
        event_type="application.recommended",
        new={"meeting": meeting.pk, "votes_for": vote.votes_for, "rank": vote.rank, "quota": usage},
        update_fields=["persons"],
    )
    return application


@dataclass
class RankedOutcome:
    recommended: list[Application] = field(default_factory=list)
    left_out: list[tuple[Application, str]] = field(default_factory=list)


@transaction.atomic
def meeting_recommend_ranked(*, meeting: Meeting, actor: User) -> RankedOutcome:
    """Recommend a 户主会议's carried applications in rank order until the quota is full."""
    outcome = RankedOutcome()
    for vote in meeting.votes.select_related("application__household").order_by("rank"):
        application = vote.application
        if application.state != State.SUBMITTED:
            continue
        try:
            with transaction.atomic():
                outcome.recommended.append(
                    application_recommend(application=application, actor=actor, meeting=meeting)
                )
        except WorkflowError as error:
            if error.code not in ("over_quota", "vote_failed"):
                raise
            outcome.left_out.append((application, error.message))
    return outcome


@transaction.atomic
def application_review(*, application: Application, actor: User, meeting: Meeting) -> Application:
    """村评议通过: the 村委会 with 党员和群众代表 carried the group's recommendation."""
    application = _lock_application(actor, application)
    _require_open_round(application.round)
    meeting = _scoped(Meeting.objects.all(), actor, meeting.pk, "该会议", lock=False)
    if meeting.kind != MeetingKind.VILLAGE or meeting.area_id != application.household.group.parent_id:
        raise WorkflowError("村评议须依据本行政村的村委会评议会议。", code="wrong_meeting")
    check_move(application.state, State.REVIEWED, actor)
    vote = _carried_vote(application, meeting)
    _move(
        application,
        State.REVIEWED,
        actor,
        event_type="application.reviewed",
        new={"meeting": meeting.pk, "votes_for": vote.votes_for},
    )
    return application


# --- 入户调查 ------------------------------------------------------------------------------------


@transaction.atomic
def application_survey(
    *,
    application: Application,
    actor: User,
    surveyed_on: datetime.date,
    surveyors: Sequence[str],
    family_situation: str,
    persons: int,
    income: Mapping[str, Decimal],
    answers: Mapping[str, bool],
    assets: str = "",
    burden: str = "",
) -> Survey:
    """入户调查: writes last year's income record, answers the 13 conditions, stores the rule trace."""
    application = _lock_application(actor, application)
    round = application.round
    _require_open_round(round)
    check_move(application.state, State.SURVEYED, actor)
    surveyors = [s.strip() for s in surveyors if s and s.strip()]
    if len(set(surveyors)) < 2:
        raise WorkflowError("入户调查须由至少两名调查人员进行,请填写两人以上的姓名。", code="surveyors")
    if persons < 1:
        raise WorkflowError("家庭人口数至少为1。", code="invalid")
    unknown = sorted(set(income) - set(INCOME_FIELDS))
    if unknown:
        raise WorkflowError(f"未知的收入项目:{'、'.join(unknown)}。", code="invalid")
    amounts = {name: Decimal(income.get(name) or 0) for name in INCOME_FIELDS}
    if any(v < 0 for v in amounts.values()):
        raise WorkflowError("收入金额不能为负数。", code="invalid")
    missing = [code for code in rules.SURVEY_QUESTIONS if code not in answers]
    if missing:
        names = "、".join(f"{c} {rules.SURVEY_QUESTIONS[c]}" for c in missing)
        raise WorkflowError(f"请回答全部直接纳入和排除条件,尚缺:{names}。", code="answers_missing")
    answers = {code: bool(answers[code]) for code in rules.SURVEY_QUESTIONS}

    household = application.household
    record, created = IncomeRecord.objects.get_or_create(
        household=household, year=round.income_year, defaults={"persons": persons, **amounts}
    )
    if not created:
        for name, value in {"persons": persons, **amounts}.items():
            setattr(record, name, value)
        record._change_reason = f"{round.name}入户调查"
        record.save()
    members = list(household.members.values_list("labour", "health"))
    eligibility = rules.evaluate(
        rules.Facts(
            net_income=record.net_income,
            persons=persons,
            poverty_line=round.poverty_line,
            dibao_line=round.dibao_line,
            labourers=sum(1 for labour, _ in members if labour in LABOURERS),
            disabled_without_labour=sum(
                1 for labour, health in members if health == hh.Health.DISABLED and labour in NO_LABOUR
            ),
            answers=answers,
        )
    )
    trace = eligibility.as_json()
    survey = Survey.objects.create(
        application=application,
        surveyed_on=surveyed_on,
        surveyors=surveyors,
        family_situation=family_situation,
        persons=persons,
        income={name: str(value) for name, value in amounts.items()},
        assets=assets,
        burden=burden,
        answers=answers,
        eligibility=trace,
        recorded_by=actor,
    )
    application.eligibility = trace
    application.poverty_class = eligibility.poverty_class
    _move(
        application,
        State.SURVEYED,
        actor,
        event_type="application.surveyed",
        new={
            "survey": survey.pk,
            "per_capita_income": str(record.per_capita_net_income),
            "fupin": eligibility.fupin,
            "dibao": eligibility.dibao,
            "poverty_class": eligibility.poverty_class,
            "fired": [r.code for r in eligibility.fired()],
        },
        update_fields=["eligibility", "poverty_class"],
    )
    return survey


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


@transaction.atomic
def spot_check_draw(
    *,
    round: Round,
    level: str,
    area: Area,
    actor: User,
    rate: Decimal | None = None,
    seed: int | None = None,
) -> SpotCheck:
    """Draw a sample: the township from a village's surveyed applications, the county from the
    publicized ones not yet sampled. A new draw replaces an open one that has no results yet."""
    township = level == SpotCheckLevel.TOWNSHIP
    _require_role(actor, {Role.TOWNSHIP_OFFICIAL} if township else COUNTY_ROLES, SpotCheckLevel(level).label)
    _require_open_round(round)
    area = _area_in_scope(actor, area)
    if township:
        if area.level != Area.Level.VILLAGE:
            raise WorkflowError("乡镇抽查以行政村为单位抽取。", code="wrong_area_level")
        minimum = round.township_sample_rate
        population = Application.objects.filter(
            round=round, state=State.SURVEYED, household__group__code__startswith=area.scope_prefix
        )
    else:
        if area.level != Area.Level.COUNTY:
            raise WorkflowError("县级抽查以全县为范围抽取。", code="wrong_area_level")
        minimum = round.county_sample_rate
        sampled = [
            pk
            for ids in SpotCheck.objects.filter(round=round, level=SpotCheckLevel.COUNTY)
            .exclude(status=SpotCheckStatus.SUPERSEDED)
            .values_list("population", flat=True)
            for pk in ids
        ]
        population = Application.objects.filter(round=round, state=State.PUBLICIZED).exclude(pk__in=sampled)
    rate = Decimal(minimum if rate is None else rate)
    if rate < minimum or rate > 1:
        raise WorkflowError(
            f"抽查比例须在 {minimum:.0%} 到 100% 之间,您填写的是 {rate:.1%}。", code="rate_too_low"
        )
    ids = sorted(population.values_list("pk", flat=True))
    if not ids:
        raise WorkflowError(f"“{area.name}”目前没有可抽查的申请。", code="empty_population")

    previous = list(
        SpotCheck.objects.select_for_update().filter(
            round=round, level=level, area=area, status=SpotCheckStatus.OPEN
        )
    )
    for check in previous:
        if check.results.exists():
            raise WorkflowError(
                "上一次抽查已有核查结果,不能重新抽取;请先完成该次抽查。", code="check_in_progress"
            )
        check.status = SpotCheckStatus.SUPERSEDED
        check.save(update_fields=["status"])

    seed = sampling.new_seed() if seed is None else seed
    check = SpotCheck.objects.create(
        round=round,
        level=level,
        area=area,
        rate=rate,
        seed=seed,
        population=ids,
        drawn=sampling.draw(ids, rate=rate, seed=seed),
        drawn_by=actor,
    )
    audit.record(
        event_type="spot_check.drawn",
        actor=actor,
        obj=check,
        area_code=area.code,
        new={
            "level": level,
            "rate": str(rate),
            "seed": seed,
            "population": len(ids),
            "drawn": check.drawn,
            "superseded": [c.pk for c in previous],
        },
    )
    return check


@transaction.atomic
def spot_check_record(
    *, spot_check: SpotCheck, application: Application, actor: User, truthful: bool, note: str = ""
) -> SpotCheckResult:
    """Record the re-check of one drawn household. At the township, one untrue finding sends the
    household's whole 村民小组 batch back to 评议 (推倒重来, seed 002 第五步)."""
    check = _scoped(SpotCheck.objects.select_related("round"), actor, spot_check.pk, "该抽查")
    _require_open_round(check.round)
    roles = {Role.TOWNSHIP_OFFICIAL} if check.level == SpotCheckLevel.TOWNSHIP else COUNTY_ROLES
    _require_role(actor, roles, check.get_level_display())
    if check.status != SpotCheckStatus.OPEN:
        raise WorkflowError(f"该抽查已{check.get_status_display()},不能再录入结果。", code="check_closed")
    if application.pk not in check.drawn:
        raise WorkflowError("该户未被抽中,不能录入抽查结果。", code="not_drawn")
    if check.results.filter(application_id=application.pk).exists():
        raise WorkflowError("该户的抽查结果已经录入。", code="duplicate")
    note = (note or "").strip()
    if not truthful and not note:
        raise WorkflowError("情况不实须写明核查发现的问题。", code="reason_required")
    application = _lock_application(actor, application)
    result = SpotCheckResult.objects.create(
        spot_check=check, application=application, truthful=truthful, note=note, checked_by=actor
    )
    audit.record(
        event_type="spot_check.result",
        actor=actor,
        obj=check,
        area_code=check.area.code,
        new={"application": application.pk, "truthful": truthful},
        reason=note,
    )

    recorded = set(check.results.values_list("application_id", flat=True))
    new_status = None
    if check.level == SpotCheckLevel.TOWNSHIP and not truthful:
        new_status = SpotCheckStatus.FAILED
        _redo_group(check, application, actor, note)
    elif recorded >= set(check.drawn):
        all_true = not check.results.filter(truthful=False).exists()
        new_status = SpotCheckStatus.PASSED if all_true else SpotCheckStatus.FAILED
    if new_status:
        check.status = new_status
        check.save(update_fields=["status"])
        audit.record(
            event_type="spot_check.completed",
            actor=actor,
            obj=check,
            area_code=check.area.code,
            old={"status": SpotCheckStatus.OPEN.value},
            new={"status": new_status.value},
        )
    return result


def _redo_group(check: SpotCheck, untrue: Application, actor: User, note: str) -> None:
    group = untrue.household.group
    batch = list(
        Application.objects.select_for_update(of=("self",))
        .select_related("household__group")
        .filter(
            round=check.round,
            household__group=group,
            state__in=[State.RECOMMENDED, State.REVIEWED, State.SURVEYED],
        )
        .order_by("pk")
    )
    reason = f"乡镇抽查发现户 {untrue.household.number} 情况不实,{group.name}推倒重来:{note}"
    # Not verified yet, so on no notice: there are no entries to strike.
    _move_many(batch, State.SUBMITTED, actor, event_type="application.redo", reason=reason)


@transaction.atomic
def village_verify(*, spot_check: SpotCheck, actor: User) -> list[Application]:
    """乡镇审核通过: a village's surveyed applications move on once its sample was found all true."""
    check = _scoped(SpotCheck.objects.select_related("round"), actor, spot_check.pk, "该抽查")
    _require_open_round(check.round)
    _require_role(actor, {Role.TOWNSHIP_OFFICIAL}, "乡镇审核")
    if check.level != SpotCheckLevel.TOWNSHIP:
        raise WorkflowError("乡镇审核须依据乡镇抽查。", code="wrong_check")
    if check.status != SpotCheckStatus.PASSED:
        raise WorkflowError(
            f"该村的抽查{check.get_status_display()},只有抽查全部属实才能审核通过。", code="check_not_passed"
        )
    applications = list(
        Application.objects.visible_to(actor)
        .select_for_update(of=("self",))
        .select_related("household__group")
        .filter(pk__in=check.population, state=State.SURVEYED)
        .order_by("pk")
    )
    _move_many(
        applications, State.VERIFIED, actor, event_type="application.verified", new={"spot_check": check.pk}
    )
    return applications


# --- 三级公示 --------------------------------------------------------------------------------------


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
    if starts_on < _today():
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
    if _today() <= notice.ends_on:
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


@dataclass
class DecisionOutcome:
    applications: list[Application]
    confirmed: list[int] = field(default_factory=list)
    rejected: list[int] = field(default_factory=list)
    pending: list[int] = field(default_factory=list)
    cases: list[Case] = field(default_factory=list)


def _program_of(actor: User, program: str | None) -> str:
    """扶贫 is decided by 县扶贫办, 低保 by 县民政局, each only its own."""
    mine = {r: p for p, r in PROGRAM_ROLE.items()}.get(actor.role)
    program = program or mine
    if program not in PROGRAM_ROLE:
        raise WorkflowError("认定项目只能是扶贫或低保。", code="invalid")
    if actor.role != PROGRAM_ROLE[program]:
        raise WorkflowError(
            f"{PROGRAM_LABELS[program]}对象由{Role(PROGRAM_ROLE[program]).label}认定,"
            f"您的角色是{actor.get_role_display() or '未分配'},不能作出{PROGRAM_LABELS[program]}认定。",
            code="wrong_role",
        )
    return program


def _decide(
    *, round: Round, actor: User, program: str, decisions: Mapping[int, str | None]
) -> DecisionOutcome:
    """Decide `program` for many applications at once: {application id: None to confirm, or the
    reason to reject}. Locks all rows in one SELECT … FOR UPDATE and writes with a handful of
    statements, so that a county batch of 10,000 stays fast."""
    _require_open_round(round)
    applications = list(
        Application.objects.visible_to(actor)
        .select_for_update(of=("self",))
        .select_related("household__group", "fupin_decided_by", "dibao_decided_by")
        .filter(round=round, pk__in=list(decisions))
        .order_by("pk")  # one lock order for everyone: no deadlocks between two batches
    )
    if len(applications) != len(decisions):
        raise NotInScope(f"有 {len(decisions) - len(applications)} 份申请不存在,或不在您的管辖区域内。")
    covered, untrue = county_checked_ids(round)
    label = PROGRAM_LABELS[program]
    problems: list[tuple[str, str]] = []
    for a in applications:
        number = a.household.number
        reason = decisions[a.pk]
        if a.state != State.PUBLICIZED:
            problems.append(
                (f"户 {number} 当前状态为“{a.get_state_display()}”,不能作出认定。", "wrong_state")
            )
        elif program not in a.programs:
            problems.append((f"户 {number} 未申请{label}。", "not_requested"))
        elif a.decision(program):
            who = getattr(a, f"{program}_decided_by")
            problems.append(
                (
                    f"户 {number} 的{label}认定已由 {who.get_full_name() or who.username} 作出,不能重复认定。",
                    "already_decided",
                )
            )
        elif a.pk not in covered:
            problems.append((f"户 {number} 所在批次的县级抽查尚未完成,不能认定。", "county_check_pending"))
        elif reason is None and a.pk in untrue:
            problems.append((f"县级抽查发现户 {number} 情况不实,只能不予认定。", "untrue"))
        elif reason is None and not a.eligibility.get(program):
            problems.append((f"入户调查结果显示户 {number} 不符合{label}条件,只能不予认定。", "not_eligible"))
        elif reason is not None and not reason.strip():
            problems.append((f"户 {number} 不予认定须填写理由。", "reason_required"))
    if problems:
        shown = "\n".join(message for message, _ in problems[:20])
        more = f"\n……共 {len(problems)} 个问题。" if len(problems) > 20 else ""
        raise WorkflowError(shown + more, code=problems[0][1])

    now = timezone.now()
    outcome = DecisionOutcome(applications=applications)
    events = []
    for a in applications:
        reason = decisions[a.pk]
        setattr(a, f"{program}_decision", Decision.REJECTED if reason else Decision.CONFIRMED)
        setattr(a, f"{program}_decided_by", actor)
        setattr(a, f"{program}_decided_at", now)
        setattr(a, f"{program}_reason", (reason or "").strip())
        old_state = a.state
        if a.all_decided():
            target = State.CONFIRMED if a.confirmed_programs() else State.REJECTED
            check_move(a.state, target, actor)
            a.state, a.state_changed_at = target, now
            if target == State.REJECTED:
                a.rejection_reason = ";".join(
                    f"{PROGRAM_LABELS[p]}:{getattr(a, f'{p}_reason')}" for p in a.programs
                )
                outcome.rejected.append(a.pk)
            else:
                outcome.confirmed.append(a.pk)
        else:
            outcome.pending.append(a.pk)
        events.append(
            audit.event(
                event_type="application.decided",
                actor=actor,
                obj=a,
                area_code=a.household.group.code,
                old={"state": old_state},
                new={"state": a.state, "program": program, "decision": a.decision(program)},
                reason=(reason or "").strip(),
                when=now,
            )
        )

    # Confirmations share every written value, so they go out as one UPDATE per resulting state;
    # bulk_update's CASE per row took minutes at 10,000 rows. Rejections carry their own reasons
    # and are few (per-item overrides), so bulk_update is fine for them.
    confirmations = {"decision": Decision.CONFIRMED, "decided_by": actor, "decided_at": now, "reason": ""}
    for state in (State.CONFIRMED, State.PUBLICIZED):
        ids = [a.pk for a in applications if decisions[a.pk] is None and a.state == state]
        if ids:
            Application.objects.filter(pk__in=ids).update(
                state=state,
                state_changed_at=F("state_changed_at") if state == State.PUBLICIZED else now,
                **{f"{program}_{name}": value for name, value in confirmations.items()},
            )
    rejected = [a for a in applications if decisions[a.pk] is not None]
    Application.objects.bulk_update(
        rejected,
        [*(f"{program}_{name}" for name in confirmations), "state", "state_changed_at", "rejection_reason"],
    )
    confirmed = [a for a in applications if a.state == State.CONFIRMED]
    outcome.cases = _open_cases(confirmed, round=round, actor=actor, when=now)
    audit.record_many(events)
    return outcome


def _open_cases(applications: Sequence[Application], *, round: Round, actor: User, when) -> list[Case]:
    """Open the household's cases for the confirmed programs and set its 贫困户属性.

    A household already on a roll (an open case of that program) keeps that case: the unique
    constraint allows one open case per program, and its history stays unbroken.
    """
    if not applications:
        return []
    household_ids = [a.household_id for a in applications]
    open_already = set(
        Case.objects.filter(household_id__in=household_ids, state__in=Case.OPEN_STATES).values_list(
            "household_id", "program"
        )
    )
    reason = f"{round.name}县级认定"
    cases = [
        Case(
            household_id=a.household_id,
            program=program,
            entered_year=round.year,
            poverty_class=a.poverty_class,
            state=hh.CaseState.ACTIVE,
            note=reason,
        )
        for a in applications
        for program in a.confirmed_programs()
        if (a.household_id, program) not in open_already
    ]
    copy_insert(cases, user=actor, reason=reason)

    attribute = {
        a.household_id: hh.Attribute.DIBAO if "dibao" in a.confirmed_programs() else hh.Attribute.GENERAL
        for a in applications
    }
    households = list(Household.objects.filter(pk__in=household_ids))
    for household in households:
        household.attribute = attribute[household.pk]
        household.updated_at = when
    for value in set(attribute.values()):
        Household.objects.filter(pk__in=[pk for pk, v in attribute.items() if v == value]).update(
            attribute=value, updated_at=when
        )
    copy_history(households, history_type="~", user=actor, reason=reason, when=when)
    return cases


def application_decide(
    *, application: Application, actor: User, program: str | None = None, confirm: bool, reason: str = ""
) -> DecisionOutcome:
    """One county decision on one program. When the last requested program is decided, the
    application is 已认定 (at least one program confirmed: its cases open) or 不予认定."""
    program = _program_of(actor, program)
    if not confirm:
        reason = _require_reason(reason, "不予认定")
    with transaction.atomic():
        round = Round.objects.get(pk=application.round_id)
        try:
            return _decide(
                round=round,
                actor=actor,
                program=program,
                decisions={application.pk: None if confirm else reason},
            )
        except NotInScope:
            raise NotInScope("该申请不存在,或不在您的管辖区域内。") from None


def county_confirm_bulk(
    *, round: Round, actor: User, applications: Iterable[int], rejections: Mapping[int, str] | None = None
) -> DecisionOutcome:
    """Bulk confirmation of the actor's own program, with per-item overrides: {id: reason} rejects.

    All or nothing: one problem anywhere refuses the whole batch and lists what to fix.
    """
    program = _program_of(actor, None)
    rejections = rejections or {}
    decisions: dict[int, str | None] = {pk: None for pk in applications}
    for pk, reason in rejections.items():
        decisions[pk] = reason if (reason or "").strip() else ""
    if not decisions:
        raise WorkflowError("请选择要认定的申请。", code="invalid")
    with transaction.atomic():
        return _decide(round=round, actor=actor, program=program, decisions=decisions)
