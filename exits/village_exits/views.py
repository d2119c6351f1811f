"""Screens of 贫困村退出: the report and queue of an area's 贫困村 (everyone with an area, of their own
area), the county's standard, and the moves (乡镇申报 and 公示, 县审批), each refused with 403 to the
wrong role and 404 outside the user's area."""

from __future__ import annotations

import io
from urllib.parse import quote

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from accounts import audit, clock
from accounts.actions import attempt
from accounts.models import Role
from exits.models import VillageExit
from exits.village_exits import services
from exits.village_exits.forms import DecideForm, ProposeForm, PublishForm, StandardForm
from exits.village_exits.report import exit_report, write_report
from identification.poor_villages.indicators import BY_CODE
from notices.selectors import entries_of
from villages.models import Area

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _require_area(request: HttpRequest) -> Area:
    if request.user.area is None:
        raise PermissionDenied("贫困村退出按行政区划办理,您的账号没有所属区划。")
    return request.user.area


def _exit(request: HttpRequest, pk: int) -> VillageExit:
    _require_area(request)
    return get_object_or_404(
        VillageExit.objects.visible_to(request.user).select_related(
            "village__parent", "proposed_by", "decided_by"
        ),
        pk=pk,
    )


@login_required
def village_exits(request: HttpRequest) -> HttpResponse:
    area = _require_area(request)
    report = exit_report(area)
    township = area if area.level == Area.Level.TOWNSHIP else None
    proposed = [
        line.open_exit for line in report.under_way if line.open_exit.state == VillageExit.State.PROPOSED
    ]
    is_township = request.user.role == Role.TOWNSHIP_OFFICIAL and township is not None
    return render(
        request,
        "exits/village_exits.html",
        {
            "report": report,
            "area": area,
            "can_propose": is_township,
            "proposed": proposed,
            "publish_form": PublishForm(initial=PublishForm.initial_for(township, clock.today()))
            if is_township
            else None,
            "can_decide": request.user.role == Role.COUNTY_FUPIN,
            "standard": services.standard_for(services.county_of(area)),
            "standard_labels": _standard_labels(area),
        },
    )


def _standard_labels(area: Area) -> list[str]:
    standard = services.standard_for(services.county_of(area))
    labels = [f"贫困发生率低于 {standard.threshold:.2f}%"]
    labels += [BY_CODE[code].label for code in standard.facilities]
    if standard.min_collective_income is not None:
        labels.append(f"村集体经济收入不低于 {standard.min_collective_income:,.2f} 元")
    if standard.min_net_income is not None:
        labels.append(f"农民人均纯收入不低于 {standard.min_net_income:,.2f} 元")
    return labels


@login_required
def standard_view(request: HttpRequest) -> HttpResponse:
    area = _require_area(request)
    if area.level != Area.Level.COUNTY:
        raise PermissionDenied("贫困村退出标准由县扶贫办设定;乡镇和行政村在“贫困村退出”中看到它。")
    standard = services.standard_for(area)
    form = StandardForm(
        request.POST or None,
        initial={
            "threshold": standard.threshold,
            "facilities": standard.facilities,
            "min_collective_income": standard.min_collective_income,
            "min_net_income": standard.min_net_income,
        },
    )
    can_edit = request.user.role == Role.COUNTY_FUPIN
    if request.method == "POST":
        if not can_edit:
            raise PermissionDenied("贫困村退出标准只能由县扶贫办设定。")
        if form.is_valid():
            ok, _ = attempt(
                request, lambda: services.standard_save(actor=request.user, **form.cleaned_data), form
            )
            if ok:
                messages.success(request, "已保存贫困村退出标准。")
                return redirect("exits:village_exits")
    return render(
        request,
        "exits/village_exit_standard.html",
        {"form": form, "can_edit": can_edit, "labels": _standard_labels(area)},
    )


