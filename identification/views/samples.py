"""The township's work queue and samples, the county sample, 乡镇审核."""

from __future__ import annotations

from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from accounts.actions import attempt
from identification import forms, sampling, selectors, services
from identification.choices import PROGRAM_LABELS, RedoScope, SpotCheckLevel, SpotCheckStatus, State
from identification.models import Round, SpotCheck
from identification.views._common import (
    PROGRAM_OF_ROLE,
    _application,
    _area,
    _round,
    _with_heads,
)
from notices.models import Notice
from villages.models import Area
from villages.selectors import areas_for

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
        waiting = (State.RECOMMENDED, State.SURVEYED, State.VILLAGE_PUBLICIZED, State.VERIFIED)
        rows = [r for r in rows if r[1].count(*waiting) or r[1].open_objections]
    return render(
        request,
        "identification/township_queue.html",
        {
            "round": round,
            "township": township,
            "rows": rows,
            "only_waiting": only_waiting,
            "notices": selectors.notices_for(user, round)
            .filter(area__code__startswith=township.scope_prefix, status=Notice.Status.RUNNING)
            .order_by("ends_on", "id"),
        },
    )


def _sample_context(request: HttpRequest, round: Round, level: str, area: Area, program: str = "") -> dict:
    check = selectors.latest_spot_check(request.user, round, level, area, program)
    rows = []
    if check is not None:
        results = {r.application_id: r for r in check.results.all()}
        drawn = _with_heads(
            selectors.applications_for(request.user)
            .filter(pk__in=check.drawn)
            .select_related("household__group")
        ).order_by("household__number")
        rows = [(a, results.get(a.pk)) for a in drawn]
    township = level == SpotCheckLevel.TOWNSHIP
    waiting_state = State.VILLAGE_PUBLICIZED if township else State.PUBLICIZED
    waiting = selectors.applications_for(request.user).filter(
        round=round, state=waiting_state, household__group__code__startswith=area.scope_prefix
    )
    if program:
        waiting = waiting.filter(**{f"for_{program}": True, f"{program}_decision": ""})
    waiting = list(_with_heads(waiting).order_by("household__number"))
    covered = set(check.population) if check is not None else set()
    uncovered = [a for a in waiting if a.pk not in covered]
    minimum = round.township_sample_rate if township else round.county_sample_rate
    lists = [
        {
            "program": PROGRAM_LABELS[name],
            "population": len(part["population"]),
            "drawn": len(part["drawn"]),
            "reproduced": sampling.draw(part["population"], rate=check.rate, seed=check.seed) == part["drawn"]
            if part["population"]
            else True,
        }
        for name, part in sorted(
            check.lists.items() if check is not None else [], key=lambda kv: kv[0] != "fupin"
        )
    ]
    return {
        "round": round,
        "area": area,
        "level": SpotCheckLevel(level),
        "program": PROGRAM_LABELS.get(program, ""),
        "check": check,
        "rows": rows,
        "lists": lists,
        "waiting": waiting,
        "covered_waiting": [a for a in waiting if a.pk in covered],
        "uncovered": uncovered,
        "next_step": _next_sample_step(check, waiting, uncovered, township),
        "draw_form": forms.SpotCheckDrawForm(initial={"rate": (minimum * 100).quantize(Decimal("1"))}),
        "result_form": forms.SpotCheckResultForm(township=township),
    }


def _next_sample_step(check: SpotCheck | None, waiting, uncovered, township: bool) -> str:
    """What to do next on the sample page, in words."""
    if not waiting:
        return "目前没有待抽查的申请。" + ("村委会公示结束后,申请才进入乡镇抽查。" if township else "")
    if check is None or check.status in (SpotCheckStatus.FAILED, SpotCheckStatus.SUPERSEDED):
        return f"有 {len(waiting)} 户待抽查:请按不低于规定比例抽取。"
    if check.status == SpotCheckStatus.OPEN:
        left = len(set(check.drawn) - {r.application_id for r in check.results.all()})
        return f"请录入其余 {left} 户抽中户的核查结果。"
    if uncovered:
        return (
            f"本次抽查已全部属实;另有 {len(uncovered)} 户是抽查之后才公示完毕的,不在本次抽查范围内,"
            "请先对本次抽查的申请审核通过,再重新抽查新的申请。"
        )
    return "本次抽查全部属实:可以审核通过。" if township else "本次抽查全部属实:可以作出认定。"


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
    return render(
        request,
        "identification/sample.html",
        _sample_context(request, round, SpotCheckLevel.TOWNSHIP, village),
    )


@login_required
def county_sample(request: HttpRequest) -> HttpResponse:
    round = _round(request)
    county = request.user.area
    program = PROGRAM_OF_ROLE.get(request.user.role)
    if county is None or county.level != Area.Level.COUNTY or program is None:
        raise PermissionDenied("县级抽查由县扶贫办(扶贫)、县民政局(低保)各自办理。")
    if request.method == "POST":
        _draw(request, round, SpotCheckLevel.COUNTY, county)
        return redirect(request.get_full_path())
    return render(
        request,
        "identification/sample.html",
        _sample_context(request, round, SpotCheckLevel.COUNTY, county, program),
    )


@login_required
@require_POST
def spot_check_record(request: HttpRequest, pk: int) -> HttpResponse:
    check = get_object_or_404(selectors.spot_checks_for(request.user), pk=pk)
    form = forms.SpotCheckResultForm(request.POST, township=check.level == SpotCheckLevel.TOWNSHIP)
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
                redo_scope=form.cleaned_data.get("redo_scope") or RedoScope.GROUP,
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
        messages.success(request, f"{check.area.name}:{len(verified)} 户乡镇审核通过,下一步:发布乡镇公示。")
    return redirect(_sample_url(check))
