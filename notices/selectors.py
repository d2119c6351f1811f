"""Scoped reads of notices."""

from __future__ import annotations

from collections.abc import Sequence

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import QuerySet

from accounts.models import User
from notices.models import Entry, Notice, Objection


def notices_for(user: User) -> QuerySet[Notice]:
    return Notice.objects.visible_to(user).select_related("area")


def objections_for(user: User) -> QuerySet[Objection]:
    return Objection.objects.visible_to(user).select_related("notice", "entry")


def standing_entries(notice: Notice) -> QuerySet[Entry]:
    return notice.entries.filter(struck=False).order_by("position")


def subject_notices(model: type[models.Model], ids: Sequence[int]) -> dict[int, dict[str, str]]:
    """{subject id: {notice kind: notice status}} over the entries still standing, in one query.

    A subject stands on at most one notice of a kind (publishers refuse a second)."""
    content_type = ContentType.objects.get_for_model(model)
    result: dict[int, dict[str, str]] = {}
    for subject_id, kind, status in Entry.objects.filter(
        subject_type=content_type, subject_id__in=list(ids), struck=False
    ).values_list("subject_id", "notice__kind", "notice__status"):
        result.setdefault(subject_id, {})[kind] = status
    return result


def entries_of(obj: models.Model) -> QuerySet[Entry]:
    """Every entry of one subject, struck ones too, newest notice first: its 公示 history."""
    return (
        Entry.objects.filter(subject_type=ContentType.objects.get_for_model(obj), subject_id=obj.pk)
        .select_related("notice")
        .order_by("-notice__starts_on", "-notice_id")
    )