@login_required
@require_POST
def propose(request: HttpRequest, code: str) -> HttpResponse:
    _require_area(request)
    village = get_object_or_404(
        Area.objects.visible_to(request.user).filter(level=Area.Level.VILLAGE), code=code
    )
    if request.user.role != Role.TOWNSHIP_OFFICIAL:
        raise PermissionDenied("贫困村退出由乡镇审核员申报。")
    form = ProposeForm(request.POST)
    note = form.cleaned_data["note"] if form.is_valid() else ""
    ok, exit = attempt(
        request,
        lambda: services.exit_propose(
            actor=request.user, village=village, year=clock.today().year, note=note
        ),
    )
    if ok:
        messages.success(request, f"已申报“{village.name}”退出,请发布乡镇公示。")
    return redirect("exits:village_exits")


@login_required
@require_POST
def publish(request: HttpRequest) -> HttpResponse:
    township = _require_area(request)
    if request.user.role != Role.TOWNSHIP_OFFICIAL or township.level != Area.Level.TOWNSHIP:
        raise PermissionDenied("贫困村退出公示由乡镇审核员发布。")
    form = PublishForm(request.POST)
    ids = [int(v) for v in request.POST.getlist("exit") if v.isdigit()]
    chosen = list(VillageExit.objects.visible_to(request.user).filter(pk__in=ids))
    if len(chosen) != len(ids):
        from django.http import Http404

        raise Http404("所选退出申报不存在,或不在您的管辖区域内。")
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect("exits:village_exits")
    d = form.cleaned_data
    ok, notice = attempt(
        request,
        lambda: services.exits_publish(
            actor=request.user,
            township=township,
            exits=chosen,
            starts_on=d["starts_on"],
            ends_on=d["ends_on"],
            issuing_body=d["issuing_body"],
            complaint_phone=d["complaint_phone"],
        ),
    )
    if ok:
        messages.success(request, f"已发布贫困村退出公示,共 {len(chosen)} 个村。")
        return redirect("notices:notice", pk=notice.pk)
    return redirect("exits:village_exits")


@login_required
def exit_detail(request: HttpRequest, pk: int) -> HttpResponse:
    exit = _exit(request, pk)
    return render(
        request,
        "exits/village_exit_detail.html",
        {
            "exit": exit,
            "form": DecideForm(),
            "can_decide": request.user.role == Role.COUNTY_FUPIN
            and exit.state == VillageExit.State.PUBLICIZED,
            "entries": entries_of(exit),
            "events": [(e, audit.label(e.event_type)) for e in audit.events_for(exit)],
        },
    )


@login_required
@require_POST
def decide(request: HttpRequest, pk: int) -> HttpResponse:
    exit = _exit(request, pk)
    if request.user.role != Role.COUNTY_FUPIN:
        raise PermissionDenied("贫困村退出由县扶贫办审批。")
    form = DecideForm(request.POST)
    if not form.is_valid():
        messages.error(request, "请选择审批结果。")
        return redirect("exits:village_exit", pk=exit.pk)
    approve = form.cleaned_data["decision"] == "approve"
    ok, _ = attempt(
        request,
        lambda: services.exit_decide(
            actor=request.user, exit=exit, approve=approve, note=form.cleaned_data["note"]
        ),
    )
    if ok:
        messages.success(request, f"“{exit.village.name}”{'已批准退出' if approve else '不予退出'}。")
    return redirect("exits:village_exit", pk=exit.pk)


@login_required
def report_xlsx(request: HttpRequest) -> HttpResponse:
    area = _require_area(request)
    report = exit_report(area)
    buffer = io.BytesIO()
    write_report(report, buffer)
    response = HttpResponse(buffer.getvalue(), content_type=XLSX)
    name = f"{area.name}贫困村退出情况{report.year}.xlsx"
    response["Content-Disposition"] = (
        f"attachment; filename=\"village-exits.xlsx\"; filename*=UTF-8''{quote(name)}"
    )
    return response
