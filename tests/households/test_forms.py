"""The household form and its member rows: each message on the field that is wrong."""

from __future__ import annotations

import pytest

from households.forms import HouseholdForm, MemberForm, member_formset_class
from households.models import Household
from tests.factories import HouseholdFactory, MemberFactory, id_number_for


def household_data(group, **fields) -> dict:
    return {"number": " 530323101201001009 ", "group": group.pk, "standard": "国家标准", **fields}


def member_data(n: int, **fields) -> dict:
    number = id_number_for(n)
    return {
        "name": f"成员{n}",
        "id_number": number,
        "gender": "男",
        "birth_date": f"{number[6:10]}-{number[10:12]}-{number[12:14]}",
        "relation": "户主",
        "ethnicity": "汉族",
        "school_status": "非在校生",
        "health": "健康",
        **fields,
    }


def test_groups_offered_are_those_of_the_users_area(users, county_tree):
    offered = set(HouseholdForm(user=users.alice).fields["group"].queryset)
    assert offered == {county_tree.dazhai, county_tree.xiaozhai}
    assert len(HouseholdForm(user=users.fupin).fields["group"].queryset) == 4


def test_a_group_of_another_village_is_not_a_valid_choice(users, county_tree):
    form = HouseholdForm(household_data(county_tree.xincun), user=users.alice)
    assert not form.is_valid() and "group" in form.errors


def test_number_is_stripped_and_other_causes_are_a_list(users, county_tree):
    form = HouseholdForm(
        household_data(county_tree.dazhai, other_causes=["缺水", "缺技术"]), user=users.alice
    )
    assert form.is_valid(), form.errors
    assert form.cleaned_data["number"] == "530323101201001009"
    assert form.cleaned_data["other_causes"] == ["缺水", "缺技术"]


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"arable_land": "2", "irrigated_land": "3"}, "irrigated_land", "有效灌溉面积不能大于耕地面积"),
        (
            {"dangerous_house": "false", "dangerous_house_grade": "C级"},
            "dangerous_house_grade",
            "只有危房户才填写危房等级",
        ),
        (
            {"main_cause": "因病", "other_causes": ["因病"]},
            "other_causes",
            "其他致贫原因不应重复主要致贫原因",
        ),
    ],
)
def test_household_rules_land_on_their_field(users, county_tree, fields, field, message):
    form = HouseholdForm(household_data(county_tree.dazhai, **fields), user=users.alice)
    assert not form.is_valid()
    assert form.errors[field] == [message]


def test_household_number_is_fixed_once_registered(users, county_tree):
    household = HouseholdFactory(number="N-1", group=county_tree.dazhai)
    form = HouseholdForm(
        household_data(county_tree.dazhai, number="N-2"), instance=household, user=users.alice
    )
    assert form.is_valid(), form.errors
    assert form.cleaned_data["number"] == "N-1"


def test_member_form_normalises_the_number_and_checks_it(db):
    number = id_number_for(5)
    form = MemberForm(member_data(5, id_number=f" {number[:-1]}{number[-1].lower()} "), check_url="/x/")
    assert form.is_valid(), form.errors
    assert form.cleaned_data["id_number"] == number
    bad = MemberForm(member_data(5, gender="女"), check_url="/x/")
    assert not bad.is_valid()
    assert bad.errors["gender"] == ["性别“女”与身份证号不符(应为“男”)"]


def test_member_form_asks_htmx_to_check_the_number_by_post(db):
    attrs = MemberForm(prefix="members-3", check_url="/households/check-id/").fields["id_number"].widget.attrs
    assert attrs["hx-post"] == "/households/check-id/"
    assert attrs["hx-target"] == "#members-3-id-check"
    assert attrs["hx-params"] == "members-3-id_number"


def formset_data(*members: dict, initial: int = 0) -> dict:
    data = {
        "members-TOTAL_FORMS": str(len(members)),
        "members-INITIAL_FORMS": str(initial),
        "members-MIN_NUM_FORMS": "0",
        "members-MAX_NUM_FORMS": "1000",
    }
    for i, member in enumerate(members):
        data.update({f"members-{i}-{k}": v for k, v in member.items()})
    return data


def formset(data: dict, instance: Household | None = None):
    return member_formset_class(extra=0)(
        data, instance=instance or Household(), prefix="members", form_kwargs={"check_url": "/x/"}
    )


def test_formset_needs_one_head_and_says_so(db):
    members = formset(formset_data(member_data(1, relation="之子")))
    assert not members.is_valid()
    assert members.non_form_errors() == ["该户没有户主:必须有且只有一名成员的与户主关系为“户主”"]


def test_formset_names_the_household_a_person_is_already_in(county_tree):
    other = HouseholdFactory(number="N-9", group=county_tree.xincun)
    MemberFactory(household=other, id_number=id_number_for(1))
    members = formset(formset_data(member_data(1)))
    assert not members.is_valid()
    assert members.forms[0].errors["id_number"] == ["此人已登记在户编号N-9中,一人只能属于一户"]


def test_a_removed_member_does_not_count(county_tree):
    household = HouseholdFactory(number="N-3", group=county_tree.dazhai)
    head = MemberFactory(household=household, id_number=id_number_for(1))
    second = MemberFactory(household=household, id_number=id_number_for(2), relation="配偶")
    data = formset_data(
        {**member_data(1), "id": head.pk, "household": household.pk},
        {**member_data(2, relation="户主"), "id": second.pk, "household": household.pk, "DELETE": "on"},
        initial=2,
    )
    members = formset(data, household)
    assert members.is_valid(), (members.errors, members.non_form_errors())
    assert [m["id"] for m in members.member_values()] == [head.pk]
