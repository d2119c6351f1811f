"""第三步, 第四步 评议: the 村民小组 户主会议 and the 村委会 review, ranked within the quota."""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.db import transaction

from accounts import audit
from accounts.models import Role, User
from households import choices as hh
from households.models import Case
from identification.choices import (
    MeetingKind,
    State,
)
from identification.models import (
    Application,
    Meeting,
    Quota,
    Round,
    Vote,
)
from identification.selectors import quota_used
from identification.services._common import (
    NotInScope,
    _area_in_scope,
    _lock_application,
    _move,
    _require_open_round,
    _require_role,
    _scoped,
)
from identification.transitions import WorkflowError, check_move
from villages.models import Area


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
    """A 户主会议 of a group (votes on submitted applications) or a 村委会 review (on the ones the group
    notice passed: 第三步 "公示无异议后上报村委会").

    Ranks by votes for, then fewer votes against; the rank is the order of recommendation within quota.
    """
    _require_role(actor, {Role.VILLAGE_CADRE}, "记录评议会议")
    _require_open_round(round)
    area = _area_in_scope(actor, area)
    expected_level, expected_state = (
        (Area.Level.GROUP, State.SUBMITTED)
        if kind == MeetingKind.GROUP
        else (Area.Level.VILLAGE, State.GROUP_PUBLICIZED)
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
        raise WorkflowError(
            f"“{group.name}”的规模控制指标尚未下达(由乡镇或县扶贫办分解下达),暂不能推荐。", code="no_quota"
        )
    # In a 动态调整 round a household already on the 扶贫 roll is counted by quota_used as roll members
    # until its application counts: not twice.
    on_roll = 0
    if (
        application.round.kind == Round.Kind.DYNAMIC
        and Case.objects.filter(
            household_id=application.household_id, program=hh.Program.FUPIN, state__in=Case.OPEN_STATES
        ).exists()
    ):
        on_roll = application.household.members.count()
    usage = {}
    for quota in quotas:
        used = quota_used(application.round, quota.area) - on_roll
        if used + application.persons > quota.persons:
            raise WorkflowError(
                f"超出“{quota.area.name}”的规模控制指标:指标 {quota.persons} 人,已占用 {used} 人,"
                f"本户 {application.persons} 人。如确需增加,请乡镇或县扶贫办调整指标。",
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
        new={
            "meeting": meeting.pk,
            "votes_for": vote.votes_for,
            "rank": vote.rank,
            "direct_entry": application.direct_entry,
            "quota": usage,
        },
        update_fields=["persons"],
    )
    return application


@dataclass
class RankedOutcome:
    recommended: list[Application] = field(default_factory=list)
    left_out: list[tuple[Application, str]] = field(default_factory=list)


@transaction.atomic
def meeting_recommend_ranked(*, meeting: Meeting, actor: User) -> RankedOutcome:
    """Recommend a 户主会议's carried applications until the quota is full.

    第三步 "民主推荐时对符合下列条件之一的贫困家庭户可直接进入识别确认对象": a household that declared a
    direct-entry condition does not compete in the vote — the meeting confirms it (a majority) and it takes
    its quota places first; the others follow in rank order for the places left.
    """
    outcome = RankedOutcome()
    votes = list(meeting.votes.select_related("application__household").order_by("rank"))
    ordered = [v for v in votes if v.application.direct_entry] + [
        v for v in votes if not v.application.direct_entry
    ]
    for vote in ordered:
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
    """村评议通过 (第四步): the 村委会 with 村民代表 carried the group's recommendation, after the group notice."""
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
