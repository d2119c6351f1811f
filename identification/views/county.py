"""The county: progress, confirmation, the 公告, rounds and quotas."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from accounts.actions import attempt
from accounts.models import Role
from identification import forms, selectors, services
from identification import quota_import as quota_import_module
from identification.choices import PROGRAM_LABELS, ReferralStatus, State
from identification.models import Round
from identification.views._common import (
    CONFIRM_PAGE,
    PROGRAM_OF_ROLE,
    PROGRESS_STATES,
    _area,
    _query_without,
    _require_role,
    _round,
    _with_heads,
)
from villages.models import Area, county_code
from villages.selectors import areas_for

# --- 县: progress, confirmation, 公告, rounds and quotas -----------------------------------------------

QUOTA_ROLES = (Role.COUNTY_FUPIN, Role.TOWNSHIP_OFFICIAL)


@login_required
def county_progress(request: HttpRequest) -> HttpResponse:
    user = request.user
    if user.area is None or user.area.level != Area.Level.COUNTY:
        raise PermissionDenied("全县识别进度由县扶贫办、县民政局查看。")
    round = _round(request)
    townships = list(areas_for(user).filter(parent=user.area).order_by("code"))
    progress = selectors.progress_by_area(user, round, townships)
    quotas = selectors.quotas_of(round, townships)
    total = selectors.AreaProgress(states={})
    rows = []
    for t in townships:
        p, quota = progress[t.code], quotas.get(t.pk)
        rows.append(
            (
                t,
                p,
                quota,
                None if quota is None else quota - p.persons,
                [p.states.get(s, 0) for s in PROGRESS_STATES],
            )
        )
        for state, n in p.states.items():
            total.states[state] = total.states.get(state, 0) + n
        total.persons += p.persons
        total.open_objections += p.open_objections
    program = PROGRAM_OF_ROLE.get(user.role)
    return render(
        request,
        "identification/county_progress.html",
        {
            "round": round,
            "rows": rows,
            "total": total,
            "total_cells": [total.states.get(s, 0) for s in PROGRESS_STATES],
            "total_quota": sum(quotas.values()),
            "states": PROGRESS_STATES,
            "awaiting": selectors.awaiting_decision(user, round, program).count() if program else None,
            "program": PROGRAM_LABELS.get(program or ""),
        },
    )


@login_required
def county_confirm(request: HttpRequest) -> HttpResponse:
    """Bulk confirmation of the user's own program: nothing is ticked until the official ticks it, a reason
    typed on a ticked row rejects that row, and after any refusal exactly the ticked rows stay ticked."""
    program = PROGRAM_OF_ROLE.get(request.user.role)
    if program is None:
        raise PermissionDenied("县级认定由县扶贫办(扶贫)和县民政局(低保)分别办理。")
    round = _round(request)
    chosen: set[int] = set()
    typed: dict[int, str] = {}
    if request.method == "POST":
        chosen = {int(pk) for pk in request.POST.getlist("applications") if pk.isdigit()}
        typed = {
            int(name.removeprefix("reject_")): value.strip()
            for name, value in request.POST.items()
            if name.startswith("reject_") and name.removeprefix("reject_").isdigit()
        }
        rejections = {pk: typed[pk] for pk in chosen if typed.get(pk)}
        ok, outcome = attempt(
            request,
            lambda: services.county_confirm_bulk(
                round=round, actor=request.user, applications=sorted(chosen), rejections=rejections
            ),
        )
        if ok:
            messages.success(
                request,
                f"已作出{PROGRAM_LABELS[program]}认定 {len(chosen)} 户:其中不予认定 {len(rejections)} 户;"
                f"{len(outcome.confirmed)} 户已认定入册,{len(outcome.pending)} 户待另一部门认定。",
            )
            return redirect(request.get_full_path())
    applications = selectors.awaiting_decision(request.user, round, program)
    township = request.GET.get("area", "")
    if township:
        applications = applications.filter(household__group__code__startswith=township.rstrip("0"))
    covered, untrue = selectors.county_checked_ids(round, program)
    total = applications.count()
    rows = list(
        _with_heads(applications.select_related("household__group__parent")).order_by("household__number")[
            :CONFIRM_PAGE
        ]
    )

    def suggested(a) -> str:
        # Rows the county can only reject come with the reason the records give; the official may reword it.
        if a.pk in untrue:
            return "县级抽查发现情况不实"
        if not a.eligibility.get(program):
            return f"入户调查结论不符合{PROGRAM_LABELS[program]}条件"
        return ""

    return render(
        request,
        "identification/county_confirm.html",
        {
            "round": round,
            "program": PROGRAM_LABELS[program],
            "program_code": program,
            "rows": [
                (
                    a,
                    a.pk in covered,
                    a.pk in untrue,
                    a.eligibility.get(program),
                    a.pk in chosen,
                    typed.get(a.pk, suggested(a)),
                )
                for a in rows
            ],
            "ticked": len(chosen),
            "total": total,
            "limit": CONFIRM_PAGE,
            "townships": areas_for(request.user).filter(level=Area.Level.TOWNSHIP).order_by("code"),
            "area": township,
        },
    )


@login_required
def referrals(request: HttpRequest) -> HttpResponse:
    """低保转扶贫: 民政's confirmed 低保 households with labour, for 县扶贫办 to confirm as 扶贫对象 or decline."""
    if request.user.role not in (Role.COUNTY_FUPIN, Role.COUNTY_MINZHENG, Role.ADMIN):
        raise PermissionDenied("低保转扶贫由县扶贫办确认,县民政局可查看。")
    form = forms.ReferralDecisionForm(request.POST or None)
    if request.method == "POST":
        referral = get_object_or_404(
            selectors.referrals_for(request.user), pk=request.POST.get("referral", "0")
        )
        if form.is_valid():
            ok, _ = attempt(
                request,
                lambda: services.referral_decide(
                    referral=referral,
                    actor=request.user,
                    accept=form.cleaned_data["accept"],
                    note=form.cleaned_data["note"],
                ),
            )
            if ok:
                messages.success(
                    request, f"户 {referral.application.household.number}:{referral.get_status_display()}。"
                )
                return redirect(request.get_full_path())
        else:
            messages.error(request, "请选择确认结果;不予确认须填写理由。")
    status = request.GET.get("status", ReferralStatus.PENDING)
    rows = selectors.referrals_for(request.user)
    if status in ReferralStatus.values:
        rows = rows.filter(status=status)
    return render(
        request,
        "identification/referrals.html",
        {
            "round": _round(request),
            "referrals": rows[:500],
            "status": status,
            "statuses": ReferralStatus.choices,
            "can_decide": request.user.role == Role.COUNTY_FUPIN,
        },
    )


