"""Pages of 帮扶. Thin: bind the form, fetch through the scoped selectors, call the service, redirect.

A 帮扶责任人 reaches only their households (accounts.scoping): anything else is a 404, like a missing page.
Writes refused by a service come back as a Chinese message on the same page, nothing written.
"""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from accounts.models import Role
from assistance import bulk_assign, forms, selectors, services
from assistance.models import Loan, Measure, Pairing, Visit
from households.privacy import can_see_personal_numbers, mask_phone
from villages.models import Area
from villages.selectors import areas_for


def _run(request: HttpRequest, call: Callable[[], object], success: str) -> bool:
    try:
        call()
    except services.AssistanceError as error:
        messages.error(request, str(error))
        return False
    messages.success(request, success)
    return True


def _form_errors(request: HttpRequest, form) -> None:
    for name, errors in form.errors.items():
        label = form.fields[name].label if name in form.fields else ""
        for error in errors:
            messages.error(request, f"{label}:{error}" if label else error)


@login_required
def index(request: HttpRequest) -> HttpResponse:
    user = request.user
    if user.role == Role.HELPER:
        return redirect("assistance:mine")
    if user.area is None:
        raise Http404("您的账号尚未分配区划。")
    if user.area.level == Area.Level.VILLAGE:
        return redirect("assistance:village", code=user.area.code)
    return redirect("reports:coverage")


# --- the helper's phone pages -------------------------------------------------------------------------


@login_required
def mine(request: HttpRequest) -> HttpResponse:
    helper = selectors.helper_of(request.user)
    if helper is None:
        raise Http404("您的账号没有对应的帮扶责任人。")
    return render(
        request,
        "assistance/mine.html",
        {
            "helper": helper,
            "households": list(selectors.my_households(request.user)),
            "today": timezone.localdate(),
        },
    )


def _household(request: HttpRequest, pk: int):
    household = selectors.household_for(request.user, pk)
    if household is None:
        raise Http404("没有该户,或不在您的帮扶或管辖范围内。")
    return household


@login_required
def household(request: HttpRequest, pk: int) -> HttpResponse:
    household = _household(request, pk)
    user = request.user
    info = selectors.household_assistance(household)
    can_assign = services.can(user, services.ASSIGNERS)
    can_record = services.can(user, services.RECORDERS)
    can_loan = services.can(user, services.LOAN_RECORDERS)
    year = timezone.localdate().year
    plan = info.current_plan
    context = {
        "household": household,
        "info": info,
        "reveal": can_see_personal_numbers(user),
        "helper_phone": (
            (
                info.pairing.helper.phone
                if can_see_personal_numbers(user)
                else mask_phone(info.pairing.helper.phone)
            )
            if info.pairing
            else ""
        ),
        "year": year,
        "can_assign": can_assign,
        "can_record": can_record,
        "can_loan": can_loan,
        "visit_form": forms.VisitForm() if can_record else None,
        "plan_form": forms.PlanForm(instance=plan, initial={"year": year, "target_year": year})
        if can_record
        else None,
        "measure_form": forms.MeasureForm(household=household, initial={"started_on": timezone.localdate()})
        if can_record and plan
        else None,
        "progress_statuses": forms.ProgressForm.base_fields["status"].choices,
        "pair_form": forms.PairForm(user=user) if can_assign else None,
        "unpair_form": forms.UnpairForm() if can_assign and info.pairing else None,
        "credit_form": forms.CreditForm(initial={"rated_on": timezone.localdate()}) if can_loan else None,
        "loan_form": forms.LoanForm(initial={"issued_on": timezone.localdate(), "term_months": 36})
        if can_loan
        else None,
        "loan_update_form": forms.LoanUpdateForm() if can_loan else None,
        "today": timezone.localdate(),
    }
    return render(request, "assistance/household.html", context)


def _back(pk: int, anchor: str = "") -> HttpResponse:
    return redirect(reverse("assistance:household", args=[pk]) + (f"#{anchor}" if anchor else ""))


