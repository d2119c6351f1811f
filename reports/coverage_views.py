"""The 整改清单 page and the dashboards' 帮扶 section: figures of reports.statistics (the one place that counts),
so they live with the other statistics pages, above the assistance app whose checks they count."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from assistance import coverage
from reports.statistics import assistance_figures
from villages.models import Area
from villages.selectors import areas_for

COVERAGE_LIMIT = 200  # lines of one check on the page; the export has them all


def _require_area_user(request: HttpRequest) -> Area:
    if request.user.area is None:
        raise Http404("您的账号尚未分配区划。")
    return request.user.area


@login_required
def coverage_view(request: HttpRequest) -> HttpResponse:
    own = _require_area_user(request)
    code = request.GET.get("area", "")
    area = get_object_or_404(areas_for(request.user), code=code) if code else own
    if area.level not in (Area.Level.COUNTY, Area.Level.TOWNSHIP, Area.Level.VILLAGE):
        raise Http404("村民小组的整改清单见所在行政村。")
    check = coverage.BY_CODE.get(request.GET.get("check", ""))
    child_level = area.child_level if area.level != Area.Level.VILLAGE else None
    children = list(areas_for(request.user).filter(parent=area).order_by("code")) if child_level else []
    # Counted once, by child area; the totals are their sums (lines of the area itself, such as helpers the
    # county manages, have a key of their own and count in the total only).
    by_child = coverage.counts(area.scope_prefix, digits=len(children[0].scope_prefix) if children else None)
    figures = assistance_figures(area, user=request.user, coverage_by_child=by_child)
    # One row per check: its total, then its count in each child area.
    table = [
        (
            check_,
            figures.coverage.get(check_.code, 0),
            [(child, by_child.get(check_.code, {}).get(child.scope_prefix, 0)) for child in children],
        )
        for check_ in coverage.CHECKS
    ]
    return render(
        request,
        "assistance/coverage.html",
        {
            "area": area,
            "breadcrumbs": [a for a in area.ancestors() if a.code.startswith(own.scope_prefix)],
            "children": children,
            "table": table,
            "figures": figures,
            "check": check,
            "lines": coverage.lines(area.scope_prefix, check, limit=COVERAGE_LIMIT) if check else [],
            "limit": COVERAGE_LIMIT,
            "can_export": area.level in (Area.Level.COUNTY, Area.Level.TOWNSHIP),
        },
    )


@login_required
def dashboard_part(request: HttpRequest, code: str) -> HttpResponse:
    """The dashboards' 帮扶 section, loaded after the page (reports/dashboard.html)."""
    area = get_object_or_404(areas_for(request.user), code=code)
    figures = assistance_figures(area, user=request.user)
    return render(request, "assistance/partials/dashboard.html", {"a": figures})
