"""The 户卡 as a page, a print layout and an .xlsx: the same card, masked the same way."""

from __future__ import annotations

import datetime
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from households import services
from households.card import build_card, household_history
from households.models import Case, Household
from tests.factories import id_number_for


@pytest.fixture
def household(users, county_tree):
    head = id_number_for(1)
    h = services.household_create(
        actor=users.fupin,  # the county: 贫困户属性 on a household on no roll yet
        data={
            "number": "530323101201001001",
            "group": county_tree.dazhai,
            "attribute": "低保贫困户",
            "main_cause": "因残",
            "phone": "13812345678",
            "bank_account": "6228480012345678",
        },
        members=[
            {
                "name": "张大山",
                "id_number": head,
                "gender": "男",
                "birth_date": datetime.date(int(head[6:10]), int(head[10:12]), int(head[12:14])),
                "relation": "户主",
                "health": "残疾",
                "disability_grade": "二级",
                "work_status": "省外务工",
                "work_months": 10,
                "basic_medical_insurance": True,
            }
        ],
    )
    h.incomes.create(year=2013, persons=1, wage_income=Decimal("2000"), dibao_benefit=Decimal("600"))
    Case.objects.create(household=h, program="dibao", entered_year=2013, poverty_class=1)
    return Household.objects.select_related("group__parent__parent").get(pk=h.pk)


def test_card_masks_personal_numbers_unless_revealed(users, household):
    head = household.members.get()
    mine = build_card(household, reveal=True)
    theirs = build_card(household, reveal=False)
    assert mine.member_rows[0][2] == head.id_number
    assert theirs.member_rows[0][2] == head.id_number[:6] + "********" + head.id_number[-4:]
    assert ("联系电话", "138****5678") in theirs.fields and ("联系电话", "13812345678") in mine.fields
    assert mine.area_names == ["丹凤镇", "山龙村", "大寨组"]


def test_member_row_joins_related_answers(users, household):
    card = build_card(household, reveal=True)
    row = dict(zip(card.member_headers, card.member_rows[0], strict=True))
    assert row["健康状况"] == "残疾(二级)"
    assert row["务工状况(月数)"] == "省外务工(10个月)"
    assert row["参保及其他"] == "医保"


def test_xlsx_card_holds_the_same_card(as_client, users, household):
    response = as_client(users.alice).get(reverse("households:card_xlsx", args=[household.pk]))
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    assert "530323101201001001.xlsx" in response["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    cells = {cell.value for row in sheet.iter_rows() for cell in row if cell.value is not None}
    assert sheet["A1"].value == "贫困户登记表"
    assert "丹凤镇山龙村大寨组    户编号:530323101201001001" in cells
    head = household.members.get()
    assert {"张大山", head.id_number, "残疾(二级)", "低保贫困户", "因残", "低保", "在册"} <= cells
    assert 2600 in cells and 2013 in cells  # 年人均纯收入 (2000 + 600) / 1 and the year: numbers, not text
    assert str(sheet.page_setup.paperSize) == sheet.PAPERSIZE_A4


def test_xlsx_card_is_masked_for_the_admin(as_client, users, household):
    response = as_client(users.admin).get(reverse("households:card_xlsx", args=[household.pk]))
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    cells = {str(cell.value) for row in sheet.iter_rows() for cell in row}
    head = household.members.get()
    assert head.id_number not in cells and "13812345678" not in cells
    assert head.id_number[:6] + "********" + head.id_number[-4:] in cells


def test_history_says_who_changed_which_field(users, household):
    head = household.members.get()
    services.household_update(
        household=household,
        actor=users.carol,
        data={"main_cause": "因病", "phone": "13900001111"},
        members=[{"id": head.pk, **{f: getattr(head, f) for f in services.MEMBER_FIELDS}}],
    )
    entries = household_history(household, reveal=False)
    latest = entries[0]
    assert latest.who == (users.carol.get_full_name() or "carol") and latest.action == "修改"
    changes = {c.label: (c.old, c.new) for c in latest.changes}
    assert changes["主要致贫原因"] == ("因残", "因病")
    assert changes["联系电话"] == ("138****5678", "139****1111")  # masked in history too
    assert {e.subject for e in entries} >= {"户基本信息", "成员 张大山", "2013年收入", "低保对象"}
    # The member was saved unchanged: no empty "修改" entry for it.
    assert not [e for e in entries if e.subject == "成员 张大山" and e.action == "修改"]


@pytest.fixture
def as_client(client):
    def login(user):
        client.force_login(user)
        return client

    return login
