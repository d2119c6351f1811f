"""动态管理 on the dashboards: where an area's exits, 低保 proposals, poor-village exits and 防返贫监测 stand now.

Counts of work in hand (exits by procedure step, warnings by status and cause, 监测对象 by kind and state), read
through each table's own area code, so an area's section reads only its rows. The years' movements (entered,
exited, 返贫) are the 逐年进出统计 (reports.year_over_year), linked from the section.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Count

from exits.models import DibaoProposal, ExitApplication, ExitState, VillageExit
from exits.models.village_exit import VillageExitState
from monitoring.choices import OPEN_WARNING_STATUSES, MonitoredKind, MonitoredState, Trigger, WarningStatus
from monitoring.models import MonitoredHousehold, Warning
from villages.models import Area

IN_PROCEDURE = [s for s in ExitState if s not in (ExitState.LIFTED, ExitState.WITHDRAWN)]
UNDER_MONITORING = [s for s in MonitoredState if s != MonitoredState.CLEARED]


@dataclass
class Dynamics:
    area: Area
    exits_by_state: list[tuple[str, int]] = field(default_factory=list)  # in the procedure, by step
    exits_in_procedure: int = 0
    exits_lifted: int = 0
    exits_refused: int = 0
    dibao_pending: dict[str, int] = field(default_factory=dict)  # 退保 / 纳入 awaiting 民政
    villages_exited: int = 0
    villages_in_procedure: int = 0
    warnings_by_status: list[tuple[str, int]] = field(default_factory=list)  # the open ones
    warnings_open: int = 0
    pending_by_trigger: list[tuple[str, int]] = field(default_factory=list)  # 待核实, by cause
    monitored_by_kind: list[tuple[str, int]] = field(default_factory=list)  # under monitoring now
    monitored: int = 0
    cleared: int = 0


def _counts(queryset, key: str) -> dict[str, int]:
    return dict(queryset.values_list(key).annotate(n=Count("pk")).order_by())


def dynamics(area: Area) -> Dynamics:
    """The section's figures for `area` (the caller has checked that the user may see it)."""
    prefix = area.scope_prefix
    figures = Dynamics(area=area)

    exits = _counts(ExitApplication.objects.filter(household__area_code__startswith=prefix), "state")
    figures.exits_by_state = [(s.label, exits[s]) for s in IN_PROCEDURE if exits.get(s)]
    figures.exits_in_procedure = sum(n for _, n in figures.exits_by_state)
    figures.exits_lifted = exits.get(ExitState.LIFTED, 0)
    figures.exits_refused = exits.get(ExitState.WITHDRAWN, 0)

    pending = DibaoProposal.objects.filter(
        household__area_code__startswith=prefix, status=DibaoProposal.Status.PENDING
    )
    by_kind = _counts(pending, "kind")
    figures.dibao_pending = {kind.label: by_kind.get(kind, 0) for kind in DibaoProposal.Kind}

    villages = _counts(VillageExit.objects.filter(village__code__startswith=prefix), "state")
    figures.villages_exited = villages.get(VillageExitState.APPROVED, 0)
    figures.villages_in_procedure = sum(
        n
        for state, n in villages.items()
        if state not in (VillageExitState.APPROVED, VillageExitState.REJECTED)
    )

    warnings = Warning.objects.filter(area_code__startswith=prefix, status__in=OPEN_WARNING_STATUSES)
    by_status = _counts(warnings, "status")
    figures.warnings_by_status = [(s.label, by_status[s]) for s in OPEN_WARNING_STATUSES if by_status.get(s)]
    figures.warnings_open = sum(by_status.values())
    by_trigger = _counts(warnings.filter(status=WarningStatus.PENDING), "trigger")
    figures.pending_by_trigger = [(t.label, by_trigger[t]) for t in Trigger if by_trigger.get(t)]

    monitored = MonitoredHousehold.objects.filter(area_code__startswith=prefix)
    kinds = _counts(monitored.filter(state__in=UNDER_MONITORING), "kind")
    figures.monitored_by_kind = [(k.label, kinds.get(k, 0)) for k in MonitoredKind]
    figures.monitored = sum(kinds.values())
    figures.cleared = monitored.filter(state=MonitoredState.CLEARED).count()
    return figures
