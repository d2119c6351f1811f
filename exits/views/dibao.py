"""民政's queue of 退保 and 纳入 proposals: computing them, and deciding each with a reason."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from accounts.actions import attempt
from accounts.models import Role
from exits import forms, selectors, services
from exits.models import DibaoProposal
from exits.services.dibao import COMPUTE_ROLES


@login_required
def dibao_queue(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        round = selectors.current_round()
        if round is None:
            messages.error(request, "尚未设立批次,无法确定低保标准。")
        else:
            ok, counts = attempt(
                request, lambda: services.dibao_proposals_compute(actor=request.user, round=round)
            )
            if ok:
                messages.success(
                    request,
                    f"按{round.name}(低保标准 {round.dibao_line} 元)计算:新增退保建议 {counts['exit']} 户,"
                    f"纳入建议 {counts['enter']} 户。",
                )
        return redirect("exits:dibao")
    status = request.GET.get("status", DibaoProposal.Status.PENDING)
    if status not in DibaoProposal.Status.values:
        status = DibaoProposal.Status.PENDING
    proposals = (
        selectors.proposals_for(request.user).filter(status=status).order_by("kind", "household__number")
    )
    return render(
        request,
        "exits/dibao_queue.html",
        {
            "proposals": proposals[:500],
            "status": status,
            "statuses": DibaoProposal.Status.choices,
            "can_compute": request.user.role in COMPUTE_ROLES,
            "can_decide": request.user.role == Role.COUNTY_MINZHENG,
            "form": forms.DecideForm(),
        },
    )


@login_required
@require_POST
def dibao_decide(request: HttpRequest, pk: int) -> HttpResponse:
    proposal = get_object_or_404(selectors.proposals_for(request.user), pk=pk)
    form = forms.DecideForm(request.POST)
    if not form.is_valid():
        messages.error(request, "请选择同意或不同意,并写明理由。")
        return redirect("exits:dibao")
    d = form.cleaned_data
    ok, _ = attempt(
        request,
        lambda: services.dibao_proposal_decide(
            proposal=proposal, actor=request.user, accept=d["decision"] == "accept", reason=d["reason"]
        ),
    )
    if ok:
        messages.success(
            request, f"户 {proposal.household.number} 的{proposal.get_kind_display()}建议已决定。"
        )
    return redirect("exits:dibao")
