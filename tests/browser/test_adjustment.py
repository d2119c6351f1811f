"""年度动态调整: a village cadre's worklist, the township's progress by village, the county's year-over-year table."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from households.models import Case
from tests.auth import sign_in
from tests.exits.conftest import round_2015  # noqa: F401
from tests.exits.flow import rolled_household

pytestmark = pytest.mark.browser


@pytest.fixture
def worklist(round_2015, county_tree):  # noqa: F811
    ready = rolled_household(county_tree.dazhai)
    unsurveyed = rolled_household(county_tree.xiaozhai, per_capita=None)
    lifted = rolled_household(county_tree.potou)
    Case.objects.filter(household=lifted).update(state="lifted", left_year=2015)
    return {"ready": ready, "unsurveyed": unsurveyed}


def test_cadre_worklist_township_progress_and_county_table(live_server, worklist, users, page, screenshot):
    base = live_server.url
    sign_in(page, base, "alice")
    page.goto(f"{base}/exits/adjustment/")
    expect(page.locator("h1")).to_contain_text("年度动态调整")
    expect(page.locator("body")).to_contain_text(worklist["unsurveyed"].number)
    expect(page.get_by_role("heading", name="登记信息已达到退出标准、尚未提出退出(1 户)")).to_be_visible()
    expect(page.get_by_role("link", name="录入收入")).to_be_visible()
    screenshot("70-adjustment-village-worklist")

    sign_in(page, base, "carol")
    page.goto(f"{base}/exits/adjustment/")
    shanlong = page.locator("tr", has_text="山龙村")
    expect(shanlong.locator("td").nth(0)).to_have_text("2")  # rolled
    expect(shanlong.locator("td").nth(2)).to_have_text("1")  # to re-survey
    expect(page.locator("body")).not_to_contain_text("雨柱村")
    screenshot("71-adjustment-township-progress")

    sign_in(page, base, "fupin")
    page.goto(f"{base}/reports/year-over-year/?year=2015")
    expect(page.locator("h1")).to_contain_text("逐年进出统计")
    xiongbi = page.locator("tr", has_text="雄壁镇")
    expect(xiongbi.locator("td").nth(2)).to_have_text("1")  # 脱贫 households
    screenshot("72-year-over-year-county")
