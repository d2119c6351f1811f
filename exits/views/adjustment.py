"""年度动态调整: /exits/adjustment/ — a village's worklist, or a township's or the county's progress by village."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET

from exits import adjustment, selectors
from villages.models import Area
from villages.selectors import areas_for


@login_required
@require_GET
def adjustment_view(request: HttpRequest) -> HttpResponse:
    own = request.user.area
    if own is None:
        raise Http404("您的账号尚未分配区划。")
    code = request.GET.get("area", "")
    area = get_object_or_404(areas_for(request.user), code=code) if code else own
    if area.level == Area.Level.GROUP:
        area = area.parent
    round = selectors.current_round()
    context = {
        "area": area,
        "round": round,
        "breadcrumbs": [a for a in area.ancestors() if a.code.startswith(own.scope_prefix)],
    }
    if round is not None:
        if area.level == Area.Level.VILLAGE:
            context["work"] = adjustment.worklist(request.user, area, round)
        context["rows"], context["total"] = adjustment.progress(request.user, area, round)
    return render(request, "exits/adjustment.html", context)
