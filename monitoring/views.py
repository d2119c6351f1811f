"""Pages of 防返贫监测. Thin: scoped fetch → form → service (through accounts.actions.attempt) → redirect;
a refused or invalid form is shown again with what was typed.

Township: the warning queue and each warning's 核实 and decision. Village: 突发 events, the referred
household's application, 风险消除 核实/评议/公示. County: runs, settings, 审批 and 公告.
"""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from accounts import audit, clock
from accounts.actions import attempt
from accounts.models import Role
from config.queue import QueueUnavailable
from households.selectors import households_for
from identification import forms as identification_forms
from identification import selectors as identification_selectors
from identification.rules import DIRECT_ENTRY, EXCLUSIONS
from monitoring import forms, selectors, services
from monitoring.choices import OPEN_WARNING_STATUSES, MonitoredState, WarningStatus
from monitoring.models import MonitoredHousehold, Warning
from villages.models import Area
from villages.selectors import areas_for


@login_required
def index(request: HttpRequest) -> HttpResponse:
    role = request.user.role
    if role == Role.TOWNSHIP_OFFICIAL:
        return redirect("monitoring:warnings")
    if role in selectors.COUNTY_READERS:
        return redirect("monitoring:runs")
    return redirect("monitoring:monitored")


# --- the township's queue and a warning -----------------------------------------------------------------


@login_required
def warnings(request: HttpRequest) -> HttpResponse:
    villages = areas_for(request.user).filter(level=Area.Level.VILLAGE).order_by("code")
    form = forms.WarningFilterForm(request.GET or None, villages=villages, initial={"status": "open"})
    rows = selectors.warnings_for(request.user).select_related("household__group")
    status = "open"
    if form.is_valid():
        d = form.cleaned_data
        status = d["status"]
        if d["trigger"]:
            rows = rows.filter(trigger=d["trigger"])
        if d["village"]:
            rows = rows.filter(area_code__startswith=d["village"])
    rows = (
        rows.filter(status__in=OPEN_WARNING_STATUSES)
        if status == "open"
        else rows.filter(status=status)
        if status
        else rows
    )
    rows = list(rows.order_by("-raised_at", "-id")[:500])
    return render(
        request,
        "monitoring/warnings.html",
        {"form": form, "rows": rows, "heads": selectors.heads(w.household_id for w in rows)},
    )


def _warning(request: HttpRequest, pk: int) -> Warning:
    return get_object_or_404(selectors.warnings_for(request.user).select_related("household__group"), pk=pk)


def _warning_page(request, warning, *, verify_form=None, decide_form=None, status=200) -> HttpResponse:
    user = request.user
    township = user.role == Role.TOWNSHIP_OFFICIAL
    return render(
        request,
        "monitoring/warning.html",
        {
            "warning": warning,
            "head": selectors.heads([warning.household_id]).get(warning.household_id, ""),
            "verify_form": verify_form
            or (forms.VerifyForm(initial={"visited_on": clock.today()}) if township else None),
            "decide_form": decide_form or (forms.DecideForm() if township else None),
            "can_apply": warning.status == WarningStatus.REFERRED and user.role == Role.VILLAGE_CADRE,
            "events": selectors.events_for(user).filter(household=warning.household)[:20],
            "others": selectors.warnings_for(user)
            .filter(household=warning.household)
            .exclude(pk=warning.pk)[:20],
            "monitored": selectors.monitored_for(user).filter(household=warning.household).first(),
            "trail": audit.events_for(warning),
        },
        status=status,
    )


@login_required
def warning_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _warning_page(request, _warning(request, pk))


@login_required
@require_POST
def warning_verify(request: HttpRequest, pk: int) -> HttpResponse:
    warning = _warning(request, pk)
    form = forms.VerifyForm(request.POST)
    if form.is_valid():
        ok, _ = attempt(
            request,
            lambda: services.warning_verify(warning=warning, actor=request.user, **form.cleaned_data),
            form,
        )
        if ok:
            messages.success(request, "已登记入户核实情况,请作出处理决定。")
            return redirect("monitoring:warning", pk=pk)
    return _warning_page(request, warning, verify_form=form)


