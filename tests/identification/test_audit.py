"""accounts.audit: the events the services write are scoped by area like everything else."""

from __future__ import annotations

import pytest

from accounts import audit
from accounts.models import AuditEvent
from tests.identification.flow import make_household

pytestmark = pytest.mark.django_db


def test_audit_events_are_visible_only_inside_the_users_area(flow):
    t = flow.tree
    mine = flow.new(t.dazhai)
    theirs = flow.submit(make_household(t.xincun), actor=flow.users.bob)

    def seen(user):
        return set(AuditEvent.objects.visible_to(user).values_list("object_id", flat=True))

    assert mine.pk in seen(flow.users.alice) and theirs.pk not in seen(flow.users.alice)
    assert {mine.pk, theirs.pk} <= seen(flow.users.carol)
    assert not seen(flow.users.dave) & {mine.pk, theirs.pk}


def test_events_for_returns_the_trail_of_one_object_with_its_actor(flow):
    application = flow.new()
    [event] = audit.events_for(application)
    assert (event.event_type, event.actor, event.content_type.model) == (
        "application.submitted",
        flow.users.alice,
        "application",
    )
    assert event.new["programs"] == ["fupin"]
    assert event.reason == "户主不识字,由村民小组提名"
    assert event.created_at is not None
