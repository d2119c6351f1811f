"""深度贫困 in the browser: the county sets its criteria, reads the ranking against its target, confirms the
list, and the 户卡 carries the flag; a village cadre sees only their village's households."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from households.models import Household
from tests.auth import sign_in
from tests.identification.conftest import round_2012  # noqa: F401
from tests.identification.test_deep_poverty import poor

pytestmark = pytest.mark.browser


def test_county_confirms_the_ranked_list_and_the_card_shows_it(
    live_server,
    round_2012,  # noqa: F811
    county_tree,
    users,
    page,
    screenshot,  # noqa: F811
):
    t = county_tree
    first = poor(t.dazhai, labour="无劳动力", persons=4, income=300)
    second = poor(t.potou, health="患有大病", persons=3, income=500)
    beyond = poor(t.xincun, water_difficult=True, persons=5, income=600)
    base = live_server.url
    sign_in(page, base, "fupin")

    page.goto(f"{base}/identification/rounds/{round_2012.pk}/deep-poverty/")
    expect(page.get_by_text("县扶贫办尚未设置本批次的深度贫困认定条件")).to_be_visible()
    page.get_by_role("link", name="设置认定条件").click()
    page.get_by_label("深度贫困目标人数").fill("0")
    page.get_by_label("年人均纯收入不高于(元)").fill("1000")
    page.get_by_role("button", name="保存").click()
    expect(page.locator(".errorlist")).to_be_visible()  # refused with the reason, what was typed stays
    expect(page.get_by_label("年人均纯收入不高于(元)")).to_have_value("1000")
    page.get_by_label("深度贫困目标人数").fill("8")
    page.get_by_role("button", name="保存").click()

    ranking = page.locator("#deep-poverty-ranking tbody tr")
    expect(ranking).to_have_count(3)
    expect(ranking.nth(0)).to_contain_text(first.number)
    expect(ranking.nth(2)).to_contain_text(beyond.number)
    expect(ranking.nth(2)).to_contain_text("否")  # 4 + 3 + 5 > 8: beyond the target
    screenshot("deep-poverty-01-ranking")

    page.get_by_label("说明").fill("2012年县确认")
    page.get_by_role("button", name="按当前排序确认名单(2 户 7 人)").click()
    expect(page.get_by_text("已确认深度贫困名单")).to_be_visible()
    screenshot("deep-poverty-02-confirmed")
    assert set(Household.objects.filter(deep_poverty=True)) == {first, second}

    page.get_by_role("link", name=first.number).click()
    expect(page.locator("h1 .tag")).to_have_text("深度贫困户")
    screenshot("deep-poverty-03-card")

    sign_in(page, base, "alice")
    page.goto(f"{base}/identification/rounds/{round_2012.pk}/deep-poverty/")
    expect(page.locator("#deep-poverty-ranking tbody tr")).to_have_count(1)
    expect(page.get_by_text(second.number)).to_have_count(0)
    expect(page.get_by_role("button", name="按当前排序确认名单")).to_have_count(0)
    screenshot("deep-poverty-04-village")
