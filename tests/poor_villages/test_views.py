"""The screens of 贫困村识别 and 贫困村退出: as the owner, a colleague and an outsider."""

from __future__ import annotations

import datetime
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from exits.models import VillageExit
from exits.village_exits import services as exits
from identification.poor_villages.models import RankingRun
from notices import services as notices
from tests.factories import AreaFactory
from villages.models import Area, AreaProfile

WEIGHTS = {
    "poverty_rate": "40",
    "net_income": "20",
    "road": "8",
    "water": "8",
    "power": "4",
    "clinic": "5",
    "school": "5",
    "broadband": "4",
    "collective_income": "6",
}


def as_user(client, user):
    client.force_login(user)
    return client


def test_county_sets_weights_and_a_bad_sum_keeps_what_was_typed(client, ranked_tree, users):
    as_user(client, users.fupin)
    url = reverse("identification:poor_village_settings")
    response = client.post(url, {**WEIGHTS, "road": "9"})
    assert response.status_code == 200 and "之和须为 100%" in response.content.decode()
    assert response.context["form"]["road"].value() == "9"
    assert client.post(url, WEIGHTS).status_code == 302
    from identification.poor_villages.services import current_weights

    assert current_weights(ranked_tree.county)["poverty_rate"] == 40


def test_a_run_from_the_page_shows_the_ranking_poorest_first(
    client, ranked_tree, users, django_capture_on_commit_callbacks
):
    as_user(client, users.fupin)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("identification:poor_village_runs"),
            {"year": "2012", "income_year": "2011", "note": "首次"},
        )
    run = RankingRun.objects.get()
    assert response.status_code == 302 and response.url == reverse(
        "identification:poor_village_run", args=[run.pk]
    )
    html = client.get(response.url).content.decode()
    assert html.index("山龙村") < html.index("雨柱村") < html.index("法杂村")
    assert "42.000" in html and 'name="village"' in html
    groups = client.get(
        response.url, {"level": "group", "township": ranked_tree.danfeng.code}
    ).content.decode()
    assert "大寨组" in groups and "坡头组" not in groups
    status = client.get(
        reverse("identification:poor_village_run_status", args=[run.pk]), HTTP_HX_REQUEST="true"
    )
    assert status["HX-Refresh"] == "true"


def test_marking_from_the_page(client, done_run, ranked_tree, users):
    as_user(client, users.fupin)
    url = reverse("identification:poor_village_mark", args=[done_run.pk])
    assert client.post(url, {"village": [ranked_tree.shanlong.pk]}).status_code == 302
    assert AreaProfile.objects.get(area=ranked_tree.shanlong).is_poor_village
    page = client.get(reverse("identification:poor_village_run", args=[done_run.pk])).content.decode()
    assert "是(本次认定)" in page
    # Again: refused with the reason, nothing changes.
    response = client.post(url, {"village": [ranked_tree.shanlong.pk]}, follow=True)
    assert "已是贫困村" in response.content.decode()


def test_bad_run_form_keeps_what_was_typed(client, ranked_tree, users):
    as_user(client, users.fupin)
    response = client.post(
        reverse("identification:poor_village_runs"), {"year": "2012", "income_year": "2013"}
    )
    assert response.status_code == 200 and "收入年度不能晚于识别年度" in response.content.decode()
    assert response.context["form"]["income_year"].value() == "2013"
    assert not RankingRun.objects.exists()


@pytest.mark.parametrize("who", ["alice", "carol"])
def test_village_and_township_accounts_are_refused_the_ranking(client, done_run, users, who):
    as_user(client, getattr(users, who))
    for name, args in (
        ("poor_village_runs", []),
        ("poor_village_settings", []),
        ("poor_village_run", [done_run.pk]),
    ):
        assert client.get(reverse(f"identification:{name}", args=args)).status_code == 403


def test_county_readers_see_but_cannot_run_or_mark(client, done_run, ranked_tree, users):
    as_user(client, users.minzheng)
    assert client.get(reverse("identification:poor_village_run", args=[done_run.pk])).status_code == 200
    assert (
        client.post(
            reverse("identification:poor_village_runs"), {"year": "2012", "income_year": "2011"}
        ).status_code
        == 403
    )
    mark = reverse("identification:poor_village_mark", args=[done_run.pk])
    assert client.post(mark, {"village": [ranked_tree.shanlong.pk]}).status_code == 403
    assert client.post(reverse("identification:poor_village_settings"), WEIGHTS).status_code == 403
    assert not AreaProfile.objects.filter(is_poor_village=True).exists()


def test_another_countys_run_is_missing(client, ranked_tree, users):
    luoping = AreaFactory(code="530324000000", name="罗平县")
    theirs = RankingRun.objects.create(
        county=luoping, year=2012, income_year=2011, weights={}, created_by=users.fupin
    )
    as_user(client, users.fupin)
    assert client.get(reverse("identification:poor_village_run", args=[theirs.pk])).status_code == 404
    assert client.post(reverse("identification:poor_village_mark", args=[theirs.pk])).status_code == 404


# --- 贫困村退出 --------------------------------------------------------------------------------------


