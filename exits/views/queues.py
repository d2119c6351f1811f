"""The township's and the county's queues, and the exit notices (村内公示, 公告) with their publishing."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from accounts import clock
from accounts.actions import attempt
from accounts.models import Role
from exits import forms, selectors, services
from exits.models import ExitState
from exits.services._common import COUNTY_KIND, VILLAGE_KIND
from exits.services.notices import publishable
from notices.selectors import notices_for

# What each role works on: the states waiting for its move.
WAITING = {
    Role.VILLAGE_CADRE: [ExitState.DRAFT, ExitState.REVIEWED, ExitState.AGREED],
    Role.TOWNSHIP_OFFICIAL: [ExitState.PUBLICIZED],
    Role.COUNTY_FUPIN: [ExitState.VERIFIED, ExitState.APPROVED],
    Role.ADMIN: [ExitState.VERIFIED, ExitState.APPROVED],
    Role.COUNTY_MINZHENG: [ExitState.VERIFIED, ExitState.APPROVED],
}


@login_required
def queue(request: HttpRequest) -> HttpResponse:
    states = WAITING.get(request.user.role, [])
    exits = selectors.exits_for(request.user)
    waiting = exits.filter(state__in=states).order_by("state", "household__number")
    counts = {s: 0 for s in ExitState}
    for state in exits.values_list("state", flat=True):
        counts[ExitState(state)] += 1
    return render(
        request,
        "exits/queue.html",
        {"waiting": waiting, "counts": [(s.label, counts[s]) for s in ExitState], "states": states},
    )


def _kind_and_area(user):
    if user.role == Role.VILLAGE_CADRE:
        return VILLAGE_KIND, user.area
    if user.role == Role.COUNTY_FUPIN:
        return COUNTY_KIND, user.area
    return None, None


@login_required
def notices(request: HttpRequest) -> HttpResponse:
    kind, area = _kind_and_area(request.user)
    candidates = publishable(kind, area, request.user) if kind else []
    form = None
    if kind:
        round = selectors.current_round()
        days = round.notice_days if round else 7
        form = forms.PublishForm(
            request.POST or None,
            candidates=candidates,
            initial={
                **forms.default_dates(clock.today(), days),
                "exits": [str(e.pk) for e in candidates],
                "issuing_body": f"{area.name}{'村民委员会' if kind == VILLAGE_KIND else '扶贫开发领导小组办公室'}"
                if area
                else "",
            },
        )
        if request.method == "POST" and form.is_valid():
            d = form.cleaned_data
            chosen = [e for e in candidates if str(e.pk) in d["exits"]]
            ok, notice = attempt(
                request,
                lambda: services.exit_notice_publish(
                    kind=kind,
                    area=area,
                    actor=request.user,
                    exits=chosen,
                    starts_on=d["starts_on"],
                    ends_on=d["ends_on"],
                    issuing_body=d["issuing_body"],
                    complaint_phone=d["complaint_phone"],
                ),
                form,
            )
            if ok:
                messages.success(request, f"已发布{notice.kind_label},共 {len(chosen)} 户。")
                return redirect("notices:notice", notice.pk)
    elif request.method == "POST":
        messages.error(request, "村内公示由村级录入员发布,公告由县扶贫办发布。")
        return redirect("exits:notices")
    published = notices_for(request.user).filter(kind__in=[VILLAGE_KIND, COUNTY_KIND]).select_related("area")
    return render(
        request,
        "exits/notices.html",
        {"form": form, "candidates": candidates, "published": published[:50], "kind": kind},
    )
