"""What the pages tell about people outside the user's area (issue 13, "Disclosures and privacy")."""

from __future__ import annotations

import pytest
from django.urls import reverse

from accounts.models import Role
from tests.factories import HouseholdFactory, MemberFactory, UserFactory, id_number_for

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true", "HX-Trigger-Name": "members-0-id_number"}


@pytest.fixture
def registered_elsewhere(county_tree):
    """A person registered in 雄壁镇 雨柱村: outside 山龙村's cadre and 丹凤镇's official."""
    household = HouseholdFactory(group=county_tree.potou, number="530323102202001001")
    MemberFactory(household=household, id_number=id_number_for(77), relation="户主")
    return household


def check(client, user, number):
    client.force_login(user)
    return client.post(
        reverse("households:check_id"), {"members-0-id_number": number}, headers=HTMX
    ).content.decode()


@pytest.mark.parametrize("who", ["alice", "carol"])
def test_live_id_check_outside_the_area_says_only_registered_elsewhere(
    client, users, registered_elsewhere, who
):
    page = check(client, getattr(users, who), id_number_for(77))
    assert "此人已在其他户登记" in page
    assert registered_elsewhere.number not in page


@pytest.mark.parametrize("who", ["fupin", "minzheng", "admin"])
def test_county_sees_where_the_person_is_registered(client, users, registered_elsewhere, who):
    page = check(client, getattr(users, who), id_number_for(77))
    assert f"此人已登记在户编号{registered_elsewhere.number}中" in page


def test_township_sees_the_household_inside_its_own_area(client, users, county_tree):
    household = HouseholdFactory(group=county_tree.xincun, number="530323101202001001")
    MemberFactory(household=household, id_number=id_number_for(78), relation="户主")
    page = check(client, users.carol, id_number_for(78))
    assert f"户编号{household.number}" in page
    # A cadre of the neighbouring village is told only that the person is registered.
    assert household.number not in check(client, users.alice, id_number_for(78))


def test_the_final_save_still_names_the_household(client, users, county_tree, registered_elsewhere):
    """The exact answer is kept for a number actually entered and saved, once."""
    from tests.households.test_views import household_post, member_post

    client.force_login(users.alice)
    response = client.post(
        reverse("households:create"),
        household_post(county_tree.dazhai, member_post(0, name="张三", id_number=id_number_for(77))),
    )
    assert response.status_code == 200
    assert f"此人已登记在户编号{registered_elsewhere.number}中" in response.content.decode()


def test_an_unassigned_user_learns_nothing(client, county_tree, registered_elsewhere):
    nobody = UserFactory(role=Role.VILLAGE_CADRE, area=None)
    page = check(client, nobody, id_number_for(77))
    assert registered_elsewhere.number not in page
