"""Real rosters accepted as they come (issue 10): each spelling, conversion and refusal on import."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.urls import reverse

from households import spellings
from households.card import build_card
from households.forms import MemberForm
from households.idnumber import from_first_generation
from households.importer import import_roster
from households.models import Case, Household, Member
from tests.factories import id_number_for
from tests.households.import_helpers import H1, H2, HEADERS, family, person, write_roster

pytestmark = pytest.mark.django_db

README = Path(__file__).resolve().parents[2] / "households" / "README.md"


def run(tmp_path, rows, users, *, headers=None, dry_run=False, year=2014):
    path = write_roster(tmp_path / "r.xlsx", rows, headers=headers or [*HEADERS, *extra_headers(rows)])
    return import_roster(path=path, user=users.fupin, dry_run=dry_run, year=year)


def extra_headers(rows) -> list[str]:
    seen: list[str] = []
    for row in rows:
        seen += [key for key in row if key not in HEADERS and key not in seen]
    return seen


def only_error(result):
    assert len(result.errors) == 1, [e.as_dict() for e in result.errors]
    return result.errors[0]


@pytest.mark.parametrize(
    ("column", "field", "spelling", "national"),
    [
        ("与户主关系", "relation", "儿子", "之子"),
        ("与户主关系", "relation", "长子", "之子"),
        ("与户主关系", "relation", "次子", "之子"),
        ("与户主关系", "relation", "子", "之子"),
        ("与户主关系", "relation", "女儿", "之女"),
        ("与户主关系", "relation", "长女", "之女"),
        ("与户主关系", "relation", "母亲", "之母"),
        ("与户主关系", "relation", "母", "之母"),
        ("与户主关系", "relation", "父亲", "之父"),
        ("与户主关系", "relation", "妻子", "配偶"),
        ("与户主关系", "relation", "丈夫", "配偶"),
        ("与户主关系", "relation", "孙子", "之孙子"),
        ("与户主关系", "relation", "儿媳", "之儿媳"),
        ("务工状况", "work_status", "乡镇内务工", "乡(镇)内务工"),
        ("务工状况", "work_status", "乡镇外县内务工", "乡(镇)外县内务工"),
        ("务工状况", "work_status", "省内务工", "县外省内务工"),
        ("务工状况", "work_status", "乡（镇）内务工", "乡(镇)内务工"),  # full-width brackets
        ("健康状况", "health", "慢性病", "长期慢性病"),
        ("健康状况", "health", "大病", "患有大病"),
        ("劳动技能", "labour", "普通", "普通劳动力"),
        ("文化程度", "education", "文盲", "文盲或半文盲"),
        ("文化程度", "education", "本科", "大专及以上"),
        ("在校生状况", "school_status", "不在校", "非在校生"),
        ("在校生状况", "school_status", "初中生", "初中"),
        ("民族", "ethnicity", "彝", "彝族"),
    ],
)
def test_member_code_list_spellings_are_read_as_the_national_value(
    tmp_path, users, county_tree, column, field, spelling, national
):
    rows = [person(H1, 1, persons=2), person(H1, 2, "之子", persons=2, **{column: spelling})]

    assert run(tmp_path, rows, users).errors == []

    assert getattr(Member.objects.get(name="成员2"), field) == national


@pytest.mark.parametrize(
    ("spelling", "attribute", "programs"),
    [
        ("五保贫困户", "特困供养贫困户", {"fupin", "tekun"}),
        ("五保户", "特困供养贫困户", {"fupin", "tekun"}),
        ("低保户", "低保贫困户", {"fupin", "dibao"}),
        ("一般户", "一般贫困户", {"fupin"}),
    ],
)
def test_older_attribute_names_are_read_and_open_their_rolls(
    tmp_path, users, county_tree, spelling, attribute, programs
):
    assert run(tmp_path, family(H1, 1, 2, 贫困户属性=spelling), users).errors == []

    household = Household.objects.get(number=H1)
    assert household.attribute == attribute
    assert set(household.cases.values_list("program", flat=True)) == programs


@pytest.mark.parametrize(
    ("yes", "no"), [("是", "否"), ("有", "无"), ("√", "×"), ("Y", "N"), ("1", "0"), ("y", "n")]
)
def test_yes_no_columns_take_their_common_spellings(tmp_path, users, county_tree, yes, no):
    rows = family(H1, 1, 2, 危房户=yes, 参加大病医疗=no)

    assert run(tmp_path, rows, users).errors == []

    assert Household.objects.get().dangerous_house is True
    assert not Member.objects.filter(serious_illness_insurance=True).exists()


def test_xinnonghe_and_xinnongbao_columns_are_the_two_insurances(tmp_path, users, county_tree):
    rows = family(H1, 1, 2, 参加新农合="是", 参加新农保="否")

    assert run(tmp_path, rows, users).errors == []

    assert set(Member.objects.values_list("basic_medical_insurance", "pension_insurance")) == {(True, False)}


@pytest.mark.parametrize("spelling", ["县内务工", "县外务工"])
def test_an_ambiguous_spelling_is_refused_with_the_valid_values(tmp_path, users, county_tree, spelling):
    rows = [person(H1, 1, persons=1, 务工状况=spelling)]

    error = only_error(run(tmp_path, rows, users))

    assert error.column == "务工状况"
    assert error.reason.startswith(f"“{spelling}”有歧义,可能是“")
    assert "有效值为:乡(镇)内务工、乡(镇)外县内务工、县外省内务工、省外务工、其他" in error.reason
    assert not Household.objects.exists()


def test_an_unknown_value_is_refused_with_the_list_of_valid_values(tmp_path, users, county_tree):
    error = only_error(run(tmp_path, [person(H1, 1, persons=1, 健康状况="还行")], users))

    assert error.reason == "“还行”不是有效的健康状况,有效值为:健康、长期慢性病、患有大病、残疾"


def test_every_spelling_is_documented_in_the_readme():
    text = README.read_text(encoding="utf-8")
    for field_name, code_list in spellings.CODE_LISTS.items():
        assert f"`{field_name}`" in text, field_name
        for spelling in code_list.variants:
            assert spelling in text, (field_name, spelling)
        for spelling in code_list.ambiguous:
            assert spelling in text, (field_name, spelling)


def test_disabled_member_without_grade_is_accepted_from_a_roster_and_flagged_on_the_card(
    tmp_path, users, county_tree
):
    rows = [person(H1, 1, persons=1, 健康状况="残疾")]

    result = run(tmp_path, rows, users)

    assert result.errors == []
    assert [w.reason for w in result.warnings] == ["残疾等级未填:已导入,请在户卡中补录残疾等级"]
    member = Member.objects.get()
    assert member.health == "残疾" and member.needs_disability_grade
    card = build_card(Household.objects.select_related("group__parent__parent").get(), reveal=False)
    assert card.to_complete == ["成员1的残疾等级(花名册未载,请补录)"]
    assert "残疾(等级待补录)" in card.member_rows[0]


def test_the_browser_form_still_asks_for_the_disability_grade(db):
    number = id_number_for(1)
    born = f"{number[6:10]}-{number[10:12]}-{number[12:14]}"
    data = {"name": "甲", "id_number": number, "gender": "男", "birth_date": born, "relation": "户主"}
    data.update({"ethnicity": "汉族", "school_status": "非在校生", "health": "残疾"})
    form = MemberForm(data, check_url="/x/")

    assert not form.is_valid()
    assert form.errors["disability_grade"] == ["健康状况为“残疾”时须填写残疾等级"]


def test_fifteen_digit_number_is_converted_and_the_row_says_so(tmp_path, users, county_tree):
    eighteen = id_number_for(3)
    fifteen = eighteen[:6] + eighteen[8:17]

    result = run(tmp_path, [person(H1, 3, persons=1, 证件号码=fifteen)], users)

    assert result.errors == []
    assert from_first_generation(fifteen) == eighteen
    assert Member.objects.get().id_number == eighteen
    (warning,) = result.warnings
    assert (warning.row, warning.column) == (3, "证件号码")
    assert warning.reason == f"第一代15位身份证号,已补“19”和校验位升为18位(现尾号{eighteen[-4:]})"
    assert fifteen not in warning.value  # masked


def test_fifteen_digit_number_stored_as_a_number_is_converted_too(tmp_path, users, county_tree):
    eighteen = id_number_for(3)

    result = run(tmp_path, [person(H1, 3, persons=1, 证件号码=int(eighteen[:6] + eighteen[8:17]))], users)

    assert result.errors == []
    assert Member.objects.get().id_number == eighteen


def test_twenty_digit_disability_certificate_gives_number_category_and_grade(tmp_path, users, county_tree):
    number = id_number_for(4)
    rows = [person(H1, 4, persons=1, 证件号码=f"{number}42", 健康状况=None)]

    result = run(tmp_path, rows, users)

    assert result.errors == []
    member = Member.objects.get()
    assert (member.id_number, member.health, member.disability_grade, member.disability_certificate) == (
        number,
        "残疾",
        "二级",
        f"{number}42",
    )
    assert "肢体残疾、残疾等级“二级”" in result.warnings[0].reason


def test_certificate_of_a_person_said_to_be_healthy_is_refused(tmp_path, users, county_tree):
    number = id_number_for(4)
    rows = [person(H1, 4, persons=1, 证件号码=f"{number}42", 健康状况="健康")]

    error = only_error(run(tmp_path, rows, users))

    assert error.reason == "只有健康状况为“残疾”时才填写残疾证号和残疾等级"


def test_unknown_province_prefix_is_a_warning_on_the_preview(tmp_path, users, county_tree):
    from households.idnumber import build

    odd = build("990323", __import__("datetime").date(1980, 5, 1), 11)
    result = run(tmp_path, [person(H1, 1, persons=1, 证件号码=odd)], users, dry_run=True)

    assert result.errors == []
    assert result.warnings[0].reason == "身份证号前两位“99”不是已知的省级行政区划代码,请核对"
    assert odd not in result.warnings[0].value


def test_area_names_are_matched_with_and_without_their_suffixes(tmp_path, users, county_tree):
    rows = [
        *family(H1, 1, 1, 乡="丹凤", 行政村="法杂村委会", 自然村="新村"),  # 新村 is 新村组
        *family(H2, 10, 1, 乡="丹凤街道", 行政村="山龙村民委员会", 自然村="大寨村民小组"),
    ]

    assert run(tmp_path, rows, users).errors == []

    assert Household.objects.get(number=H1).group == county_tree.xincun
    assert Household.objects.get(number=H2).group == county_tree.dazhai


def test_rows_of_one_household_may_spell_its_township_differently(tmp_path, users, county_tree):
    rows = [person(H1, 1, persons=2, 乡="丹凤"), person(H1, 2, "配偶", persons=2, 乡="丹凤镇")]

    assert run(tmp_path, rows, users).errors == []


def test_rows_of_one_household_in_two_townships_are_still_refused(tmp_path, users, county_tree):
    rows = [person(H1, 1, persons=2, 乡="丹凤"), person(H1, 2, "配偶", persons=2, 乡="雄壁")]

    error = only_error(run(tmp_path, rows, users))

    assert "各行的“乡”不一致" in error.reason


def test_national_form_fields_are_imported(tmp_path, users, county_tree):
    added = {
        "识别标准": "市定标准",
        "是否军烈属": "是",
        "是否独生子女户": "否",
        "是否双女户": "√",
        "林果面积": 2.5,
        "是否通生产用电": "有",
        "主要致贫原因": "其他",
        "其他致贫原因说明": "房屋被山体滑坡损毁",
    }
    assert run(tmp_path, family(H1, 1, 2, **added), users).errors == []

    household = Household.objects.get()
    assert household.standard == "市定标准"
    assert (household.military_martyr_family, household.only_child_household) == (True, False)
    assert household.two_daughters_household is True and household.has_production_electricity is True
    assert str(household.orchard_land) == "2.50"
    assert (household.main_cause, household.other_cause_note) == ("其他", "房屋被山体滑坡损毁")


def test_other_cause_without_its_note_is_refused(tmp_path, users, county_tree):
    error = only_error(run(tmp_path, family(H1, 1, 2, 主要致贫原因="其他"), users))

    assert error.reason == "致贫原因选了“其他”,须在“其他致贫原因说明”中写明具体原因"


@pytest.mark.parametrize("number", ["12", "H-001", "5303231012010011234567890"])
def test_malformed_household_number_is_refused(tmp_path, users, county_tree, number):
    error = only_error(run(tmp_path, family(number, 1, 1), users))

    assert error.column == "户编号"
    assert error.reason.startswith(f"户编号“{number}”格式不对:应为15至22位数字")


def test_person_numbers_are_kept_checked_and_generated(tmp_path, users, county_tree):
    rows = [
        person(H1, 1, persons=2, 人编号=f"{H1}07"),
        person(H1, 2, "配偶", persons=2),  # blank: the next free serial
        *family(H2, 10, 1),
    ]

    assert run(tmp_path, rows, users).errors == []

    numbers = dict(Member.objects.values_list("name", "person_number"))
    assert numbers == {"成员1": f"{H1}07", "成员2": f"{H1}01", "成员10": f"{H2}01"}


@pytest.mark.parametrize(
    ("given", "reason"),
    [
        ("12", "应为户编号"),
        (f"{H2}01", "应为户编号"),  # another household's prefix
        (f"{H1}1", "应为户编号"),
    ],
)
def test_malformed_person_number_is_refused(tmp_path, users, county_tree, given, reason):
    error = only_error(run(tmp_path, [person(H1, 1, persons=1, 人编号=given)], users))

    assert error.column == "人编号" and reason in error.reason


def test_repeated_person_number_is_refused(tmp_path, users, county_tree):
    rows = [person(H1, 1, persons=2, 人编号=f"{H1}01"), person(H1, 2, "配偶", persons=2, 人编号=f"{H1}01")]

    error = only_error(run(tmp_path, rows, users))

    assert error.reason == "人编号已出现在第3行,人编号不能重复"


def test_cases_enter_the_year_asked_for_not_the_clocks(tmp_path, users, county_tree):
    assert run(tmp_path, family(H1, 1, 1), users, year=2013).errors == []

    assert Case.objects.get().entered_year == 2013


def test_browser_import_asks_for_the_year_and_offers_the_current_round(client, users, county_tree, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from identification.models import Round

    Round.objects.create(year=2014, name="2014年动态调整", poverty_line=2736, dibao_line=2000)
    client.force_login(users.fupin)

    page = client.get(reverse("households:import_upload")).content.decode()
    assert re.search(r'name="year"[^>]*value="2014"', page)

    path = write_roster(tmp_path / "r.xlsx", family(H1, 1, 1))
    upload = SimpleUploadedFile("r.xlsx", path.read_bytes())
    response = client.post(reverse("households:import_upload"), {"file": upload})
    assert "请填写花名册所属的识别年度。" in response.content.decode()
