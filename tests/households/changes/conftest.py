"""A household of 山龙村 大寨组 (head, wife, son) and helpers to file and decide its changes."""

from __future__ import annotations

import datetime

import pytest

from households.models import Case, Household
from tests.factories import HouseholdFactory, MemberFactory, id_number_for


def person(n: int, *, relation: str = "之子", gender: str = "男", **extra) -> dict:
    number = id_number_for(n, gender=gender)
    return {
        "name": f"新成员{n}",
        "id_number": number,
        "gender": gender,
        "birth_date": datetime.date(int(number[6:10]), int(number[10:12]), int(number[12:14])).isoformat(),
        "relation": relation,
        "ethnicity": "汉族",
        "health": "健康",
        "school_status": "非在校生",
        **extra,
    }


@pytest.fixture
def household(county_tree) -> Household:
    household = HouseholdFactory(number="5303231012010010001", group=county_tree.dazhai, main_cause="因病")
    MemberFactory(household=household, name="张大山", relation="户主", id_number=id_number_for(1))
    MemberFactory(
        household=household, name="李秀英", relation="配偶", id_number=id_number_for(2, gender="女")
    )
    MemberFactory(household=household, name="张小军", relation="之子", id_number=id_number_for(3))
    Case.objects.create(household=household, program="fupin", entered_year=2014)
    return household


@pytest.fixture
def neighbour(county_tree) -> Household:
    """Another household of the same village (合户)."""
    household = HouseholdFactory(number="5303231012010020001", group=county_tree.xiaozhai)
    MemberFactory(household=household, name="张老汉", relation="户主", id_number=id_number_for(11))
    MemberFactory(
        household=household, name="王老太", relation="配偶", id_number=id_number_for(12, gender="女")
    )
    Case.objects.create(household=household, program="dibao", entered_year=2013)
    return household


def member(household: Household, name: str):
    return household.members.get(name=name)
