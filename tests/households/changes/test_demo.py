"""seed_demo's household changes: in 山龙村, one approved and two waiting in 丹凤镇's queue."""

from __future__ import annotations

import random

from accounts.models import Role
from households.changes.models import ChangeRequest, State
from households.demo import create_demo_change_requests
from households.models import Member
from tests.factories import HouseholdFactory, MemberFactory, UserFactory


def test_demo_files_changes_in_shanlong_through_the_services(county_tree):
    UserFactory(username="cungan", role=Role.VILLAGE_CADRE, area=county_tree.shanlong)
    UserFactory(username="xiangzhen", role=Role.TOWNSHIP_OFFICIAL, area=county_tree.danfeng)
    for _ in range(3):
        household = HouseholdFactory(group=county_tree.dazhai)
        MemberFactory(household=household, relation="户主")
        MemberFactory(household=household, relation="之子")
        MemberFactory(household=household, relation="之女")

    assert create_demo_change_requests(random.Random(7)) == 3

    states = sorted(ChangeRequest.objects.values_list("kind", "state"))
    assert states == sorted(
        [("remove_member", State.APPROVED), ("add_member", State.PENDING), ("change_head", State.PENDING)]
    )
    assert Member.everyone.filter(removed_at__isnull=False, removal_reason="死亡").count() == 1
