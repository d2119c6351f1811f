"""三级公示: the notices ready to publish, publishing, objections, closing, print."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from accounts.models import Role
from identification import forms, selectors, services
from identification.choices import (
    NOTICE_ORDER,
    NoticeLevel,
    NoticeStatus,
    ObjectionOutcome,
    State,
)
from identification.models import Notice, Round
from identification.views._common import (
    _area,
    _require_role,
    _round,
    _with_heads,
    attempt,
)
from villages.models import Area
from villages.selectors import areas_for

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
