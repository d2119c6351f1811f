"""年度动态调整 (一到两年一调, seed 002 四(三)): what a new round asks of each village, and how far it got.

Computed from the records the work leaves (income records, exits, applications, 低保 proposals), not
stored as separate to-do rows: an item is done when its record exists, so the list can neither drift from
the registry nor gain duplicates when a round is looked at again.

Per village, four kinds of work:
- 复核: every household on an open 扶贫, 低保 or 特困 roll is re-surveyed; done when its income of the
  round's income year is recorded.
- 退出: rolled 扶贫 households meeting the standard (exits.checklist) are proposed for exit; the round's
  exits by state.
- 返贫与新识别: the round's applications (a 返贫 or new household applying, or sent by 防返贫监测).
- 退保/纳入: the round's proposals to 民政 (exits.services.dibao) and their decisions.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Count, Exists, OuterRef, Q

from accounts.models import User
from exits import checklist, selectors
from exits.models import DibaoProposal, ExitApplication, ExitState
from exits.models.household_exit import FINAL_STATES
from households.models import Case, Household, IncomeRecord
from identification.models import Application, Round
from villages.models import Area


@dataclass
class VillageProgress:
    """One village's counts; `village` None for the total row."""

    village: Area | None
    rolled: int = 0
    resurveyed: int = 0
    exits_open: int = 0
    exits_lifted: int = 0
    applications: int = 0
    proposals_pending: int = 0
    proposals_decided: int = 0

    @property
    def to_resurvey(self) -> int:
        return self.rolled - self.resurveyed

    FIELDS = (
        "rolled",
        "resurveyed",
        "exits_open",
        "exits_lifted",
        "applications",
        "proposals_pending",
        "proposals_decided",
    )

    def add(self, other: VillageProgress) -> None:
        for name in self.FIELDS:
            setattr(self, name, getattr(self, name) + getattr(other, name))


@dataclass
class Worklist:
    """A village's own list: the households behind each kind of work."""

    village: Area
    round: Round
    to_resurvey: list[Household] = field(default_factory=list)
    ready_to_exit: list[dict] = field(default_factory=list)  # exits.selectors.worklist rows without an exit
    exits: list[ExitApplication] = field(default_factory=list)
    applications: list[Application] = field(default_factory=list)
    proposals: list[DibaoProposal] = field(default_factory=list)


def _village_key(queryset, path: str):
    """Group by the village a household's 村民小组 belongs to."""
    return queryset.values(f"{path}group__parent_id")


def _rolled(user: User, area: Area):
    return (
        Household.objects.visible_to(user)
        .filter(group__code__startswith=area.scope_prefix)
        .filter(Exists(Case.objects.filter(household=OuterRef("pk"), state__in=Case.OPEN_STATES)))
    )


def _resurveyed(round: Round):
    return Exists(IncomeRecord.objects.filter(household=OuterRef("pk"), year=round.income_year))


def progress(user: User, area: Area, round: Round) -> tuple[list[VillageProgress], VillageProgress]:
    """One row per 行政村 inside `area` (as seen by `user`) and the total: a handful of grouped queries."""
    villages = list(
        Area.objects.filter(level=Area.Level.VILLAGE, code__startswith=area.scope_prefix).order_by("code")
    )
    if area.level == Area.Level.VILLAGE:
        villages = [area]
    rows = {v.pk: VillageProgress(village=v) for v in villages}

    def count(queryset, path: str, **aggregates) -> dict:
        return {
            r[f"{path}group__parent_id"]: r
            for r in _village_key(queryset, path).annotate(**aggregates).order_by()
        }

    rolled = count(
        _rolled(user, area).annotate(done=_resurveyed(round)),
        "",
        rolled=Count("pk"),
        resurveyed=Count("pk", filter=Q(done=True)),
    )
    exits = count(
        ExitApplication.objects.visible_to(user).filter(
            round=round, household__group__code__startswith=area.scope_prefix
        ),
        "household__",
        open=Count("pk", filter=~Q(state__in=FINAL_STATES)),
        lifted=Count("pk", filter=Q(state=ExitState.LIFTED)),
    )
    applications = count(
        Application.objects.visible_to(user).filter(
            round=round, household__group__code__startswith=area.scope_prefix
        ),
        "household__",
        n=Count("pk"),
    )
    proposals = count(
        DibaoProposal.objects.visible_to(user).filter(
            year=round.income_year, household__group__code__startswith=area.scope_prefix
        ),
        "household__",
        pending=Count("pk", filter=Q(status=DibaoProposal.Status.PENDING)),
        decided=Count("pk", filter=~Q(status=DibaoProposal.Status.PENDING)),
    )
    for pk, row in rows.items():
        row.rolled = rolled.get(pk, {}).get("rolled", 0)
        row.resurveyed = rolled.get(pk, {}).get("resurveyed", 0)
        row.exits_open = exits.get(pk, {}).get("open", 0)
        row.exits_lifted = exits.get(pk, {}).get("lifted", 0)
        row.applications = applications.get(pk, {}).get("n", 0)
        row.proposals_pending = proposals.get(pk, {}).get("pending", 0)
        row.proposals_decided = proposals.get(pk, {}).get("decided", 0)
    total = VillageProgress(village=None)
    for row in rows.values():
        total.add(row)
    return list(rows.values()), total


def meets_registry_items(result: checklist.Checklist) -> bool:
    """Everything the registry can tell is met; only the 入户核实 (两不愁, and what the registry leaves open)
    remains, which the exit procedure asks after it is proposed."""
    return all(item.passed or item.source == checklist.SURVEY for item in result.items)


def worklist(user: User, village: Area, round: Round) -> Worklist:
    """The households behind each kind of work of one village."""
    work = Worklist(village=village, round=round)
    work.to_resurvey = list(
        _rolled(user, village)
        .annotate(done=_resurveyed(round))
        .filter(done=False)
        .select_related("group")
        .order_by("number")
    )
    work.ready_to_exit = [
        row
        for row in selectors.worklist(user, round, village)
        if row["exit"] is None and meets_registry_items(row["checklist"])
    ]
    work.exits = list(
        selectors.exits_for(user)
        .filter(round=round, household__group__parent=village)
        .order_by("household__number")
    )
    work.applications = list(
        Application.objects.visible_to(user)
        .filter(round=round, household__group__parent=village)
        .select_related("household")
        .order_by("household__number")
    )
    work.proposals = list(
        selectors.proposals_for(user)
        .filter(year=round.income_year, household__group__parent=village)
        .order_by("household__number")
    )
    return work
