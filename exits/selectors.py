"""Scoped reads of the exits app: every screen, service and export goes through these."""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet

from accounts.models import User
from exits import checklist
from exits.models import DibaoProposal, ExitApplication, ExitState
from exits.models.household_exit import FINAL_STATES
from households.choices import Program, SchoolStatus
from households.models import Case, Household, Member
from identification.models import Round
from villages.models import Area


def exits_for(user: User) -> QuerySet[ExitApplication]:
    return ExitApplication.objects.visible_to(user).select_related(
        "household__group__parent", "round", "case"
    )


def proposals_for(user: User) -> QuerySet[DibaoProposal]:
    return DibaoProposal.objects.visible_to(user).select_related("household__group__parent")


def current_round() -> Round | None:
    """The round whose standards exits are computed against: the latest by year. Exits only read its
    poverty and 低保 lines and its year, so a round closed to identification still serves them."""
    return Round.objects.order_by("-year", "-id").first()


def facts_for(household: Household, round: Round, survey: dict | None = None) -> checklist.Facts:
    """`household` with members and incomes prefetched (or not: then two queries)."""
    return checklist.Facts(
        year=round.year,
        poverty_line=round.poverty_line,
        income_year=round.income_year,
        per_capita={r.year: r.per_capita_net_income for r in household.incomes.all()},
        members=[
            checklist.Person(
                name=m.name,
                birth_date=m.birth_date,
                in_school=m.school_status != SchoolStatus.NONE,
                insured=m.basic_medical_insurance,
            )
            for m in household.members.all()
        ],
        dangerous_house=household.dangerous_house,
        dangerous_house_grade=household.dangerous_house_grade,
        drinking_water_safe=household.drinking_water_safe,
        survey=survey or {},
    )


def checklist_of(exit: ExitApplication) -> checklist.Checklist:
    return checklist.evaluate(facts_for(exit.household, exit.round, exit.survey))


def worklist(user: User, round: Round, area: Area | None = None) -> list[dict]:
    """The rolled households (open 扶贫 case) the user sees, or those of `area` among them, with the computed
    checklist and their exit, if any."""
    households = Household.objects.visible_to(user)
    if area is not None:
        households = households.filter(group__code__startswith=area.scope_prefix)
    households = (
        households.filter(cases__program=Program.FUPIN, cases__state__in=Case.OPEN_STATES)
        .select_related("group")
        .prefetch_related(
            Prefetch("members", queryset=Member.objects.order_by("id")),
            "incomes",
            Prefetch(
                "exits",
                queryset=ExitApplication.objects.exclude(state__in=FINAL_STATES),
                to_attr="open_exits",
            ),
        )
        .order_by("number")
        .distinct()
    )
    rows = []
    for household in households:
        open_exit = household.open_exits[0] if household.open_exits else None
        result = checklist.evaluate(facts_for(household, round, open_exit.survey if open_exit else None))
        head = next((m for m in household.members.all() if m.is_head), None)
        rows.append({"household": household, "head": head, "checklist": result, "exit": open_exit})
    return rows


def open_fupin_case(household: Household) -> Case | None:
    return household.cases.filter(program=Program.FUPIN, state__in=Case.OPEN_STATES).first()


def queue(user: User, state: ExitState) -> QuerySet[ExitApplication]:
    return exits_for(user).filter(state=state).order_by("household__number")
