"""Issue 10 in the browser and the services: 户编号 and 人编号, 农户 vs 贫困户, the national form's fields,
the 户卡's 第七步 sign-off."""

from __future__ import annotations

import datetime
import io

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from openpyxl import load_workbook

from households import services
from households.card import SIGN_OFF
from households.forms import HouseholdForm
from households.models import Case, Household
from tests.factories import HouseholdFactory, MemberFactory, id_number_for

pytestmark = pytest.mark.django_db


def person(n: int, *, relation: str = "户主", gender: str = "男") -> dict:
    number = id_number_for(n, gender=gender)
    born = datetime.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    return {
        "name": f"成员{n}",
        "id_number": number,
        "gender": gender,
        "birth_date": born,
        "relation": relation,
    }


def create(actor, group, *people, **fields) -> Household:
    return services.household_create(
        actor=actor, data={"number": "", "group": group, **fields}, members=list(people) or [person(1)]
    )


# --- 户编号 and 人编号 -------------------------------------------------------------------------------------


def test_household_number_is_generated_from_the_group_code_and_a_serial(users, county_tree):
    HouseholdFactory(number=f"{county_tree.dazhai.code}0041", group=county_tree.dazhai)
    HouseholdFactory(number="530323101201001", group=county_tree.dazhai)  # another shape: not a serial

    first = create(users.alice, county_tree.dazhai, person(1))
    second = create(users.alice, county_tree.dazhai, person(2))
    other_group = create(users.alice, county_tree.xiaozhai, person(3))

    assert first.number == f"{county_tree.dazhai.code}0042"
    assert second.number == f"{county_tree.dazhai.code}0043"
    assert other_group.number == f"{county_tree.xiaozhai.code}0001"


def test_a_typed_household_number_is_kept_when_well_formed(users, county_tree):
    household = create(users.alice, county_tree.dazhai, person(1), number="5303231012010010123456")
    assert household.number == "5303231012010010123456"


@pytest.mark.parametrize("number", ["12", "H1", "53032310120100100001234567"])
def test_a_malformed_household_number_is_refused_on_the_form_and_in_the_service(users, county_tree, number):
    form = HouseholdForm({"number": number, "group": county_tree.dazhai.pk}, user=users.alice)
    assert not form.is_valid()
    assert form.errors["number"][0].startswith(f"户编号“{number}”格式不对")
    with pytest.raises(ValidationError, match="格式不对"):
        create(users.alice, county_tree.dazhai, person(1), number=number)
    assert not Household.objects.exists()


def test_person_numbers_follow_the_household_number(users, county_tree):
    household = create(users.alice, county_tree.dazhai, person(1), person(2, relation="配偶", gender="女"))
    numbers = sorted(household.members.values_list("person_number", flat=True))
    assert numbers == [f"{household.number}01", f"{household.number}02"]

    # Members come and go by change requests the township approves (households.changes).
    from households.changes import services as changes

    wife = household.members.get(relation="配偶")
    for kind, reason, payload in (
        ("remove_member", "婚出", {"member_id": wife.pk}),
        (
            "add_member",
            "出生",
            {"member": {**person(3, relation="之子"), "birth_date": person(3)["birth_date"].isoformat()}},
        ),
    ):
        change = changes.change_file(
            actor=users.alice, household=household, kind=kind, reason=reason, payload=payload
        )
        changes.change_approve(actor=users.carol, change=change)
    # The head keeps theirs; the serial of the member who left is not given to the newcomer.
    assert sorted(household.members.values_list("person_number", flat=True)) == [
        f"{household.number}01",
        f"{household.number}03",
    ]


def test_create_page_generates_the_number_when_left_blank(client, users, county_tree):
    client.force_login(users.alice)
    number = id_number_for(1)
    data = {
        "number": "",
        "group": county_tree.dazhai.pk,
        "standard": "国家标准",
        "members-TOTAL_FORMS": "1",
        "members-INITIAL_FORMS": "0",
        "members-MIN_NUM_FORMS": "0",
        "members-MAX_NUM_FORMS": "1000",
        "members-0-name": "甲",
        "members-0-id_number": number,
        "members-0-gender": "男",
        "members-0-birth_date": f"{number[6:10]}-{number[10:12]}-{number[12:14]}",
        "members-0-relation": "户主",
        "members-0-ethnicity": "汉族",
        "members-0-school_status": "非在校生",
        "members-0-health": "健康",
    }
    response = client.post(reverse("households:create"), data, follow=True)
    household = Household.objects.get()
    assert household.number == f"{county_tree.dazhai.code}0001"
    assert f"已建档:户编号{household.number}" in response.content.decode()


# --- 农户 and 贫困户 ------------------------------------------------------------------------------------


