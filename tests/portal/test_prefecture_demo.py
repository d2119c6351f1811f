"""seed_demo --counties: 曲靖市 over 师宗县 and its next counties, streamed one township at a time."""

from __future__ import annotations

import random
from io import StringIO

import pytest
from django.core.management import call_command

from accounts.models import Role, User
from households.demo import create_demo_households
from households.models import Household, Member
from households.persons import copies_drift
from villages.demo import CITY_CODE, QUJING_COUNTIES, create_areas, generated_county_tree
from villages.models import Area


def codes(node):
    yield node.code, node.level
    for child in node.children:
        yield from codes(child)


def test_a_generated_county_stays_inside_its_own_codes_and_is_the_same_every_time():
    tree = list(codes(generated_county_tree("530381", "宣威市", 26)))
    assert tree == list(codes(generated_county_tree("530381", "宣威市", 26)))
    assert all(code.startswith("530381") for code, _level in tree)
    assert sum(level == "township" for _code, level in tree) == 26
    assert len({code for code, _level in tree}) == len(tree)
    assert all(len(code) == (15 if level == "group" else 12) for code, level in tree)


def test_the_counties_are_qujings_real_ones_shizong_first():
    assert [code for code, _name, _townships in QUJING_COUNTIES][:2] == ["530323", "530302"]
    assert all(code.startswith("5303") for code, _name, _townships in QUJING_COUNTIES)


def test_a_second_countys_households_carry_its_codes_and_their_persons(db):
    city = Area.objects.create(code=CITY_CODE, name="曲靖市", level=Area.Level.CITY)
    areas = create_areas(generated_county_tree("530304", "马龙区", 9), parent=city)
    counts = create_demo_households(random.Random(3), 300, county=areas["530304000000"])
    assert Household.objects.count() == counts.households == 300
    assert not Household.objects.exclude(area_code__startswith="530304").exists()
    assert not Member.objects.exclude(id_number__startswith="530304").exists()
    assert Member.objects.count() == counts.members
    assert copies_drift() == (0, 0, 0)


@pytest.mark.django_db(transaction=False)
def test_seed_demo_builds_the_city_its_counties_and_the_city_account(db):
    out = StringIO()
    call_command("seed_demo", "--seed", "7", "--households", "600", "--counties", "2", stdout=out)
    city = Area.objects.get(level=Area.Level.CITY)
    counties = list(Area.objects.filter(level=Area.Level.COUNTY).order_by("code"))
    assert (city.code, city.name) == (CITY_CODE, "曲靖市")
    assert [(c.code, c.name, c.parent_id) for c in counties] == [
        ("530302000000", "麒麟区", city.pk),
        ("530323000000", "师宗县", city.pk),
    ]
    for county in counties:
        assert Household.objects.filter(area_code__startswith=county.scope_prefix).count() == 300
    shiji = User.objects.get(username="shiji")
    assert (shiji.role, shiji.area_id) == (Role.CITY_FUPIN, city.pk)
    assert "shiji" in out.getvalue()
    assert copies_drift() == (0, 0, 0)
