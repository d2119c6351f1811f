"""Household pages: the list, the form with its members, the 户卡 and its print and .xlsx forms.

Every household is fetched through households_for(request.user): one outside the user's area is a
404 at every URL. ID numbers travel only in POST bodies (the search box, the ID check), never in a URL.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection
from django.db.models import BooleanField, Count, Prefetch, Q, QuerySet
from django.db.models.expressions import RawSQL
from django.db.models.functions import Substr
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from accounts import freshness
from households import choices, services
from households.card import INCOME_COLUMNS, build_card, card_xlsx, household_history
from households.changes.selectors import change_requests_for
from households.forms import (
    NO_ROLL,
    ROLL_FILTERS,
    HouseholdFilterForm,
    HouseholdForm,
    IncomeRecordForm,
    member_formset_class,
    search_households,
)
from households.idnumber import InvalidIdNumber, parse
from households.models import Case, Household, Member
from households.policy import label_cases
from households.privacy import can_see_personal_numbers
from households.selectors import households_for
from households.validation import members_in_other_households
from villages.models import SIGNIFICANT_DIGITS, Area

PAGE_SIZE = 50
ON_A_ROLL = "_on_a_roll"
FACET_CACHE_SECONDS = 60


@dataclass(frozen=True)
class Facet:
    label: str
    count: int
    query: str
    selected: bool


@dataclass(frozen=True)
class FacetGroup:
    title: str
    options: list[Facet]
    clear_query: str | None  # set when this filter is in use


@dataclass(frozen=True)
class Page:
    rows: list[Household]
    next_after: str | None
    prev_before: str | None


# The list's order: by 村民小组, then 户编号 — the index household_area_number, whose range for an area
# holds exactly the area's households in this order. A page reads its 50 entries and nothing else,
# in a village as in a prefecture (bench/README.md, "Scale"). For the system's own numbers (group
# code + serial) this is plain 户编号 order.
LIST_ORDER = ("area_code", "number")
_ROW = "(households_household.area_code, households_household.number) {} (%s, %s)"


def _beyond(households: QuerySet[Household], number: str, *, after: bool) -> Q:
    """The rows after (or before) a cursor 户编号 in list order: a row comparison the index answers."""
    area_code = households.filter(number=number).values_list("area_code", flat=True).first()
    if area_code is None:
        # The cursor's household has since left the filtered set: 户编号 alone still pages correctly
        # through the system's own numbers (group code + serial).
        return Q(number__gt=number) if after else Q(number__lt=number)
    return Q(RawSQL(_ROW.format(">" if after else "<"), [area_code, number], BooleanField()))


def _keyset_page(households: QuerySet[Household], *, after: str, before: str) -> Page:
    """Pages by (村民小组代码, 户编号), so page 2,000 costs what page 1 costs; no deep OFFSET. The cursors
    are 户编号 (unique); their group code is looked up with them."""
    if before:
        earlier = households.filter(_beyond(households, before, after=False))
        rows = list(earlier.order_by("-area_code", "-number")[: PAGE_SIZE + 1])
        has_prev = len(rows) > PAGE_SIZE
        rows = rows[:PAGE_SIZE][::-1]
        return Page(rows, rows[-1].number if rows else None, rows[0].number if has_prev and rows else None)
    ordered = households.order_by(*LIST_ORDER)
    if after:
        ordered = ordered.filter(_beyond(households, after, after=True))
    rows = list(ordered[: PAGE_SIZE + 1])
    has_next = len(rows) > PAGE_SIZE
    rows = rows[:PAGE_SIZE]
    return Page(rows, rows[-1].number if has_next else None, rows[0].number if after and rows else None)


def _facets(households: QuerySet[Household], filters: HouseholdFilterForm) -> dict:
    """Counts per filter value on the filtered set: two grouped queries whatever the number of values."""
    data = filters.cleaned_data
    area = filters.selected_area()
    child_digits = SIGNIFICANT_DIGITS.get(area.child_level or "")
    grouping = {"prefix": Substr("area_code", 1, child_digits)} if child_digits else {}
    by_area: dict[str, int] = {}
    by_attribute: dict[str, int] = {}
    by_cause: dict[str, int] = {}
    total = 0
    for row in households.order_by().values("attribute", "main_cause", **grouping).annotate(n=Count("id")):
        total += row["n"]
        by_attribute[row["attribute"]] = by_attribute.get(row["attribute"], 0) + row["n"]
        by_cause[row["main_cause"]] = by_cause.get(row["main_cause"], 0) + row["n"]
        if child_digits:
            by_area[row["prefix"]] = by_area.get(row["prefix"], 0) + row["n"]

    by_roll, by_state = _case_counts(households, roll=data.get("roll") or None)
    by_roll[NO_ROLL] = total - by_roll.pop(ON_A_ROLL, 0)

    def group(name: str, title: str, values: list[tuple[str, str]], counts: dict[str, int]) -> FacetGroup:
        rest = filters.query_without(name)
        current = filters.data.get(name, "")
        return FacetGroup(
            title=title,
            options=[
                Facet(label, counts.get(value, 0), urlencode({**rest, name: value}), current == value)
                for value, label in values
            ],
            clear_query=urlencode(rest) if current else None,
        )

    children = list(Area.objects.filter(parent=area).order_by("code")) if child_digits else []
    area_counts = {c.code: by_area.get(c.scope_prefix, 0) for c in children}
    return {
        "total": total,
        "groups": [
            group("area", "下辖区划", [(c.code, c.name) for c in children], area_counts),
            group("attribute", "贫困户属性", choices.Attribute.choices, by_attribute),
            group("cause", "主要致贫原因", choices.Cause.choices, by_cause),
            group("roll", "户类", ROLL_FILTERS, by_roll),
            group("state", "对象状态", choices.CaseState.choices, by_state),
        ],
    }


def _case_counts(
    households: QuerySet[Household], *, roll: str | None
) -> tuple[dict[str, int], dict[str, int]]:
    """Households per roll (open cases) and per case state, in one pass over the cases.

    GROUPING SETS, which the ORM cannot express, counts both in one scan; at county scale each scan
    of the filtered set is most of the cost (bench/README.md). The filtered set goes in as the ORM's
    own SQL with its parameters.
    """
    subquery, params = households.order_by().values("pk").query.sql_with_params()
    with connection.cursor() as cursor:
        # The empty grouping set counts the households on any roll, so the rest are "未在名册".
        cursor.execute(
            "SELECT program, state, COUNT(DISTINCT household_id),"
            " COUNT(DISTINCT household_id) FILTER (WHERE state = ANY(%s)) FROM households_case"
            f" WHERE household_id IN ({subquery}) GROUP BY GROUPING SETS ((program, state), (state), ())",
            [list(Case.OPEN_STATES), *params],
        )
        rows = cursor.fetchall()
    by_roll: dict[str, int] = {}
    by_state: dict[str, int] = {}
    for program, state, count, open_count in rows:
        if program is None and state is None:
            by_roll[ON_A_ROLL] = open_count
            continue
        if program is not None and state in Case.OPEN_STATES:
            # At most one open case per household and program (case_one_open_per_program): a sum is exact.
            by_roll[program] = by_roll.get(program, 0) + count
        # With a roll chosen, the states are those of that roll's cases.
        if (program is None and roll is None) or (program is not None and program == roll):
            by_state[state] = count
    return by_roll, by_state


def _area_trail(filters: HouseholdFilterForm) -> list[tuple[Area, str]]:
    """From the user's own area down to the selected one, each with the query that selects it."""
    area, own = filters.selected_area(), filters.user.area
    trail = [a for a in area.ancestors() if own.contains(a)] + [area]
    rest = filters.query_without("area")
    return [(a, urlencode({**rest, "area": a.code} if a != own else rest)) for a in trail]