@login_required
@require_POST
def visit_create(request: HttpRequest, pk: int) -> HttpResponse:
    household = _household(request, pk)
    form = forms.VisitForm(request.POST, request.FILES)
    if not form.is_valid():
        _form_errors(request, form)
        return _back(pk, "visit")
    data = form.cleaned_data
    _run(
        request,
        lambda: services.visit_log(
            actor=request.user,
            household=household,
            visited_on=data["visited_on"],
            content=data["content"],
            photo=data.get("photo"),
        ),
        "走访已登记。",
    )
    return redirect("assistance:mine") if request.user.role == Role.HELPER else _back(pk, "visits")


@login_required
def visit_photo(request: HttpRequest, pk: int) -> FileResponse:
    """A visit's photo, through the scope like the visit itself (media files are not public)."""
    visit = get_object_or_404(Visit.objects.visible_to(request.user).exclude(photo=""), pk=pk)
    return FileResponse(visit.photo.open("rb"))


@login_required
@require_POST
def measure_progress(request: HttpRequest, pk: int) -> HttpResponse:
    measure = get_object_or_404(Measure.objects.visible_to(request.user), pk=pk)
    form = forms.ProgressForm(request.POST)
    if form.is_valid():
        _run(
            request,
            lambda: services.measure_progress(actor=request.user, measure=measure, **form.cleaned_data),
            "措施进展已更新。",
        )
    else:
        _form_errors(request, form)
    return _back(measure.household_id, "measures")


@login_required
@require_POST
def plan_save(request: HttpRequest, pk: int) -> HttpResponse:
    household = _household(request, pk)
    form = forms.PlanForm(request.POST)
    if form.is_valid():
        _run(
            request,
            lambda: services.plan_save(actor=request.user, household=household, **form.cleaned_data),
            "帮扶计划已保存。",
        )
    else:
        _form_errors(request, form)
    return _back(pk, "plan")


@login_required
@require_POST
def measure_create(request: HttpRequest, pk: int) -> HttpResponse:
    household = _household(request, pk)
    plan = household.assistance_plans.filter(year=timezone.localdate().year).first()
    form = forms.MeasureForm(request.POST, household=household)
    if plan is None:
        messages.error(request, "请先制定本年度帮扶计划,再登记措施。")
    elif form.is_valid():
        _run(
            request,
            lambda: services.measure_add(actor=request.user, plan=plan, **form.cleaned_data),
            "措施已登记。",
        )
    else:
        _form_errors(request, form)
    return _back(pk, "measures")


@login_required
@require_POST
def pair(request: HttpRequest, pk: int) -> HttpResponse:
    household = _household(request, pk)
    form = forms.PairForm(request.POST, user=request.user)
    if form.is_valid():
        _run(
            request,
            lambda: services.pair(actor=request.user, household=household, **form.cleaned_data),
            "已安排帮扶责任人。",
        )
    else:
        _form_errors(request, form)
    return _back(pk, "pairing")


@login_required
@require_POST
def unpair(request: HttpRequest, pk: int) -> HttpResponse:
    pairing = get_object_or_404(Pairing.objects.visible_to(request.user), pk=pk)
    form = forms.UnpairForm(request.POST)
    if form.is_valid():
        _run(
            request,
            lambda: services.unpair(actor=request.user, pairing=pairing, **form.cleaned_data),
            "结对已解除。",
        )
    else:
        _form_errors(request, form)
    return _back(pairing.household_id, "pairing")


@login_required
@require_POST
def credit_create(request: HttpRequest, pk: int) -> HttpResponse:
    household = _household(request, pk)
    form = forms.CreditForm(request.POST)
    if form.is_valid():
        _run(
            request,
            lambda: services.credit_rate(actor=request.user, household=household, **form.cleaned_data),
            "评级授信已登记。",
        )
    else:
        _form_errors(request, form)
    return _back(pk, "loans")


@login_required
@require_POST
def loan_create(request: HttpRequest, pk: int) -> HttpResponse:
    household = _household(request, pk)
    form = forms.LoanForm(request.POST)
    if form.is_valid():
        _run(
            request,
            lambda: services.loan_issue(actor=request.user, household=household, **form.cleaned_data),
            "贷款已登记。",
        )
    else:
        _form_errors(request, form)
    return _back(pk, "loans")


