"""Screens of household changes: 申请变更 on the household page (a form per kind, loaded by htmx), the
queue (the village's requests; the township's to decide) and the request page with its before/after.

Every household and request comes through the scoped selectors: outside the user's area it is a 404.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from accounts.actions import attempt
from households.changes import services, transitions
from households.changes.forms import FORMS, AddMemberForm, DecisionForm
from households.changes.models import Kind, State
from households.changes.selectors import change_requests_for
from households.changes.snapshots import compare
from households.privacy import can_see_personal_numbers
from households.selectors import households_for

PAGE_SIZE = 100


def _household(request: HttpRequest, pk: int):
    return get_object_or_404(households_for(request.user).select_related("group__parent"), pk=pk)


def _deny_unless_filer(request: HttpRequest) -> None:
    if request.user.role not in transitions.FILERS:
        raise PermissionDenied("户情变更由村级录入员申请,您的角色不能申请。")


def _form(kind: str, request: HttpRequest, household, data=None):
    kwargs = {"household": household, "user": request.user}
    if FORMS[kind] is AddMemberForm:
        kwargs["check_url"] = reverse("households:check_id")
    return FORMS[kind](data, **kwargs)


@login_required
def change_start(request: HttpRequest, pk: int) -> HttpResponse:
    """申请变更: the kinds, each opening its form below (htmx) or on its own page."""
    household = _household(request, pk)
    _deny_unless_filer(request)
    return render(
        request,
        "households/changes/start.html",
        {
            "household": household,
            "kinds": Kind.choices,
            "pending": change_requests_for(request.user).filter(household=household, state=State.PENDING),
        },
    )


@login_required
def change_create(request: HttpRequest, pk: int, kind: str) -> HttpResponse:
    household = _household(request, pk)
    _deny_unless_filer(request)
    if kind not in FORMS:
        raise Http404
    is_post = request.method == "POST" and not request.htmx
    form = _form(kind, request, household, request.POST if request.method == "POST" else None)
    if is_post and form.is_valid():
        ok, change = attempt(
            request,
            lambda: services.change_file(
                actor=request.user,
                household=household,
                kind=kind,
                reason=form.cleaned_data.get("reason", ""),
                note=form.cleaned_data.get("note", ""),
                payload=form.payload(),
            ),
            form,
        )
        if ok:
            messages.success(request, f"已提交“{change.get_kind_display()}”申请,待乡镇审核后生效。")
            return redirect("households:change_detail", pk=change.pk)
    template = "households/changes/partials/form.html" if request.htmx else "households/changes/form.html"
    return render(request, template, {"household": household, "form": form, "kind": Kind(kind)})


@login_required
def change_list(request: HttpRequest) -> HttpResponse:
    """The village's requests, or the township's queue: pending first by default."""
    if request.user.area is None:
        raise Http404
    state = request.GET.get("state", State.PENDING)
    if state not in State.values and state != "all":
        raise Http404
    changes = change_requests_for(request.user)
    if state != "all":
        changes = changes.filter(state=state)
    return render(
        request,
        "households/changes/list.html",
        {
            "changes": changes.order_by("filed_at" if state == State.PENDING else "-filed_at")[:PAGE_SIZE],
            "state": state,
            "states": [*State.choices, ("all", "全部")],
        },
    )


@login_required
def change_detail(request: HttpRequest, pk: int) -> HttpResponse:
    change = get_object_or_404(change_requests_for(request.user), pk=pk)
    outcome, problem = services.change_preview(actor=request.user, change=change)
    reveal = can_see_personal_numbers(request.user)
    form = DecisionForm()
    if State.APPROVED not in transitions.next_states(change.state, request.user):
        form.fields["reason"].label = "撤回理由"
    return render(
        request,
        "households/changes/detail.html",
        {
            "change": change,
            "pairs": compare(outcome.before, outcome.after) if outcome else [],
            "problem": problem,
            "moves": transitions.next_states(change.state, request.user),
            "form": form,
            "new_id_number": change.new_id_number if reveal else "",
        },
    )


MOVES = {
    "approve": (services.change_approve, "已批准,变更已生效。"),
    "reject": (services.change_reject, "已驳回。"),
    "withdraw": (services.change_withdraw, "已撤回。"),
}


@login_required
@require_POST
def change_decide(request: HttpRequest, pk: int, move: str) -> HttpResponse:
    change = get_object_or_404(change_requests_for(request.user), pk=pk)
    if move not in MOVES:
        raise Http404
    service, done = MOVES[move]
    form = DecisionForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    ok, _ = attempt(request, lambda: service(actor=request.user, change=change, reason=reason))
    if ok:
        messages.success(request, done)
    return redirect("households:change_detail", pk=change.pk)
