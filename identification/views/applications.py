"""Applications: the work queues, 申报, the application page and its moves, 入户调查."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from accounts.actions import attempt
from accounts.audit import events_for
from accounts.models import Role
from households.choices import Relation
from households.selectors import households_for
from identification import forms, selectors, services
from identification.choices import PROGRAM_LABELS, NoticeLevel, State
from identification.models import Application
from identification.rules import DIRECT_ENTRY, EXCLUSIONS
from identification.transitions import next_states
from identification.views._common import (
    COUNTY_ROLES,
    PAGE_SIZE,
    PROGRAM_OF_ROLE,
    _application,
    _query_without,
    _require_role,
    _round,
    _state_label,
    _with_heads,
    _with_household_heads,
)
from notices.models import Notice, Objection
from notices.selectors import entries_of
from villages.selectors import areas_for

# --- home of 贫困识别 -------------------------------------------------------------------------------


@login_required
def index(request: HttpRequest) -> HttpResponse:
    """Each role's queue: the village its applications, the township its villages, the county its townships."""
    role = request.user.role
    if role == Role.VILLAGE_CADRE:
        return redirect("identification:applications")
    if role == Role.TOWNSHIP_OFFICIAL:
        return redirect("identification:township_queue")
    if role in COUNTY_ROLES:
        if selectors.current_round() is None:
            return redirect("identification:rounds")
        return redirect("identification:county_progress")
    raise PermissionDenied("您的账号尚未分配角色,请联系县系统管理员。")


# --- applications -----------------------------------------------------------------------------------


@login_required
def application_list(request: HttpRequest) -> HttpResponse:
    round = _round(request)
    filters = forms.ApplicationFilterForm(request.GET)
    if not filters.is_valid():
        raise Http404("筛选条件有误。")
    applications = filters.filter(selectors.applications_for(request.user).filter(round=round))
    counts = selectors.state_counts(request.user, round)
    page = Paginator(
        _with_heads(applications.select_related("household__group__parent")).order_by("household__number"),
        PAGE_SIZE,
    ).get_page(request.GET.get("page"))
    context = {
        "round": round,
        "filters": filters,
        "page": page,
        "states": [(s, counts.get(s, 0)) for s in State],
        "query": _query_without(request, "page"),
        "state_query": _query_without(request, "page", "state"),
    }
    if request.htmx:
        return render(request, "identification/partials/application_table.html", context)
    user = request.user
    if user.role == Role.VILLAGE_CADRE:
        groups = list(areas_for(user).filter(parent=user.area).order_by("code"))
        progress = selectors.progress_by_area(user, round, groups)
        quotas = selectors.quotas_of(round, groups)
        context["groups"] = [(g, progress[g.code], quotas.get(g.pk)) for g in groups]
        context["village_progress"] = selectors.progress_by_area(user, round, [user.area])[user.area.code]
        context["notices"] = selectors.notices_for(user, round).filter(status=Notice.Status.RUNNING)
    return render(request, "identification/application_list.html", context)


@login_required
def application_create(request: HttpRequest) -> HttpResponse:
    _require_role(request, [Role.VILLAGE_CADRE], "录入申请")
    round = _round(request)
    households = _with_household_heads(
        households_for(request.user).exclude(applications__round=round).order_by("number")
    )
    data = (request.POST, request.FILES) if request.method == "POST" else ()
    initial = {"household": request.GET.get("household")} if request.GET.get("household") else {}
    form = forms.ApplicationForm(*data, households=households, initial=initial)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        ok, application = attempt(
            request,
            lambda: services.application_submit(
                round=round,
                household=d["household"],
                actor=request.user,
                wants_fupin=d["wants_fupin"],
                wants_dibao=d["wants_dibao"],
                origin=d["origin"],
                declared=form.answers(),
                applied_on=d.get("applied_on"),
                application_scan=d.get("application_scan"),
                nomination_reason=d.get("nomination_reason", ""),
            ),
            form,
        )
        if ok:
            messages.success(
                request, f"已申报:户 {application.household.number}。下一步:{application.next_step}。"
            )
            return redirect("identification:application", pk=application.pk)
    return render(
        request,
        "identification/application_form.html",
        {
            "form": form,
            "round": round,
            "direct": form.condition_fields(DIRECT_ENTRY),
            "exclusions": form.condition_fields(EXCLUSIONS),
        },
    )


