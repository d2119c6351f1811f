import pytest

from tests.factories import PASSWORD

pytestmark = pytest.mark.browser


def test_village_cadre_logs_in_sees_the_village_in_chinese_and_logs_out(live_server, users, page, screenshot):
    page.goto(f"{live_server.url}/")
    assert page.locator("h1").inner_text() == "登录"
    page.get_by_label("用户名").fill("alice")
    page.get_by_label("密码").fill(PASSWORD)
    screenshot("01-login")
    page.get_by_role("button", name="登录").click()

    page.wait_for_url(f"{live_server.url}/")
    assert page.locator("h1").inner_text() == "山龙村"
    assert "村级录入员" in page.locator("header").inner_text()
    assert page.get_by_role("link", name="大寨组").is_visible()
    screenshot("02-home-village-cadre")

    page.get_by_role("button", name="退出登录").click()
    page.wait_for_url(f"{live_server.url}/login/")
    assert page.locator("h1").inner_text() == "登录"
    page.goto(f"{live_server.url}/areas/{users.alice.area.code}/")
    assert "/login/" in page.url  # the session is gone
