"""Screens of 贫困识别: thin views over identification.services and identification.selectors.

Every object is fetched through a scoped selector (outside the user's area → 404, like a missing one);
every change goes through a service. A refusal for the user's role is a 403 with the service's Chinese
message; any other refusal (wrong state, past quota, notice still running…) is shown on the form, with
what was typed kept.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import OuterRef, Subquery
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from accounts.audit import events_for
from accounts.models import Role
from households.choices import Relation
from households.models import Member
from households.selectors import households_for
from identification import forms, sampling, selectors, services
from identification import quota_import as quota_import_module
from identification.choices import (
    NOTICE_ORDER,
    PROGRAM_LABELS,
    MeetingKind,
    NoticeLevel,
    NoticeStatus,
    ObjectionOutcome,
    SpotCheckLevel,
    State,
)
from identification.models import Application, Meeting, Notice, Round, SpotCheck
from identification.rules import DIRECT_ENTRY, EXCLUSIONS
from identification.transitions import WorkflowError, next_states
from villages.models import Area
from villages.selectors import areas_for

PAGE_SIZE = 100
CONFIRM_PAGE = 500
COUNTY_ROLES = (Role.COUNTY_FUPIN, Role.COUNTY_MINZHENG, Role.ADMIN)
PROGRAM_OF_ROLE = {Role.COUNTY_FUPIN: "fupin", Role.COUNTY_MINZHENG: "dibao"}
PROGRESS_STATES = list(State)


# --- helpers ------------------------------------------------------------------------------------


def _round(request: HttpRequest) -> Round:
    """The round of the page: ?round=<id>, else the current one."""
    pk = request.GET.get("round", "")
    if pk.isdigit():
        return get_object_or_404(selectors.rounds(), pk=pk)
    round = selectors.current_round()
    if round is None:
        raise Http404("县扶贫办尚未设立识别批次。")
    return round


def _area(request: HttpRequest, code: str, level: str | None = None) -> Area:
    area = get_object_or_404(areas_for(request.user), code=code)
    if level and area.level != level:
        raise Http404("区划级别不符。")
    return area


def _application(request: HttpRequest, pk: int) -> Application:
    return get_object_or_404(selectors.applications_for(request.user), pk=pk)


def _require_role(request: HttpRequest, roles, what: str) -> None:
    """For pages that only show a form: refuse before the user types anything the service would refuse."""
    if request.user.role not in roles:
        names = "、".join(str(Role(r).label) for r in roles)
        raise PermissionDenied(
            f"{what}只能由{names}办理,您的角色是{request.user.get_role_display() or '未分配'}。"
        )


def attempt(request: HttpRequest, action: Callable[[], Any], form=None) -> tuple[bool, Any]:
    """Run a service; a role refusal is a 403, any other refusal goes on the form (or into a message)."""
    try:
        return True, action()
    except WorkflowError as error:
        if error.code == "wrong_role":
            raise PermissionDenied(error.message) from None
        if form is not None:
            form.add_error(None, error.message)
        else:
            messages.error(request, error.message)
        return False, None


def _with_heads(applications):
    """Each application with its head's name, in the same query (no N+1 over a list)."""
    head = Member.objects.filter(household=OuterRef("household"), relation=Relation.HEAD).values("name")[:1]
    return applications.annotate(head_name=Subquery(head))


def _state_label(value: str | None) -> str:
    return str(State(value).label) if value in State.values else ""


def _query_without(request: HttpRequest, *names: str) -> str:
    params = request.GET.copy()
    for name in names:
        params.pop(name, None)
    return params.urlencode()


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
        context["notices"] = selectors.notices_for(user).filter(round=round, status=NoticeStatus.RUNNING)
    return render(request, "identification/application_list.html", context)


@login_required
def application_create(request: HttpRequest) -> HttpResponse:
    _require_role(request, [Role.VILLAGE_CADRE], "录入申请")
    round = _round(request)
    households = households_for(request.user).exclude(applications__round=round).order_by("number")
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
    return render(request, "identification/application_form.html", {"form": form, "round": round})


# What a move offered on the application page leads to: a form here, or the page where it is done.
REASON_ACTIONS = {
    "reject": ("不予认定", services.application_reject),
    "withdraw": ("撤回申请", services.application_withdraw),
    "send_back": ("退回重新评议", services.application_send_back),
}