@login_required
@require_POST
def warning_decide(request: HttpRequest, pk: int) -> HttpResponse:
    warning = _warning(request, pk)
    form = forms.DecideForm(request.POST)
    if form.is_valid():
        d = form.cleaned_data
        calls = {
            WarningStatus.DISMISSED: lambda: services.warning_dismiss(
                warning=warning, actor=request.user, reason=d["reason"]
            ),
            WarningStatus.MONITORED: lambda: services.warning_monitor(
                warning=warning, actor=request.user, reason=d["reason"], kind=d["kind"]
            ),
            WarningStatus.REFERRED: lambda: services.warning_refer(
                warning=warning, actor=request.user, reason=d["reason"]
            ),
        }
        ok, result = attempt(request, calls[d["decision"]], form)
        if ok:
            messages.success(request, f"已处理:{WarningStatus(d['decision']).label}。")
            if isinstance(result, MonitoredHousehold):
                return redirect("monitoring:monitored_detail", pk=result.pk)
            return redirect("monitoring:warning", pk=pk)
    return _warning_page(request, warning, decide_form=form)


@login_required
def warning_apply(request: HttpRequest, pk: int) -> HttpResponse:
    """The village files the referred household's application into the round (identification's form)."""
    warning = _warning(request, pk)
    if request.user.role != Role.VILLAGE_CADRE:
        raise PermissionDenied("转入识别的申报由村级录入员录入。")
    if warning.status != WarningStatus.REFERRED:
        messages.error(request, f"该预警当前为“{warning.get_status_display()}”,乡镇决定转入识别后才能申报。")
        return redirect("monitoring:warning", pk=pk)
    round = identification_selectors.current_round()
    if round is None or round.closed:
        raise Http404("县扶贫办尚未设立开放的识别批次。")
    households = households_for(request.user).filter(pk=warning.household_id)
    data = (request.POST, request.FILES) if request.method == "POST" else ()
    form = identification_forms.ApplicationForm(*data, households=households, initial={
        "household": warning.household_id, "origin": "nominated",
        "nomination_reason": f"防返贫监测预警:{warning.reason}", "programs": "fupin",
    })  # fmt: skip
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        application = {
            "wants_fupin": d["wants_fupin"], "wants_dibao": d["wants_dibao"], "origin": d["origin"],
            "declared": form.answers(), "applied_on": d.get("applied_on"),
            "application_scan": d.get("application_scan"), "nomination_reason": d.get("nomination_reason", ""),
        }  # fmt: skip
        ok, _ = attempt(
            request,
            lambda: services.warning_apply(
                warning=warning, actor=request.user, round=round, application=application
            ),
            form,
        )
        if ok:
            messages.success(request, f"已申报:户 {warning.household.number} 进入“{round.name}”识别程序。")
            return redirect("monitoring:warning", pk=pk)
    return render(
        request,
        "monitoring/apply.html",
        {"warning": warning, "round": round, "form": form,
         "direct": form.condition_fields(DIRECT_ENTRY), "exclusions": form.condition_fields(EXCLUSIONS)},
    )  # fmt: skip


# --- 突发 events ----------------------------------------------------------------------------------------


@login_required
def event_create(request: HttpRequest, pk: int) -> HttpResponse:
    household = get_object_or_404(households_for(request.user).select_related("group"), pk=pk)
    form = forms.EventForm(request.POST or None, initial={"occurred_on": clock.today()})
    if request.method == "POST" and form.is_valid():
        ok, _ = attempt(
            request,
            lambda: services.event_record(household=household, actor=request.user, **form.cleaned_data),
            form,
        )
        if ok:
            raised = (
                selectors.warnings_for(request.user)
                .filter(household=household, status=WarningStatus.PENDING)
                .count()
            )
            messages.success(request, f"已登记突发严重困难。该户待核实预警 {raised} 条,已进入乡镇预警队列。")
            return redirect("monitoring:events")
    return render(
        request,
        "monitoring/event_form.html",
        {
            "household": household,
            "form": form,
            "events": selectors.events_for(request.user).filter(household=household),
        },
    )


@login_required
def events(request: HttpRequest) -> HttpResponse:
    number = request.GET.get("number", "").strip()[:30]
    if number:
        household = households_for(request.user).filter(number=number).first()
        if household is not None:
            return redirect("monitoring:event_create", pk=household.pk)
    rows = list(selectors.events_for(request.user).select_related("household__group")[:300])
    return render(request, "monitoring/events.html", {"rows": rows, "number": number})


