"""The pages of 帮扶, as the owner, a colleague and an outsider; a helper sees only paired households (404
otherwise); refusals come back as messages with nothing written."""

from __future__ import annotations

import datetime
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import Workbook

from assistance.models import Measure, Pairing, Plan, Visit
from villages.models import AreaProfile

pytestmark = pytest.mark.django_db


@pytest.fixture
def as_user(client):
    def login(user):
        client.force_login(user)
        return client

    return login


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]] if response.context else []


def test_helper_home_is_their_households_page(as_user, world):
    client = as_user(world.helper_wang)
    assert client.get("/").url == reverse("assistance:mine")
    page = client.get(reverse("assistance:mine"))
    assert page.status_code == 200
    assert "张大" in page.content.decode() and "张二" not in page.content.decode()


def test_helper_opens_a_paired_household_but_404s_on_any_other(as_user, world):
    client = as_user(world.helper_wang)
    assert client.get(reverse("assistance:household", args=[world.a.pk])).status_code == 200
    for other in (world.b, world.c):
        assert client.get(reverse("assistance:household", args=[other.pk])).status_code == 404
        assert (
            client.post(
                reverse("assistance:visit_create", args=[other.pk]),
                {"visited_on": "2026-01-01", "content": "x"},
            ).status_code
            == 404
        )
        assert client.get(reverse("households:detail", args=[other.pk])).status_code == 404


@pytest.mark.parametrize(
    "url",
    [
        "assistance:helpers",
        "reports:coverage",
        "assistance:settings",
        "households:list",
        "reports:dashboard",
    ],
)
def test_helper_has_no_area_pages(as_user, world, url):
    assert as_user(world.helper_wang).get(reverse(url)).status_code == 404


def test_helper_can_export_nothing(as_user, world, county_tree):
    from reports.models import Report

    client = as_user(world.helper_wang)
    client.post(reverse("reports:list"), {"kind": "coverage", "area": county_tree.county.pk})
    client.post(
        reverse("reports:list"),
        {"kind": "household-card", "area": county_tree.shanlong.pk, "household_number": world.a.number},
    )
    assert not Report.objects.exists()


def test_helper_sees_the_households_card_masked(as_user, world):
    world.a.phone = "13900001111"
    world.a.save()
    page = as_user(world.helper_wang).get(reverse("households:detail", args=[world.a.pk])).content.decode()
    assert "13900001111" not in page and "139****1111" in page
    assert "王帮扶" in page  # the card's 帮扶责任人 section


def test_helper_logs_a_visit_in_one_post(as_user, world):
    client = as_user(world.helper_wang)
    response = client.post(
        reverse("assistance:visit_create", args=[world.a.pk]),
        {"visited_on": "2026-01-02", "content": "看望,了解务工"},
    )
    assert response.status_code == 302 and response.url == reverse("assistance:mine")
    assert Visit.objects.get().helper == world.wang


def test_future_visit_is_refused_with_a_message_and_nothing_written(as_user, world):
    client = as_user(world.helper_wang)
    tomorrow = datetime.date.today() + datetime.timedelta(days=3)
    response = client.post(
        reverse("assistance:visit_create", args=[world.a.pk]),
        {"visited_on": tomorrow.isoformat(), "content": "x"},
        follow=True,
    )
    assert any("不能晚于今天" in m for m in messages_of(response))
    assert not Visit.objects.exists()


def test_helper_updates_a_measure_in_one_tap(as_user, world):
    plan = Plan.objects.create(
        household=world.a, year=datetime.date.today().year, target_year=datetime.date.today().year
    )
    measure = Measure.objects.create(
        plan=plan,
        household=world.a,
        category="养殖",
        content="母牛",
        funding_source="财政专项",
        started_on=datetime.date(2026, 1, 1),
    )
    client = as_user(world.helper_wang)
    page = client.get(reverse("assistance:household", args=[world.a.pk])).content.decode()
    assert reverse("assistance:measure_progress", args=[measure.pk]) in page
    client.post(
        reverse("assistance:measure_progress", args=[measure.pk]), {"status": "实施中", "effect": "已购牛"}
    )
    measure.refresh_from_db()
    assert (measure.status, measure.effect) == ("实施中", "已购牛")
    assert (
        as_user(world.helper_li)
        .post(reverse("assistance:measure_progress", args=[measure.pk]), {"status": "已完成"})
        .status_code
        == 404
    )


@pytest.mark.parametrize(
    ("who", "status"), [("alice", 200), ("carol", 200), ("fupin", 200), ("bob", 404), ("dave", 404)]
)
def test_household_page_owner_colleague_outsider(as_user, world, who, status):
    assert (
        as_user(getattr(world, who)).get(reverse("assistance:household", args=[world.a.pk])).status_code
        == status
    )