@login_required
def application_scan(request: HttpRequest, pk: int) -> FileResponse:
    """The signed 申请书, through the scope like the application itself (media files are not public)."""
    application = get_object_or_404(
        selectors.applications_for(request.user).exclude(application_scan=""), pk=pk
    )
    try:
        handle = application.application_scan.open("rb")
    except FileNotFoundError:
        raise Http404("申请书文件已不在存储中。") from None
    name = f"申请书-{application.household.number}{Path(application.application_scan.name).suffix}"
    return FileResponse(handle, filename=name)


@login_required
@require_POST
def offer_dibao(request: HttpRequest, pk: int) -> HttpResponse:
    """The township puts a household found below the 低保 line forward to 民政 too, with its consent."""
    application = _application(request, pk)
    form = forms.ReasonForm(request.POST)
    if not form.is_valid():
        messages.error(request, "转报低保须写明本户同意的情况。")
    else:
        ok, _ = attempt(
            request,
            lambda: services.application_offer_dibao(
                application=application, actor=request.user, consent=form.cleaned_data["reason"]
            ),
        )
        if ok:
            messages.success(
                request, f"户 {application.household.number}:已转报低保,将随扶贫一并公示、审核。"
            )
    return redirect("identification:application", pk=pk)


# What a move offered on the application page leads to: a form here, or the page where it is done.
REASON_ACTIONS = {
    "reject": ("不予认定", services.application_reject),
    "withdraw": ("撤回申请", services.application_withdraw),
    "send_back": ("退回重新评议", services.application_send_back),
}


def _moves(application: Application, user) -> dict[str, Any]:
    """The moves this user may make now, as the application page offers them: a link to the page where the
    step is done (a meeting, a notice, a sample), a reason form, or the county's decision."""
    targets = set(next_states(application.state, user))
    group = application.household.group
    village, township = group.parent, group.parent.parent
    state = application.state
    links = []

    def notice(level: NoticeLevel, area) -> tuple[str, str]:
        return (f"发布{level.label}", reverse("identification:notice_create", args=[level.value, area.code]))

    if State.RECOMMENDED in targets:
        links.append(
            ("召开户主会议评议", reverse("identification:meeting_create", args=["group", group.code]))
        )
    if state == State.RECOMMENDED and State.GROUP_PUBLICIZED in targets:
        links.append(notice(NoticeLevel.GROUP, group))
    if State.REVIEWED in targets:
        links.append(("村委会评议", reverse("identification:meeting_create", args=["village", village.code])))
    if State.SURVEYED in targets:
        links.append(("录入入户调查", reverse("identification:survey", args=[application.pk])))
    if state == State.SURVEYED and application.programs and State.VILLAGE_PUBLICIZED in targets:
        links.append(notice(NoticeLevel.VILLAGE, village))
    if State.VERIFIED in targets:
        links.append(("乡镇抽查审核", reverse("identification:township_sample", args=[village.code])))
    if state == State.VERIFIED and State.PUBLICIZED in targets:
        links.append(notice(NoticeLevel.TOWNSHIP, township))
    reasons = []
    if State.REJECTED in targets and state != State.PUBLICIZED:
        reasons.append("reject")
    if State.WITHDRAWN in targets:
        reasons.append("withdraw")
    if State.SUBMITTED in targets:
        reasons.append("send_back")
    program = PROGRAM_OF_ROLE.get(user.role)
    can_decide = (
        state == State.PUBLICIZED and program in application.programs and not application.decision(program)
    )
    can_offer_dibao = (
        user.role == Role.TOWNSHIP_OFFICIAL
        and state == State.SURVEYED
        and not application.for_dibao
        and application.eligibility.get("dibao")
    )
    return {
        "links": links,
        "reasons": [(name, REASON_ACTIONS[name][0]) for name in reasons],
        "decide_program": PROGRAM_LABELS[program] if can_decide else None,
        "offer_dibao": can_offer_dibao,
    }


