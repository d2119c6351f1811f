"""The 台账导出 page: asking, progress, download, retry, delete — and nobody reaching another area's report."""

from __future__ import annotations

import pytest
from django.urls import reverse

from reports.models import Kind, Report, Status
from tests.reports.helpers import sheets, table

pytestmark = pytest.mark.django_db


def _ask(client, committed, **data):
    with committed():
        return client.post(reverse("reports:list"), data)


def test_a_cadre_asks_for_her_village_register_and_downloads_it(
    client, committed, users, county_tree, registry
):
    client.force_login(users.alice)
    page = client.get(reverse("reports:list"))
    areas = [choice[1] for choice in page.context["form"].fields["area"].choices]
    assert any("山龙村" in a for a in areas) and not any("法杂村" in a for a in areas)

    response = _ask(client, committed, kind=Kind.VILLAGE_REGISTER, area=county_tree.shanlong.pk)
    assert response.status_code == 302
    report = Report.objects.get()
    assert (report.user, report.status) == (users.alice, Status.DONE)

    listing = client.get(reverse("reports:list")).content.decode()
    assert "村有册" in listing and reverse("reports:download", args=[report.pk]) in listing
    download = client.get(reverse("reports:download", args=[report.pk]))
    assert download.status_code == 200
    assert "attachment" in download["Content-Disposition"]
    assert table(sheets(b"".join(download.streaming_content))["户"])


def test_the_form_keeps_what_was_typed_and_says_why_in_chinese(
    client, committed, users, county_tree, registry
):
    client.force_login(users.carol)
    response = _ask(
        client, committed, kind=Kind.HOUSEHOLD_CARD, area=county_tree.danfeng.pk, household_number="NOPE"
    )
    assert response.status_code == 200
    assert "您的管辖范围内没有户编号为“NOPE”的户" in response.content.decode()
    assert response.context["form"]["household_number"].value() == "NOPE"
    response = _ask(client, committed, kind=Kind.TOWNSHIP_BOOK, area=county_tree.shanlong.pk)
    assert "乡有簿只能按乡镇导出" in response.content.decode()
    assert not Report.objects.exists()


def test_an_area_outside_ones_own_cannot_be_chosen(client, committed, users, county_tree):
    client.force_login(users.alice)
    response = _ask(client, committed, kind=Kind.VILLAGE_REGISTER, area=county_tree.fazai.pk)
    assert response.status_code == 200 and response.context["form"].errors["area"]
    assert not Report.objects.exists()


def test_a_single_household_card_by_its_number(client, committed, users, county_tree, registry):
    from households.models import Household

    household = Household.objects.filter(group__code__startswith="530323101201", cases__isnull=False).first()
    client.force_login(users.alice)
    _ask(
        client,
        committed,
        kind=Kind.HOUSEHOLD_CARD,
        area=county_tree.shanlong.pk,
        household_number=household.number,
    )
    report = Report.objects.get()
    assert report.household == household and report.filename == f"户卡-{household.number}.xlsx"


@pytest.fixture
def alices_report(client, committed, users, county_tree, registry):
    client.force_login(users.alice)
    _ask(client, committed, kind=Kind.VILLAGE_REGISTER, area=county_tree.shanlong.pk)
    client.logout()
    return Report.objects.get()


@pytest.mark.parametrize("name", ["status", "download", "retry", "delete"])
def test_another_villages_cadre_gets_404_for_every_report_url(client, users, alices_report, name):
    client.force_login(users.bob)
    url = reverse(f"reports:{name}", args=[alices_report.pk])
    response = client.post(url) if name in ("retry", "delete") else client.get(url)
    assert response.status_code == 404
    assert Report.objects.filter(pk=alices_report.pk).exists()
    assert alices_report.pk not in [r.pk for r in client.get(reverse("reports:list")).context["reports"]]


def test_the_other_township_sees_nothing_and_the_own_township_sees_it(client, users, alices_report):
    client.force_login(users.dave)
    assert client.get(reverse("reports:download", args=[alices_report.pk])).status_code == 404
    client.force_login(users.carol)
    assert client.get(reverse("reports:download", args=[alices_report.pk])).status_code == 200


def test_only_the_owner_or_the_county_deletes(client, users, alices_report):
    client.force_login(users.carol)  # sees it (her township) but did not ask for it
    assert client.post(reverse("reports:delete", args=[alices_report.pk])).status_code == 403
    client.force_login(users.alice)
    assert client.post(reverse("reports:delete", args=[alices_report.pk])).status_code == 302
    assert not Report.objects.exists()


def test_the_status_row_polls_until_done(client, users, county_tree):
    report = Report.objects.create(kind=Kind.VILLAGE_REGISTER, area=county_tree.shanlong, user=users.alice)
    client.force_login(users.alice)
    row = client.get(reverse("reports:status", args=[report.pk])).content.decode()
    assert "hx-trigger" in row and "排队中" in row
    Report.objects.filter(pk=report.pk).update(status=Status.FAILED, message="生成中断")
    row = client.get(reverse("reports:status", args=[report.pk])).content.decode()
    assert "hx-trigger" not in row and "重试" in row


def test_a_failed_report_is_retried_from_the_page(client, committed, users, county_tree, registry):
    report = Report.objects.create(
        kind=Kind.VILLAGE_REGISTER, area=county_tree.shanlong, user=users.alice, status=Status.FAILED
    )
    client.force_login(users.alice)
    with committed():
        assert client.post(reverse("reports:retry", args=[report.pk])).status_code == 302
    report.refresh_from_db()
    assert report.status == Status.DONE and report.file


def test_no_personal_number_in_the_report_urls(client, committed, users, county_tree, registry):
    from households.models import Member

    client.force_login(users.alice)
    _ask(client, committed, kind=Kind.VILLAGE_REGISTER, area=county_tree.shanlong.pk)
    page = client.get(reverse("reports:list")).content.decode()
    ids = Member.objects.filter(household__group__code__startswith="530323101201").values_list(
        "id_number", flat=True
    )
    assert not any(i in page for i in ids)