def _filtered(request: HttpRequest) -> tuple[HouseholdFilterForm, QuerySet[Household], str]:
    """The user's households, filtered by the GET parameters and searched by the POSTed text."""
    if request.user.area is None:
        raise Http404
    filters = HouseholdFilterForm(request.GET, user=request.user)
    if not filters.is_valid():
        raise Http404("筛选条件有误或不在您的管辖范围内。")
    # The search text may be an ID number: it comes by POST only, so that it never lands in a URL,
    # a browser history or an access log; and so does the cursor of a searched list.
    query = request.POST.get("q", "").strip() if request.method == "POST" else ""
    # A household merged into another (合户) keeps its page and history, but is no longer on the list.
    households = filters.filter(households_for(request.user).filter(merged_into__isnull=True))
    if query:
        households = search_households(households, query)
    return filters, households, query


@login_required
def household_list(request: HttpRequest) -> HttpResponse:
    filters, households, query = _filtered(request)
    cursor = request.POST if request.method == "POST" else request.GET
    page = _keyset_page(
        households.select_related("group__parent").prefetch_related(
            Prefetch("members", queryset=Member.objects.order_by("id")),
            # Open rolls, and lifted 扶贫 cases: within the transition period they read 已脱贫(享受政策).
            Prefetch(
                "cases", queryset=Case.objects.filter(state__in=[*Case.OPEN_STATES, choices.CaseState.LIFTED])
            ),
        ),
        after=cursor.get("after", ""),
        before=cursor.get("before", ""),
    )
    if page.rows:
        label_cases([c for h in page.rows for c in h.cases.all()], page.rows[0].group.code)
    return render(
        request,
        "households/household_list.html",
        {
            "page": page,
            "query": query,
            "filter_query": urlencode(filters.query_without()),
            "area_trail": _area_trail(filters),
            "can_edit": services.can_edit_households(request.user),
        },
    )