@login_required
@require_POST
def loan_update(request: HttpRequest, pk: int) -> HttpResponse:
    loan = get_object_or_404(Loan.objects.visible_to(request.user), pk=pk)
    form = forms.LoanUpdateForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        _run(
            request,
            lambda: services.loan_update(
                actor=request.user,
                loan=loan,
                status=data["status"],
                on=data["on"],
                months=data["months"] or 0,
            ),
            "贷款状态已更新。",
        )
    else:
        _form_errors(request, form)
    return _back(loan.household_id, "loans")


# --- helpers (township and county) -----------------------------------------------------------------------


def _require_area_user(request: HttpRequest) -> Area:
    if request.user.area is None:
        raise Http404("您的账号尚未分配区划。")
    return request.user.area


@login_required
def helpers(request: HttpRequest) -> HttpResponse:
    area = _require_area_user(request)
    user = request.user
    can_assign = services.can(user, services.ASSIGNERS)
    helper_form = forms.HelperForm(user=user)
    unit_form = forms.UnitForm()
    if request.method == "POST" and can_assign:
        if request.POST.get("action") == "helper":
            helper_form = forms.HelperForm(request.POST, user=user)
            if helper_form.is_valid() and _run(
                request,
                lambda: services.helper_create(actor=user, area=area, **helper_form.cleaned_data),
                "帮扶责任人已登记。",
            ):
                return redirect("assistance:helpers")
        else:
            unit_form = forms.UnitForm(request.POST)
            if unit_form.is_valid() and _run(
                request,
                lambda: services.unit_create(actor=user, area=area, **unit_form.cleaned_data),
                "帮扶单位已登记。",
            ):
                return redirect("assistance:helpers")
    limit = services.settings_for(area.code).helper_limit
    rows = list(selectors.helpers_for(user))
    reveal = can_see_personal_numbers(user)
    return render(
        request,
        "assistance/helpers.html",
        {
            "area": area,
            "helpers": rows,
            "limit": limit,
            "phones": {h.pk: h.phone if reveal else mask_phone(h.phone) for h in rows},
            "can_assign": can_assign,
            "helper_form": helper_form,
            "unit_form": unit_form,
        },
    )


@login_required
def helper(request: HttpRequest, pk: int) -> HttpResponse:
    _require_area_user(request)
    found = get_object_or_404(selectors.helpers_for(request.user), pk=pk)
    can_assign = services.can(request.user, services.ASSIGNERS)
    account_form = forms.HelperAccountForm() if can_assign and found.user_id is None else None
    if request.method == "POST" and account_form is not None:
        account_form = forms.HelperAccountForm(request.POST)
        if account_form.is_valid() and _run(
            request,
            lambda: services.helper_account_create(
                actor=request.user, helper=found, **account_form.cleaned_data
            ),
            "登录账号已开通。",
        ):
            return redirect("assistance:helper", pk=pk)
    pairings = (
        Pairing.objects.visible_to(request.user)
        .filter(helper=found)
        .select_related("household__group__parent")
        .order_by("ended_on", "-started_on")
    )
    return render(
        request,
        "assistance/helper.html",
        {
            "helper": found,
            "account_form": account_form,
            "pairings": pairings,
            "limit": services.settings_for(found.area.code).helper_limit,
            "phone": found.phone if can_see_personal_numbers(request.user) else mask_phone(found.phone),
        },
    )


@login_required
def bulk_assign_view(request: HttpRequest) -> HttpResponse:
    _require_area_user(request)
    if not services.can(request.user, services.ASSIGNERS):
        raise Http404("您的角色不能安排帮扶责任人。")
    form = forms.BulkAssignForm()
    result = None
    if request.method == "POST":
        form = forms.BulkAssignForm(request.POST, request.FILES)
        if form.is_valid():
            result = bulk_assign.assign_from_sheet(actor=request.user, file=form.cleaned_data["file"])
            if not result.errors:
                messages.success(request, f"已按结对表安排 {result.count} 户的帮扶责任人。")
                return redirect("assistance:helpers")
    return render(request, "assistance/bulk_assign.html", {"form": form, "result": result})