def _moves(application: Application, user) -> dict[str, Any]:
    """The moves this user may make now, as the application page offers them."""
    targets = set(next_states(application.state, user))
    group = application.household.group
    links = []
    if State.RECOMMENDED in targets:
        links.append(
            ("召开户主会议评议", reverse("identification:meeting_create", args=["group", group.code]))
        )
    if State.REVIEWED in targets:
        links.append(
            ("村委会评议", reverse("identification:meeting_create", args=["village", group.parent.code]))
        )
    if State.SURVEYED in targets:
        links.append(("录入入户调查", reverse("identification:survey", args=[application.pk])))
    if State.VERIFIED in targets:
        links.append(("乡镇抽查审核", reverse("identification:township_sample", args=[group.parent.code])))
    if application.state == State.VERIFIED and targets & {State.PUBLICIZED, State.SUBMITTED}:
        links.append(("三级公示", reverse("identification:notices")))
    reasons = []
    if State.REJECTED in targets and application.state != State.PUBLICIZED:
        reasons.append("reject")
    if State.WITHDRAWN in targets:
        reasons.append("withdraw")
    if State.SUBMITTED in targets:
        reasons.append("send_back")
    program = PROGRAM_OF_ROLE.get(user.role)
    can_decide = (
        application.state == State.PUBLICIZED
        and program in application.programs
        and not application.decision(program)
    )
    return {
        "links": links,
        "reasons": [(name, REASON_ACTIONS[name][0]) for name in reasons],
        "decide_program": PROGRAM_LABELS[program] if can_decide else None,
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
            "entries": application.notice_entries.select_related("notice").order_by("notice__starts_on"),
            "objections": application.objections.select_related("notice"),
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
            "direct": form.condition_fields(DIRECT_ENTRY),
            "exclusions": form.condition_fields(EXCLUSIONS),
        },
    )


# --- 评议 meetings ----------------------------------------------------------------------------------


MEETING_AGENDA = {MeetingKind.GROUP: State.SUBMITTED, MeetingKind.VILLAGE: State.RECOMMENDED}


@login_required
def meeting_create(request: HttpRequest, kind: str, code: str) -> HttpResponse:
    if kind not in MeetingKind.values:
        raise Http404
    area = _area(request, code, Area.Level.GROUP if kind == MeetingKind.GROUP else Area.Level.VILLAGE)
    _require_role(request, [Role.VILLAGE_CADRE], "记录评议会议")
    round = _round(request)
    agenda = list(
        _with_heads(
            selectors.applications_for(request.user).filter(
                round=round, state=MEETING_AGENDA[kind], household__group__code__startswith=area.scope_prefix
            )
        ).order_by("household__number")
    )
    form = forms.MeetingForm(request.POST or None, applications=agenda, initial={"held_on": services.today()})
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        ok, meeting = attempt(
            request,
            lambda: services.meeting_record(
                round=round,
                area=area,
                kind=kind,
                actor=request.user,
                held_on=d["held_on"],
                attendance=d["attendance"],
                votes=[services.VoteInput(a, f, against) for a, f, against in d["votes"]],
                attendees=d["attendees"],
                minutes=d["minutes"],
            ),
            form,
        )
        if ok:
            _apply_meeting(request, meeting)
            return redirect("identification:meeting", pk=meeting.pk)
    return render(
        request,
        "identification/meeting_form.html",
        {
            "form": form,
            "area": area,
            "kind": MeetingKind(kind),
            "round": round,
            "quota": _quota_left(round, area) if kind == MeetingKind.GROUP else None,
        },
    )


def _quota_left(round: Round, area: Area) -> dict[str, int | None]:
    quota, used = selectors.quota_usage(round, area)
    return {"quota": quota, "used": used, "left": None if quota is None else quota - used}


def _apply_meeting(request: HttpRequest, meeting: Meeting) -> None:
    """A 户主会议 recommends in rank order within the quota; a 村委会 meeting passes what it carried."""
    if meeting.kind == MeetingKind.GROUP:
        ok, outcome = attempt(
            request, lambda: services.meeting_recommend_ranked(meeting=meeting, actor=request.user)
        )
        if ok:
            messages.success(request, f"已记录户主会议,按排名推荐 {len(outcome.recommended)} 户。")
            for application, why in outcome.left_out:
                messages.warning(request, f"户 {application.household.number} 未推荐:{why}")
        return
    passed = 0
    for vote in meeting.votes.select_related("application__household", "meeting"):
        if vote.carried:
            ok, _ = attempt(
                request,
                lambda v=vote: services.application_review(
                    application=v.application, actor=request.user, meeting=meeting
                ),
            )
            passed += ok
        else:
            messages.warning(request, f"户 {vote.application.household.number} 未获过半数赞成,未通过村评议。")
    messages.success(request, f"已记录村委会评议会议,{passed} 户通过村评议,待入户调查。")