@login_required
def application_detail(request: HttpRequest, pk: int) -> HttpResponse:
    application = get_object_or_404(
        selectors.applications_for(request.user).select_related("household__group__parent__parent"), pk=pk
    )
    return render(
        request,
        "identification/application_detail.html",
        {
            "a": application,
            "head": application.household.members.filter(relation=Relation.HEAD).first(),
            "trace": application.eligibility.get("rules", []),
            "survey": application.surveys.first(),
            "votes": application.votes.select_related("meeting").order_by("meeting__held_on", "meeting_id"),
            "entries": entries_of(application),
            "objections": Objection.objects.filter(entry__in=entries_of(application)).select_related(
                "notice"
            ),
            "checks": application.spot_check_results.select_related("spot_check", "checked_by"),
            "events": [
                (e, _state_label(e.old.get("state")), _state_label(e.new.get("state")))
                for e in events_for(application)
            ],
            "moves": _moves(application, request.user),
            "reason_form": forms.ReasonForm(),
            "decision_form": forms.DecisionForm(),
        },
    )


@login_required
@require_POST
def application_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    application = _application(request, pk)
    if action not in REASON_ACTIONS:
        raise Http404
    label, service = REASON_ACTIONS[action]
    form = forms.ReasonForm(request.POST)
    if not form.is_valid():
        messages.error(request, f"{label}必须填写理由。")
    else:
        ok, _ = attempt(
            request,
            lambda: service(application=application, actor=request.user, reason=form.cleaned_data["reason"]),
        )
        if ok:
            messages.success(request, f"户 {application.household.number}:已{label}。")
    return redirect("identification:application", pk=pk)


@login_required
@require_POST
def application_decide(request: HttpRequest, pk: int) -> HttpResponse:
    application = _application(request, pk)
    form = forms.DecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, "请选择认定结果。")
        return redirect("identification:application", pk=pk)
    ok, _ = attempt(
        request,
        lambda: services.application_decide(
            application=application,
            actor=request.user,
            confirm=form.cleaned_data["confirm"],
            reason=form.cleaned_data["reason"],
        ),
    )
    if ok:
        messages.success(request, f"户 {application.household.number}:已作出认定。")
    return redirect("identification:application", pk=pk)


@login_required
def survey(request: HttpRequest, pk: int) -> HttpResponse:
    application = _application(request, pk)
    _require_role(request, [Role.VILLAGE_CADRE, Role.TOWNSHIP_OFFICIAL], "入户调查")
    form = forms.SurveyForm(
        request.POST or None,
        initial={"persons": application.household.members.count(), "surveyed_on": services.today()},
    )
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        ok, _ = attempt(
            request,
            lambda: services.application_survey(
                application=application,
                actor=request.user,
                surveyed_on=d["surveyed_on"],
                surveyors=d["surveyors"],
                family_situation=d["family_situation"],
                persons=d["persons"],
                income=form.income(),
                answers=form.answers(),
                evidence=form.evidence(),
                main_cause=d["main_cause"],
                other_causes=d["other_causes"],
                assets=d["assets"],
                burden=d["burden"],
            ),
            form,
        )
        if ok:
            messages.success(request, f"户 {application.household.number}:入户调查已录入,资格判定见下。")
            return redirect("identification:application", pk=pk)
    return render(
        request,
        "identification/survey_form.html",
        {
            "a": application,
            "form": form,
            "direct": [
                (f, e, application.declared.get(f.name)) for f, e in form.condition_rows(DIRECT_ENTRY)
            ],
            "exclusions": [
                (f, e, application.declared.get(f.name)) for f, e in form.condition_rows(EXCLUSIONS)
            ],
        },
    )
