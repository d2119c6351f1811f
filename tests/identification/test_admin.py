"""The admin pages of the workflow open, and list only rows inside the staff member's area."""

from __future__ import annotations

import pytest
from django.urls import reverse

from identification.choices import State
from tests.factories import UserFactory
from tests.identification.flow import make_household

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "model",
    [
        "identification_round",
        "identification_quota",
        "identification_application",
        "identification_meeting",
        "identification_spotcheck",
        "identification_referral",
        "notices_notice",
        "notices_objection",
    ],
)
def test_changelists_open_for_the_county_admin(client, flow, model):
    flow.advance([flow.new()], State.GROUP_PUBLICIZED)
    client.force_login(flow.users.admin)
    response = client.get(reverse(f"admin:{model}_changelist"))
    assert response.status_code == 200


def test_a_township_admin_lists_only_its_own_applications(client, flow):
    t = flow.tree
    mine = flow.new(t.dazhai)
    other = make_household(t.potou)
    staff = UserFactory(username="danfeng-admin", role="township_official", area=t.danfeng, is_staff=True,
                        is_superuser=True)  # fmt: skip
    client.force_login(staff)
    page = client.get(reverse("admin:identification_application_changelist")).content.decode()
    assert mine.household.number in page
    assert other.number not in page
