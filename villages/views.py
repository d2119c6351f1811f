from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render

from villages import services
from villages.forms import AreaProfileForm, GroupForm, area_form_class
from villages.models import PROFILE_LEVELS, Area, AreaProfile
from villages.selectors import area_children, areas_for


def _scoped_area(request, code: str):
    return get_object_or_404(areas_for(request.user), code=code)


@login_required
def area_list(request):
    query = request.GET.get("q", "").strip()
    if not query:
        if request.user.area is None:
            raise Http404
        return redirect("villages:area_detail", code=request.user.area.code)
    results = areas_for(request.user).filter(Q(name__contains=query) | Q(code__startswith=query))[:100]
    return render(request, "villages/area_search.html", {"query": query, "results": results})


def _profile_of(area: Area) -> AreaProfile | None:
    return AreaProfile.objects.filter(area=area).first()


@login_required
def area_detail(request, code: str):
    area = _scoped_area(request, code)
    visible_prefix = request.user.area.scope_prefix
    breadcrumbs = [a for a in area.ancestors() if a.code.startswith(visible_prefix)]
    profile = village_profile = None
    if area.level in PROFILE_LEVELS:
        profile = _profile_of(area)
        if profile is None and area.level == Area.Level.GROUP:
            village_profile = _profile_of(area.parent)
    return render(
        request,
        "villages/area_detail.html",
        {
            "area": area,
            "breadcrumbs": breadcrumbs,
            "children": area_children(user=request.user, area=area),
            "can_edit": services.can_edit_area(request.user, area),
            "can_add_group": services.can_add_group(request.user, area),
            "can_edit_profile": services.can_edit_profile(request.user, area),
            "has_profile": area.level in PROFILE_LEVELS,
            "profile": profile,
            "village_profile": village_profile,
        },
    )


@login_required
def profile_edit(request, code: str):
    """The 村情概况 alone, for those who keep it but may not rename the area (a cadre's own village)."""
    area = _scoped_area(request, code)
    if not services.can_edit_profile(request.user, area):
        raise PermissionDenied(f"您无权填报“{area.name}”的村情概况。")
    profile = _profile_of(area) or AreaProfile(area=area)
    form = AreaProfileForm(request.POST or None, instance=profile, prefix="profile")
    if request.method == "POST" and form.is_valid():
        services.profile_save(area=area, actor=request.user, changes=form.cleaned_data)
        messages.success(request, f"已保存“{area.name}”的村情概况。")
        return redirect("villages:area_detail", code=area.code)
    return render(request, "villages/profile_form.html", {"area": area, "profile_form": form})


@login_required
def area_edit(request, code: str):
    area = _scoped_area(request, code)
    if not services.can_edit_area(request.user, area):
        raise PermissionDenied(f"您无权修改{area.get_level_display()}“{area.name}”。")
    form_class = area_form_class(area.level)
    form = form_class(request.POST or None, instance=area)
    profile_form = None
    if area.level in PROFILE_LEVELS:
        profile = _profile_of(area) or AreaProfile(area=area)
        # A post without any profile field (a rename from elsewhere) leaves the profile as it is.
        posted = any(key.startswith("profile-") for key in request.POST)
        profile_form = AreaProfileForm(request.POST if posted else None, instance=profile, prefix="profile")
    saves_profile = profile_form is not None and profile_form.is_bound
    if request.method == "POST" and form.is_valid() and (not saves_profile or profile_form.is_valid()):
        with transaction.atomic():
            services.area_update(area=area, actor=request.user, changes=form.cleaned_data)
            if saves_profile:
                services.profile_save(area=area, actor=request.user, changes=profile_form.cleaned_data)
        messages.success(request, f"已保存“{area.name}”。")
        return redirect("villages:area_detail", code=area.code)
    return render(
        request, "villages/area_form.html", {"area": area, "form": form, "profile_form": profile_form}
    )


@login_required
def group_create(request, code: str):
    village = _scoped_area(request, code)
    if not services.can_add_group(request.user, village):
        raise PermissionDenied(f"您无权在“{village.name}”下新增村民小组。")
    form = GroupForm(request.POST or None, village=village)
    if request.method == "POST" and form.is_valid():
        group = services.group_create(village=village, actor=request.user, name=form.cleaned_data["name"])
        messages.success(request, f"已新增村民小组“{group.name}”({group.code})。")
        return redirect("villages:area_detail", code=village.code)
    return render(request, "villages/group_form.html", {"village": village, "form": form})
