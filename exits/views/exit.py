"""One exit: its checklist (why it meets the standard or not), its steps, and the forms of the next move."""

from __future__ import annotations

from pathlib import Path

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from accounts import audit, clock
from accounts.actions import attempt
from exits import checklist, forms, selectors, services
from exits.models import ExitApplication, ExitState
from exits.services.household_exit import open_objections, village_notice
from exits.transitions import next_states


def _exit(request: HttpRequest, pk: int) -> ExitApplication:
    return get_object_or_404(selectors.exits_for(request.user), pk=pk)


def _forms(exit: ExitApplication, user, data=None, files=None) -> dict:
    """The form of each move the user may make now, keyed by step (bound to `data` for the posted one)."""
    today = clock.today()
    moves = set(next_states(exit.state, user))
    found = {}
    if exit.state == ExitState.DRAFT and user.role == "village_cadre":
        codes = checklist.needs_survey(selectors.facts_for(exit.household, exit.round))
        found["survey"] = forms.SurveyForm(
            data, codes=codes, survey=exit.survey, initial={"surveyed_on": exit.surveyed_on or today}
        )
    if ExitState.REVIEWED in moves:
        found["review"] = forms.ReviewForm(data, initial={"reviewed_on": today})
    if ExitState.AGREED in moves:
        found["agree"] = forms.AgreeForm(data, files, initial={"agreed_on": today})
    if ExitState.VERIFIED in moves:
        found["verify"] = forms.OpinionForm(data)
    if ExitState.APPROVED in moves:
        found["approve"] = forms.OpinionForm(data)
    if ExitState.DRAFT in moves and exit.state != ExitState.APPROVED:
        found["send_back"] = forms.ReasonForm(data)
    if ExitState.WITHDRAWN in moves:
        found["withdraw"] = forms.ReasonForm(data)
    return found


ACTIONS = {
    "survey": lambda exit, user, d, f: services.exit_survey_record(
        exit=exit, actor=user, surveyed_on=d["surveyed_on"], answers=f.answers()
    ),
    "review": lambda exit, user, d, f: services.exit_review(
        exit=exit, actor=user, reviewed_on=d["reviewed_on"], attendees=d["attendees"], note=d["note"]
    ),
    "agree": lambda exit, user, d, f: services.exit_agree(
        exit=exit, actor=user, agreed_on=d["agreed_on"], signer=d["signer"], signed_form=d["signed_form"]
    ),
    "verify": lambda exit, user, d, f: services.exit_verify(exit=exit, actor=user, opinion=d["opinion"]),
    "approve": lambda exit, user, d, f: services.exit_approve(exit=exit, actor=user, opinion=d["opinion"]),
    "send_back": lambda exit, user, d, f: services.exit_send_back(exit=exit, actor=user, reason=d["reason"]),
    "withdraw": lambda exit, user, d, f: services.exit_withdraw(exit=exit, actor=user, reason=d["reason"]),
}
DONE = {
    "survey": "已保存入户核实。",
    "review": "评议通过,请请户主签字认可。",
    "agree": "已记录签字认可,可列入村内公示。",
    "verify": "乡镇审核通过,已报县扶贫办审批。",
    "approve": "县扶贫办已审批,公告期满后该户脱贫退出。",
    "send_back": "已退回重新核实评议。",
    "withdraw": "已不予退出。",
}


def _render(request: HttpRequest, exit: ExitApplication, step_forms: dict, status: int = 200) -> HttpResponse:
    notice = village_notice(exit)
    return render(
        request,
        "exits/exit_detail.html",
        {
            "exit": exit,
            "result": selectors.checklist_of(exit),
            "forms": step_forms,
            "notice": notice,
            "open_objections": open_objections(exit),
            "events": audit.events_for(exit),
            "head": exit.household.members.filter(relation="户主").first(),
        },
        status=status,
    )


@login_required
def exit_detail(request: HttpRequest, pk: int) -> HttpResponse:
    exit = _exit(request, pk)
    return _render(request, exit, _forms(exit, request.user))


@login_required
@require_POST
def exit_step(request: HttpRequest, pk: int, step: str) -> HttpResponse:
    exit = _exit(request, pk)
    if step not in ACTIONS:
        raise Http404("没有这一步。")
    step_forms = _forms(exit, request.user, request.POST, request.FILES)
    form = step_forms.get(step)
    if form is None:
        messages.error(request, f"当前状态为“{exit.get_state_display()}”,您不能办理这一步。")
        return redirect("exits:exit", exit.pk)
    if form.is_valid():
        ok, _ = attempt(request, lambda: ACTIONS[step](exit, request.user, form.cleaned_data, form), form)
        if ok:
            messages.success(request, DONE[step])
            return redirect("exits:exit", exit.pk)
    # What was typed stays; the other forms start empty.
    others = _forms(exit, request.user)
    others[step] = form
    return _render(request, exit, others, status=200)


@login_required
def signed_form(request: HttpRequest, pk: int) -> FileResponse:
    """The signed 认可书, through the scope like the exit itself (media files are not public)."""
    exit = get_object_or_404(selectors.exits_for(request.user).exclude(signed_form=""), pk=pk)
    try:
        handle = exit.signed_form.open("rb")
    except FileNotFoundError:
        raise Http404("签字认可书文件已不在存储中。") from None
    return FileResponse(
        handle, filename=f"退出认可书-{exit.household.number}{Path(exit.signed_form.name).suffix}"
    )