@login_required
@require_POST
def household_facets(request: HttpRequest) -> HttpResponse:
    """htmx: the counts per filter value. They read every household of the filtered set, so they come
    after the page, which itself reads one page through the 户编号 index (bench/README.md)."""
    filters, households, query = _filtered(request)
    if query:
        # A searched set is small and quick to count; its text (maybe an ID number) is kept out of caches.
        facets = _facets(households, filters)
    else:
        # A county's unfiltered counts read 100,000 households; the next visitor of the same area and
        # filters reuses them until the area's data change (accounts.freshness) or a minute passes.
        prefix = filters.user.area.scope_prefix
        key = f"households:counts:{freshness.version(prefix)}:{prefix}:{urlencode(filters.query_without())}"
        facets = cache.get_or_set(key, lambda: _facets(households, filters), timeout=FACET_CACHE_SECONDS)
    return render(request, "households/partials/facets.html", {"facets": facets})


def _scoped_household(request: HttpRequest, pk: int) -> Household:
    return get_object_or_404(households_for(request.user).select_related("group__parent__parent"), pk=pk)


def _card_household(request: HttpRequest, pk: int) -> Household:
    return get_object_or_404(
        households_for(request.user)
        .select_related("group__parent__parent")
        .prefetch_related(Prefetch("members", queryset=Member.objects.order_by("id")), "incomes", "cases"),
        pk=pk,
    )


@login_required
def household_detail(request: HttpRequest, pk: int) -> HttpResponse:
    household = _card_household(request, pk)
    card = build_card(household, reveal=can_see_personal_numbers(request.user))
    return render(
        request,
        "households/household_detail.html",
        {
            "card": card,
            "household": household,
            "income_headers": [label for _, label in INCOME_COLUMNS],
            "history": household_history(household, reveal=card.reveal),
            "can_edit": services.can_edit_households(request.user),
            # households.changes: what is waiting for the township on this household.
            "pending_changes": change_requests_for(request.user)
            .filter(household=household, state="pending")
            .order_by("filed_at"),
        },
    )


@login_required
def household_print(request: HttpRequest, pk: int) -> HttpResponse:
    household = _card_household(request, pk)
    return render(
        request,
        "households/household_print.html",
        {
            "card": build_card(household, reveal=can_see_personal_numbers(request.user)),
            "household": household,
            "income_headers": [label for _, label in INCOME_COLUMNS],
        },
    )


@login_required
def household_card_xlsx(request: HttpRequest, pk: int) -> FileResponse:
    household = _card_household(request, pk)
    content = card_xlsx(build_card(household, reveal=can_see_personal_numbers(request.user)))
    # 户编号 is not personal data, so it may name the file.
    return FileResponse(
        io.BytesIO(content),
        as_attachment=True,
        filename=f"户卡-{household.number}.xlsx",
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )


# The unique constraints a household, member or income form can run into when two people save at
# the same moment: both pass the form's own check, the database lets one in. Constraint name → the
# form field and the message.
UNIQUE_MESSAGES = {
    "households_household_number": ("number", "户编号刚刚已被他人使用,请核对后重新填写。"),
    "households_member_id_number": ("id_number", "此人刚刚已由他人登记在另一户中,一人只能属于一户。"),
    "member_one_head": ("relation", "该户已有户主,一户只能有一名户主。"),
    "income_one_record_per_year": ("year", "该年度的收入刚刚已由他人录入,请在户卡上修改该年度。"),
}


def _unique_violation(error: IntegrityError, *, form, members) -> None:
    """Put a unique violation on the field it concerns, in Chinese, and nothing in the log.

    The database's own message names the value (an ID number): it is neither shown nor logged.
    Anything that is not one of our unique constraints is re-raised as the error it is.
    """
    constraint = getattr(getattr(error.__cause__, "diag", None), "constraint_name", None) or ""
    found = next(((key, v) for key, v in UNIQUE_MESSAGES.items() if constraint.startswith(key)), None)
    if found is None:
        raise error
    field, message = found[1]
    if field in ("id_number", "relation") and members is not None:
        # Every member row that could be the one: the constraint does not say which.
        for member_form in members.live_forms():
            member_form.add_error(field, message)
        form.add_error(None, message)
    elif field in form.fields:
        form.add_error(field, message)
    else:
        form.add_error(None, message)


