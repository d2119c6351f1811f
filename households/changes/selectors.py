"""Scoped reads of change requests: the village's own, the township's queue."""

from __future__ import annotations

from django.db.models import QuerySet

from accounts.models import User
from households.changes.models import ChangeRequest


def change_requests_for(user: User) -> QuerySet[ChangeRequest]:
    return ChangeRequest.objects.visible_to(user).select_related(
        "household__group__parent", "filed_by", "decided_by"
    )
