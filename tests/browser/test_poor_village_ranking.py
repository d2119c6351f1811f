"""The county 扶贫办 runs a 贫困村 ranking in the browser, reads it poorest first and marks a 贫困村."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.auth import sign_in
from tests.poor_villages.conftest import ranked_tree  # noqa: F401
from villages.models import AreaProfile

pytestmark = pytest.mark.browser


def test_county_runs_the_ranking_and_marks_the_poorest_village(
    live_server,
    ranked_tree,  # noqa: F811
    users,
    page,
    screenshot,
):
    base = live_server.url
    sign_in(page, base, "fupin")
    page.goto(f"{base}/identification/poor-villages/")
    expect(page.locator("h1")).to_contain_text("贫困村识别")
    page.get_by_label("识别年度").fill("2012")
    page.get_by_label("收入年度").fill("2011")
    page.get_by_role("button", name="测算").click()
    page.wait_for_url("**/identification/poor-villages/*/")
    expect(page.locator("#run-status")).to_contain_text("已完成")

    rows = page.locator("table.ranking tbody tr")
    expect(rows).to_have_count(3)
    # Poorest first: 山龙村 42, 雨柱村 35, 法杂村 31 (tests/poor_villages/test_scoring.py).
    expect(rows.nth(0)).to_contain_text("山龙村")
    expect(rows.nth(0)).to_contain_text("42.000")
    expect(rows.nth(1)).to_contain_text("雨柱村")
    expect(rows.nth(2)).to_contain_text("法杂村")
    expect(rows.nth(0).locator(".tag")).to_have_text(["饮水安全", "通宽带"])
    screenshot("poor-villages-01-ranking")

    page.on("dialog", lambda dialog: dialog.accept())
    page.get_by_label("认定山龙村为贫困村").check()
    page.get_by_role("button", name="认定勾选的行政村为贫困村").click()
    expect(page.locator(".messages")).to_contain_text("已将 1 个行政村认定为贫困村")
    expect(rows.nth(0)).to_contain_text("是(本次认定)")
    assert AreaProfile.objects.get(area=ranked_tree.shanlong).is_poor_village

    page.get_by_label("村民小组").check()
    page.get_by_role("button", name="查看").click()
    expect(page.locator("table.ranking tbody tr")).to_have_count(4)
    expect(page.locator("table.ranking tbody tr").first).to_contain_text("大寨组")
    screenshot("poor-villages-02-groups")
