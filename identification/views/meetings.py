"""评议 meetings: the 户主会议 and the 村委会 review, their ranking and print."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from accounts.actions import attempt
from accounts.models import Role
from households.choices import Relation
from households.models import Member
from identification import forms, selectors, services
from identification.choices import (
    MeetingKind,
    State,
)
from identification.models import Meeting, Round
from identification.views._common import (
    _area,
    _require_role,
    _round,
    _with_heads,
)
from villages.models import Area

# --- 评议 meetings ----------------------------------------------------------------------------------


MEETING_AGENDA = {MeetingKind.GROUP: State.SUBMITTED, MeetingKind.VILLAGE: State.GROUP_PUBLICIZED}


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
