"""Screens of 深度贫困: the ranked list of the user's area (every role with an area), the county's
criteria and the confirmation (县扶贫办 only, 403 for the others). An area outside the user's own is a 404."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_POST

from accounts.actions import attempt
from accounts.models import Role
from identification import selectors
from identification.deep_poverty import services
from identification.deep_poverty.forms import ConfirmForm, CriteriaForm
from identification.deep_poverty.models import DeepPovertyCriteria, DeepPovertyEntry, DeepPovertyList
from identification.deep_poverty.ranking import HARDSHIPS, ranking
from identification.models import Round
from villages.models import Area
from villages.selectors import areas_for


def _round(pk: int) -> Round:
    return get_object_or_404(selectors.rounds(), pk=pk)


def _require_area(request: HttpRequest) -> Area:
    if request.user.area is None:
        raise PermissionDenied("深度贫困名单按区划查看,您的账号没有所属区划。")
    return request.user.area


def _require_fupin(request: HttpRequest, what: str) -> None:
    if request.user.role != Role.COUNTY_FUPIN:
        raise PermissionDenied(
            f"{what}由县扶贫办办理,您的角色是{request.user.get_role_display() or '未分配'}。"
        )


def _criteria(round: Round) -> DeepPovertyCriteria | None:
    return DeepPovertyCriteria.objects.select_related("round", "updated_by").filter(round=round).first()


@login_required
@require_GET
def deep_poverty(request: HttpRequest, pk: int) -> HttpResponse:
    """The ranking of the user's area (or of an area inside it, ?area=code), against the county's target."""
    home = _require_area(request)
    round = _round(pk)
    code = request.GET.get("area", "")
    area = get_object_or_404(areas_for(request.user), code=code) if code else home
    criteria = _criteria(round)
    latest = DeepPovertyList.objects.filter(round=round).select_related("confirmed_by").first()
    confirmed = (
        set(
            DeepPovertyEntry.objects.visible_to(request.user)
            .filter(deep_list=latest, household__group__code__startswith=area.scope_prefix)
            .values_list("household_id", flat=True)
        )
        if latest
        else set()
    )
    is_fupin = request.user.role == Role.COUNTY_FUPIN and home.level == Area.Level.COUNTY
    return render(
        request,
        "identification/deep_poverty.html",
        {
            "round": round,
            "area": area,
            "trail": [a for a in area.ancestors() if home.contains(a)] + [area],
            "criteria": criteria,
            "weights": [(label, getattr(criteria, weight)) for _k, label, weight, _s in HARDSHIPS]
            if criteria
            else [],
            "ranking": ranking(criteria, area) if criteria else None,
            "latest": latest,
            "confirmed": confirmed,
            "can_change": is_fupin and not round.closed,
            "confirm_form": ConfirmForm(),
        },
    )


@login_required
def deep_poverty_criteria(request: HttpRequest, pk: int) -> HttpResponse:
    _require_fupin(request, "深度贫困认定条件")
    round = _round(pk)
    criteria = _criteria(round)
    form = CriteriaForm(request.POST or None, instance=criteria)
    if request.method == "POST" and form.is_valid():
        ok, _saved = attempt(
            request,
            lambda: services.criteria_set(
                round=round,
                actor=request.user,
                values={n: form.cleaned_data[n] for n in services.CRITERIA_FIELDS},
            ),
            form,
        )
        if ok:
            messages.success(request, "深度贫困认定条件已保存,排序已按新条件更新。")
            return redirect("identification:deep_poverty", pk=round.pk)
    return render(request, "identification/deep_poverty_criteria.html", {"round": round, "form": form})


@login_required
@require_POST
def deep_poverty_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    _require_fupin(request, "确认深度贫困名单")
    round = _round(pk)
    form = ConfirmForm(request.POST)
    note = form.cleaned_data["note"] if form.is_valid() else ""
    ok, listed = attempt(request, lambda: services.list_confirm(round=round, actor=request.user, note=note))
    if ok:
        messages.success(
            request,
            f"已确认深度贫困名单 #{listed.pk}:{listed.households} 户 {listed.persons} 人,户卡已标注。",
        )
    return redirect("identification:deep_poverty", pk=round.pk)
