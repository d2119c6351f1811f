"""Screens of 规模分解 (identification.decomposition) and the 贫困人口分解表 (identification.quota_table).

Two scopes, the same screens. The county's 扶贫办 runs the whole county (县民政局 and the system
administrator read it); a township's 乡镇审核员 runs its township's quota over its villages and groups
and sees only its own township's runs (another township's run, or the county's, is a 404). Village
accounts are refused (403): their figures come from above. The 分解表 is for everyone, of their own
area: the county's townships, a township's villages, a village's groups; an area outside is a 404.
"""

from __future__ import annotations

import io
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from accounts.actions import attempt
from accounts.models import Role
from config.queue import QueueUnavailable
from identification import decomposition as service
from identification import forms, selectors
from identification.models import Decomposition, Round
from identification.quota_table import filename, quota_table, write_quota_table
from villages.indicators import INDICATORS, LABELS, import_indicators, indicators_set
from villages.models import Area
from villages.selectors import areas_for

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _require_view(request: HttpRequest) -> None:
    if not service.can_view(request.user):
        raise PermissionDenied("规模分解由县扶贫办测算全县、乡镇审核员测算本乡镇;行政村的指标由上级下达。")


def _require_change(request: HttpRequest, what: str) -> None:
    _require_view(request)
    if not service.can_change(request.user):
        raise PermissionDenied(
            f"{what}由县扶贫办(全县)或乡镇审核员(本乡镇)办理,"
            f"您的角色是{request.user.get_role_display() or '未分配'}。"
        )


def _can_type(request: HttpRequest) -> bool:
    """The typed base indicators are the county's (villages.indicators): a township reads them."""
    return service.can_change(request.user) and request.user.role == Role.COUNTY_FUPIN


def _require_type(request: HttpRequest, what: str) -> None:
    _require_view(request)
    if not _can_type(request):
        raise PermissionDenied(f"{what}只能由县扶贫办办理。")


def _round(pk: int) -> Round:
    return get_object_or_404(selectors.rounds(), pk=pk)


def _run(request: HttpRequest, pk: int) -> Decomposition:
    return get_object_or_404(service.decompositions_for(request.user), pk=pk)


def _townships(request: HttpRequest) -> list[Area]:
    """The children of the user's area: the townships for the county, the villages for a township."""
    return list(areas_for(request.user).filter(parent=request.user.area).order_by("code"))


def _form(request: HttpRequest, round: Round, data=None) -> forms.DecompositionForm:
    """The new-run form; a township's shows the township's quota as the (fixed) total."""
    area = request.user.area
    if area.level == Area.Level.TOWNSHIP:
        return forms.DecompositionForm(
            data,
            initial=_initial(request, round),
            township=area,
            township_quota=service.township_quota(round, area),
        )
    return forms.DecompositionForm(data, initial=_initial(request, round))


def _initial(request: HttpRequest, round: Round) -> dict[str, Any]:
    """A new run starts from the latest run of the user's scope (or the default weights)."""
    last = (
        service.decompositions_for(request.user)
        .filter(round=round, scope=request.user.area)
        .order_by("-created_at", "-id")
        .first()
    )
    if last is None:
        return {
            "control_number": round.control_number,
            **{field: service.DEFAULT_WEIGHTS[name] for name, field in Decomposition.WEIGHT_FIELDS.items()},
        }
    return {
        "control_number": last.control_number,
        **{field: getattr(last, field) for field in Decomposition.WEIGHT_FIELDS.values()},
        "overrides": forms.overrides_text(last.overrides),
    }


# --- the round's runs, the indicators, a new run ----------------------------------------------------


@login_required
def decomposition_list(request: HttpRequest, pk: int) -> HttpResponse:
    """Past runs of the round, the townships' indicators (typed or imported) and a new run."""
    _require_view(request)
    round = _round(pk)
    form = _form(request, round, request.POST or None)
    if request.method == "POST":
        _require_change(request, "规模分解测算")
        if form.is_valid():
            try:
                ok, run = attempt(
                    request,
                    lambda: service.decomposition_create(
                        round=round,
                        actor=request.user,
                        control_number=form.cleaned_data["control_number"],
                        weights=form.weights(),
                        overrides=form.cleaned_data["overrides"],
                        note=form.cleaned_data["note"],
                    ),
                    form,
                )
            except QueueUnavailable as down:
                ok = False
                form.add_error(None, down.message)
            if ok:
                messages.success(request, f"已提交规模分解测算 #{run.pk}。")
                return redirect("identification:decomposition", pk=run.pk)
    return _list_page(request, round, form=form)


