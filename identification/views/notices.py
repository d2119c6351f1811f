"""The procedure's 公示: the notices of a round, what may be published now, and publishing it.

Everything after publishing (the list, objections, closing, print) is the shared component's
(notices.views).
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from accounts.actions import attempt
from accounts.models import Role
from identification import selectors, services
from identification.choices import NoticeLevel, State
from identification.models import Round
from identification.services.notices import LISTED_STATE
from identification.views._common import PROGRAM_OF_ROLE, _area, _require_role, _round, _with_heads
from notices import forms as notice_forms
from notices import registry
from notices.models import Notice
from villages.models import Area
from villages.selectors import areas_for

# The area a notice of each level hangs at, from a household's 村民小组 code.
AREA_OF_LEVEL = {
    NoticeLevel.GROUP: lambda code: code,
    NoticeLevel.VILLAGE: lambda code: code[:12],
    NoticeLevel.TOWNSHIP: lambda code: code[:9] + "000",
}


@login_required
def notice_list(request: HttpRequest) -> HttpResponse:
    round = _round(request)
    notices = selectors.notices_for(request.user, round)
    kind, status = request.GET.get("kind", ""), request.GET.get("status", "")
    kinds = [(p.kind, p.label) for p in registry.kinds() if p.kind.startswith("identification.")]
    if kind in dict(kinds):
        notices = notices.filter(kind=kind)
    if status in Notice.Status.values:
        notices = notices.filter(status=status)
    return render(
        request,
        "identification/notice_list.html",
        {
            "round": round,
            "notices": notices.order_by("status", "-starts_on", "-id")[:200],
            "kind": kind,
            "status": status,
            "kinds": kinds,
            "statuses": Notice.Status.choices,
            "publishable": _publishable(request, round),
        },
    )


def _publishable(request: HttpRequest, round: Round) -> list[tuple[NoticeLevel, Area, int]]:
    """The notices the user could publish now: (level, area, number of applications ready)."""
    user = request.user
    levels = [level for level in LISTED_STATE if user.role in services.NOTICE_ROLES[level]]
    if not levels:
        return []
    ready_states = [LISTED_STATE[level] for level in levels]
    rows = list(
        selectors.applications_for(user)
        .filter(round=round, state__in=ready_states)
        .exclude(state=State.SURVEYED, for_fupin=False, for_dibao=False)
        .values_list("pk", "state", "household__group__code")
    )
    on = selectors.notice_levels([pk for pk, _, _ in rows])
    ready: dict[tuple[str, str], int] = {}
    for pk, state, group_code in rows:
        level = next(level for level in levels if LISTED_STATE[level] == state)
        if level.value in on.get(pk, {}):
            continue
        key = (level.value, AREA_OF_LEVEL[level](group_code))
        ready[key] = ready.get(key, 0) + 1
    areas = areas_for(user).in_bulk([code for _, code in ready], field_name="code")
    return [
        (NoticeLevel(level), areas[code], n) for (level, code), n in sorted(ready.items()) if code in areas
    ]


@login_required
def notice_create(request: HttpRequest, level: str, code: str) -> HttpResponse:
    if level not in NoticeLevel.values:
        raise Http404
    level = NoticeLevel(level)
    program = PROGRAM_OF_ROLE.get(request.user.role, "") if level == NoticeLevel.COUNTY else ""
    area = _area(request, code, level.value)
    roles = (
        {Role.COUNTY_FUPIN, Role.COUNTY_MINZHENG}
        if level == NoticeLevel.COUNTY
        else services.NOTICE_ROLES[level]
    )
    _require_role(request, roles, f"发布{level.label}")
    round = _round(request)
    candidates = services.publishable(round, level, area, request.user, program)
    heads = {
        a.pk: a.head_name
        for a in _with_heads(
            selectors.applications_for(request.user).filter(pk__in=[c.pk for c in candidates])
        )
    }
    # A group's name ("大寨组") says little on a wall: the notice names its village too.
    name = f"{area.parent.name}{area.name}" if level == NoticeLevel.GROUP else area.name
    label = registry.publisher(services.notice_kind_of(level, program)).label
    initial = {
        **notice_forms.default_dates(services.today(), round.notice_days),
        "title": f"{name}{round.name}{label}",
        "issuing_body": (
            f"{name}两项制度有效衔接工作领导小组"
            if level != NoticeLevel.COUNTY
            else request.user.get_role_display()
        )[:60],
    }
    form = notice_forms.NoticeForm(request.POST or None, initial=initial)
    chosen = {int(pk) for pk in request.POST.getlist("applications") if pk.isdigit()}
    if request.method == "POST" and form.is_valid():
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
                program=program,
            ),
            form,
        )
        if ok:
            messages.success(request, f"已发布{label},公示至 {notice.ends_on}。")
            return redirect("notices:notice", pk=notice.pk)
    if request.method != "POST":
        chosen = {a.pk for a in candidates}
    return render(
        request,
        "identification/notice_form.html",
        {
            "form": form,
            "area": area,
            "level": level,
            "label": label,
            "round": round,
            "candidates": [(a, heads.get(a.pk, "")) for a in candidates],
            "chosen": chosen,
        },
    )