def test_township_assigns_a_helper_from_the_household_page(as_user, world):
    client = as_user(world.carol)
    response = client.post(
        reverse("assistance:pair", args=[world.b.pk]),
        {"helper": world.li.pk, "started_on": "2026-01-05"},
        follow=True,
    )
    assert any("已安排帮扶责任人" in m for m in messages_of(response))
    assert Pairing.objects.get(household=world.b).helper == world.li


def test_village_cadre_cannot_assign(as_user, world):
    client = as_user(world.alice)
    page = client.get(reverse("assistance:household", args=[world.b.pk])).content.decode()
    assert reverse("assistance:pair", args=[world.b.pk]) not in page
    response = client.post(
        reverse("assistance:pair", args=[world.b.pk]),
        {"helper": world.li.pk, "started_on": "2026-01-05"},
        follow=True,
    )
    assert not Pairing.objects.filter(household=world.b).exists()
    assert response.status_code == 200


def test_helpers_page_lists_the_pool_with_phones_masked_for_who_needs_no_numbers(as_user, world):
    page = as_user(world.alice).get(reverse("assistance:helpers")).content.decode()
    assert "王帮扶" in page and "13812345678" in page  # a village cadre calls the helpers of the village
    page = as_user(world.admin).get(reverse("assistance:helpers")).content.decode()
    assert "13812345678" not in page and "138****5678" in page


def test_village_page_shows_the_team_and_five_ones(as_user, world, county_tree):
    AreaProfile.objects.create(area=county_tree.shanlong, is_poor_village=True)
    page = (
        as_user(world.alice)
        .get(reverse("assistance:village", args=[county_tree.shanlong.code]))
        .content.decode()
    )
    assert "缺联系领导、帮扶单位、驻村工作队、第一书记、农技员" in page
    assert (
        as_user(world.bob).get(reverse("assistance:village", args=[county_tree.shanlong.code])).status_code
        == 404
    )


def test_township_creates_a_team_and_cadre_records_attendance(as_user, world, county_tree):
    code = county_tree.shanlong.code
    url = reverse("assistance:village", args=[code])
    as_user(world.carol).post(
        url, {"action": "team", "unit": world.county_unit.pk, "started_on": "2015-10-01"}
    )
    as_user(world.carol).post(
        url,
        {
            "action": "member",
            "name": "周书记",
            "role": "队长",
            "is_first_secretary": "on",
            "joined_on": "2015-10-01",
        },
    )
    member = county_tree.shanlong.work_teams.get().members.get()
    client = as_user(world.alice)
    assert (
        client.post(
            url, {"action": "team", "unit": world.county_unit.pk, "started_on": "2016-01-01"}
        ).status_code
        == 404
    )
    client.post(
        url,
        {
            "action": "attendance",
            "member": member.pk,
            "month": "2026-05",
            "days_present": 22,
            "days_leave": 1,
        },
    )
    assert member.attendance.get().days_present == 22


def test_coverage_page_for_county_and_township(as_user, world):
    page = as_user(world.fupin).get(reverse("reports:coverage")).content.decode()
    assert "扶贫对象户没有帮扶责任人" in page and "丹凤镇" in page
    page = (
        as_user(world.fupin)
        .get(reverse("reports:coverage"), {"area": "530323101000", "check": "no_helper"})
        .content.decode()
    )
    assert "张二" in page and "赵三" not in page
    assert reverse("assistance:household", args=[world.b.pk]) in page
    assert as_user(world.carol).get(reverse("reports:coverage"), {"area": "530323102000"}).status_code == 404


def test_dashboard_part_shows_assistance_counts(as_user, world):
    page = (
        as_user(world.fupin).get(reverse("reports:assistance_part", args=["530323000000"])).content.decode()
    )
    assert "已安排帮扶责任人 <strong>1</strong> 户" in page
    assert (
        as_user(world.alice).get(reverse("reports:assistance_part", args=["530323000000"])).status_code == 404
    )


def test_settings_only_for_the_county(as_user, world):
    assert as_user(world.carol).get(reverse("assistance:settings")).status_code == 404
    client = as_user(world.fupin)
    client.post(reverse("assistance:settings"), {"helper_limit": 4, "transition_ends_on": "2030-12-31"})
    assert world.county_unit.area.assistance_settings.helper_limit == 4


def sheet(rows: list[list]) -> io.BytesIO:
    book = Workbook()
    for row in rows:
        book.active.append(row)
    data = io.BytesIO()
    book.save(data)
    data.seek(0)
    data.name = "结对表.xlsx"
    return data