def _deny_unless_editor(request: HttpRequest) -> None:
    if not services.can_edit_households(request.user):
        raise PermissionDenied(
            f"{request.user.get_role_display() or '该用户'}只能查看贫困户信息,不能新增或修改。"
        )


def _render_form(request: HttpRequest, *, form, members, household: Household | None) -> HttpResponse:
    return render(
        request,
        "households/household_form.html",
        {"form": form, "members": members, "household": household, "fixed_members": household is not None},
    )


@login_required
def household_create(request: HttpRequest) -> HttpResponse:
    _deny_unless_editor(request)
    data = request.POST if request.method == "POST" else None
    form = HouseholdForm(data, user=request.user)
    members = member_formset_class(extra=1)(
        data,
        instance=Household(),
        prefix="members",
        form_kwargs={"check_url": reverse("households:check_id")},
    )
    if data is not None and all([form.is_valid(), members.is_valid()]):
        try:
            household = services.household_create(
                actor=request.user, data=form.cleaned_data, members=members.member_values()
            )
        except ValidationError as error:
            form.add_error(None, error)
        except IntegrityError as error:
            _unique_violation(error, form=form, members=members)
        else:
            messages.success(request, f"已建档:户编号{household.number}。")
            return redirect("households:detail", pk=household.pk)
    return _render_form(request, form=form, members=members, household=None)


@login_required
def household_edit(request: HttpRequest, pk: int) -> HttpResponse:
    household = _scoped_household(request, pk)
    _deny_unless_editor(request)
    data = request.POST if request.method == "POST" else None
    form = HouseholdForm(data, instance=household, user=request.user)
    members = member_formset_class(extra=0, can_delete=False)(
        data,
        instance=household,
        prefix="members",
        queryset=household.members.order_by("id"),
        form_kwargs={"check_url": f"{reverse('households:check_id')}?household={household.pk}"},
    )
    if data is not None and all([form.is_valid(), members.is_valid()]):
        try:
            services.household_update(
                household=household,
                actor=request.user,
                data=form.cleaned_data,
                members=members.member_values(),
            )
        except ValidationError as error:
            form.add_error(None, error)
        except IntegrityError as error:
            _unique_violation(error, form=form, members=members)
        else:
            messages.success(request, f"已保存户编号{household.number}。")
            return redirect("households:detail", pk=household.pk)
    return _render_form(request, form=form, members=members, household=household)


@login_required
def income_edit(request: HttpRequest, pk: int, year: int | None = None) -> HttpResponse:
    household = _scoped_household(request, pk)
    _deny_unless_editor(request)
    record = get_object_or_404(household.incomes, year=year) if year else None
    data = request.POST if request.method == "POST" else None
    # A new year starts from the household's current size: the per-capita income divides by it.
    initial = {} if record else {"persons": household.members.count() or None}
    form = IncomeRecordForm(data, instance=record, household=household, initial=initial)
    if data is not None and form.is_valid():
        try:
            saved = services.income_save(
                household=household,
                actor=request.user,
                year=form.cleaned_data["year"],
                values=form.cleaned_data,
            )
        except IntegrityError as error:
            _unique_violation(error, form=form, members=None)
        else:
            messages.success(
                request, f"已保存{saved.year}年收入:年人均纯收入{saved.per_capita_net_income}元。"
            )
            return redirect("households:detail", pk=household.pk)
    return render(
        request, "households/income_form.html", {"household": household, "form": form, "record": record}
    )


@login_required
@require_POST
def check_id(request: HttpRequest) -> HttpResponse:
    """htmx: the ID number of one member row as it is typed; fills 性别 and 出生日期 when it is valid."""
    name = request.htmx.trigger_name if request.htmx else None
    raw = request.POST.get(name or "", "") or request.POST.get("id_number", "")
    context: dict = {"raw": raw}
    if raw.strip():
        try:
            info = parse(raw)
        except InvalidIdNumber as error:
            context["error"] = str(error)
        else:
            household_id = request.GET.get("household")
            taken = members_in_other_households(
                [info.number],
                household_id=int(household_id) if household_id and household_id.isdigit() else None,
            ).get(info.number)
            # Typed letter by letter, this check would tell anyone whether and where any person of the
            # county is registered. The 户编号 is shown only when that household lies inside the
            # user's own area; elsewhere the answer is only that the person is registered (the final
            # save still names the household, once, for a number actually entered).
            if taken and not households_for(request.user).filter(number=taken).exists():
                context.update(info=info, taken_elsewhere=True)
            else:
                context.update(info=info, taken=taken)
    return render(request, "households/partials/id_check.html", context)
