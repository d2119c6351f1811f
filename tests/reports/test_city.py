"""The 市 in a prefecture's database: its area level, the 市扶贫办 role that sees its counties (and only
reads), and the 市 dashboard with a row per county."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse

from accounts import two_factor
from accounts.models import Role
from households.selectors import households_for
from reports import statistics
from tests.factories import AreaFactory, HouseholdFactory, MemberFactory, UserFactory
from villages.models import Area


@pytest.fixture
def prefecture(county_tree):
    """曲靖市 over 师宗县 (county_tree) and 罗平县 (one township, village, group); households in both."""
    city = AreaFactory(code="530300000000", name="曲靖市", level=Area.Level.CITY)
    Area.objects.filter(pk=county_tree.county.pk).update(parent=city)
    luoping = AreaFactory(code="530324000000", name="罗平县", level=Area.Level.COUNTY, parent=city)
    township = AreaFactory(code="530324101000", name="罗雄镇", level=Area.Level.TOWNSHIP, parent=luoping)
    village = AreaFactory(code="530324101201", name="腊庄村", level=Area.Level.VILLAGE, parent=township)
    group = AreaFactory(code="530324101201001", name="上寨组", level=Area.Level.GROUP, parent=village)
    shizong_home = HouseholdFactory(group=county_tree.dazhai)
    MemberFactory(household=shizong_home)
    for n in range(2):
        home = HouseholdFactory(number=f"5303241012010010{n:03d}", group=group)
        MemberFactory(household=home)
        MemberFactory(household=home, relation="之子")
    return city, luoping


@pytest.fixture
def city_user(prefecture):
    return UserFactory(username="shiji", role=Role.CITY_FUPIN, area=prefecture[0])


def test_the_city_user_sees_every_county_of_the_city(prefecture, city_user, users):
    assert households_for(city_user).count() == 3
    assert households_for(users.fupin).count() == 1


def test_the_city_dashboard_has_a_row_per_county(client, prefecture, city_user):
    client.force_login(city_user)
    response = client.get(reverse("reports:dashboard"))
    assert response.status_code == 200
    table = response.context["table"]
    assert [(row.name, row.households, row.persons) for row in table.rows] == [
        ("师宗县", 1, 1),
        ("罗平县", 2, 4),
    ]
    assert (table.total.households, table.total.persons) == (3, 5)
    assert "按县" in response.content.decode()


def test_the_city_user_opens_a_county_dashboard_inside_the_city(client, prefecture, city_user):
    client.force_login(city_user)
    response = client.get(reverse("reports:area_dashboard", args=["530324000000"]))
    assert response.status_code == 200
    assert [row.name for row in response.context["table"].rows] == ["罗雄镇"]


def test_a_county_user_cannot_open_the_city_or_a_neighbouring_county(client, prefecture, users):
    client.force_login(users.fupin)
    for code in ("530300000000", "530324000000"):
        assert client.get(reverse("reports:area_dashboard", args=[code])).status_code == 404
    with pytest.raises(Exception, match="无权查看"):
        statistics.figures_for(prefecture[0], user=users.fupin)


def test_the_city_user_only_reads(client, prefecture, city_user):
    client.force_login(city_user)
    assert client.get(reverse("households:create")).status_code == 403


def test_the_city_role_needs_a_city_and_the_second_factor(prefecture, county_tree):
    user = UserFactory.build(username="x", role=Role.CITY_FUPIN, area=county_tree.county)
    with pytest.raises(ValidationError, match="市"):
        user.clean()
    user.area = prefecture[0]
    user.clean()
    assert two_factor.is_required_by_role(user)


def test_a_city_is_always_a_root_and_a_township_never(prefecture, county_tree):
    with pytest.raises(IntegrityError), transaction.atomic():
        AreaFactory(code="530400000000", name="玉溪市", level=Area.Level.CITY, parent=prefecture[0])
    with pytest.raises(IntegrityError), transaction.atomic():
        AreaFactory(code="530325101000", name="中安镇", level=Area.Level.TOWNSHIP, parent=None)


def test_names_below_the_county_leave_the_city_and_county_out(prefecture, county_tree):
    assert county_tree.dazhai.full_name == "丹凤镇山龙村大寨组"
    assert [a.name for a in county_tree.danfeng.ancestors()] == ["曲靖市", "师宗县"]


def test_the_city_users_pages_list_both_counties(client, prefecture, city_user):
    client.force_login(city_user)
    assert client.get(reverse("home")).status_code == 200
    page = client.get(reverse("households:list")).context["page"]
    assert [h.number for h in page.rows][0].startswith("530323") and len(page.rows) == 3
    facets = client.post(reverse("households:facets")).context["facets"]
    by_area = {f.label: f.count for f in facets["groups"][0].options}
    assert (facets["total"], by_area) == (3, {"师宗县": 1, "罗平县": 2})
