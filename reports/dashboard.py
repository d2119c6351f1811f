"""The dashboards (统计): the figures of one area by its child areas, with charts.

Who sees what follows the one scoping rule: a user opens the dashboard of their own area or of any area
inside it, and nothing else (404, like a missing page). So the 市扶贫办 of a prefecture's database opens
the 市, by county, and anything inside it; the county roles open the county and any township or village; a 乡镇审核员 their township and its villages; a 村级录入员 their own village, by
村民小组. A 村民小组 has no dashboard of its own: its row is in its village's.

Every number comes from reports.statistics (the exports use the same functions); the progress of the
round comes from identification.selectors.progress_by_area, as on the identification screens.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from accounts import freshness
from identification import selectors as identification_selectors
from identification.choices import FINAL_STATES, State
from identification.models import Round
from reports import charts, dynamics, statistics
from reports.statistics import ATTRIBUTES, CAUSES, CLASSES, PROGRAMS, STATES, AreaFigures, Tally
from villages.models import Area
from villages.selectors import areas_for

# A bound on staleness for changes no version records (none known; the counts do not depend on time).
DASHBOARD_CACHE_SECONDS = 5 * 60
DASHBOARD_LEVELS = (Area.Level.CITY, Area.Level.COUNTY, Area.Level.TOWNSHIP, Area.Level.VILLAGE)
# Case states each roll can be in (已脱贫 and 返贫 exist only on the 扶贫 roll).
STATES_OF_PROGRAM = {
    "fupin": ("active", "returned", "lifted", "exited"),
    "dibao": ("active", "exited"),
    "tekun": ("active", "exited"),
}


@dataclass(frozen=True)
class Share:
    """One line of a breakdown table: a label, its households and persons, and its share of the roll."""

    label: str
    tally: Tally
    households_percent: Decimal | None
    persons_percent: Decimal | None
    note: str = ""


def _shares(labels, counts: dict, whole: Tally) -> list[Share]:
    shares = []
    for key, label in labels:
        # "一类:缺乏开发能力的低保户" → 一类, with the rest as a note under it: narrow tables stay legible.
        short, _sep, note = str(label).partition(":")
        tally = counts.get(key, Tally())
        shares.append(
            Share(
                short,
                tally,
                statistics.percent(tally.households, whole.households),
                statistics.percent(tally.persons, whole.persons),
                note,
            )
        )
    return shares


def _round(request: HttpRequest) -> Round | None:
    """?round=<id>, else the current round (None before the county has set one up)."""
    pk = request.GET.get("round", "")
    if pk.isdigit():
        return get_object_or_404(identification_selectors.rounds(), pk=pk)
    return identification_selectors.current_round()


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    """统计: the dashboard of the user's own area."""
    if request.user.area is None:
        raise Http404("您的账号尚未分配区划。")
    area = get_object_or_404(areas_for(request.user), pk=request.user.area_id)
    if area.level not in DASHBOARD_LEVELS:
        raise Http404("村民小组的统计见所在行政村。")
    return _render(request, area)


@login_required
def area_dashboard(request: HttpRequest, code: str) -> HttpResponse:
    area = get_object_or_404(areas_for(request.user), code=code)
    if area.level not in DASHBOARD_LEVELS:
        raise Http404("村民小组的统计见所在行政村。")
    return _render(request, area)


@login_required
def dynamics_part(request: HttpRequest, code: str) -> HttpResponse:
    """The dashboards' 动态管理 section (exits, 低保 proposals, 防返贫监测), loaded after the page."""
    area = get_object_or_404(areas_for(request.user), code=code)
    if area.level not in DASHBOARD_LEVELS:
        raise Http404("村民小组的统计见所在行政村。")
    return render(request, "reports/partials/dashboard_dynamics.html", {"d": dynamics.dynamics(area)})


