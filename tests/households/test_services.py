"""households.services: the only way the browser writes households; permission, scope and rules inside."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from households import services
from households.models import Household, Member
from tests.factories import HouseholdFactory, MemberFactory, id_number_for


def person(n: int, *, relation: str = "户主", gender: str = "男", **extra) -> dict:
    number = id_number_for(n, gender=gender)
    born = datetime.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    return {
        "name": f"成员{n}",
        "id_number": number,
        "gender": gender,
        "birth_date": born,
        "relation": relation,
        "health": "健康",
        **extra,
    }


def data(group, number: str = "530323101201001001", **fields) -> dict:
    return {"number": number, "group": group, "main_cause": "因病", **fields}


@pytest.mark.parametrize("who", ["alice", "carol", "fupin"])
def test_editors_create_a_household_in_their_area(users, county_tree, who):
    actor = getattr(users, who)
    household = services.household_create(
        actor=actor,
        data=data(county_tree.dazhai),
        members=[person(1), person(2, relation="配偶", gender="女")],
    )
    assert household.members.count() == 2
    assert household.history.get().history_user == actor
    assert set(Member.history.values_list("history_user", flat=True)) == {actor.pk}


@pytest.mark.parametrize("who", ["minzheng", "admin"])
def test_read_only_roles_are_refused_in_chinese(users, county_tree, who):
    with pytest.raises(PermissionDenied, match="只能查看贫困户信息,不能新增或修改"):
        services.household_create(
            actor=getattr(users, who), data=data(county_tree.dazhai), members=[person(1)]
        )
    assert not Household.objects.exists()


@pytest.mark.parametrize("who", ["bob", "dave"])
def test_a_group_outside_the_actors_area_is_refused(users, county_tree, who):
    with pytest.raises(PermissionDenied, match="不在您的管辖范围内"):
        services.household_create(
            actor=getattr(users, who), data=data(county_tree.dazhai), members=[person(1)]
        )


def test_the_rules_are_checked_even_without_a_form(users, county_tree):
    bad = {**person(1), "gender": "女"}
    with pytest.raises(ValidationError) as error:
        services.household_create(actor=users.alice, data=data(county_tree.dazhai), members=[bad, person(2)])
    messages = error.value.messages
    assert any("性别“女”与身份证号不符" in m for m in messages)
    assert "该户有2名户主:必须有且只有一名" in messages
    assert not Household.objects.exists()


def test_a_person_in_another_household_is_refused(users, county_tree):
    other = HouseholdFactory(number="X-1", group=county_tree.xincun)
    taken = MemberFactory(household=other, id_number=id_number_for(1))
    with pytest.raises(ValidationError, match="已登记在户编号X-1中"):
        services.household_create(actor=users.alice, data=data(county_tree.dazhai), members=[person(1)])
    assert taken.household == other


@pytest.fixture
def household(users, county_tree):
    return services.household_create(
        actor=users.alice,
        data=data(county_tree.dazhai),
        members=[person(1), person(2, relation="配偶", gender="女")],
    )


def current(household) -> list[dict]:
    return [
        {**person(int(m.name[2:]), relation=m.relation, gender=m.gender), "id": m.pk}
        for m in household.members.order_by("id")
    ]


def test_update_changes_the_household_and_its_members_fields(users, household):
    head, wife = current(household)
    services.household_update(
        household=household,
        actor=users.carol,
        data={"main_cause": "因残"},
        members=[head, {**wife, "labour": "普通劳动力"}],
    )
    household.refresh_from_db()
    assert household.main_cause == "因残"
    assert household.members.get(pk=wife["id"]).labour == "普通劳动力"


@pytest.mark.parametrize(
    ("members", "message"),
    [
        (lambda head, wife: [head], "减少家庭成员须通过“申请变更—减少成员”办理"),
        (
            lambda head, wife: [head, wife, person(3, relation="之子")],
            "新增家庭成员须通过“申请变更—新增成员”办理",
        ),
        (
            lambda head, wife: [{**head, "name": "改名"}, wife],
            "修改姓名须通过“申请变更—修改身份证号/姓名”办理",
        ),
        (
            lambda head, wife: [{**head, "relation": "配偶"}, {**wife, "relation": "户主"}],
            "变更户主须通过“申请变更—变更户主”办理",
        ),
    ],
)
def test_who_is_in_the_household_changes_only_by_request(users, household, members, message):
    head, wife = current(household)
    with pytest.raises(ValidationError, match=message):
        services.household_update(
            household=household, actor=users.alice, data={}, members=members(head, wife)
        )
    assert sorted(household.members.values_list("name", "relation")) == sorted(
        [("成员1", "户主"), ("成员2", "配偶")]
    )


def test_update_by_an_outsider_is_refused(users, household):
    with pytest.raises(PermissionDenied, match="不在您的管辖范围内"):
        services.household_update(household=household, actor=users.bob, data={}, members=current(household))


def test_update_cannot_move_a_household_out_of_the_actors_area(users, county_tree, household):
    with pytest.raises(PermissionDenied):
        services.household_update(
            household=household,
            actor=users.alice,
            data={"group": county_tree.xincun},
            members=current(household),
        )
    household.refresh_from_db()
    assert household.group == county_tree.dazhai


def test_update_cannot_change_the_household_number(users, household):
    with pytest.raises(ValidationError, match="户编号建档后不能修改"):
        services.household_update(
            household=household, actor=users.alice, data={"number": "1"}, members=current(household)
        )


def test_a_member_of_another_household_cannot_be_edited_through_this_one(users, county_tree, household):
    other = HouseholdFactory(number="X-2", group=county_tree.dazhai)
    stranger = MemberFactory(household=other, id_number=id_number_for(7))
    head, wife = current(household)
    with pytest.raises(ValidationError):
        services.household_update(
            household=household,
            actor=users.alice,
            data={},
            members=[head, {**person(8, relation="之子"), "id": stranger.pk}],
        )
    assert Member.objects.get(pk=stranger.pk).household == other


def test_counts_version_moves_on_after_a_write(users, county_tree, django_capture_on_commit_callbacks):
    before = services.counts_version()
    with django_capture_on_commit_callbacks(execute=True):
        services.household_create(actor=users.alice, data=data(county_tree.dazhai), members=[person(1)])
    assert services.counts_version() == before + 1