# --- 监测对象 and 风险消除 ----------------------------------------------------------------------------------


@login_required
def monitored(request: HttpRequest) -> HttpResponse:
    rows = selectors.monitored_for(request.user)
    state = request.GET.get("state", "open")
    if state == "open":
        rows = rows.exclude(state=MonitoredState.CLEARED)
    elif state in MonitoredState.values:
        rows = rows.filter(state=state)
    rows = list(rows[:500])
    user = request.user
    villages = []
    if user.role in (Role.VILLAGE_CADRE, Role.TOWNSHIP_OFFICIAL):
        villages = list(areas_for(user).filter(level=Area.Level.VILLAGE).order_by("code"))
    return render(
        request,
        "monitoring/monitored.html",
        {"rows": rows, "state": state, "states": MonitoredState.choices, "villages": villages,
         "heads": selectors.heads(m.household_id for m in rows), "is_county": user.role == Role.COUNTY_FUPIN},
    )  # fmt: skip


def _monitored(request: HttpRequest, pk: int) -> MonitoredHousehold:
    return get_object_or_404(selectors.monitored_for(request.user), pk=pk)


def _monitored_page(request, item, *, verify_form=None, review_form=None, approve_form=None) -> HttpResponse:
    return render(
        request,
        "monitoring/monitored_detail.html",
        {
            "item": item,
            "head": selectors.heads([item.household_id]).get(item.household_id, ""),
            "verify_form": verify_form or forms.VerifyForm(initial={"visited_on": clock.today()}),
            "review_form": review_form or forms.ReviewForm(initial={"held_on": clock.today()}),
            "approve_form": approve_form or forms.ApproveForm(),
            "warnings": selectors.warnings_for(request.user).filter(household=item.household),
            "measures": item.plan.measures.all() if item.plan else [],
            "trail": audit.events_for(item),
            "role": request.user.role,
        },
    )


@login_required
def monitored_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _monitored_page(request, _monitored(request, pk))


@login_required
@require_POST
def monitored_verify(request: HttpRequest, pk: int) -> HttpResponse:
    item = _monitored(request, pk)
    form = forms.VerifyForm(request.POST)
    if form.is_valid():
        ok, _ = attempt(
            request,
            lambda: services.risk_verify(monitored=item, actor=request.user, **form.cleaned_data),
            form,
        )
        if ok:
            messages.success(request, "已登记风险消除核实,请组织村民代表评议。")
            return redirect("monitoring:monitored_detail", pk=pk)
    return _monitored_page(request, item, verify_form=form)


@login_required
@require_POST
def monitored_review(request: HttpRequest, pk: int) -> HttpResponse:
    item = _monitored(request, pk)
    form = forms.ReviewForm(request.POST)
    if form.is_valid():
        ok, result = attempt(
            request,
            lambda: services.risk_review(monitored=item, actor=request.user, **form.cleaned_data),
            form,
        )
        if ok:
            messages.success(request, f"已登记评议:{result.get_state_display()}。")
            return redirect("monitoring:monitored_detail", pk=pk)
    return _monitored_page(request, item, review_form=form)


@login_required
@require_POST
def monitored_approve(request: HttpRequest, pk: int) -> HttpResponse:
    item = _monitored(request, pk)
    form = forms.ApproveForm(request.POST)
    if form.is_valid():
        d = form.cleaned_data
        ok, result = attempt(
            request,
            lambda: services.risk_approve(
                monitored=item, actor=request.user, approve=d["approve"], reason=d["reason"]
            ),
            form,
        )
        if ok:
            messages.success(request, f"已审批:{result.get_state_display()}。")
            return redirect("monitoring:monitored_detail", pk=pk)
    return _monitored_page(request, item, approve_form=form)


