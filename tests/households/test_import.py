"""The 花名册 import pipeline (households.importer): reading, each validation rule, idempotent writes."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from openpyxl import load_workbook

from households.importer import import_roster, write_error_workbook
from households.models import Case, Household, Member
from tests.factories import HouseholdFactory, MemberFactory, id_number_for
from tests.households.import_helpers import H1, H2, H3, H4, HEADERS, family, person, write_roster

pytestmark = pytest.mark.django_db


def run(path, user, *, dry_run=False):
    return import_roster(path=path, user=user, dry_run=dry_run, year=2012)


def only_error(result):
    assert len(result.errors) == 1, [e.as_dict() for e in result.errors]
    return result.errors[0]


def history_rows() -> int:
    return Household.history.count() + Member.history.count()


def test_imports_households_and_members_with_history(tmp_path, users, county_tree):
    path = write_roster(tmp_path / "r.xlsx", family(H1, 1, 3) + family(H2, 10, 2))

    result = run(path, users.fupin)

    assert result.ok
    assert result.counts["households_created"] == 2
    assert result.counts["members_created"] == 5
    household = Household.objects.get(number=H1)
    assert household.group == county_tree.dazhai
    assert household.attribute == "一般贫困户"
    assert household.dangerous_house is False
    assert household.phone == "13800001111"
    head = household.members.get(relation="户主")
    assert head.id_number == id_number_for(1)
    assert head.gender == "男"
    assert head.birth_date == datetime.date(
        int(head.id_number[6:10]), int(head.id_number[10:12]), int(head.id_number[12:14])
    )
    assert head.serious_illness_insurance is True
    assert Member.objects.count() == 5
    created = Member.history.filter(id=head.pk).get()
    assert (created.history_type, created.history_user, created.history_change_reason) == (
        "+",
        users.fupin,
        "花名册导入",
    )
    assert Household.history.filter(history_type="+").count() == 2


def test_header_row_found_under_title_and_blank_rows_skipped(tmp_path, users, county_tree):
    path = write_roster(tmp_path / "r.xlsx", [None, *family(H1, 1, 2), None, None, *family(H2, 10, 1)])

    result = run(path, users.fupin)

    assert result.ok, [e.as_dict() for e in result.errors]
    assert result.header_row == 2
    assert result.counts["blank_rows"] == 3
    assert Member.objects.count() == 3


def test_header_row_without_title(tmp_path, users, county_tree):
    path = write_roster(tmp_path / "r.xlsx", family(H1, 1, 2), title=False)

    assert run(path, users.fupin).ok
    assert Member.objects.count() == 2


def test_synonyms_and_column_order(tmp_path, users, county_tree):
    synonyms = {"乡": "乡镇", "自然村": "村民小组", "证件号码": "身份证号", "人均纯收入": "年人均纯收入"}
    rows = [{synonyms.get(k, k): v for k, v in row.items()} for row in family(H1, 1, 2)]
    headers = [synonyms.get(h, h) for h in reversed(HEADERS)]

    result = run(write_roster(tmp_path / "r.xlsx", rows, headers=headers), users.fupin)

    assert result.ok, [e.as_dict() for e in result.errors]
    assert Household.objects.get(number=H1).members.count() == 2


def test_model_field_names_are_accepted_as_headers(tmp_path, users, county_tree):
    rows = family(H1, 1, 1, **{"耕地面积(亩)": 3.5, "文化程度": "初中", "其他致贫原因": "缺技术、缺资金"})

    result = run(
        write_roster(
            tmp_path / "r.xlsx", rows, headers=[*HEADERS, "耕地面积(亩)", "文化程度", "其他致贫原因"]
        ),
        users.fupin,
    )

    assert result.ok, [e.as_dict() for e in result.errors]
    household = Household.objects.get(number=H1)
    assert str(household.arable_land) == "3.50"
    assert household.other_causes == ["缺技术", "缺资金"]
    assert household.members.get().education == "初中"


def test_full_width_digits_lower_case_x_and_area_suffixes(tmp_path, users, county_tree):
    number = next(id_number_for(n) for n in range(1, 500) if id_number_for(n).endswith("X"))
    full_width = "".join(chr(ord(c) + 0xFEE0) if c.isdigit() else c for c in number[:-1]) + "x"
    rows = [
        person(
            H1, 1, persons=1, 证件号码=f" {full_width}　", 乡="丹凤", 行政村="山龙村民委员会", 自然村="大寨"
        )
    ]

    result = run(write_roster(tmp_path / "r.xlsx", rows), users.fupin)

    assert result.ok, [e.as_dict() for e in result.errors]
    assert Member.objects.get().id_number == number
    assert Household.objects.get().group == county_tree.dazhai


def test_id_number_stored_as_float_is_rejected(tmp_path, users, county_tree):
    rows = [person(H1, 1, persons=1, 证件号码=float(id_number_for(1)[:17] + "1"))]

    error = only_error(run(write_roster(tmp_path / "r.xlsx", rows), users.fupin))

    assert (error.row, error.column) == (3, "证件号码")
    assert "数字格式" in error.reason
    assert Member.objects.count() == 0


def test_bad_check_digit_is_reported_with_row_column_and_masked_value(tmp_path, users, county_tree):
    good = id_number_for(2)
    bad = good[:-1] + ("0" if good[-1] != "0" else "1")
    rows = [person(H1, 1, persons=2), person(H1, 2, "配偶", persons=2, 证件号码=bad)]

    error = only_error(run(write_roster(tmp_path / "r.xlsx", rows), users.fupin))

    assert (error.row, error.column, error.reason) == (4, "证件号码", "身份证号校验位错误")
    assert error.value == bad[:6] + "********" + bad[-4:]


def test_gender_disagreeing_with_id_number(tmp_path, users, county_tree):
    rows = [person(H1, 1, persons=1, 性别="女")]

    error = only_error(run(write_roster(tmp_path / "r.xlsx", rows, headers=[*HEADERS, "性别"]), users.fupin))

    assert (error.row, error.column) == (3, "性别")
    assert "与身份证号不符" in error.reason


def test_birth_date_disagreeing_with_id_number(tmp_path, users, county_tree):
    rows = [person(H1, 1, persons=1, 出生日期="1901-01-01")]

    error = only_error(
        run(write_roster(tmp_path / "r.xlsx", rows, headers=[*HEADERS, "出生日期"]), users.fupin)
    )

    assert (error.row, error.column) == (3, "出生日期")
    assert "与身份证号不符" in error.reason


def test_person_in_two_households_of_the_file(tmp_path, users, county_tree):
    rows = [*family(H1, 1, 2), person(H2, 5, persons=2), person(H2, 2, "配偶", persons=2)]

    error = only_error(run(write_roster(tmp_path / "r.xlsx", rows), users.fupin))

    assert (error.row, error.column) == (6, "证件号码")
    assert f"已出现在第4行(户编号{H1})" in error.reason


def test_person_registered_in_another_household_of_the_database(tmp_path, users, county_tree):
    other = HouseholdFactory(number="OLD", group=county_tree.xincun)
    MemberFactory(household=other, id_number=id_number_for(1))

    error = only_error(run(write_roster(tmp_path / "r.xlsx", family(H1, 1, 2)), users.fupin))

    assert (error.row, error.column) == (3, "证件号码")
    assert "已登记在户编号OLD的家庭中" in error.reason


def test_household_without_head(tmp_path, users, county_tree):
    rows = [person(H1, 1, "配偶"), person(H1, 2, "之子")]

    error = only_error(run(write_roster(tmp_path / "r.xlsx", rows), users.fupin))

    assert (error.row, error.column) == (3, "与户主关系")
    assert "没有户主" in error.reason


def test_household_with_two_heads(tmp_path, users, county_tree):
    rows = [person(H1, 1), person(H1, 2)]

    error = only_error(run(write_roster(tmp_path / "r.xlsx", rows), users.fupin))

    assert "有2名户主" in error.reason


def test_unknown_area(tmp_path, users, county_tree):
    rows = [person(H1, 1, persons=1, 自然村="不存在组")]

    error = only_error(run(write_roster(tmp_path / "r.xlsx", rows), users.fupin))

    assert (error.row, error.column) == (3, "自然村")
    assert error.reason == "村民小组“不存在组”不存在或不在您的管辖范围内"


def test_rows_of_one_household_must_agree(tmp_path, users, county_tree):
    rows = [person(H1, 1), person(H1, 2, "配偶", 危房户="是")]

    error = only_error(run(write_roster(tmp_path / "r.xlsx", rows), users.fupin))

    assert (error.row, error.column) == (4, "危房户")
    assert "各行的“危房户”不一致:第3行为“否”" in error.reason


def test_persons_must_match_the_members_found(tmp_path, users, county_tree):
    rows = [person(H1, 1, persons=3), person(H1, 2, "配偶", persons=3)]

    error = only_error(run(write_roster(tmp_path / "r.xlsx", rows), users.fupin))

    assert (error.row, error.column, error.value) == (3, "人数", "3")
    assert "人数为3,但文件中该户有2行成员" in error.reason


def test_invalid_code_list_value(tmp_path, users, county_tree):
    rows = [person(H1, 1, persons=1, 民族="火星族")]

    error = only_error(run(write_roster(tmp_path / "r.xlsx", rows), users.fupin))

    # Never "代码表中的名称": the message lists the valid values themselves.
    assert error.column == "民族"
    assert error.reason.startswith("“火星族”不是有效的民族,有效值为:汉族、蒙古族、回族")
    assert "彝族" in error.reason and "代码表" not in error.reason


def test_missing_required_column(tmp_path, users, county_tree):
    headers = [h for h in HEADERS if h != "与户主关系"]

    error = only_error(run(write_roster(tmp_path / "r.xlsx", family(H1, 1), headers=headers), users.fupin))

    assert error.reason == "缺少必填列“与户主关系”"


def test_one_bad_row_writes_nothing_and_every_error_is_listed(tmp_path, users, county_tree):
    rows = [*family(H1, 1, 2), *family(H2, 10, 2), person(H3, 20, persons=1, 自然村="无此组", 民族="X")]

    result = run(write_roster(tmp_path / "r.xlsx", rows), users.fupin)

    assert {e.column for e in result.errors} == {"自然村", "民族"}
    assert Household.objects.count() == Member.objects.count() == history_rows() == 0


def test_error_workbook_marks_the_wrong_cells(tmp_path, users, county_tree):
    rows = [*family(H1, 1, 2), person(H2, 20, persons=1, 民族="X")]
    source = write_roster(tmp_path / "r.xlsx", rows)
    result = run(source, users.fupin)

    write_error_workbook(
        source=source, errors=result.errors, target=tmp_path / "errors.xlsx", header_row=result.header_row
    )

    sheet = load_workbook(tmp_path / "errors.xlsx").active
    assert sheet.cell(2, len(HEADERS) + 1).value == "错误说明"  # the reason column has its header
    column = HEADERS.index("民族") + 1
    assert sheet.cell(5, column).value == "X"
    assert sheet.cell(5, column).fill.fgColor.rgb.endswith("FFC7CE")
    assert "民族" in sheet.cell(5, len(HEADERS) + 1).value
    assert sheet.cell(3, len(HEADERS) + 1).value is None


def test_dry_run_writes_nothing(tmp_path, users, county_tree):
    result = run(write_roster(tmp_path / "r.xlsx", family(H1, 1, 2)), users.fupin, dry_run=True)

    assert result.ok
    assert result.counts["households_created"] == 1
    assert result.counts["members_created"] == 2
    assert Household.objects.count() == Member.objects.count() == history_rows() == 0


def test_reimporting_the_same_file_changes_nothing(tmp_path, users, county_tree):
    path = write_roster(tmp_path / "r.xlsx", family(H1, 1, 3) + family(H2, 10, 2))
    run(path, users.fupin)
    before = history_rows()

    result = run(path, users.fupin)

    assert result.ok
    assert result.counts["households_created"] == result.counts["households_updated"] == 0
    assert result.counts["members_created"] == result.counts["members_updated"] == 0
    assert result.counts["households_unchanged"] == 2
    assert history_rows() == before


def test_changed_file_updates_only_changed_rows(tmp_path, users, county_tree):
    run(write_roster(tmp_path / "r.xlsx", family(H1, 1, 2) + family(H2, 10, 2)), users.fupin)
    before = history_rows()
    changed = family(H1, 1, 2) + family(H2, 10, 2, 联系电话="13900002222")
    changed[0]["民族"] = "彝族"

    result = run(write_roster(tmp_path / "r2.xlsx", changed), users.fupin)

    assert result.ok
    assert (result.counts["households_updated"], result.counts["households_unchanged"]) == (1, 1)
    assert (result.counts["members_updated"], result.counts["members_unchanged"]) == (1, 3)
    assert history_rows() == before + 2
    assert Household.objects.get(number=H2).phone == "13900002222"
    assert Member.objects.get(id_number=id_number_for(1)).ethnicity == "彝族"
    assert Household.history.filter(number=H2, history_type="~").get().history_user == users.fupin


def test_head_can_change_between_two_registered_members(tmp_path, users, county_tree):
    run(write_roster(tmp_path / "r.xlsx", family(H1, 1, 2)), users.fupin)
    swapped = [person(H1, 1, "配偶"), person(H1, 2, "户主")]

    assert run(write_roster(tmp_path / "r2.xlsx", swapped), users.fupin).ok
    assert Member.objects.get(relation="户主").id_number == id_number_for(2)


def test_member_missing_from_the_file_is_marked_removed_with_history(tmp_path, users, county_tree):
    run(write_roster(tmp_path / "r.xlsx", family(H1, 1, 3)), users.fupin)

    result = run(write_roster(tmp_path / "r2.xlsx", family(H1, 1, 2)), users.fupin)

    assert result.counts["members_removed"] == 1
    assert Member.objects.count() == 2
    # Nothing is deleted (households.changes): the person stays on record as removed, reason 其他.
    removed = Member.everyone.get(removed_at__isnull=False)
    assert removed.removal_reason == "其他"
    assert not Member.history.filter(history_type="-").exists()
    assert Member.history.filter(id=removed.pk, history_type="~", removed_at__isnull=False).exists()


def test_a_removed_member_listed_again_is_registered_again(tmp_path, users, county_tree):
    run(write_roster(tmp_path / "r.xlsx", family(H1, 1, 3)), users.fupin)
    run(write_roster(tmp_path / "r2.xlsx", family(H1, 1, 2)), users.fupin)

    assert run(write_roster(tmp_path / "r3.xlsx", family(H1, 1, 3)), users.fupin).ok

    assert Member.objects.count() == 3
    assert Member.everyone.count() == 4


def test_person_may_move_between_households_of_the_same_file(tmp_path, users, county_tree):
    run(write_roster(tmp_path / "r.xlsx", family(H1, 1, 3) + family(H2, 10, 1)), users.fupin)
    moved = family(H1, 1, 2) + [person(H2, 10, persons=2), person(H2, 3, "配偶", persons=2)]

    result = run(write_roster(tmp_path / "r2.xlsx", moved), users.fupin)

    assert result.ok, [e.as_dict() for e in result.errors]
    assert Member.objects.get(id_number=id_number_for(3)).household.number == H2


@pytest.mark.parametrize("who", ["alice", "carol", "minzheng"])
def test_only_county_fupin_and_admin_may_import(tmp_path, users, county_tree, who):
    path = write_roster(tmp_path / "r.xlsx", family(H1, 1, 2))

    with pytest.raises(PermissionDenied):
        run(path, getattr(users, who))
    assert run(path, users.admin).ok


def test_per_capita_income_is_reported_not_fabricated(tmp_path, users, county_tree):
    result = run(write_roster(tmp_path / "r.xlsx", family(H1, 1, 2)), users.fupin)

    assert any("人均纯收入" in note for note in result.notes)
    assert not Household.objects.get().incomes.exists()


def test_a_file_that_is_not_a_workbook_is_refused(tmp_path, users, county_tree):
    path = tmp_path / "r.xlsx"
    path.write_bytes(b"not a workbook")

    error = only_error(run(path, users.fupin))

    assert "无法读取该文件" in error.reason


def test_recovered_member_loses_disability_details_and_safe_house_its_grade(tmp_path, users, county_tree):
    household = HouseholdFactory(
        number=H1, group=county_tree.dazhai, dangerous_house=True, dangerous_house_grade="D级"
    )
    MemberFactory(household=household, id_number=id_number_for(1), health="残疾", disability_grade="二级")

    result = run(write_roster(tmp_path / "r.xlsx", [person(H1, 1, persons=1)]), users.fupin)

    assert result.ok, [e.as_dict() for e in result.errors]
    member = Member.objects.get()
    assert (member.health, member.disability_grade) == ("健康", "")
    household.refresh_from_db()
    assert (household.dangerous_house, household.dangerous_house_grade) == (False, "")


def test_irrigated_land_may_not_exceed_arable_land(tmp_path, users, county_tree):
    rows = [person(H1, 1, persons=1, **{"耕地面积": 2, "有效灌溉面积": 3})]

    error = only_error(
        run(
            write_roster(tmp_path / "r.xlsx", rows, headers=[*HEADERS, "耕地面积", "有效灌溉面积"]),
            users.fupin,
        )
    )

    assert (error.row, error.column) == (3, "有效灌溉面积")
    assert "不能大于耕地面积" in error.reason


def test_county_column_must_name_the_importers_county(tmp_path, users, county_tree):
    rows = [person(H1, 1, persons=1, 县="师宗"), person(H2, 2, persons=1, 县="罗平县")]

    error = only_error(run(write_roster(tmp_path / "r.xlsx", rows), users.fupin))

    assert (error.row, error.column, error.reason) == (4, "县", "不是本县(师宗县)")


def test_attribute_opens_the_cases_it_means_once(tmp_path, users, county_tree):
    rows = (
        family(H1, 1, 2)
        + family(H2, 10, 2, 贫困户属性="低保贫困户")
        + family(H3, 20, 1, 贫困户属性="特困供养贫困户")
        + family(H4, 30, 2, 贫困户属性=None)
    )
    path = write_roster(tmp_path / "r.xlsx", rows)

    preview = run(path, users.fupin, dry_run=True)
    assert preview.counts["cases_opened"] == 5
    assert not Case.objects.exists()

    result = import_roster(path=path, user=users.fupin, dry_run=False, year=2012)

    assert result.counts["cases_opened"] == 5
    opened = set(Case.objects.values_list("household__number", "program", "state", "entered_year"))
    assert opened == {
        (H1, "fupin", "active", 2012),
        (H2, "fupin", "active", 2012),
        (H2, "dibao", "active", 2012),
        (H3, "fupin", "active", 2012),
        (H3, "tekun", "active", 2012),
    }
    assert Case.history.filter(history_user=users.fupin, history_change_reason="花名册导入").count() == 5

    again = run(path, users.fupin)
    assert again.counts["cases_opened"] == 0
    assert Case.objects.count() == Case.history.count() == 5
