"""村情概况 (AreaProfile): the model, the demo data, and the area page that shows and edits it."""

from __future__ import annotations

import random
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from accounts.models import AuditEvent
from villages.demo import create_areas, demo_area_tree, demo_profile
from villages.models import Area, AreaProfile

PROFILE = {
    "name": "山龙村",
    "profile-net_income_per_capita": "2650.00",
    "profile-has_paved_road": "on",
    "profile-has_power": "on",
    "profile-collective_income": "12000.50",
    "profile-distance_to_township_km": "8.5",
}


def edit(area):
    return reverse("villages:area_edit", args=[area.code])


def detail(area):
    return reverse("villages:area_detail", args=[area.code])


def test_only_villages_and_groups_have_a_profile(county_tree):
    AreaProfile(area=county_tree.shanlong).full_clean()
    AreaProfile(area=county_tree.dazhai).full_clean()
    with pytest.raises(ValidationError):
        AreaProfile(area=county_tree.danfeng).full_clean()


def test_collective_income_cannot_be_negative(county_tree):
    with pytest.raises(ValidationError):
        AreaProfile(area=county_tree.shanlong, collective_income=Decimal("-1")).full_clean()


# --- demo -------------------------------------------------------------------------------------------


@pytest.fixture
def demo_county(db):
    return create_areas(demo_area_tree(random.Random(2012)))


def test_every_demo_village_has_a_profile_and_no_group_or_township_has(demo_county):
    villages = [a for a in demo_county.values() if a.level == Area.Level.VILLAGE]
    assert AreaProfile.objects.count() == len(villages) == 115
    assert set(AreaProfile.objects.values_list("area__level", flat=True)) == {"village"}


def test_demo_profiles_are_realistic(demo_county):
    profiles = list(AreaProfile.objects.select_related("area"))
    communities = [p for p in profiles if p.area.code[9] == "0"]
    assert communities and not any(p.is_poor_village for p in communities)
    assert all(p.has_paved_road and p.has_tap_water for p in communities)
    poor = [p for p in profiles if p.is_poor_village]
    assert 0.3 < len(poor) / len(profiles) < 0.8
    # Poorer townships (seed 002's 贫困发生率: 高良 48.79% vs 丹凤 18.71%) have more 贫困村.
    share = {
        t: sum(p.is_poor_village for p in profiles if p.area.code.startswith(t))
        / sum(1 for p in profiles if p.area.code.startswith(t))
        for t in ("530323101", "530323204")
    }
    assert share["530323204"] > share["530323101"]
    # A 贫困村 is further out and has less collective income, on average.
    rich = [p for p in profiles if not p.is_poor_village and p not in communities]

    def mean(values):
        values = list(values)
        return sum(values) / len(values)

    assert mean(p.distance_to_township_km for p in poor) > mean(p.distance_to_township_km for p in rich)
    assert mean(p.collective_income for p in poor) < mean(p.collective_income for p in rich)


def test_demo_profile_of_a_village_is_the_same_whatever_the_seed(demo_county):
    village = next(a for a in demo_county.values() if a.level == Area.Level.VILLAGE and a.code[9] == "2")
    first, again = demo_profile(village), demo_profile(village)
    fields = ["is_poor_village", *AreaProfile.FACILITY_FIELDS, "collective_income", "distance_to_township_km"]
    assert [getattr(first, f) for f in fields] == [getattr(again, f) for f in fields]


# --- area page ----------------------------------------------------------------------------------------


def test_village_page_shows_its_profile(client, users, county_tree):
    AreaProfile.objects.create(
        area=county_tree.shanlong, is_poor_village=True, has_clinic=True, collective_income=Decimal("8000")
    )
    client.force_login(users.alice)

    html = client.get(detail(county_tree.shanlong)).content.decode()

    assert "村情概况" in html and "8000.00" in html
    assert "<td>是</td>" in html  # 是否贫困村


def test_page_of_a_village_without_profile_says_so(client, users, county_tree):
    client.force_login(users.bob)
    assert "尚未填报村情概况" in client.get(detail(county_tree.fazai)).content.decode()


def test_group_without_its_own_profile_shows_its_villages(client, users, county_tree):
    AreaProfile.objects.create(area=county_tree.shanlong, collective_income=Decimal("4321"))
    client.force_login(users.alice)

    html = client.get(detail(county_tree.dazhai)).content.decode()

    assert "所在行政村的概况" in html and "4321.00" in html


def test_township_page_has_no_profile(client, users, county_tree):
    client.force_login(users.carol)
    assert "村情概况" not in client.get(detail(county_tree.danfeng)).content.decode()


def test_admin_fills_in_a_village_profile_and_it_is_audited(client, users, county_tree):
    client.force_login(users.admin)

    response = client.post(edit(county_tree.shanlong), PROFILE)

    assert response.status_code == 302
    profile = AreaProfile.objects.get(area=county_tree.shanlong)
    assert (
        profile.has_paved_road and profile.has_power and profile.net_income_per_capita == Decimal("2650.00")
    )
    assert not profile.has_clinic and not profile.is_poor_village
    assert profile.collective_income == Decimal("12000.50")
    assert profile.distance_to_township_km == Decimal("8.5")
    event = AuditEvent.objects.get(event_type="area_profile_created")
    assert event.actor == users.admin and event.area_code == county_tree.shanlong.code
    assert event.new["has_paved_road"] is True


