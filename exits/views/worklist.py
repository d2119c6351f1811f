"""The entry page per role, and the village's worklist: rolled households with their computed checklist."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from accounts.actions import attempt
from accounts.models import Role
from exits import selectors, services
from households.models import Household

HOME = {
    Role.VILLAGE_CADRE: "exits:worklist",
    Role.TOWNSHIP_OFFICIAL: "exits:queue",
    Role.COUNTY_FUPIN: "exits:queue",
    Role.COUNTY_MINZHENG: "exits:dibao",
    Role.ADMIN: "exits:queue",
}


@login_required
def index(request: HttpRequest) -> HttpResponse:
    return redirect(HOME.get(request.user.role, "exits:queue"))


@login_required
def worklist(request: HttpRequest) -> HttpResponse:
    round = selectors.current_round()
    rows = selectors.worklist(request.user, round) if round else []
    return render(
        request,
        "exits/worklist.html",
        {
            "round": round,
            "rows": rows,
            "ready": sum(1 for r in rows if r["checklist"].passed),
            "can_propose": request.user.role == Role.VILLAGE_CADRE,
        },
    )


@login_required
@require_POST
def propose(request: HttpRequest, pk: int) -> HttpResponse:
    household = get_object_or_404(Household.objects.visible_to(request.user), pk=pk)
    round = selectors.current_round()
    if round is None:
        messages.error(request, "尚未设立识别或动态调整批次,不能提出退出。")
        return redirect("exits:worklist")
    ok, exit = attempt(
        request, lambda: services.exit_propose(household=household, round=round, actor=request.user)
    )
    if ok:
        messages.success(request, f"已提出户 {household.number} 脱贫退出,请录入入户核实并组织评议。")
        return redirect("exits:exit", exit.pk)
    return redirect("exits:worklist")
