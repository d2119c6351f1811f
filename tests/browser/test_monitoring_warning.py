"""丹凤镇's township official handles a warning: the queue, the household's warning, 入户核实, 纳入监测对象."""

from __future__ import annotations

import datetime

import pytest
from playwright.sync_api import expect

from monitoring.choices import WarningStatus
from monitoring.models import MonitoredHousehold, Warning
from monitoring.triggers import check
from tests.auth import sign_in
from tests.monitoring.conftest import make_household, round_2014  # noqa: F401  (the 2014 round)

pytestmark = pytest.mark.browser


@pytest.mark.usefixtures("round_2014")
def test_danfeng_township_official_verifies_a_warning_and_monitors_the_household(
    live_server,
    county_tree,
    users,
    page,
    screenshot,
):
    lifted = make_household(county_tree.dazhai, lifted=True, incomes={2012: 6000, 2013: 3600})
    make_household(county_tree.potou, lifted=True, incomes={2013: 3000})  # 雄壁镇's: not in carol's queue
    check()
    warning = Warning.objects.get(household=lifted, trigger="income_low")

    sign_in(page, live_server.url, "carol")
    page.get_by_role("link", name="防返贫监测").click()
    page.wait_for_url("**/monitoring/warnings/")
    expect(page.locator("h1")).to_contain_text("防返贫监测预警")
    rows = page.locator("table.grid tbody tr")
    expect(rows).to_have_count(2)  # 收入低于监测线 and 收入大幅下降 of the one household of 丹凤镇
    page.get_by_label("预警类型").select_option("income_low")
    page.get_by_role("button", name="筛选").click()
    expect(rows).to_have_count(1)
    screenshot("monitoring-township-queue")

    page.get_by_role("link", name=lifted.number).click()
    page.wait_for_url(f"**/monitoring/warnings/{warning.pk}/")
    expect(page.get_by_text("低于监测线 4104.00 元")).to_be_visible()
    page.get_by_label("核实人员").fill("李明、王芳")
    page.get_by_label("核实情况").fill("户主外出务工受伤,收入减少属实")
    page.get_by_role("button", name="登记核实情况").click()
    expect(page.get_by_text("已登记入户核实情况")).to_be_visible()

    page.get_by_label("纳入监测对象,落实帮扶措施").check()
    page.get_by_label("处理意见").fill("纳入监测,安排公益岗位")
    screenshot("monitoring-warning-decision")
    page.get_by_role("button", name="确定").click()
    page.wait_for_url("**/monitoring/monitored/*/")
    expect(page.locator("h1")).to_contain_text("脱贫不稳定户")
    screenshot("monitoring-monitored-household")

    warning.refresh_from_db()
    assert warning.status == WarningStatus.MONITORED and warning.visited_on == datetime.date.today()
    assert MonitoredHousehold.objects.get(household=lifted).plan is not None