def _list_page(request, round, *, form=None, indicators_form=None, import_form=None, import_errors=()):
    can_edit = service.can_change(request.user) and not round.closed
    area = request.user.area
    quota = service.township_quota(round, area) if area.level == Area.Level.TOWNSHIP else None
    townships = _townships(request)
    runs = service.decompositions_for(request.user).filter(round=round)
    # The figures shown beside the indicators: the user's own scope's latest run (a county's list also
    # holds the townships' runs, whose inputs cover one township).
    latest = runs.filter(scope=area).exclude(inputs={}).first()
    # A run's inputs and result are ≈ 200 kB of JSON at county scale: the list does not need them.
    runs = runs.defer("inputs", "result", "exact")
    used = (
        {t.code: [latest.inputs.get(t.code, {}).get(k) for k in INDICATORS] for t in townships}
        if latest
        else {}
    )
    indicators_form = indicators_form or forms.TownshipIndicatorsForm(townships=townships)
    return render(
        request,
        "identification/decomposition_list.html",
        {
            "round": round,
            "runs": runs,
            "form": form or _form(request, round),
            "area": area,
            "township_quota": quota,
            "no_quota": area.level == Area.Level.TOWNSHIP and quota is None,
            "child_header": "乡镇名" if area.level == Area.Level.COUNTY else "行政村名",
            "indicators_form": indicators_form,
            "indicator_rows": [(t, fields, used.get(t.code)) for t, fields in indicators_form.rows()],
            "labels": [LABELS[k] for k in INDICATORS],
            "latest": latest,
            "import_form": import_form or forms.IndicatorImportForm(),
            "import_errors": import_errors,
            "can_edit": can_edit,
            "can_type": _can_type(request),
        },
    )


@login_required
@require_POST
def decomposition_indicators(request: HttpRequest, pk: int) -> HttpResponse:
    """The townships' four indicators as typed; a blank cell is counted from the registry."""
    _require_type(request, "录入分解基础指标")
    round = _round(pk)
    form = forms.TownshipIndicatorsForm(request.POST, townships=_townships(request))
    if not form.is_valid():
        messages.error(request, "指标有误,未保存,请改正标红的格子。")
        return _list_page(request, round, indicators_form=form)
    changed = indicators_set(actor=request.user, values=form.values(), reason="录入分解基础指标")
    messages.success(request, f"已保存 {changed} 个乡镇的基础指标。" if changed else "指标没有变化。")
    return redirect("identification:decompositions", pk=round.pk)


@login_required
@require_POST
def decomposition_indicator_import(request: HttpRequest, pk: int) -> HttpResponse:
    """The townships' indicators from a sheet in the annex's layout: all rows or none."""
    _require_type(request, "导入分解基础指标表")
    round = _round(pk)
    form = forms.IndicatorImportForm(request.POST, request.FILES)
    if not form.is_valid():
        return _list_page(request, round, import_form=form)
    result = import_indicators(actor=request.user, file=form.cleaned_data["file"])
    if result.errors:
        messages.error(request, f"基础指标表有 {len(result.errors)} 处错误,未导入任何指标,请改正后重新导入。")
        return _list_page(request, round, import_form=form, import_errors=result.errors)
    messages.success(
        request, f"已从基础指标表导入 {result.count} 个乡镇的指标,其中 {result.changed} 个有变化。"
    )
    return redirect("identification:decompositions", pk=round.pk)


# --- one run ---------------------------------------------------------------------------------------


@login_required
def decomposition_detail(request: HttpRequest, pk: int, override_form=None) -> HttpResponse:
    """A run: its parameters, progress, errors, and its result level by level with the inputs."""
    _require_view(request)
    run = _run(request, pk)
    root = service.root_of(run.inputs) if run.inputs else None
    parent = request.GET.get("area") or request.POST.get("parent") or root
    parent_row, rows = service.level_rows(run, parent) if parent else (None, [])
    if run.inputs and parent_row is None:
        raise Http404("该区划不在本次分解中。")
    can_edit = (
        service.can_change(request.user) and not run.round.closed and run.scope_id == request.user.area_id
    )
    if override_form is None and can_edit and rows:
        override_form = forms.OverrideEditForm(rows=rows)
    return render(
        request,
        "identification/decomposition_detail.html",
        {
            "run": run,
            "round": run.round,
            "parent": parent_row,
            "rows": [(r, override_form.field_for(r.code) if override_form else None) for r in rows],
            "totals": _totals(rows),
            "trail": service.trail(run, parent) if parent else [],
            "labels": [LABELS[k] for k in INDICATORS],
            "weights": [(LABELS[k], w) for k, w in run.weights.items()],
            "overrides": sorted(
                (code, run.inputs.get(code, {}).get("name", code), n) for code, n in run.overrides.items()
            ),
            "override_form": override_form,
            "can_edit": can_edit,
            "can_apply": can_edit and run.status == Decomposition.Status.DONE,
        },
    )


