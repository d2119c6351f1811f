"""Scoped reads of the area tree."""

from __future__ import annotations

from django.db.models import Count, QuerySet

from accounts.models import User
from villages.models import Area


def areas_for(user: User) -> QuerySet[Area]:
    return Area.objects.visible_to(user)


def area_children(*, user: User, area: Area) -> QuerySet[Area]:
    return areas_for(user).filter(parent=area).annotate(child_count=Count("children")).order_by("code")
