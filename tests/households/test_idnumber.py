"""households.idnumber and the member rules of households.validation."""

from __future__ import annotations

import datetime

import pytest

from households.idnumber import InvalidIdNumber, build, mask, normalize, parse
from households.models import Member
from households.validation import check_household_members, check_member, members_in_other_households
from tests.factories import HouseholdFactory, MemberFactory, id_number_for

TODAY = datetime.date(2014, 6, 1)


def with_wrong_check_digit(number: str) -> str:
    return number[:-1] + ("0" if number[-1] != "0" else "1")


def test_a_built_number_parses_to_its_birth_date_and_gender():
    number = build("530323", datetime.date(1968, 5, 12), 37)
    info = parse(number, today=TODAY)
    assert info.birth_date == datetime.date(1968, 5, 12) and info.gender == "男"
    assert parse(build("530323", datetime.date(1968, 5, 12), 38), today=TODAY).gender == "女"


def test_an_old_number_keeps_a_region_code_younger_than_its_holder():
    # Born 1950 in a county whose code 530323 was created in 1997: still a valid number.
    assert parse(build("530323", datetime.date(1950, 1, 1), 11), today=TODAY).birth_date.year == 1950


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("", "身份证号不能为空"),
        ("53032319680512", "身份证号应为18位,实为14位"),
        ("53032319680512A037", "身份证号前17位应为数字,末位为数字或X"),
        ("530323196802300371", "身份证号中的出生日期19680230不存在"),
        (build("530323", datetime.date(2015, 1, 1), 1), "身份证号中的出生日期2015-01-01不合理"),
        (with_wrong_check_digit(build("530323", datetime.date(1968, 5, 12), 37)), "身份证号校验位错误"),
    ],
)
def test_what_is_wrong_is_said_in_chinese(raw, message):
    with pytest.raises(InvalidIdNumber) as error:
        parse(raw, today=TODAY)
    assert str(error.value) == message


def test_a_number_stored_as_a_spreadsheet_float_is_refused():
    with pytest.raises(InvalidIdNumber, match="数字格式保存"):
        normalize(5.30323196805121e17)


def test_full_width_digits_spaces_and_lower_case_x_are_normalised():
    assert normalize(" ５３０３２３ 19680512003x ") == "53032319680512003X"


def test_mask_keeps_region_and_last_four():
    assert mask("530323196805120037") == "530323********0037"
    assert mask("") == ""


def test_check_member_accepts_a_consistent_person():
    number = id_number_for(3, born=datetime.date(1980, 2, 29), gender="女")
    values = {"id_number": number, "gender": "女", "birth_date": datetime.date(1980, 2, 29), "health": "健康"}
    assert check_member(values, today=TODAY) == {}


def test_check_member_puts_each_message_on_its_field():
    number = id_number_for(3, born=datetime.date(1980, 2, 29), gender="女")
    errors = check_member(
        {
            "id_number": number,
            "gender": "男",
            "birth_date": datetime.date(1980, 3, 1),
            "health": "健康",
            "disability_grade": "一级",
            "work_months": 13,
        },
        today=TODAY,
    )
    assert errors == {
        "gender": "性别“男”与身份证号不符(应为“女”)",
        "birth_date": "出生日期1980-03-01与身份证号不符(应为1980-02-29)",
        "disability_grade": "只有健康状况为“残疾”时才填写残疾证号和残疾等级",
        "work_months": "务工时间应在0到12个月之间",
    }


def test_a_disabled_member_needs_a_grade():
    values = {"id_number": id_number_for(4), "health": "残疾"}
    assert check_member(values, today=TODAY)["disability_grade"] == "健康状况为“残疾”时须填写残疾等级"


@pytest.mark.parametrize(
    ("relations", "message"),
    [
        ([], "每户至少要有一名家庭成员"),
        (["配偶", "之子"], "该户没有户主:必须有且只有一名成员的与户主关系为“户主”"),
        (["户主", "户主"], "该户有2名户主:必须有且只有一名"),
    ],
)
def test_a_household_has_exactly_one_head(relations, message):
    members = [{"relation": r, "id_number": id_number_for(n)} for n, r in enumerate(relations)]
    assert message in check_household_members(members)


def test_the_same_person_twice_in_one_household_is_named_by_the_last_four_digits():
    number = id_number_for(5)
    errors = check_household_members(
        [{"relation": "户主", "id_number": number}, {"relation": "之子", "id_number": number}]
    )
    assert errors == [f"同一身份证号在本户出现了多次(尾号{number[-4:]})"]


def test_members_in_other_households_names_the_other_household(county_tree):
    first = HouseholdFactory(number="A1", group=county_tree.dazhai)
    member = MemberFactory(household=first)
    assert members_in_other_households([member.id_number, id_number_for(900)], household_id=None) == {
        member.id_number: "A1"
    }
    assert members_in_other_households([member.id_number], household_id=first.pk) == {}
    assert Member.objects.count() == 1
