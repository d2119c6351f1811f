"""Scoped reads: every view, export and service reaches identification rows through these."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.db.models import Count, Exists, OuterRef, QuerySet, Sum
from django.db.models.functions import Substr

from accounts.models import User
from households.choices import Program
from households.models import Case, Member
from identification.choices import (
    NEXT_STEP,
    QUOTA_STATES,
    ReferralStatus,
    SpotCheckLevel,
    SpotCheckStatus,
    State,
)
from identification.models import Application, Meeting, Quota, Referral, Round, SpotCheck, Vote
from notices import selectors as notice_selectors
from notices.models import Notice, Objection
from villages.models import Area


def rounds() -> QuerySet[Round]:
    """Rounds are county-wide: everyone sees them."""
    return Round.objects.all()


def applications_for(user: User) -> QuerySet[Application]:
    return Application.objects.visible_to(user).select_related("round", "household", "household__group")


def quotas_for(user: User) -> QuerySet[Quota]:
    return Quota.objects.visible_to(user).select_related("area")


def meetings_for(user: User) -> QuerySet[Meeting]:
    return Meeting.objects.visible_to(user).select_related("area")


def notice_context(round: Round) -> str:
    """The notices of a round carry this in `Notice.context`."""
    return f"round:{round.pk}"


def notice_kind(level: str) -> str:
    return f"identification.{level}"


def notices_for(user: User, round: Round) -> QuerySet[Notice]:
    return notice_selectors.notices_for(user).filter(context=notice_context(round))


def objections_for(user: User, round: Round) -> QuerySet[Objection]:
    return notice_selectors.objections_for(user).filter(notice__context=notice_context(round))


def referrals_for(user: User) -> QuerySet[Referral]:
    return Referral.objects.visible_to(user).select_related(
        "application__household__group__parent__parent", "application__round", "referred_by", "decided_by"
    )


def pending_referrals(user: User) -> QuerySet[Referral]:
    return referrals_for(user).filter(status=ReferralStatus.PENDING)


def spot_checks_for(user: User) -> QuerySet[SpotCheck]:
    return SpotCheck.objects.visible_to(user).select_related("area", "round")


def quota_used(round: Round, area: Area) -> int:
    """Persons counted against `area`'s quota in `round`.

    Always: the persons of this round's applications recommended or further (withdrawn and rejected do
    not count), as the application recorded them. In a 动态调整 round also the roll already there
    (seed 002 四(一), quota control): the persons (members now, as reports.statistics counts the roll)
    of the households of the area with an open 扶贫 case (在册 or 返贫) whose application in this round,
    if any, is not counted already — so a household on the roll counts once, and one whose new
    application was withdrawn or rejected still counts, since it is still on the roll. A fresh 贫困识别
    builds the roll anew: only its applications count.
    """
    total = _counted_applications(round, area.scope_prefix).aggregate(n=Sum("persons"))["n"] or 0
    if round.is_dynamic:
        total += _roll_members(round, area.scope_prefix).count()
    return total


def quota_used_of(round: Round, areas: Sequence[Area]) -> dict[str, int]:
    """{area code: quota_used} for sibling `areas` (the rows of a quota page), in two grouped queries."""
    if not areas:
        return {}
    digits = len(areas[0].scope_prefix)
    parent_prefix = areas[0].scope_prefix[:-3]  # siblings share their parent's prefix
    code_of = {a.scope_prefix: a.code for a in areas}
    result = dict.fromkeys(code_of.values(), 0)
    counts = [(_counted_applications(round, parent_prefix), Sum("persons"))]
    if round.is_dynamic:
        counts.append((_roll_members(round, parent_prefix), Count("id")))
    for queryset, measure in counts:
        rows = (
            queryset.order_by()
            .annotate(prefix=Substr("household__area_code", 1, digits))
            .values("prefix")
            .annotate(n=measure)
        )
        for row in rows:
            if row["prefix"] in code_of:
                result[code_of[row["prefix"]]] += row["n"] or 0
    return result


def _counted_applications(round: Round, prefix: str) -> QuerySet[Application]:
    return Application.objects.filter(
        round=round, state__in=QUOTA_STATES, household__area_code__startswith=prefix
    )


def _roll_members(round: Round, prefix: str) -> QuerySet[Member]:
    """Members of the households under `prefix` on the open 扶贫 roll that no counted application of
    `round` stands for."""
    on_roll = Case.objects.filter(
        household=OuterRef("household"), program=Program.FUPIN, state__in=Case.OPEN_STATES
    )
    counted = Application.objects.filter(household=OuterRef("household"), round=round, state__in=QUOTA_STATES)
    return (
        Member.objects.filter(household__area_code__startswith=prefix)
        .filter(Exists(on_roll))
        .exclude(Exists(counted))
    )


def quota_usage(round: Round, area: Area) -> tuple[int | None, int]:
    """(quota persons or None when none is set, persons used)."""
    quota = Quota.objects.filter(round=round, area=area).values_list("persons", flat=True).first()
    return quota, quota_used(round, area)


def state_counts(user: User, round: Round) -> dict[str, int]:
    """Applications per state inside the user's area: the progress line of a work queue."""
    rows = applications_for(user).filter(round=round).values("state").annotate(n=Count("id"))
    return {row["state"]: row["n"] for row in rows}


