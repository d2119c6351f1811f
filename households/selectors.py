"""Scoped reads of the registry: every view, export, report and task starts here."""

from __future__ import annotations

from django.db.models import QuerySet

from accounts.models import User
from households.models import Household


def households_for(user: User) -> QuerySet[Household]:
    return Household.objects.visible_to(user)
