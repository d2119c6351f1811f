"""The county 扶贫办 opens 统计 on the demo county: tables, charts (inline SVG) and Chinese labels."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from accounts.demo import DEMO_PASSWORD
from accounts.models import User
from reports import statistics
from reports.dynamics import dynamics as dynamics_of
from tests.auth import sign_in
from tests.browser.conftest import SCREENSHOTS
from villages.models import Area

pytestmark = pytest.mark.browser


@pytest.fixture
def demo_county(transactional_db):
    call_command("seed_demo", "--seed", "2012", "--households", "1500", stdout=StringIO())


def test_county_official_reads_the_dashboards(live_server, demo_county, page, screenshot):
    sign_in(page, live_server.url, "fupinban", DEMO_PASSWORD)

    page.get_by_role("navigation", name="主导航").get_by_role("link", name="统计").click()
    page.wait_for_url(f"{live_server.url}/reports/dashboard/")

    assert page.locator("h1").inner_text().startswith("师宗县统计")
    charts = page.locator("svg.chart")
    assert charts.count() == 2
    bar = charts.nth(0)
    assert bar.is_visible() and bar.bounding_box()["height"] > 200
    assert "丹凤镇" in bar.inner_html() and "高良乡" in bar.inner_html()
    assert page.get_by_role("img", name="师宗县扶贫对象主要致贫原因(户)").is_visible()
    county = Area.objects.get(level=Area.Level.COUNTY)
    total = statistics.figures_for(county, user=User.objects.get(username="fupinban"))
    assert page.locator('[data-figure="households"]').inner_text().startswith(str(total.households))
    assert page.locator("#by-area tbody tr").count() == 8
    screenshot("dashboard-01-county")
    page.locator("section.charts").screenshot(path=str(SCREENSHOTS / "dashboard-01-county-charts.png"))
    # 动态管理 comes after the page: the demo's exits, warnings and 监测对象 (reports.dynamics).
    dynamics = page.locator("#dynamics")
    dynamics.wait_for()
    figures = dynamics_of(county)
    assert figures.warnings_open and figures.exits_lifted
    assert dynamics.locator('[data-figure="warnings-open"]').inner_text() == str(figures.warnings_open)
    assert dynamics.locator('[data-figure="exits-lifted"]').inner_text() == str(figures.exits_lifted)
    dynamics.scroll_into_view_if_needed()
    dynamics.screenshot(path=str(SCREENSHOTS / "dashboard-01-county-dynamics.png"))

    page.get_by_role("link", name="高良乡").first.click()
    page.wait_for_url("**/reports/dashboard/530323204000/**")
    assert page.locator("h1").inner_text().startswith("高良乡统计")
    assert page.locator("#by-area thead").inner_text().count("贫困村") == 1
    screenshot("dashboard-02-township")
