"""Scoped reads of 帮扶. Every query starts from `Model.objects.visible_to(user)` (accounts.scoping): a cadre
or official by area, a 帮扶责任人 by their pairings."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.db.models import Count, Max, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.utils import timezone

from accounts.models import User
from assistance import choices
from assistance.models import (
    CountySettings,
    CreditRating,
    Helper,
    Loan,
    Measure,
    Pairing,
    Plan,
    TeamMember,
    Unit,
    VillageAssistance,
    Visit,
    WorkTeam,
)
from households.models import Household, Member
from villages.models import Area


def helper_of(user: User) -> Helper | None:
    """The 帮扶责任人 record behind a helper's login."""
    if not user.is_authenticated:
        return None
    return Helper.objects.filter(user=user).select_related("unit").first()


def my_households(user: User) -> QuerySet[Household]:
    """A helper's households for the phone page: head, village, last visit, measures of this year."""
    year = timezone.localdate().year
    head = Member.objects.filter(household=OuterRef("pk"), relation="户主").values("name")[:1]
    return (
        Household.objects.visible_to(user)
        .select_related("group__parent")
        .annotate(
            head_name=Subquery(head),
            last_visit=Max("visits__visited_on"),
        )
        .annotate(
            open_measures=Count(
                "assistance_measures",
                filter=Q(assistance_measures__plan__year=year)
                & ~Q(
                    assistance_measures__status__in=[
                        choices.MeasureStatus.DONE,
                        choices.MeasureStatus.STOPPED,
                    ]
                ),
                distinct=True,
            )
        )
        .order_by("group__code", "number")
    )


def household_for(user: User, pk: int) -> Household | None:
    return Household.objects.visible_to(user).select_related("group__parent__parent").filter(pk=pk).first()


@dataclass
class HouseholdAssistance:
    """Everything of 帮扶 about one household, for its page and its 户卡 section."""

    household: Household
    pairing: Pairing | None
    pairings: list[Pairing]
    plans: list[Plan]
    visits: list[Visit]
    ratings: list[CreditRating]
    loans: list[Loan]
    members: list[Member] = field(default_factory=list)

    @property
    def current_plan(self) -> Plan | None:
        year = timezone.localdate().year
        return next((p for p in self.plans if p.year == year), None)

    @property
    def last_visit(self) -> Visit | None:
        return self.visits[0] if self.visits else None

    @property
    def paths(self) -> list[str]:
        """The household's "五个一批" paths, derived from its measures (seed 003 五), in the national order."""
        found = {m.path for plan in self.plans for m in plan.measures.all() if m.path}
        return [path for path in choices.PATHS if path in found]


def household_assistance(household: Household, *, visits: int = 10) -> HouseholdAssistance:
    """`household` comes from a scoped selector; its rows follow it (they belong to it)."""
    pairings = list(Pairing.objects.filter(household=household).select_related("helper__unit"))
    plans = list(
        Plan.objects.filter(household=household).prefetch_related(
            Prefetch(
                "measures", queryset=Measure.objects.select_related("member").order_by("started_on", "id")
            )
        )
    )
    return HouseholdAssistance(
        household=household,
        pairing=next((p for p in pairings if p.is_open), None),
        pairings=pairings,
        plans=plans,
        visits=list(Visit.objects.filter(household=household).select_related("helper")[:visits]),
        ratings=list(CreditRating.objects.filter(household=household)),
        loans=list(Loan.objects.filter(household=household)),
        members=list(household.members.order_by("id")),
    )


def pool(model: type[Helper] | type[Unit], user: User) -> QuerySet:
    """Helpers (or units) a user may work with: those managed inside the user's area (the one door), and
    those the county above manages — county units send their cadres to every township's households."""
    scoped = model.objects.visible_to(user)
    if user.area_id is None or user.area.level == Area.Level.COUNTY:
        return scoped
    return scoped | model.objects.filter(area__in=user.area.ancestors())


def helpers_for(user: User) -> QuerySet[Helper]:
    return (
        pool(Helper, user)
        .select_related("unit", "area")
        .annotate(held=Count("pairings", filter=Q(pairings__ended_on__isnull=True)))
        .order_by("unit__name", "name")
    )


def units_for(user: User) -> QuerySet[Unit]:
    return pool(Unit, user).order_by("level", "name")


def settings_of(county: Area) -> CountySettings | None:
    return CountySettings.objects.filter(county=county).first()


@dataclass
class VillageWork:
    village: Area
    team: WorkTeam | None
    teams: list[WorkTeam]
    members: list[TeamMember]
    contacts: VillageAssistance | None
    is_poor: bool
    missing: list[str]
    attendance_months: list[datetime.date]


def village_work(village: Area) -> VillageWork:
    """The village's work team, its members, records and the "五个一" (village from areas_for(user))."""
    teams = list(WorkTeam.objects.filter(village=village).select_related("unit"))
    team = next((t for t in teams if t.ended_on is None), None)
    members = (
        list(
            TeamMember.objects.filter(team=team)
            .select_related("unit")
            .prefetch_related("attendance")
            .order_by("left_on", "role", "id")
        )
        if team
        else []
    )
    contacts = VillageAssistance.objects.filter(village=village).select_related("unit").first()
    is_poor = bool(getattr(getattr(village, "profile", None), "is_poor_village", False))
    missing = []
    if not (contacts and contacts.liaison_leader):
        missing.append("联系领导")
    if not (contacts and contacts.unit_id):
        missing.append("帮扶单位")
    if team is None:
        missing.append("驻村工作队")
    if not any(m.is_first_secretary and m.left_on is None for m in members):
        missing.append("第一书记")
    if not (contacts and contacts.agronomist):
        missing.append("农技员")
    months = sorted({a.month for m in members for a in m.attendance.all()}, reverse=True)[:6]
    return VillageWork(village, team, teams, members, contacts, is_poor, missing, months)
