"""Screens of 贫困村识别: the county's indicators and weights, the runs, a run's ranking (行政村 and
村民小组) with the marking of 贫困村. County accounts only (a township or village account: 403); a run of
another county is a 404."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from accounts import clock
from accounts.actions import attempt
from config.queue import QueueUnavailable
from identification.poor_villages import services
from identification.poor_villages.forms import RunForm, WeightsForm
from identification.poor_villages.indicators import FACILITIES, INDICATORS
from identification.poor_villages.models import RankingRow, RankingRun
from jobs.models import Status
from villages.models import Area, AreaProfile

LEVELS = {"village": "行政村", "group": "村民小组"}
PAGE = 200


def _require_view(request: HttpRequest) -> None:
    if not services.can_view(request.user):
        raise PermissionDenied("贫困村识别由县扶贫办组织;乡镇和行政村在村情概况中看到认定结果。")


def _require_change(request: HttpRequest, what: str) -> None:
    _require_view(request)
    if not services.can_change(request.user):
        raise PermissionDenied(f"{what}只能由县扶贫办办理。")


def _run(request: HttpRequest, pk: int) -> RankingRun:
    return get_object_or_404(
        RankingRun.objects.visible_to(request.user).select_related("county", "created_by"), pk=pk
    )


@login_required
def settings_view(request: HttpRequest) -> HttpResponse:
    _require_view(request)
    weights = services.current_weights(request.user.area)
    form = WeightsForm(request.POST or None, initial=weights)
    if request.method == "POST":
        _require_change(request, "设置贫困村识别指标和权重")
        if form.is_valid():
            ok, _ = attempt(
                request, lambda: services.settings_save(actor=request.user, weights=form.weights()), form
            )
            if ok:
                messages.success(request, "已保存贫困村识别指标和权重,下次测算起使用。")
                return redirect("identification:poor_village_runs")
    return render(
        request,
        "identification/poor_villages/settings.html",
        {"form": form, "can_edit": services.can_change(request.user)},
    )


@login_required
def run_list(request: HttpRequest) -> HttpResponse:
    _require_view(request)
    today = clock.today()
    form = RunForm(request.POST or None, initial={"year": today.year, "income_year": today.year - 1})
    if request.method == "POST":
        _require_change(request, "贫困村识别测算")
        if form.is_valid():
            d = form.cleaned_data
            try:
                ok, run = attempt(
                    request,
                    lambda: services.run_create(
                        actor=request.user, year=d["year"], income_year=d["income_year"], note=d["note"]
                    ),
                    form,
                )
            except QueueUnavailable as down:
                ok = False
                form.add_error(None, down.message)
            if ok:
                messages.success(request, f"已提交贫困村识别测算 #{run.pk}。")
                return redirect("identification:poor_village_run", pk=run.pk)
    weights = services.current_weights(request.user.area)
    return render(
        request,
        "identification/poor_villages/run_list.html",
        {
            "form": form,
            "runs": RankingRun.objects.visible_to(request.user).select_related("created_by"),
            "weights": [(i, weights[i.code]) for i in INDICATORS],
            "can_edit": services.can_change(request.user),
            "poor_villages": AreaProfile.objects.visible_to(request.user)
            .filter(is_poor_village=True)
            .count(),
        },
    )


@login_required
def run_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The ranking of one level (行政村 by default), optionally of one township, poorest first."""
    _require_view(request)
    run = _run(request, pk)
    level = request.GET.get("level") if request.GET.get("level") in LEVELS else "village"
    townships = list(Area.objects.visible_to(request.user).filter(level=Area.Level.TOWNSHIP).order_by("code"))
    township = next((t for t in townships if t.code == request.GET.get("township")), None)
    rows = RankingRow.objects.filter(run=run, level=level).select_related("area__parent__parent")
    if township is not None:
        rows = rows.filter(area__code__startswith=township.scope_prefix)
    page = Paginator(rows.order_by("rank", "area__code"), PAGE).get_page(request.GET.get("page"))
    poor = set(
        AreaProfile.objects.filter(is_poor_village=True, area_id__in=[r.area_id for r in page]).values_list(
            "area_id", flat=True
        )
    )
    can_mark = services.can_change(request.user) and run.status == Status.DONE and level == "village"
    return render(
        request,
        "identification/poor_villages/run_detail.html",
        {
            "run": run,
            "level": level,
            "levels": LEVELS,
            "townships": townships,
            "township": township,
            "page": page,
            "rows": [(r, r.area_id in poor, _parts(r), _missing(r)) for r in page],
            "indicators": INDICATORS,
            "weights": [(i, run.weights.get(i.code, "0")) for i in INDICATORS],
            "summary": run.summary.get(level, {}),
            "can_mark": can_mark,
            "can_retry": services.can_change(request.user) and run.status == Status.FAILED,
        },
    )


def _parts(row: RankingRow) -> str:
    """Each indicator's score, for the tooltip of the total: how the figure was made."""
    return ";".join(f"{i.label} {float(row.parts.get(i.code, 0)):.2f} 分" for i in INDICATORS)


def _missing(row: RankingRow) -> list[str]:
    return [i.label for i in FACILITIES if row.facilities.get(i.code) is False]


@login_required
def run_status(request: HttpRequest, pk: int) -> HttpResponse:
    """The progress partial the run page polls; once the run ends, the page reloads."""
    _require_view(request)
    run = _run(request, pk)
    response = render(request, "identification/poor_villages/run_status.html", {"run": run})
    if run.is_finished and request.htmx:
        response["HX-Refresh"] = "true"
    return response


@login_required
@require_POST
def run_mark(request: HttpRequest, pk: int) -> HttpResponse:
    _require_change(request, "认定贫困村")
    run = _run(request, pk)
    ids = [int(v) for v in request.POST.getlist("village") if v.isdigit()]
    ok, count = attempt(request, lambda: services.villages_mark(actor=request.user, run=run, village_ids=ids))
    if ok:
        messages.success(request, f"已将 {count} 个行政村认定为贫困村。")
    return redirect("identification:poor_village_run", pk=run.pk)


@login_required
@require_POST
def run_retry(request: HttpRequest, pk: int) -> HttpResponse:
    _require_change(request, "重新测算")
    run = _run(request, pk)
    try:
        ok, _ = attempt(request, lambda: services.run_retry(actor=request.user, run=run))
    except QueueUnavailable as down:
        messages.error(request, down.message)
        ok = False
    if ok:
        messages.success(request, f"已重新提交测算 #{run.pk}。")
    return redirect("identification:poor_village_run", pk=run.pk)