def notice_levels(application_ids: Sequence[int]) -> dict[int, dict[str, str]]:
    """{application id: {notice level: notice status}} over the entries still standing, in one query."""
    return {
        pk: {kind.removeprefix("identification."): status for kind, status in kinds.items()}
        for pk, kinds in notice_selectors.subject_notices(Application, application_ids).items()
    }


def county_checked_ids(round: Round, program: str) -> tuple[set[int], set[int]]:
    """(ids covered by a complete county sample of `program`, ids that sample found untrue).

    第六步: each bureau decides only after its own sample: complete = every drawn application has a result.
    """
    covered: set[int] = set()
    untrue: set[int] = set()
    checks = SpotCheck.objects.filter(round=round, level=SpotCheckLevel.COUNTY, program=program).exclude(
        status=SpotCheckStatus.SUPERSEDED
    )
    for check in checks.prefetch_related("results"):
        results = list(check.results.all())
        if {r.application_id for r in results} >= set(check.drawn):
            covered.update(check.population)
            untrue.update(r.application_id for r in results if not r.truthful)
    return covered, untrue


def meeting_ranking(meeting: Meeting) -> list[Vote]:
    """A meeting's votes in rank order with the households: the recommended list to print for the 组公示."""
    return list(meeting.votes.select_related("application__household", "meeting").order_by("rank"))


def awaiting_decision(user: User, round: Round, program: str) -> QuerySet[Application]:
    """The county queue: publicized applications asking for `program` that it has not decided yet."""
    return applications_for(user).filter(
        round=round, state=State.PUBLICIZED, **{f"for_{program}": True, f"{program}_decision": ""}
    )


def current_round() -> Round | None:
    """The round people are working in: the newest open one, else the newest (read-only) one."""
    return Round.objects.filter(closed=False).first() or Round.objects.first()


@dataclass
class AreaProgress:
    """One row of a work queue or progress table: applications per state, persons in the quota."""

    states: dict[str, int]
    persons: int = 0
    open_objections: int = 0

    def count(self, *states: str) -> int:
        return sum(self.states.get(s, 0) for s in states)

    @property
    def in_review(self) -> int:
        return self.count(State.SUBMITTED, State.RECOMMENDED, State.GROUP_PUBLICIZED)


def progress_by_area(user: User, round: Round, areas: Sequence[Area]) -> dict[str, AreaProgress]:
    """{area code: AreaProgress} for sibling `areas` (same level), in two grouped queries."""
    if not areas:
        return {}
    digits = len(areas[0].scope_prefix)
    prefix = Substr("household__area_code", 1, digits)
    result = {a.code: AreaProgress(states={}) for a in areas}
    by_prefix = {a.scope_prefix: result[a.code] for a in areas}
    rows = (
        applications_for(user)
        .filter(round=round)
        .order_by()
        .annotate(prefix=prefix)
        .values("prefix", "state")
        .annotate(n=Count("id"), persons=Sum("persons"))
    )
    for row in rows:
        progress = by_prefix.get(row["prefix"])
        if progress is None:
            continue
        progress.states[row["state"]] = row["n"]
        if row["state"] in QUOTA_STATES:
            progress.persons += row["persons"] or 0
    objections = (
        objections_for(user, round)
        .filter(status=Objection.Status.OPEN)
        .order_by()
        .annotate(prefix=Substr("entry__area_code", 1, digits))
        .values("prefix")
        .annotate(n=Count("id"))
    )
    for row in objections:
        if row["prefix"] in by_prefix:
            by_prefix[row["prefix"]].open_objections = row["n"]
    return result


def quotas_of(round: Round, areas: Sequence[Area]) -> dict[int, int]:
    """{area id: quota persons} for the areas that have one."""
    return dict(Quota.objects.filter(round=round, area__in=areas).values_list("area_id", "persons"))


def latest_spot_check(
    user: User, round: Round, level: str, area: Area, program: str = ""
) -> SpotCheck | None:
    """The spot check in force for an area (and, at the county, a bureau's program): the newest one not
    superseded by a re-draw."""
    return (
        spot_checks_for(user)
        .filter(round=round, level=level, area=area, program=program)
        .exclude(status=SpotCheckStatus.SUPERSEDED)
        .prefetch_related("results")
        .first()
    )


def announcement(user: User, round: Round, program: str | None = None) -> QuerySet[Application]:
    """公告: the county's decided applications of a round (confirmed and rejected), of one program if given."""
    decided = applications_for(user).filter(round=round)
    if program:
        decided = decided.filter(**{f"for_{program}": True}).exclude(**{f"{program}_decision": ""})
    else:
        decided = decided.filter(state__in=[State.CONFIRMED, State.REJECTED])
    return decided.select_related("household__group__parent__parent").order_by("household__number")


def home_counts(user: User, round: Round) -> list[tuple[str, int]]:
    """The few numbers the home page shows: applications by the next thing to do, in the user's area."""
    counts = state_counts(user, round)
    return [(str(NEXT_STEP[state]), counts[state]) for state in NEXT_STEP if counts.get(state)]
