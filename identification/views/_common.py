"""What the identification screens share: the round of the page, scoped fetches, running a service."""

from __future__ import annotations

from django.db.models import OuterRef, Subquery
from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404

from accounts import guards
from accounts.models import Role
from households.choices import Relation
from households.models import Member
from identification import selectors
from identification.choices import (
    State,
)
from identification.models import Application, Round
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
    guards.require_role_to_see(request.user, roles, what)


def _with_heads(applications):
    """Each application with its head's name, in the same query (no N+1 over a list)."""
    head = Member.objects.filter(household=OuterRef("household"), relation=Relation.HEAD).values("name")[:1]
    return applications.annotate(head_name=Subquery(head))


def _with_household_heads(households):
    """Households with their head's name (the 申报 form names each by 户编号 and 户主)."""
    head = Member.objects.filter(household=OuterRef("pk"), relation=Relation.HEAD).values("name")[:1]
    return households.annotate(head_name=Subquery(head))


def _state_label(value: str | None) -> str:
    return str(State(value).label) if value in State.values else ""


def _query_without(request: HttpRequest, *names: str) -> str:
    params = request.GET.copy()
    for name in names:
        params.pop(name, None)
    return params.urlencode()
