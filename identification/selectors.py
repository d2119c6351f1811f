"""Scoped reads: every view, export and service reaches identification rows through these."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.db.models import Count, QuerySet, Sum

from accounts.models import User
from households.choices import Relation
from households.idnumber import mask
from households.models import Member
from identification.choices import (
    PROGRAM_LABELS,
    QUOTA_STATES,
    NoticeStatus,
    SpotCheckLevel,
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
    Vote,
)
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


def notices_for(user: User) -> QuerySet[Notice]:
    return Notice.objects.visible_to(user).select_related("area", "round")


def objections_for(user: User) -> QuerySet[Objection]:
    return Objection.objects.visible_to(user).select_related("notice", "application__household")


def spot_checks_for(user: User) -> QuerySet[SpotCheck]:
    return SpotCheck.objects.visible_to(user).select_related("area", "round")


def quota_used(round: Round, area: Area) -> int:
    """Persons of the households recommended or further in `area` (withdrawn and rejected do not count)."""
    total = Application.objects.filter(
        round=round, state__in=QUOTA_STATES, household__group__code__startswith=area.scope_prefix
    ).aggregate(total=Sum("persons"))["total"]
    return total or 0


def quota_usage(round: Round, area: Area) -> tuple[int | None, int]:
    """(quota persons or None when none is set, persons used)."""
    quota = Quota.objects.filter(round=round, area=area).values_list("persons", flat=True).first()
    return quota, quota_used(round, area)


def state_counts(user: User, round: Round) -> dict[str, int]:
    """Applications per state inside the user's area: the progress line of a work queue."""
    rows = applications_for(user).filter(round=round).values("state").annotate(n=Count("id"))
    return {row["state"]: row["n"] for row in rows}


def passed_notice_levels(application: Application) -> set[str]:
    """The 公示 levels this application has passed: on a closed notice and not struck from it."""
    return set(
        application.notice_entries.filter(struck=False, notice__status=NoticeStatus.CLOSED).values_list(
            "notice__level", flat=True
        )
    )


def notice_levels(application_ids: Sequence[int]) -> dict[int, dict[str, str]]:
    """{application id: {notice level: notice status}} over the entries not struck, in one query.

    An application is on at most one standing notice per level (notice_publish refuses a second).
    """
    levels: dict[int, dict[str, str]] = {}
    rows = NoticeEntry.objects.filter(application_id__in=application_ids, struck=False).values_list(
        "application_id", "notice__level", "notice__status"
    )
    for application_id, level, status in rows:
        levels.setdefault(application_id, {})[level] = status
    return levels


def county_checked_ids(round: Round) -> tuple[set[int], set[int]]:
    """(ids covered by a complete county sample, ids the county found untrue).

    Complete = every drawn application has a result; only then may the county decide on its population.
    """
    covered: set[int] = set()
    untrue: set[int] = set()
    checks = SpotCheck.objects.filter(round=round, level=SpotCheckLevel.COUNTY).prefetch_related("results")
    for check in checks:
        results = list(check.results.all())
        if {r.application_id for r in results} >= set(check.drawn):
            covered.update(check.population)
            untrue.update(r.application_id for r in results if not r.truthful)
    return covered, untrue


@dataclass(frozen=True)
class NoticeRow:
    """One line of a printed 公示: the head's ID number masked (DESIGN.md, privacy)."""

    household_number: str
    head_name: str
    head_id_masked: str
    persons: int
    programs: str
    poverty_class: str


def notice_rows(notice: Notice) -> list[NoticeRow]:
    """The entries of a notice still standing, in household order, in two queries whatever the size."""
    entries = (
        NoticeEntry.objects.filter(notice=notice, struck=False)
        .select_related("application__household")
        .order_by("application__household__number")
    )
    applications = [e.application for e in entries]
    heads = {
        m.household_id: m
        for m in Member.objects.filter(
            household_id__in=[a.household_id for a in applications], relation=Relation.HEAD
        ).only("household_id", "name", "id_number")
    }
    rows = []
    for a in applications:
        head = heads.get(a.household_id)
        rows.append(
            NoticeRow(
                household_number=a.household.number,
                head_name=head.name if head else "",
                head_id_masked=mask(head.id_number) if head else "",
                persons=a.persons,
                programs="、".join(PROGRAM_LABELS[p] for p in a.programs),
                poverty_class=a.get_poverty_class_display() if a.poverty_class else "",
            )
        )
    return rows


def meeting_ranking(meeting: Meeting) -> list[Vote]:
    """A meeting's votes in rank order with the households: the recommended list to print for the 组公示."""
    return list(meeting.votes.select_related("application__household", "meeting").order_by("rank"))


def awaiting_decision(user: User, round: Round, program: str) -> QuerySet[Application]:
    """The county queue: publicized applications asking for `program` that it has not decided yet."""
    return applications_for(user).filter(
        round=round, state=State.PUBLICIZED, **{f"wants_{program}": True, f"{program}_decision": ""}
    )