@login_required
def announcement(request: HttpRequest) -> HttpResponse:
    round = _round(request)
    applications = _with_heads(selectors.announcement(request.user, round))
    area, state = request.GET.get("area", ""), request.GET.get("state", "")
    if area:
        applications = applications.filter(household__group__code__startswith=area.rstrip("0"))
    if state in (State.CONFIRMED, State.REJECTED):
        applications = applications.filter(state=state)
    printing = request.GET.get("print") == "1"
    template = "identification/announcement_print.html" if printing else "identification/announcement.html"
    return render(
        request,
        template,
        {
            "round": round,
            "applications": applications if printing else applications[:1000],
            "area": area,
            "state": state,
            "townships": areas_for(request.user).filter(level=Area.Level.TOWNSHIP).order_by("code"),
            # The user's county: the 公告 is issued in its name (a database may hold several counties).
            "county": Area.objects.filter(
                level=Area.Level.COUNTY, code=county_code(request.user.area.code)
            ).first()
            if request.user.area
            else None,
            "can_announce": request.user.role in PROGRAM_OF_ROLE,
            "query": _query_without(request, "print"),
        },
    )


@login_required
def round_list(request: HttpRequest) -> HttpResponse:
    can_edit = request.user.role == Role.COUNTY_FUPIN
    form = forms.RoundForm(request.POST or None)
    if request.method == "POST":
        _require_role(request, [Role.COUNTY_FUPIN], "设立识别批次")
        if form.is_valid():
            ok, round = attempt(
                request, lambda: services.round_create(actor=request.user, **form.cleaned_data), form
            )
            if ok:
                messages.success(request, f"已设立识别批次“{round.name}”,请下达规模控制指标。")
                return redirect("identification:quotas", pk=round.pk)
    return render(
        request,
        "identification/round_list.html",
        {"rounds": selectors.rounds(), "form": form, "can_edit": can_edit},
    )


@login_required
@require_POST
def round_close(request: HttpRequest, pk: int) -> HttpResponse:
    round = get_object_or_404(selectors.rounds(), pk=pk)
    ok, _ = attempt(request, lambda: services.round_close(round=round, actor=request.user))
    if ok:
        messages.success(request, f"识别批次“{round.name}”已关闭,只能查看。")
    return redirect("identification:rounds")