def _totals(rows) -> dict[str, Any]:
    return {
        "values": [sum(r.values[i] for r in rows) for i in range(len(INDICATORS))],
        "persons": sum(r.persons or 0 for r in rows),
    }


@login_required
def decomposition_status(request: HttpRequest, pk: int) -> HttpResponse:
    """The progress partial the run page polls; once the run ends, the page reloads."""
    _require_view(request)
    run = _run(request, pk)
    run.fail_if_stale()
    context = {"job": run, "poll": "identification:decomposition_status", "label": "状态"}
    response = render(request, "jobs/progress.html", context)
    if run.is_finished and request.htmx:
        response["HX-Refresh"] = "true"
    return response


@login_required
@require_POST
def decomposition_rerun(request: HttpRequest, pk: int) -> HttpResponse:
    """Fix (or release) figures of one level of a run and compute again from the same inputs."""
    _require_change(request, "修改指定数并重新分解")
    run = _run(request, pk)
    if run.scope_id != request.user.area_id:
        raise PermissionDenied(f"这是“{run.scope.name}”的分解,只能由其本级修改。")
    parent = request.POST.get("parent", "")
    _, rows = service.level_rows(run, parent)
    if not rows:
        raise Http404("该区划不在本次分解中。")
    form = forms.OverrideEditForm(request.POST, rows=rows)
    if not form.is_valid():
        messages.error(request, "指定数有误,请改正标红的格子。")
        return decomposition_detail(request, run.pk, override_form=form)
    try:
        ok, new = attempt(
            request,
            lambda: service.decomposition_create(
                round=run.round,
                actor=request.user,
                control_number=run.control_number,
                weights=run.weights,
                overrides=form.merged(run.overrides),
                note=form.cleaned_data["note"] or f"依据 #{run.pk} 修改指定数",
                based_on=run,
            ),
            form,
        )
    except QueueUnavailable as down:
        ok = False
        form.add_error(None, down.message)
    if not ok:
        return decomposition_detail(request, run.pk, override_form=form)
    messages.success(request, f"已按修改后的指定数提交重新分解 #{new.pk}。")
    return redirect(reverse("identification:decomposition", args=[new.pk]) + f"?area={parent}")


@login_required
@require_POST
def decomposition_apply(request: HttpRequest, pk: int) -> HttpResponse:
    """Write the run's figures as the round's quotas."""
    _require_change(request, "下达规模控制指标")
    run = _run(request, pk)
    ok, changed = attempt(request, lambda: service.decomposition_apply(decomposition=run, actor=request.user))
    if ok:
        messages.success(
            request, f"已按分解 #{run.pk} 下达规模控制指标:{len(run.result)} 个区划,其中 {changed} 个有变化。"
        )
    return redirect("identification:decomposition", pk=run.pk)


# --- 贫困人口分解表 ---------------------------------------------------------------------------------


def _table_area(request: HttpRequest) -> Area:
    code = request.GET.get("area", "")
    area = get_object_or_404(areas_for(request.user), code=code) if code else request.user.area
    if area is None or area.level == Area.Level.GROUP:
        raise Http404("村民小组以下没有分解表。")
    return area


@login_required
def quota_table_view(request: HttpRequest, pk: int) -> HttpResponse:
    """The 分解表 of the user's area (or of an area inside it), on screen or as an A4 print page."""
    round = _round(pk)
    area = _table_area(request)
    table = quota_table(round, area)
    printing = request.GET.get("print") == "1"
    template = "identification/quota_table_print.html" if printing else "identification/quota_table.html"
    return render(
        request,
        template,
        {
            "round": round,
            "table": table,
            "trail": [a for a in area.ancestors() if request.user.area.contains(a)] + [area],
            "drill": not printing and area.level != Area.Level.VILLAGE,
        },
    )


@login_required
def quota_table_xlsx(request: HttpRequest, pk: int) -> HttpResponse:
    round = _round(pk)
    area = _table_area(request)
    buffer = io.BytesIO()
    write_quota_table(round, area, buffer)
    response = HttpResponse(buffer.getvalue(), content_type=XLSX)
    response["Content-Disposition"] = _attachment(filename(round, area))
    return response


def _attachment(name: str) -> str:
    from urllib.parse import quote

    return f"attachment; filename=\"quota-table.xlsx\"; filename*=UTF-8''{quote(name)}"
