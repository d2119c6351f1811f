"""Area scoping: the one door through which every query of area-bound data passes.

A user sees a row when the row's area code starts with the user's area prefix (villages.Area
.scope_prefix). A model opts in by using `AreaScopedQuerySet` and naming, in `area_code_field`, the
lookup path from the model to an area code (e.g. "code" on Area, "group__code" on a household).
Views, the admin, exports and tasks all call `.visible_to(user)`; an object outside it is a 404,
exactly like a missing one.

A second kind of scope stands behind the same door: a 帮扶责任人 (Role.HELPER) has no area and sees the
households paired with them now (assistance.Pairing, open), and the rows of those households, nothing
else. A model opts in to that scope by naming, in `helper_household_field`, the lookup path from the
model to its household ("pk" on Household itself, "household" on a visit or a plan); a model that does
not name one gives a helper nothing at all, whatever its area.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.apps import apps
from django.db import models

if TYPE_CHECKING:
    from accounts.models import User

HELPER_ROLE = "helper"  # accounts.models.Role.HELPER; a literal here because models.py imports this module


class AreaScopedQuerySet(models.QuerySet):
    def visible_to(self, user: User) -> AreaScopedQuerySet:
        if is_helper(user):
            path = getattr(self.model, "helper_household_field", None)
            if path is None:
                return self.none()
            return self.filter(**{f"{path}__in": paired_household_ids(user)})
        prefix = scope_prefix(user)
        if prefix is None:
            return self.none()
        return self.filter(**{f"{self.model.area_code_field}__startswith": prefix})


def is_helper(user: User) -> bool:
    return bool(user.is_authenticated and user.is_active and getattr(user, "role", "") == HELPER_ROLE)


def paired_household_ids(user: User) -> models.QuerySet:
    """The ids of the households `user` (a 帮扶责任人) is paired with now: a subquery, not a list."""
    pairing = apps.get_model("assistance", "Pairing")
    return pairing.objects.filter(helper__user=user, ended_on__isnull=True).values("household_id")


def scope_prefix(user: User) -> str | None:
    """The area-code prefix of everything `user` may see, or None for nothing at all (a helper: no area)."""
    if not user.is_authenticated or not user.is_active or user.area_id is None:
        return None
    return user.area.scope_prefix