def test_changing_a_profile_records_old_and_new(client, users, county_tree):
    AreaProfile.objects.create(area=county_tree.shanlong, has_paved_road=False, has_power=True)
    client.force_login(users.admin)

    client.post(edit(county_tree.shanlong), PROFILE)

    event = AuditEvent.objects.get(event_type="area_profile_updated")
    assert event.old["has_paved_road"] is False and event.new["has_paved_road"] is True
    assert "has_power" not in event.new  # unchanged fields are not in the trail
    assert AreaProfile.objects.get(area=county_tree.shanlong).has_paved_road


def test_edit_form_shows_the_profile_fields(client, users, county_tree):
    client.force_login(users.admin)
    html = client.get(edit(county_tree.shanlong)).content.decode()
    assert (
        "农民人均纯收入(元)" in html
        and "村集体经济收入(元)" in html
        and 'name="profile-has_broadband"' in html
    )
    # 是否贫困村 is the county's (贫困村识别 and 贫困村退出), not the profile form's.
    assert 'name="profile-is_poor_village"' not in html


def test_invalid_profile_is_refused_and_nothing_is_saved(client, users, county_tree):
    client.force_login(users.admin)

    response = client.post(
        edit(county_tree.shanlong), {**PROFILE, "name": "新名", "profile-collective_income": "-5"}
    )

    assert response.status_code == 200
    assert response.context["profile_form"].errors["collective_income"]
    assert not AreaProfile.objects.exists()
    county_tree.shanlong.refresh_from_db()
    assert county_tree.shanlong.name == "山龙村"


def test_village_cadre_keeps_a_groups_profile(client, users, county_tree):
    client.force_login(users.alice)

    response = client.post(edit(county_tree.dazhai), {**PROFILE, "name": "大寨组"})

    assert response.status_code == 302
    assert AreaProfile.objects.get(area=county_tree.dazhai).has_paved_road


def test_only_the_administrator_edits_a_village_with_its_profile_on_one_form(client, users, county_tree):
    """Villages are renamed by the administrator only (villages.services.AREA_EDITORS); the others keep the
    profile on its own page (test_a_cadre_fills_in_her_own_villages_profile_but_may_not_rename_it)."""
    for user in (users.alice, users.carol, users.fupin):
        client.force_login(user)
        assert client.post(edit(county_tree.shanlong), PROFILE).status_code == 403, user
    assert not AreaProfile.objects.exists()


def test_no_one_edits_a_profile_outside_their_area(client, users, county_tree):
    client.force_login(users.bob)
    for area in (county_tree.dazhai, county_tree.shanlong, county_tree.potou):
        assert client.get(edit(area)).status_code == 404
        assert client.post(edit(area), PROFILE).status_code == 404
    client.force_login(users.dave)
    assert client.post(edit(county_tree.dazhai), PROFILE).status_code == 404
    assert not AreaProfile.objects.exists()


def test_renaming_without_profile_fields_leaves_the_profile_alone(client, users, county_tree):
    AreaProfile.objects.create(area=county_tree.dazhai, is_poor_village=True)
    client.force_login(users.alice)

    assert client.post(edit(county_tree.dazhai), {"name": "大寨一组"}).status_code == 302

    assert AreaProfile.objects.get(area=county_tree.dazhai).is_poor_village


def profile_url(area) -> str:
    return reverse("villages:profile_edit", args=[area.code])


def test_a_cadre_fills_in_her_own_villages_profile_but_may_not_rename_it(client, users, county_tree):
    client.force_login(users.alice)
    page = client.get(detail(county_tree.shanlong)).content.decode()
    assert profile_url(county_tree.shanlong) in page and edit(county_tree.shanlong) not in page

    response = client.post(profile_url(county_tree.shanlong), PROFILE)

    assert response.status_code == 302
    assert AreaProfile.objects.get(area=county_tree.shanlong).has_paved_road
    assert AuditEvent.objects.get(event_type="area_profile_created").actor == users.alice
    assert client.post(edit(county_tree.shanlong), {**PROFILE, "name": "新名"}).status_code == 403


def test_the_profile_form_keeps_what_was_typed(client, users, county_tree):
    client.force_login(users.carol)
    response = client.post(profile_url(county_tree.shanlong), {**PROFILE, "profile-collective_income": "-5"})
    assert response.status_code == 200
    assert response.context["profile_form"]["distance_to_township_km"].value() == "8.5"
    assert not AreaProfile.objects.exists()


def test_profile_page_is_refused_outside_the_area_and_to_the_minzheng(client, users, county_tree):
    client.force_login(users.bob)
    assert client.get(profile_url(county_tree.shanlong)).status_code == 404
    assert client.post(profile_url(county_tree.shanlong), PROFILE).status_code == 404
    client.force_login(users.minzheng)
    assert client.post(profile_url(county_tree.shanlong), PROFILE).status_code == 403
    client.force_login(users.carol)
    assert client.get(profile_url(county_tree.danfeng)).status_code == 403  # a township has none
    assert not AreaProfile.objects.exists()