def test_township_proposes_publishes_and_county_approves_on_the_pages(
    client, marked, ranked_tree, users, calendar
):
    as_user(client, users.carol)
    page = client.get(reverse("exits:village_exits")).content.decode()
    assert (
        "达到退出标准的贫困村(1)" in page
        and reverse("exits:village_exit_propose", args=[ranked_tree.fazai.code]) in page
    )
    assert "未达到的条件" in page and "山龙村" in page  # 50 %: listed with its failing condition
    assert (
        client.post(reverse("exits:village_exit_propose", args=[ranked_tree.fazai.code])).status_code == 302
    )
    exit = VillageExit.objects.get()
    refused = client.post(
        reverse("exits:village_exit_propose", args=[ranked_tree.shanlong.code]), follow=True
    )
    assert "未达到退出标准" in refused.content.decode()
    start = calendar.today
    response = client.post(
        reverse("exits:village_exit_publish"),
        {
            "exit": [exit.pk],
            "starts_on": start.isoformat(),
            "ends_on": (start + datetime.timedelta(days=7)).isoformat(),
            "issuing_body": "丹凤镇人民政府",
            "complaint_phone": "0874-5551234",
        },
    )
    exit.refresh_from_db()
    assert response.status_code == 302 and exit.state == "publicizing"
    notice = exit_notice(exit)
    calendar.today += datetime.timedelta(days=8)
    notices.notice_close(notice=notice, actor=users.carol)
    as_user(client, users.fupin)
    detail = client.get(reverse("exits:village_exit", args=[exit.pk])).content.decode()
    assert "县扶贫办审批" in detail and "贫困发生率" in detail
    client.post(
        reverse("exits:village_exit_decide", args=[exit.pk]), {"decision": "approve", "note": "验收合格"}
    )
    exit.refresh_from_db()
    assert exit.state == "approved"
    report = client.get(reverse("exits:village_exits")).content.decode()
    assert "已退出的贫困村(1)" in report


def exit_notice(exit):
    from notices.selectors import entries_of

    return entries_of(exit).first().notice


def test_exit_pages_refuse_the_wrong_role(client, marked, ranked_tree, users, calendar):
    exit = exits.exit_propose(actor=users.carol, village=ranked_tree.fazai, year=2014)
    as_user(client, users.alice)  # the cadre reads her own village's report, proposes nothing
    assert client.get(reverse("exits:village_exits")).status_code == 200
    assert (
        client.post(reverse("exits:village_exit_propose", args=[ranked_tree.shanlong.code])).status_code
        == 403
    )
    assert client.get(reverse("exits:village_exit_settings")).status_code == 403
    as_user(client, users.carol)
    assert (
        client.post(reverse("exits:village_exit_decide", args=[exit.pk]), {"decision": "approve"}).status_code
        == 403
    )
    as_user(client, users.fupin)
    assert (
        client.post(reverse("exits:village_exit_propose", args=[ranked_tree.fazai.code])).status_code == 403
    )
    assert client.post(reverse("exits:village_exit_publish"), {"exit": [exit.pk]}).status_code == 403
    exit.refresh_from_db()
    assert exit.state == "proposed"


def test_exits_are_scoped(client, marked, ranked_tree, users):
    exit = exits.exit_propose(actor=users.carol, village=ranked_tree.fazai, year=2014)
    as_user(client, users.dave)
    assert client.get(reverse("exits:village_exit", args=[exit.pk])).status_code == 404
    assert (
        client.post(reverse("exits:village_exit_propose", args=[ranked_tree.fazai.code])).status_code == 404
    )
    assert "法杂村" not in client.get(reverse("exits:village_exits")).content.decode()
    as_user(client, users.alice)  # 山龙村's cadre: 法杂村 is the neighbour's
    assert client.get(reverse("exits:village_exit", args=[exit.pk])).status_code == 404
    page = client.get(reverse("exits:village_exits")).content.decode()
    assert "山龙村" in page and "法杂村" not in page


def test_standard_page_saves_for_the_county(client, ranked_tree, users):
    as_user(client, users.fupin)
    url = reverse("exits:village_exit_settings")
    response = client.post(
        url, {"threshold": "2", "facilities": ["road", "water"], "min_collective_income": "20000"}
    )
    assert response.status_code == 302
    standard = exits.standard_for(ranked_tree.county)
    assert standard.threshold == 2 and standard.facilities == ["road", "water"]
    assert standard.min_collective_income == Decimal(20000) and standard.min_net_income is None
    bad = client.post(url, {"threshold": "0"})
    assert bad.status_code == 200 and bad.context["form"].errors["threshold"]
    as_user(client, users.minzheng)
    assert client.get(url).status_code == 200 and client.post(url, {"threshold": "5"}).status_code == 403


def test_report_exports_with_safe_text(client, marked, ranked_tree, users):
    Area.objects.filter(pk=ranked_tree.fazai.pk).update(name="=HYPERLINK(1)村")
    as_user(client, users.carol)
    response = client.get(reverse("exits:village_exits_xlsx"))
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content))
    rows = list(book["贫困村"].iter_rows(values_only=True))
    assert rows[1][:3] == ("乡镇", "行政村", "区划代码")
    names = {r[1] for r in rows[2:]}
    assert "'=HYPERLINK(1)村" in names and "山龙村" in names and "雨柱村" not in names
    fazai = next(r for r in rows[2:] if r[2] == ranked_tree.fazai.code)
    assert fazai[5] == 0 and fazai[-1] == "达到退出标准"
    assert list(book["已退出贫困村"].iter_rows(values_only=True))[0][-3] == "退出年度"
