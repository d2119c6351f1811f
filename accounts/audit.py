"""The project's one audit mechanism (痕迹管理): services record domain events here.

Every state change of an application, a notice, a quota or a round is an AuditEvent with its actor,
time, object, area and the old/new values and reason. Single moves call `record`; bulk paths build
events with `event` and write them at once with `record_many`, so that 10,000 confirmations cost one
INSERT batch instead of 10,000 round trips.

Each event also carries the client IP and the request id of the request it was written in
(accounts.request_context, set by RequestIdMiddleware), so services need no request argument.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone

from accounts import freshness, request_context
from accounts.models import AuditEvent, User

_labels: dict[str, str] = {}


def register_labels(labels: Mapping[str, str]) -> None:
    """Each app names its events in Chinese (in its AppConfig.ready): the trail shows 已申报, not a code."""
    _labels.update(labels)


def label(event_type: str) -> str:
    return _labels.get(event_type, event_type)


def event(
    *,
    event_type: str,
    actor: User | None,
    obj: models.Model | None,
    area_code: str,
    old: Mapping[str, Any] | None = None,
    new: Mapping[str, Any] | None = None,
    reason: str = "",
    when=None,
) -> AuditEvent:
    """An unsaved event: for `record_many`. `obj` is None only for events about no stored object."""
    context = request_context.current()
    return AuditEvent(
        event_type=event_type,
        actor=actor,
        created_at=when or timezone.now(),
        # get_for_model is cached by Django after the first call.
        content_type=ContentType.objects.get_for_model(obj) if obj is not None else None,
        object_id=obj.pk if obj is not None else None,
        area_code=area_code,
        old=dict(old or {}),
        new=dict(new or {}),
        reason=reason,
        ip=context.ip,
        request_id=context.request_id,
    )


def record(**kwargs) -> AuditEvent:
    """Write one event now, inside the caller's transaction (it rolls back with the change)."""
    audit_event = event(**kwargs)
    audit_event.save()
    _data_changed([audit_event])
    return audit_event


def record_many(events: Sequence[AuditEvent]) -> None:
    AuditEvent.objects.bulk_create(events, batch_size=2000)
    _data_changed(events)


def _data_changed(events: Sequence[AuditEvent]) -> None:
    """An audited change of domain data moves its area's version (accounts.freshness) on commit, so cached
    counts and dashboards of that area show it at once. Sign-ins and the edge's access records (no
    object, or a user account) change no figures."""
    user_type = ContentType.objects.get_for_model(User).pk
    codes = {e.area_code for e in events if e.content_type_id is not None and e.content_type_id != user_type}
    if codes:
        freshness.changed_on_commit(codes)


def forget(obj: models.Model) -> None:
    """Take back the events of an object that is itself taken back in the same breath (a job whose queue
    was down: config.queue undoes the row it had just written). Nothing that happened is erased."""
    AuditEvent.objects.filter(content_type=ContentType.objects.get_for_model(obj), object_id=obj.pk).delete()


def events_for(obj: models.Model) -> models.QuerySet[AuditEvent]:
    """The trail of one object, oldest first. Callers reach `obj` through a scoped selector."""
    return AuditEvent.objects.filter(
        content_type=ContentType.objects.get_for_model(obj), object_id=obj.pk
    ).select_related("actor")