@login_required
def quotas(request: HttpRequest, pk: int) -> HttpResponse:
    """规模控制 of one area's children (townships of the county, villages of a township, …)."""
    round = get_object_or_404(selectors.rounds(), pk=pk)
    parent = _quota_parent(request)
    if request.method == "POST" and "control_number" in request.POST:
        return _control_number(request, round, parent)
    form = forms.QuotaForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        area = _area(request, form.cleaned_data["area"])
        ok, _ = attempt(
            request,
            lambda: services.quota_set(
                round=round,
                area=area,
                persons=form.cleaned_data["persons"],
                actor=request.user,
                reason=form.cleaned_data["reason"],
            ),
        )
        if ok:
            messages.success(request, f"已下达“{area.name}”规模控制指标 {form.cleaned_data['persons']} 人。")
            return redirect(request.get_full_path())
    return _quotas_page(request, round, parent)


def _control_number(request: HttpRequest, round: Round, parent: Area) -> HttpResponse:
    """The 县控制指标, changed on the county's page; refused below what the townships hold."""
    form = forms.ControlNumberForm(request.POST)
    if form.is_valid():
        ok, _ = attempt(
            request,
            lambda: services.round_set_control_number(
                round=round,
                actor=request.user,
                control_number=form.cleaned_data["control_number"],
                reason=form.cleaned_data["reason"],
            ),
            form,
        )
        if ok:
            messages.success(request, f"县控制指标已设为 {form.cleaned_data['control_number']:,} 人。")
            return redirect(request.get_full_path())
    return _quotas_page(request, round, parent, control_form=form)


def _quota_parent(request: HttpRequest) -> Area:
    parent = _area(request, request.GET.get("area", "")) if request.GET.get("area") else request.user.area
    if parent is None:
        raise Http404
    return parent


def _quotas_page(
    request: HttpRequest, round: Round, parent: Area, import_form=None, import_errors=(), control_form=None
) -> HttpResponse:
    children = list(areas_for(request.user).filter(parent=parent).order_by("code"))
    used = selectors.quota_used_of(round, children)
    quota_by_area = selectors.quotas_of(round, children)
    # The county sets any figure; a township its villages' and groups' (its own page's children).
    can_edit = request.user.role in QUOTA_ROLES and not round.closed
    county_page = parent.level == Area.Level.COUNTY and request.user.role == Role.COUNTY_FUPIN
    return render(
        request,
        "identification/quotas.html",
        {
            "round": round,
            "parent": parent,
            "trail": [a for a in parent.ancestors() if request.user.area.contains(a)] + [parent],
            "rows": [(c, quota_by_area.get(c.pk), used[c.code]) for c in children],
            "children_total": sum(q for q in quota_by_area.values()),
            "control_form": control_form
            or (
                forms.ControlNumberForm(initial={"control_number": round.control_number})
                if county_page and not round.closed
                else None
            ),
            "parent_quota": selectors.quota_usage(round, parent)
            if parent.level != Area.Level.COUNTY
            else None,
            "can_edit": can_edit,
            "import_form": import_form or (forms.QuotaImportForm() if can_edit else None),
            "import_errors": import_errors,
        },
    )


@login_required
@require_POST
def quota_import(request: HttpRequest, pk: int) -> HttpResponse:
    """规模控制 from an .xlsx sheet: every row is checked first; one bad row and nothing is written."""
    _require_role(request, QUOTA_ROLES, "导入规模控制表")
    round = get_object_or_404(selectors.rounds(), pk=pk)
    parent = _quota_parent(request)
    form = forms.QuotaImportForm(request.POST, request.FILES)
    if not form.is_valid():
        return _quotas_page(request, round, parent, import_form=form)
    ok, result = attempt(
        request,
        lambda: quota_import_module.import_quotas(
            round=round, actor=request.user, file=form.cleaned_data["file"]
        ),
        form,
    )
    if not ok:
        return _quotas_page(request, round, parent, import_form=form)
    if result.errors:
        messages.error(request, f"规模控制表有 {len(result.errors)} 处错误,未导入任何指标,请改正后重新导入。")
        return _quotas_page(request, round, parent, import_form=form, import_errors=result.errors)
    messages.success(request, f"已从规模控制表导入 {result.count} 个区划的规模控制指标。")
    target = reverse("identification:quotas", args=[round.pk])
    if request.GET.get("area"):
        target += f"?area={parent.code}"
    return redirect(target)