# --- villages: work team and the "五个一" ------------------------------------------------------------------


@login_required
def village(request: HttpRequest, code: str) -> HttpResponse:
    area = get_object_or_404(
        areas_for(request.user).select_related("profile"), code=code, level=Area.Level.VILLAGE
    )
    user = request.user
    work = selectors.village_work(area)
    can_assign = services.can(user, services.ASSIGNERS)
    can_record = services.can(user, services.TEAM_RECORDERS)
    if request.method == "POST":
        action = request.POST.get("action", "")
        handlers = {
            "team": (
                can_assign,
                lambda: forms.TeamForm(request.POST, user=user),
                lambda d: services.team_create(actor=user, village=area, **d),
                "工作队已登记。",
            ),
            "member": (
                can_assign and work.team,
                lambda: forms.TeamMemberForm(request.POST, user=user),
                lambda d: services.team_member_add(actor=user, team=work.team, **d),
                "队员已登记。",
            ),
            "attendance": (
                can_record and work.team,
                lambda: forms.AttendanceForm(request.POST, team=work.team),
                lambda d: services.attendance_record(actor=user, **d),
                "考勤已登记。",
            ),
            "record": (
                can_record and work.team,
                lambda: forms.TeamRecordForm(request.POST, team=work.team),
                lambda d: services.team_record_add(actor=user, team=work.team, **d),
                "记录已登记。",
            ),
            "end": (
                can_assign and work.team,
                lambda: forms.TeamEndForm(request.POST),
                lambda d: services.team_end(actor=user, team=work.team, **d),
                "已登记工作队撤离。",
            ),
            "leave": (
                can_assign and work.team,
                lambda: forms.MemberLeaveForm(request.POST, team=work.team),
                lambda d: services.team_member_leave(actor=user, **d),
                "已登记队员离开。",
            ),
            "contacts": (
                can_assign,
                lambda: forms.VillageContactsForm(request.POST, user=user),
                lambda d: services.village_contacts_save(actor=user, village=area, **d),
                "帮扶力量已保存。",
            ),
        }
        if action not in handlers or not handlers[action][0]:
            raise Http404("没有该操作。")
        _allowed, make, call, success = handlers[action]
        form = make()
        if form.is_valid():
            _run(request, lambda: call(form.cleaned_data), success)
        else:
            _form_errors(request, form)
        return redirect("assistance:village", code=code)
    team = work.team
    return render(
        request,
        "assistance/village.html",
        {
            "area": area,
            "work": work,
            "records": list(team.records.select_related("member")[:20]) if team else [],
            "can_assign": can_assign,
            "can_record": can_record,
            "team_form": forms.TeamForm(user=user) if can_assign and team is None else None,
            "member_form": forms.TeamMemberForm(user=user) if can_assign and team else None,
            "leave_form": forms.MemberLeaveForm(team=team) if can_assign and team else None,
            "end_form": forms.TeamEndForm() if can_assign and team else None,
            "attendance_form": forms.AttendanceForm(team=team) if can_record and team else None,
            "record_form": forms.TeamRecordForm(team=team) if can_record and team else None,
            "contacts_form": forms.VillageContactsForm(instance=work.contacts, user=user)
            if can_assign
            else None,
        },
    )


# --- the 整改清单 and the county's settings ------------------------------------------------------------------


@login_required
def settings_view(request: HttpRequest) -> HttpResponse:
    area = _require_area_user(request)
    if area.level != Area.Level.COUNTY or not services.can(request.user, services.COUNTY_SETTERS):
        raise Http404("只有县扶贫办可以修改帮扶设置。")
    current = selectors.settings_of(area)
    form = forms.SettingsForm(instance=current)
    if request.method == "POST":
        form = forms.SettingsForm(request.POST, instance=current)
        if form.is_valid() and _run(
            request,
            lambda: services.settings_save(actor=request.user, county=area, **form.cleaned_data),
            "帮扶设置已保存。",
        ):
            return redirect("assistance:settings")
    return render(request, "assistance/settings.html", {"form": form, "area": area})