def test_a_village_cadre_cannot_type_an_attribute_on_a_household_on_no_roll(users, county_tree):
    with pytest.raises(ValidationError, match="该户不在扶贫名册中"):
        create(users.alice, county_tree.dazhai, person(1), attribute="一般贫困户")
    household = create(users.alice, county_tree.dazhai, person(1))
    form = HouseholdForm(instance=household, user=users.alice)
    assert form.fields["attribute"].disabled

    with pytest.raises(ValidationError, match="该户不在扶贫名册中"):
        services.household_update(
            household=household,
            actor=users.carol,
            data={"attribute": "低保贫困户"},
            members=[{"id": m.pk, **person(1)} for m in household.members.all()],
        )
    household.refresh_from_db()
    assert household.attribute == ""


def test_on_a_roll_a_cadre_may_correct_the_attribute_and_the_county_may_always_set_it(users, county_tree):
    on_roll = create(users.alice, county_tree.dazhai, person(1))
    Case.objects.create(household=on_roll, program="fupin", entered_year=2014)
    members = [{"id": m.pk, **person(1)} for m in on_roll.members.all()]

    services.household_update(
        household=on_roll, actor=users.alice, data={"attribute": "低保贫困户"}, members=members
    )
    assert not HouseholdForm(instance=on_roll, user=users.alice).fields["attribute"].disabled

    by_county = create(users.fupin, county_tree.dazhai, person(2), attribute="一般贫困户")
    assert Household.objects.get(pk=on_roll.pk).attribute == "低保贫困户"
    assert by_county.attribute == "一般贫困户"


def test_the_list_is_the_farm_household_register_with_a_filter_for_the_rolls(client, users, county_tree):
    poor = HouseholdFactory(group=county_tree.dazhai, attribute="一般贫困户")
    MemberFactory(household=poor, id_number=id_number_for(1))
    plain = HouseholdFactory(group=county_tree.dazhai)
    MemberFactory(household=plain, id_number=id_number_for(2))
    Case.objects.create(household=poor, program="fupin", entered_year=2014)
    client.force_login(users.alice)

    page = client.get(reverse("households:list")).content.decode()
    assert "<h1>农户档案" in page and "未在名册" in page
    only_poor = client.get(reverse("households:list"), {"roll": "fupin"}).content.decode()
    on_no_roll = client.get(reverse("households:list"), {"roll": "none"}).content.decode()
    assert poor.number in only_poor and plain.number not in only_poor
    assert plain.number in on_no_roll and poor.number not in on_no_roll
    facets = client.post(reverse("households:facets")).context["facets"]
    kinds = {g.title: {o.label: o.count for o in g.options} for g in facets["groups"]}["户类"]
    assert kinds == {"贫困户": 1, "低保户": 0, "特困户": 0, "未在名册": 1}


# --- the national form ----------------------------------------------------------------------------------


def test_other_cause_needs_its_note_and_the_note_needs_other(users, county_tree):
    base = {"number": "", "group": county_tree.dazhai.pk, "standard": "市定标准"}
    missing = HouseholdForm({**base, "main_cause": "其他"}, user=users.alice)
    stray = HouseholdForm({**base, "main_cause": "因病", "other_cause_note": "房屋倒塌"}, user=users.alice)
    good = HouseholdForm(
        {**base, "main_cause": "因病", "other_causes": ["其他"], "other_cause_note": "房屋倒塌"},
        user=users.alice,
    )

    assert missing.errors["other_cause_note"] == ["致贫原因选了“其他”,须在“其他致贫原因说明”中写明具体原因"]
    assert stray.errors["other_cause_note"] == ["只有致贫原因选了“其他”时才填写“其他致贫原因说明”"]
    assert good.is_valid(), good.errors


def test_the_form_has_the_national_fields(users):
    form = HouseholdForm(user=users.alice)
    basic = [field.name for field in dict(form.sections())["基本情况"]]
    conditions = [field.name for field in dict(form.sections())["生产生活条件"]]
    assert {
        "military_martyr_family",
        "only_child_household",
        "two_daughters_household",
        "other_cause_note",
    } <= set(basic)
    assert {"orchard_land", "has_production_electricity"} <= set(conditions)
    assert ("市定标准", "市定标准") in form.fields["standard"].choices


# --- the 户卡's 第七步 ----------------------------------------------------------------------------------------


def test_card_print_and_xlsx_carry_the_seventh_step_sign_off(client, users, county_tree):
    household = create(users.alice, county_tree.dazhai, person(1))
    client.force_login(users.alice)

    printed = client.get(reverse("households:print", args=[household.pk])).content.decode()
    workbook = client.get(reverse("households:card_xlsx", args=[household.pk]))
    sheet = load_workbook(io.BytesIO(b"".join(workbook.streaming_content))).active
    cells = {cell.value for row in sheet.iter_rows() for cell in row if cell.value}

    assert SIGN_OFF == ("贫困户签字或手印", "调查员签字", "村委会复核(盖章)", "乡镇复核")
    for label in SIGN_OFF:
        assert label in printed and label in cells
    assert "第七步 签字确认" in printed and "第七步 签字确认" in cells