def test_bulk_assignment_from_a_sheet(as_user, world):
    client = as_user(world.fupin)
    upload = sheet(
        [
            ["户编号", "帮扶责任人", "帮扶单位"],
            [world.b.number, "李帮扶", "县农业农村局"],
            [world.c.number, "李帮扶", ""],
        ]
    )
    response = client.post(reverse("assistance:bulk_assign"), {"file": upload}, follow=True)
    assert any("已按结对表安排 2 户" in m for m in messages_of(response))
    assert Pairing.objects.filter(helper=world.li, ended_on__isnull=True).count() == 2


def test_bulk_assignment_is_all_or_nothing_with_row_numbers(as_user, world):
    client = as_user(world.fupin)
    upload = sheet(
        [["户编号", "帮扶责任人"], [world.b.number, "李帮扶"], ["999", "李帮扶"], [world.c.number, "无此人"]]
    )
    page = client.post(reverse("assistance:bulk_assign"), {"file": upload}).content.decode()
    assert "您的管辖范围内没有该户编号" in page and "没有在岗的帮扶责任人“无此人”" in page
    assert not Pairing.objects.filter(helper=world.li).exists()


def test_bulk_assignment_checks_the_limit_across_rows(as_user, world, county_tree):
    from tests.assistance.conftest import rolled_household

    extra = [rolled_household(county_tree.xiaozhai, f"53032310120200300{n}", head=f"户{n}") for n in range(3)]
    upload = sheet([["户编号", "帮扶责任人"], *[[h.number, "李帮扶"] for h in [world.b, *extra]]])
    page = as_user(world.fupin).post(reverse("assistance:bulk_assign"), {"file": upload}).content.decode()
    assert "达到每人最多 3 户的上限" in page
    assert not Pairing.objects.filter(helper=world.li).exists()


def test_loan_form_refuses_more_than_three_years(as_user, world):
    client = as_user(world.alice)
    client.post(
        reverse("assistance:credit_create", args=[world.a.pk]),
        {"grade": "AA", "credit_line": "50000", "rated_on": "2025-01-01"},
    )
    response = client.post(
        reverse("assistance:loan_create", args=[world.a.pk]),
        {
            "bank": "农行",
            "amount": "10000",
            "issued_on": "2025-02-01",
            "term_months": 40,
            "purpose": "养殖",
            "subsidy_rate": "4.35",
            "subsidy_amount": "0",
            "risk_compensation": "0",
        },
        follow=True,
    )
    assert any("期限" in m for m in messages_of(response))
    assert not world.a.loans.exists()
    client.post(
        reverse("assistance:loan_create", args=[world.a.pk]),
        {
            "bank": "农行",
            "amount": "10000",
            "issued_on": "2025-02-01",
            "term_months": 36,
            "purpose": "养殖",
            "subsidy_rate": "4.35",
            "subsidy_amount": "0",
            "risk_compensation": "0",
        },
    )
    assert world.a.loans.get().amount == Decimal("10000")


def test_township_opens_a_login_for_a_helper_who_then_sees_their_households(as_user, world):
    from assistance.models import Helper

    helper = Helper.objects.create(name="孙帮扶", unit=world.county_unit, area=world.county_unit.area)
    Pairing.objects.create(helper=helper, household=world.b, started_on=datetime.date(2026, 1, 1))
    url = reverse("assistance:helper", args=[helper.pk])
    as_user(world.carol).post(url, {"username": "sun", "password": "Weak"})
    helper.refresh_from_db()
    assert helper.user is None  # the password validators refused it, nothing written
    as_user(world.carol).post(url, {"username": "sun", "password": "Shizong-bangfu-2016"})
    helper.refresh_from_db()
    assert helper.user.username == "sun" and helper.user.role == "helper" and helper.user.area is None
    assert helper.user.check_password("Shizong-bangfu-2016")
    assert "张二" in as_user(helper.user).get(reverse("assistance:mine")).content.decode()


def test_visit_photo_is_served_through_the_scope(as_user, world, settings, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.MEDIA_ROOT = tmp_path
    client = as_user(world.helper_wang)
    photo = SimpleUploadedFile("牛棚.jpg", b"\xff\xd8\xff\xe0fakejpeg", content_type="image/jpeg")
    client.post(
        reverse("assistance:visit_create", args=[world.a.pk]),
        {"visited_on": "2026-01-02", "content": "看牛棚", "photo": photo},
    )
    visit = Visit.objects.get()
    url = reverse("assistance:visit_photo", args=[visit.pk])
    assert b"".join(client.get(url).streaming_content) == b"\xff\xd8\xff\xe0fakejpeg"
    assert as_user(world.helper_li).get(url).status_code == 404
    assert as_user(world.dave).get(url).status_code == 404