@login_required
def risk_notice(request: HttpRequest, code: str) -> HttpResponse:
    """村 风险消除公示: the village's 评议-passed 监测对象, published through the shared notices component."""
    village = get_object_or_404(areas_for(request.user), code=code, level=Area.Level.VILLAGE)
    if request.user.role not in (Role.VILLAGE_CADRE, Role.TOWNSHIP_OFFICIAL):
        raise PermissionDenied("风险消除公示由村级录入员或乡镇审核员发布。")
    candidates = services.publishable(village, request.user)
    today = clock.today()
    form = forms.NoticeForm(request.POST or None, initial={
        "starts_on": today, "ends_on": today + datetime.timedelta(days=7),
        "issuing_body": f"{village.name}村民委员会",
    })  # fmt: skip
    if request.method == "POST" and form.is_valid():
        chosen = [m for m in candidates if str(m.pk) in request.POST.getlist("monitored")]
        ok, notice = attempt(
            request,
            lambda: services.risk_notice_publish(
                village=village, actor=request.user, monitored=chosen, **form.cleaned_data
            ),
            form,
        )
        if ok:
            messages.success(request, f"已发布风险消除公示,共 {len(chosen)} 户。")
            return redirect("notices:notice", pk=notice.pk)
    return render(
        request,
        "monitoring/risk_notice.html",
        {"village": village, "form": form, "candidates": candidates,
         "heads": selectors.heads(m.household_id for m in candidates),
         "chosen": set(request.POST.getlist("monitored"))},
    )  # fmt: skip


@login_required
def announcement(request: HttpRequest) -> HttpResponse:
    """县 公告 of the approved 风险消除."""
    if request.user.role not in selectors.COUNTY_READERS:
        raise PermissionDenied("风险消除公告由县扶贫办发布。")
    approved = list(selectors.monitored_for(request.user).filter(state=MonitoredState.CLEAR_APPROVED))
    if request.method == "POST":
        if request.user.role != Role.COUNTY_FUPIN:
            raise PermissionDenied("风险消除公告由县扶贫办发布。")
        chosen = [m for m in approved if str(m.pk) in request.POST.getlist("monitored")]
        ok, done = attempt(request, lambda: services.risk_announce(monitored=chosen, actor=request.user))
        if ok:
            messages.success(request, f"已公告风险消除 {len(done)} 户,解除监测。")
            return redirect("monitoring:announcement")
    announced = list(
        selectors.monitored_for(request.user)
        .filter(state=MonitoredState.CLEARED)
        .order_by("-announced_on")[:200]
    )
    return render(
        request,
        "monitoring/announcement.html",
        {"approved": approved, "announced": announced,
         "heads": selectors.heads([m.household_id for m in approved + announced]),
         "can_announce": request.user.role == Role.COUNTY_FUPIN},
    )  # fmt: skip


# --- runs and settings (county) ------------------------------------------------------------------------


def _county_only(request: HttpRequest) -> None:
    if request.user.role not in selectors.COUNTY_READERS:
        raise PermissionDenied("监测运行记录由县级查看。")


@login_required
def runs(request: HttpRequest) -> HttpResponse:
    _county_only(request)
    if request.method == "POST":
        try:
            ok, run = attempt(request, lambda: services.run_create(actor=request.user))
        except QueueUnavailable as error:
            messages.error(request, error.message)
            return redirect("monitoring:runs")
        if ok:
            messages.success(request, "已启动监测运行。")
            return redirect("monitoring:run", pk=run.pk)
    rows = selectors.runs_for(request.user)[:100]
    return render(
        request,
        "monitoring/runs.html",
        {"rows": rows, "can_start": request.user.role in services.runs.RUN_STARTERS},
    )


@login_required
def run_detail(request: HttpRequest, pk: int) -> HttpResponse:
    _county_only(request)
    run = get_object_or_404(selectors.runs_for(request.user), pk=pk)
    template = "monitoring/partials/run.html" if request.headers.get("HX-Request") else "monitoring/run.html"
    return render(request, template, {"run": run})


@login_required
def settings_page(request: HttpRequest) -> HttpResponse:
    _county_only(request)
    current = services.settings_for(request.user.area)
    form = forms.SettingsForm(request.POST or None, initial={
        "line_factor": current.line_factor, "drop_share": current.drop_share, "medical_share": current.medical_share,
    })  # fmt: skip
    if request.method == "POST" and form.is_valid():
        ok, _ = attempt(
            request, lambda: services.settings_save(actor=request.user, **form.cleaned_data), form
        )
        if ok:
            messages.success(request, "已保存监测设置,下次监测运行起生效。")
            return redirect("monitoring:settings")
    return render(request, "monitoring/settings.html", {"form": form, "current": current})
