"""The dashboards are cached per area under the area's data version (accounts.freshness): a change
inside the area shows at once, a change elsewhere leaves the cached figures standing."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from households import services as household_services
from tests.factories import HouseholdFactory, MemberFactory
from tests.households.test_services import data, person
from tests.identification.conftest import calendar, flow, round_2012  # noqa: F401  (the identification fixtures)

pytestmark = pytest.mark.django_db
DASHBOARD = reverse("reports:dashboard")


def area_url(area) -> str:
    return reverse("reports:area_dashboard", args=[area.code])


def _open(client, url: str) -> tuple[object, int]:
    """The response and the number of queries it took."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return response, len(queries)


def _new_household(actor, group, number: str, members: int = 2):
    return household_services.household_create(
        actor=actor,
        data=data(group, number=number),
        members=[person(1), person(2, relation="配偶", gender="女")][:members],
    )


def test_a_second_visit_is_answered_from_the_cache(client, users, county_tree):
    client.force_login(users.carol)
    _first, cold = _open(client, DASHBOARD)
    second, warm = _open(client, DASHBOARD)
    assert warm < cold  # the statistics' grouped queries are not run again
    assert second.context["total"].households == 0


def test_a_new_household_is_counted_at_once_in_its_village_township_and_county(
    client, users, county_tree, django_capture_on_commit_callbacks
):
    for user in (users.alice, users.carol, users.fupin):
        client.force_login(user)
        assert _open(client, DASHBOARD)[0].context["total"].households == 0  # now cached

    with django_capture_on_commit_callbacks(execute=True):
        _new_household(users.alice, county_tree.dazhai, "530323101201001001")

    for user in (users.alice, users.carol, users.fupin):
        client.force_login(user)
        response, _queries = _open(client, DASHBOARD)
        assert (user.username, response.context["total"].households) == (user.username, 1)
        assert response.context["total"].persons == 2


def test_a_change_in_another_village_leaves_the_cached_figures_standing(
    client, users, county_tree, django_capture_on_commit_callbacks
):
    client.force_login(users.alice)
    _open(client, DASHBOARD)
    _again, warm = _open(client, DASHBOARD)

    with django_capture_on_commit_callbacks(execute=True):
        _new_household(users.bob, county_tree.xincun, "530323101202001001")  # 法杂村, next door

    client.force_login(users.alice)
    response, after = _open(client, DASHBOARD)
    assert after == warm and response.context["total"].households == 0
    client.force_login(users.carol)  # the township holds both villages: it sees the new household
    assert _open(client, DASHBOARD)[0].context["total"].households == 1


def test_an_application_moving_on_shows_at_once_in_the_round_progress(
    client,
    users,
    county_tree,
    flow,  # noqa: F811  (the fixture imported above)
    django_capture_on_commit_callbacks,
):
    household = HouseholdFactory(group=county_tree.dazhai)
    MemberFactory(household=household)
    client.force_login(users.carol)
    url = area_url(county_tree.danfeng) + f"?round={flow.round.pk}"
    assert _open(client, url)[0].context["progress"]["applications"] == 0

    with django_capture_on_commit_callbacks(execute=True):
        flow.submit(household)

    assert _open(client, url)[0].context["progress"]["applications"] == 1


def test_the_cache_does_not_open_an_area_outside_the_users_own(client, users, county_tree):
    client.force_login(users.carol)
    _open(client, area_url(county_tree.shanlong))  # cached by 丹凤镇's official
    client.force_login(users.bob)  # 法杂村's cadre: 山龙村 is not theirs
    assert client.get(area_url(county_tree.shanlong)).status_code == 404
