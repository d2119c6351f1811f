"""A 帮扶责任人 on a phone (390×844): logs in, opens a household, logs a visit and a measure's progress."""

from __future__ import annotations

import datetime

import pytest
from playwright.sync_api import expect

from assistance.models import Measure, Plan, Visit
from tests.assistance.conftest import world  # noqa: F401  (the 帮扶 fixture: households, helpers, a pairing)
from tests.factories import PASSWORD

pytestmark = pytest.mark.browser


def test_helper_logs_a_visit_and_a_measures_progress_on_a_phone(live_server, world, browser, monkeypatch):  # noqa: F811
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    year = datetime.date.today().year
    plan = Plan.objects.create(household=world.a, year=year, target_year=year)
    measure = Measure.objects.create(plan=plan, household=world.a, category="养殖", content="能繁母牛 2 头",
                                     funding_source="财政专项", started_on=datetime.date(year, 1, 1))  # fmt: skip
    context = browser.new_context(
        locale="zh-CN", viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True
    )
    page = context.new_page()
    try:
        page.goto(f"{live_server.url}/")
        page.get_by_label("用户名").fill("helper_wang")
        page.get_by_label("密码").fill(PASSWORD)
        page.get_by_role("button", name="登录").click()
        page.wait_for_url("**/assistance/mine/")
        expect(page.locator("h1")).to_have_text("我的帮扶户")
        expect(page.get_by_text("尚未走访")).to_be_visible()
        # Nothing wider than the phone: no sideways scrolling.
        assert page.evaluate("document.documentElement.scrollWidth") <= 390

        page.get_by_role("link", name="张大").tap()
        page.wait_for_url(f"**/assistance/households/{world.a.pk}/")
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        page.get_by_label("走访内容").fill("入户查看母牛长势,宣讲小额信贷政策")
        page.get_by_role("button", name="保存走访").tap()
        page.wait_for_url("**/assistance/mine/")
        expect(page.get_by_text("走访已登记。")).to_be_visible()
        expect(page.get_by_text(f"最近走访:{datetime.date.today():%Y-%m-%d}")).to_be_visible()

        page.get_by_role("link", name="张大").tap()
        card = page.locator("#measures")
        card.get_by_placeholder("成效(可选)").fill("已购母牛 2 头")
        card.get_by_role("button", name="实施中").tap()
        expect(page.get_by_text("措施进展已更新。")).to_be_visible()
        page.screenshot(path=str(screenshot_path("helper-phone-household")), full_page=True)
    except Exception:
        print("URL:", page.url)
        print(page.locator("main").inner_text()[:800])
        raise
    finally:
        context.close()

    visit = Visit.objects.get()
    assert (visit.helper, visit.household, visit.visited_on) == (world.wang, world.a, datetime.date.today())
    measure.refresh_from_db()
    assert (measure.status, measure.effect) == ("实施中", "已购母牛 2 头")


def screenshot_path(name: str):
    from tests.browser.conftest import SCREENSHOTS

    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS / f"{name}.png"
