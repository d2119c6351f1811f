"""Writes to the area tree. Views, the seed command and tests all come through here."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Max
from django.forms.models import model_to_dict

from accounts import audit
from accounts.models import Role, User
from villages.models import PROFILE_LEVELS, Area, AreaProfile

# Who may change an area of each level (inside their own area only). Official names of counties,
# townships and villages come from the statistics bureau, so only the administrator corrects them;
# 村民小组 are kept by the village and township; the county keeps the townships' base indicators.
AREA_EDITORS: dict[str, set[str]] = {
    Area.Level.COUNTY: {Role.ADMIN},
    Area.Level.TOWNSHIP: {Role.COUNTY_FUPIN, Role.ADMIN},
    Area.Level.VILLAGE: {Role.ADMIN},
    Area.Level.GROUP: {Role.VILLAGE_CADRE, Role.TOWNSHIP_OFFICIAL, Role.COUNTY_FUPIN, Role.ADMIN},
}


# Who keeps the 村情概况 of a village or group inside their area: the village cadres know it first hand,
# the township and the county check it.
PROFILE_EDITORS = {Role.VILLAGE_CADRE, Role.TOWNSHIP_OFFICIAL, Role.COUNTY_FUPIN, Role.ADMIN}


# Set by the county's own services only (贫困村识别 marks, 贫困村退出 approvals), never through the profile.
COUNTY_ONLY_PROFILE_FIELDS = frozenset({"is_poor_village", "poor_village_year", "poor_village_exit_year"})


def can_edit_profile(user: User, area: Area) -> bool:
    return (
        area.level in PROFILE_LEVELS
        and user.role in PROFILE_EDITORS
        and user.area is not None
        and user.area.contains(area)
    )


def can_edit_area(user: User, area: Area) -> bool:
    return user.role in AREA_EDITORS[area.level] and user.area is not None and user.area.contains(area)


def can_add_group(user: User, village: Area) -> bool:
    return (
        village.level == Area.Level.VILLAGE
        and user.role in AREA_EDITORS[Area.Level.GROUP]
        and (user.area is not None and user.area.contains(village))
    )


@transaction.atomic
def area_update(*, area: Area, actor: User, changes: dict) -> Area:
    area = Area.objects.visible_to(actor).select_for_update().get(pk=area.pk)
    if not can_edit_area(actor, area):
        raise PermissionDenied(
            f"{actor.get_role_display() or '该用户'}无权修改{area.get_level_display()}“{area.name}”。"
        )
    old = {field: getattr(area, field) for field in changes}
    for field, value in changes.items():
        setattr(area, field, value)
    area.full_clean()
    area.save(update_fields=list(changes))
    changed = [field for field in changes if old[field] != getattr(area, field)]
    if changed:
        # A rename shows in every ledger and 公示 under the new name: who renamed what, and from what.
        audit.record(
            event_type="area_renamed" if "name" in changed else "area_updated",
            actor=actor,
            obj=area,
            area_code=area.code,
            old={field: old[field] for field in changed},
            new={field: getattr(area, field) for field in changed},
        )
    return area


@transaction.atomic
def group_create(*, village: Area, actor: User, name: str) -> Area:
    # Lock the village so two cadres adding groups at once cannot take the same number.
    village = Area.objects.visible_to(actor).select_for_update().get(pk=village.pk)
    if not can_add_group(actor, village):
        raise PermissionDenied(
            f"{actor.get_role_display() or '该用户'}无权在“{village.name}”下新增村民小组。"
        )
    last = village.children.aggregate(last=Max("code"))["last"]
    number = int(last[-3:]) + 1 if last else 1
    if number > 999:
        raise PermissionDenied(f"“{village.name}”的村民小组编号已用完。")
    group = Area(code=f"{village.code}{number:03d}", name=name, level=Area.Level.GROUP, parent=village)
    group.full_clean()
    group.save()
    return group


@transaction.atomic
def profile_save(*, area: Area, actor, changes: dict) -> AreaProfile:
    """Create or update an area's 村情概况, with an audit event of what changed (是否贫困村 above all)."""
    area = Area.objects.visible_to(actor).select_for_update().get(pk=area.pk)
    if not can_edit_profile(actor, area):
        raise PermissionDenied(f"您无权修改“{area.name}”的村情概况。")
    if COUNTY_ONLY_PROFILE_FIELDS & set(changes):
        raise PermissionDenied(
            "是否贫困村由县扶贫办依贫困村识别排序认定、经贫困村退出程序退出,不能在村情概况中修改。"
        )
    profile = AreaProfile.objects.select_for_update().filter(area=area).first()
    created = profile is None
    profile = profile or AreaProfile(area=area)
    fields = list(changes)
    old = {} if created else model_to_dict(profile, fields=fields)
    for field, value in changes.items():
        setattr(profile, field, value)
    profile.full_clean()
    profile.save()
    new = model_to_dict(profile, fields=fields)
    changed = {f: new[f] for f in fields if created or old.get(f) != new[f]}
    if changed:
        audit.record(
            event_type="area_profile_created" if created else "area_profile_updated",
            actor=actor,
            obj=profile,
            area_code=area.code,
            old={f: old[f] for f in changed if f in old},
            new=changed,
        )
    return profile
