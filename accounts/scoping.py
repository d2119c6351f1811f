"""Area scoping: the one door through which every query of area-bound data passes.

A user sees a row when the row's area code starts with the user's area prefix (villages.Area
.scope_prefix). A model opts in by using `AreaScopedQuerySet` and naming, in `area_code_field`, the
lookup path from the model to an area code (e.g. "code" on Area, "group__code" on a household).
Views, the admin, exports and tasks all call `.visible_to(user)`; an object outside it is a 404,
exactly like a missing one.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import models

if TYPE_CHECKING:
    from accounts.models import User


class AreaScopedQuerySet(models.QuerySet):
    def visible_to(self, user: User) -> AreaScopedQuerySet:
        prefix = scope_prefix(user)
        if prefix is None:
            return self.none()
        return self.filter(**{f"{self.model.area_code_field}__startswith": prefix})


def scope_prefix(user: User) -> str | None:
    """The area-code prefix of everything `user` may see, or None for nothing at all."""
    if not user.is_authenticated or not user.is_active or user.area_id is None:
        return None
    return user.area.scope_prefix