@login_required
def meeting_detail(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = get_object_or_404(selectors.meetings_for(request.user).select_related("round"), pk=pk)
    template = (
        "identification/meeting_print.html"
        if request.GET.get("print")
        else "identification/meeting_detail.html"
    )
    votes = selectors.meeting_ranking(meeting)
    heads = dict(
        Member.objects.filter(
            household_id__in=[v.application.household_id for v in votes], relation=Relation.HEAD
        ).values_list("household_id", "name")
    )
    rows = [(v, heads.get(v.application.household_id, "")) for v in votes]
    return render(request, template, {"meeting": meeting, "rows": rows})


# --- 乡镇: work queue, samples -------------------------------------------------------------------------


@login_required
def township_queue(request: HttpRequest) -> HttpResponse:
    """Per village: what waits for the township (review, sample, notice, objections)."""
    user = request.user
    round = _round(request)
    if user.area is None:
        raise Http404
    if user.area.level == Area.Level.TOWNSHIP:
        township = user.area
    else:
        township = _area(request, request.GET.get("township", ""), Area.Level.TOWNSHIP)
    villages = list(areas_for(user).filter(parent=township).order_by("code"))
    progress = selectors.progress_by_area(user, round, villages)
    quotas = selectors.quotas_of(round, villages)
    only_waiting = request.GET.get("waiting") == "1"
    rows = [(v, progress[v.code], quotas.get(v.pk)) for v in villages]
    if only_waiting:
        rows = [r for r in rows if r[1].count(State.SURVEYED, State.VERIFIED) or r[1].open_objections]
    return render(
        request,
        "identification/township_queue.html",
        {
            "round": round,
            "township": township,
            "rows": rows,
            "only_waiting": only_waiting,
            "notices": selectors.notices_for(user)
            .filter(round=round, area__code__startswith=township.scope_prefix, status=NoticeStatus.RUNNING)
            .order_by("ends_on", "id"),
        },
    )


def _sample_context(request: HttpRequest, round: Round, level: str, area: Area) -> dict:
    check = selectors.latest_spot_check(request.user, round, level, area)
    rows = []
    if check is not None:
        results = {r.application_id: r for r in check.results.all()}
        drawn = _with_heads(
            selectors.applications_for(request.user)
            .filter(pk__in=check.drawn)
            .select_related("household__group")
        ).order_by("household__number")
        rows = [(a, results.get(a.pk)) for a in drawn]
    minimum = round.township_sample_rate if level == SpotCheckLevel.TOWNSHIP else round.county_sample_rate
    return {
        "round": round,
        "area": area,
        "level": SpotCheckLevel(level),
        "check": check,
        "rows": rows,
        "reproduced": check is not None
        and sampling.draw(check.population, rate=check.rate, seed=check.seed) == sorted(check.drawn),
        "draw_form": forms.SpotCheckDrawForm(initial={"rate": (minimum * 100).quantize(Decimal("1"))}),
        "result_form": forms.SpotCheckResultForm(),
    }


def _draw(request: HttpRequest, round: Round, level: str, area: Area) -> None:
    form = forms.SpotCheckDrawForm(request.POST)
    if not form.is_valid():
        messages.error(
            request,
            "抽查比例或随机种子填写有误:" + " ".join(e for errs in form.errors.values() for e in errs),
        )
        return
    ok, check = attempt(
        request,
        lambda: services.spot_check_draw(
            round=round,
            level=level,
            area=area,
            actor=request.user,
            rate=form.cleaned_data["rate"],
            seed=form.cleaned_data["seed"],
        ),
    )
    if ok:
        messages.success(
            request, f"已抽取 {len(check.drawn)} 户(总体 {len(check.population)} 户,随机种子 {check.seed})。"
        )


@login_required
def township_sample(request: HttpRequest, code: str) -> HttpResponse:
    village = _area(request, code, Area.Level.VILLAGE)
    round = _round(request)
    if request.method == "POST":
        _draw(request, round, SpotCheckLevel.TOWNSHIP, village)
        return redirect(request.get_full_path())
    context = _sample_context(request, round, SpotCheckLevel.TOWNSHIP, village)
    context["surveyed"] = (
        selectors.applications_for(request.user)
        .filter(round=round, state=State.SURVEYED, household__group__code__startswith=village.scope_prefix)
        .count()
    )
    return render(request, "identification/sample.html", context)


@login_required
def county_sample(request: HttpRequest) -> HttpResponse:
    round = _round(request)
    county = request.user.area
    if county is None or county.level != Area.Level.COUNTY:
        raise PermissionDenied("县级抽查由县扶贫办、县民政局办理。")
    if request.method == "POST":
        _draw(request, round, SpotCheckLevel.COUNTY, county)
        return redirect(request.get_full_path())
    return render(
        request, "identification/sample.html", _sample_context(request, round, SpotCheckLevel.COUNTY, county)
    )


@login_required
@require_POST
def spot_check_record(request: HttpRequest, pk: int) -> HttpResponse:
    check = get_object_or_404(selectors.spot_checks_for(request.user), pk=pk)
    form = forms.SpotCheckResultForm(request.POST)
    if not form.is_valid():
        messages.error(request, "请选择核查结论。")
    else:
        application = _application(request, form.cleaned_data["application"])
        ok, _ = attempt(
            request,
            lambda: services.spot_check_record(
                spot_check=check,
                application=application,
                actor=request.user,
                truthful=form.cleaned_data["truthful"],
                note=form.cleaned_data["note"],
            ),
        )
        if ok:
            check.refresh_from_db()
            messages.success(
                request,
                f"已录入户 {application.household.number} 的抽查结果。抽查状态:{check.get_status_display()}。",
            )
    return redirect(_sample_url(check))


def _sample_url(check: SpotCheck) -> str:
    if check.level == SpotCheckLevel.TOWNSHIP:
        return reverse("identification:township_sample", args=[check.area.code]) + f"?round={check.round_id}"
    return reverse("identification:county_sample") + f"?round={check.round_id}"


@login_required
@require_POST
def village_verify(request: HttpRequest, pk: int) -> HttpResponse:
    check = get_object_or_404(selectors.spot_checks_for(request.user), pk=pk)
    ok, verified = attempt(request, lambda: services.village_verify(spot_check=check, actor=request.user))
    if ok:
        messages.success(request, f"{check.area.name}:{len(verified)} 户乡镇审核通过,待三级公示。")
    return redirect(_sample_url(check))


# --- 三级公示 ----------------------------------------------------------------------------------------


@login_required
def notice_list(request: HttpRequest) -> HttpResponse:
    round = _round(request)
    notices = selectors.notices_for(request.user).filter(round=round)
    level, status = request.GET.get("level", ""), request.GET.get("status", "")
    if level in NoticeLevel.values:
        notices = notices.filter(level=level)
    if status in NoticeStatus.values:
        notices = notices.filter(status=status)
    return render(
        request,
        "identification/notice_list.html",
        {
            "round": round,
            "notices": notices.order_by("status", "-starts_on", "-id")[:200],
            "level": level,
            "status": status,
            "levels": NoticeLevel.choices,
            "statuses": NoticeStatus.choices,
            "publishable": _publishable(request, round),
        },
    )


def _publishable(request: HttpRequest, round: Round) -> list[tuple[str, Area, int]]:
    """The notices the user could publish now: (level, area, number of applications ready)."""
    user = request.user
    if user.role not in (Role.VILLAGE_CADRE, Role.TOWNSHIP_OFFICIAL):
        return []
    verified = list(
        selectors.applications_for(user)
        .filter(round=round, state=State.VERIFIED)
        .values_list("pk", "household__group__code")
    )
    levels = selectors.notice_levels([pk for pk, _ in verified])
    ready: dict[tuple[str, str], int] = {}
    for pk, group_code in verified:
        done = levels.get(pk, {})
        for i, level in enumerate(NOTICE_ORDER):
            below = NOTICE_ORDER[i - 1] if i else None
            if level not in done and (below is None or done.get(below) == NoticeStatus.CLOSED):
                code = {
                    NoticeLevel.GROUP: group_code,
                    NoticeLevel.VILLAGE: group_code[:12],
                    NoticeLevel.TOWNSHIP: group_code[:9] + "000",
                }[level]
                if level == NoticeLevel.TOWNSHIP and user.role != Role.TOWNSHIP_OFFICIAL:
                    break
                ready[(level, code)] = ready.get((level, code), 0) + 1
                break
    areas = areas_for(user).in_bulk([code for _, code in ready], field_name="code")
    return [
        (NoticeLevel(level), areas[code], n) for (level, code), n in sorted(ready.items()) if code in areas
    ]


@login_required
def notice_create(request: HttpRequest, level: str, code: str) -> HttpResponse:
    if level not in NoticeLevel.values:
        raise Http404
    level = NoticeLevel(level)
    area = _area(request, code, level.value)
    _require_role(request, services.NOTICE_ROLES[level], f"发布{level.label}")
    round = _round(request)
    candidates = list(
        _with_heads(
            selectors.applications_for(request.user).filter(
                round=round, state=State.VERIFIED, household__group__code__startswith=area.scope_prefix
            )
        ).order_by("household__number")
    )
    levels = selectors.notice_levels([a.pk for a in candidates])
    below = NOTICE_ORDER[NOTICE_ORDER.index(level) - 1] if level != NoticeLevel.GROUP else None
    candidates = [
        a
        for a in candidates
        if level not in levels.get(a.pk, {})
        and (below is None or levels.get(a.pk, {}).get(below) == NoticeStatus.CLOSED)
    ]
    # A group's name ("大寨组") says little on a wall: the notice names its village too.
    name = f"{area.parent.name}{area.name}" if level == NoticeLevel.GROUP else area.name
    initial = {
        **forms.default_notice_dates(round, services.today()),
        "title": f"{name}{round.name}{level.label}",
        "issuing_body": f"{name}两项制度有效衔接工作领导小组"[:60],
    }
    form = forms.NoticeForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        chosen = {int(pk) for pk in request.POST.getlist("applications") if pk.isdigit()}
        d = form.cleaned_data
        ok, notice = attempt(
            request,
            lambda: services.notice_publish(
                round=round,
                level=level,
                area=area,
                actor=request.user,
                starts_on=d["starts_on"],
                ends_on=d["ends_on"],
                issuing_body=d["issuing_body"],
                complaint_phone=d["complaint_phone"],
                applications=[a for a in candidates if a.pk in chosen],
                title=d["title"],
            ),
            form,
        )
        if ok:
            messages.success(request, f"已发布{level.label},公示至 {notice.ends_on}。")
            return redirect("identification:notice", pk=notice.pk)
    chosen = (
        {int(pk) for pk in request.POST.getlist("applications") if pk.isdigit()}
        if request.method == "POST"
        else {a.pk for a in candidates}
    )
    return render(
        request,
        "identification/notice_form.html",
        {
            "form": form,
            "area": area,
            "level": level,
            "round": round,
            "candidates": candidates,
            "chosen": chosen,
        },
    )


def _notice(request: HttpRequest, pk: int) -> Notice:
    return get_object_or_404(selectors.notices_for(request.user).select_related("published_by"), pk=pk)


@login_required
def notice_detail(request: HttpRequest, pk: int) -> HttpResponse:
    notice = _notice(request, pk)
    objection_form = forms.ObjectionForm(request.POST or None)
    if request.method == "POST" and objection_form.is_valid():
        d = objection_form.cleaned_data
        application = (
            selectors.applications_for(request.user)
            .filter(notice_entries__notice=notice, household__number=d["household_number"].strip())
            .first()
        )
        if application is None:
            objection_form.add_error("household_number", "该户不在这份公示名单上。")
        else:
            ok, _ = attempt(
                request,
                lambda: services.objection_record(
                    notice=notice,
                    application=application,
                    actor=request.user,
                    content=d["content"],
                    complainant=d["complainant"],
                    received_at=d["received_at"],
                ),
                objection_form,
            )
            if ok:
                messages.success(request, f"已登记对户 {application.household.number} 的异议,请核实处理。")
                return redirect("identification:notice", pk=pk)
    return render(
        request,
        "identification/notice_detail.html",
        {
            "notice": notice,
            "rows": selectors.notice_rows(notice),
            "objections": selectors.objections_for(request.user)
            .filter(notice=notice)
            .select_related("handled_by", "recorded_by"),
            "objection_form": objection_form,
            "handle_form": forms.ObjectionHandleForm(),
            "can_close": notice.status == NoticeStatus.RUNNING and services.today() > notice.ends_on,
        },
    )


@login_required
def notice_print(request: HttpRequest, pk: int) -> HttpResponse:
    notice = _notice(request, pk)
    return render(
        request, "identification/notice_print.html", {"notice": notice, "rows": selectors.notice_rows(notice)}
    )


@login_required
@require_POST
def notice_close(request: HttpRequest, pk: int) -> HttpResponse:
    notice = _notice(request, pk)
    ok, publicized = attempt(request, lambda: services.notice_close(notice=notice, actor=request.user))
    if ok:
        extra = (
            f",{len(publicized)} 户三级公示完毕,待县级认定" if notice.level == NoticeLevel.TOWNSHIP else ""
        )
        messages.success(request, f"已结束{notice.get_level_display()}{extra}。")
    return redirect("identification:notice", pk=pk)


@login_required
@require_POST
def objection_handle(request: HttpRequest, pk: int) -> HttpResponse:
    objection = get_object_or_404(selectors.objections_for(request.user), pk=pk)
    form = forms.ObjectionHandleForm(request.POST)
    if not form.is_valid():
        messages.error(request, "请选择核实结论并填写核实情况。")
    else:
        result = form.cleaned_data["result"]
        ok, _ = attempt(
            request,
            lambda: services.objection_handle(
                objection=objection,
                actor=request.user,
                upheld=result != "dismiss",
                note=form.cleaned_data["note"],
                outcome=result if result in ObjectionOutcome.values else "",
            ),
        )
        if ok:
            messages.success(request, f"异议已处理:{dict(form.RESULTS)[result]}。")
    return redirect("identification:notice", pk=objection.notice_id)


# --- 县: progress, confirmation, 公告, rounds and quotas -----------------------------------------------


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
    """Bulk confirmation of the user's own program, with a reason typed on a row rejecting that row."""
    program = PROGRAM_OF_ROLE.get(request.user.role)
    if program is None:
        raise PermissionDenied("县级认定由县扶贫办(扶贫)和县民政局(低保)分别办理。")
    round = _round(request)
    if request.method == "POST":
        chosen = [int(pk) for pk in request.POST.getlist("applications") if pk.isdigit()]
        rejections = {pk: request.POST.get(f"reject_{pk}", "").strip() for pk in chosen}
        rejections = {pk: reason for pk, reason in rejections.items() if reason}
        ok, outcome = attempt(
            request,
            lambda: services.county_confirm_bulk(
                round=round, actor=request.user, applications=chosen, rejections=rejections
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
    covered, untrue = selectors.county_checked_ids(round)
    total = applications.count()
    rows = list(
        _with_heads(applications.select_related("household__group__parent")).order_by("household__number")[
            :CONFIRM_PAGE
        ]
    )
    return render(
        request,
        "identification/county_confirm.html",
        {
            "round": round,
            "program": PROGRAM_LABELS[program],
            "program_code": program,
            "rows": [(a, a.pk in covered, a.pk in untrue, a.eligibility.get(program)) for a in rows],
            "total": total,
            "limit": CONFIRM_PAGE,
            "townships": areas_for(request.user).filter(level=Area.Level.TOWNSHIP).order_by("code"),
            "area": township,
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
            "county": Area.objects.filter(level=Area.Level.COUNTY).first(),
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


def _quota_parent(request: HttpRequest) -> Area:
    parent = _area(request, request.GET.get("area", "")) if request.GET.get("area") else request.user.area
    if parent is None:
        raise Http404
    return parent


def _quotas_page(
    request: HttpRequest, round: Round, parent: Area, import_form=None, import_errors=()
) -> HttpResponse:
    children = list(areas_for(request.user).filter(parent=parent).order_by("code"))
    progress = selectors.progress_by_area(request.user, round, children)
    quota_by_area = selectors.quotas_of(round, children)
    can_edit = request.user.role == Role.COUNTY_FUPIN and not round.closed
    return render(
        request,
        "identification/quotas.html",
        {
            "round": round,
            "parent": parent,
            "trail": [a for a in parent.ancestors() if request.user.area.contains(a)] + [parent],
            "rows": [(c, quota_by_area.get(c.pk), progress[c.code].persons) for c in children],
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
    _require_role(request, [Role.COUNTY_FUPIN], "导入规模控制表")
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
