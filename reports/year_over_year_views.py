"""逐年进出统计: /reports/year-over-year/ (the user's area, or ?area= an area inside it) and its Excel export."""

from __future__ import annotations

import io
import tempfile

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET

from reports import year_over_year
from reports.xlsx import Sheet, write_workbook
from villages.models import Area
from villages.selectors import areas_for

LEVELS = (Area.Level.COUNTY, Area.Level.TOWNSHIP, Area.Level.VILLAGE)


def _area(request: HttpRequest) -> Area:
    own = request.user.area
    if own is None:
        raise Http404("您的账号尚未分配区划。")
    code = request.GET.get("area", "")
    area = get_object_or_404(areas_for(request.user), code=code) if code else own
    if area.level not in LEVELS:
        raise Http404("村民小组的逐年进出见所在行政村。")
    return area


def _years(request: HttpRequest, area: Area) -> tuple[list[int], int | None]:
    years = year_over_year.years_with_movement(area, user=request.user)
    asked = request.GET.get("year", "")
    year = int(asked) if asked.isdigit() and int(asked) in years else (years[-1] if years else None)
    return years, year


@login_required
@require_GET
def year_over_year_view(request: HttpRequest) -> HttpResponse:
    area = _area(request)
    years, year = _years(request, area)
    history = year_over_year.history(area, years, user=request.user)
    table = next((t for t in history.tables if t.year == year), None)
    own = request.user.area
    return render(
        request,
        "reports/year_over_year.html",
        {
            "area": area,
            "breadcrumbs": [a for a in area.ancestors() if a.code.startswith(own.scope_prefix)],
            "years": years,
            "year": year,
            "table": table,
            "history": history,
            "columns": year_over_year.COLUMNS,
            "child_label": Area.Level(area.child_level).label
            if area.child_level
            else area.get_level_display(),
        },
    )


def _headers(first: str) -> list[str]:
    return [first] + [f"{label}{unit}" for _key, label in year_over_year.COLUMNS for unit in ("户数", "人数")]


def _cells(row) -> list[int]:
    return [n for tally in row.cells() for n in (tally.households, tally.persons)]


@login_required
@require_GET
def year_over_year_export(request: HttpRequest) -> FileResponse:
    area = _area(request)
    years, _year = _years(request, area)
    history = year_over_year.history(area, years, user=request.user)
    sheets = [
        Sheet(
            name="逐年合计",
            title=f"{area.name} 逐年进出统计",
            headers=_headers("年度"),
            rows=[[str(t.year), *_cells(t.total)] for t in history.tables],
        )
    ] + [
        Sheet(
            name=f"{t.year}年",
            title=f"{area.name} {t.year}年进出统计",
            headers=_headers("区划"),
            rows=[[row.name, *_cells(row)] for row in t.all_rows],
            bold_last=True,
        )
        for t in history.tables
    ]
    # A table of a few dozen rows: written at once, no job (the ledgers are the long exports).
    with tempfile.NamedTemporaryFile(suffix=".xlsx") as written:
        write_workbook(written.name, sheets)
        data = written.read()
    return FileResponse(io.BytesIO(data), as_attachment=True, filename=f"{area.name}逐年进出统计.xlsx")