def _figures(user, area: Area, round: Round | None) -> tuple[statistics.FiguresTable, dict | None]:
    """The area's figures and the round's progress, cached per area under its data version
    (accounts.freshness): a change inside the area, or above it, moves the version on; a change in
    another village leaves them standing. They depend on the area and the round only, not on who asks:
    the scope is checked first, and everything inside an area the user may open is visible to them."""
    statistics.check_scope(user, area)
    key = f"reports:dashboard:{freshness.version(area.scope_prefix)}:{area.code}:{round.pk if round else 0}"

    def compute() -> tuple[statistics.FiguresTable, dict | None]:
        table = statistics.figures_by_child(area, user=user, round=round)
        return table, _progress(user, round, table.rows) if round else None

    return cache.get_or_set(key, compute, timeout=DASHBOARD_CACHE_SECONDS)


def _render(request: HttpRequest, area: Area) -> HttpResponse:
    user = request.user
    round = _round(request)
    table, progress = _figures(user, area, round)
    total = table.total
    child_label = Area.Level(area.child_level).label
    visible_prefix = user.area.scope_prefix
    context = {
        "area": area,
        "child_label": child_label,
        "breadcrumbs": [a for a in area.ancestors() if a.code.startswith(visible_prefix)],
        "round": round,
        "rounds": list(identification_selectors.rounds()),
        "table": table,
        "total": total,
        "quota_over": -total.quota_left if total.quota_left is not None and total.quota_left < 0 else None,
        "rows_link": area.child_level in DASHBOARD_LEVELS,
        "attributes": _shares(ATTRIBUTES, total.by_attribute, total.fupin),
        "causes": _shares(CAUSES, total.by_cause, total.fupin),
        "classes": _shares(CLASSES, total.by_class, total.fupin),
        "years": _shares([(y, f"{y}年") for y in table.years], total.by_year, total.fupin),
        "states": [
            (
                label,
                [
                    (dict(STATES)[s], total.by_state.get(program, {}).get(s, Tally()))
                    for s in STATES_OF_PROGRAM[program]
                ],
            )
            for program, label in PROGRAMS
        ],
        "bar_chart": charts.bar_chart(
            title=f"{area.name}各{child_label}扶贫对象人数与规模控制指标",
            categories=[row.name for row in table.rows],
            series=[
                charts.Series(
                    "扶贫对象(在册+返贫)", [row.fupin.persons for row in table.rows], charts.PALETTE[0]
                ),
                charts.Series(
                    f"规模控制指标{f'({round.name})' if round else ''}",
                    [row.quota for row in table.rows],
                    "#9fb3c8",
                ),
            ],
        ),
        "cause_chart": charts.pie_chart(
            title=f"{area.name}扶贫对象主要致贫原因(户)",
            slices=[(str(label), total.by_cause.get(key, Tally()).households) for key, label in CAUSES],
        ),
        "progress": progress,
    }
    return render(request, "reports/dashboard.html", context)


@dataclass
class ProgressRow:
    figures: AreaFigures
    applications: int
    decided: int
    in_review: int
    persons: int
    cells: list[int]
    open_objections: int

    @property
    def quota_left(self) -> int | None:
        quota = self.figures.quota
        return None if quota is None else quota - self.persons


def _progress(user, round: Round, rows: list[AreaFigures]) -> dict:
    """The round's applications per child area and state (identification's own selector)."""
    states = list(State)
    by_code = identification_selectors.progress_by_area(user, round, [row.area for row in rows])
    lines = []
    for row in rows:
        p = by_code[row.code]
        lines.append(
            ProgressRow(
                figures=row,
                applications=sum(p.states.values()),
                decided=p.count(*FINAL_STATES),
                in_review=sum(n for s, n in p.states.items() if s not in FINAL_STATES),
                persons=p.persons,
                cells=[p.states.get(s, 0) for s in states],
                open_objections=p.open_objections,
            )
        )
    applications = sum(line.applications for line in lines)
    decided = sum(line.decided for line in lines)
    return {
        "states": states,
        "rows": lines,
        "applications": applications,
        "decided": decided,
        "decided_percent": statistics.percent(decided, applications),
        "persons": sum(line.persons for line in lines),
        "cells": [sum(line.cells[i] for line in lines) for i in range(len(states))],
        "open_objections": sum(line.open_objections for line in lines),
    }
