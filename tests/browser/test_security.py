"""In the browser: the sign-in with the second factor, and no Content-Security-Policy violation on the main pages."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.demo import DEMO_PASSWORD
from accounts.models import User
from households.models import Household
from tests.auth import fresh_code, sign_in

pytestmark = pytest.mark.browser


@pytest.fixture
def demo_county(transactional_db):
    call_command("seed_demo", "--seed", "2012", "--households", "300", stdout=StringIO())


def watch_console(page) -> list[str]:
    """Every console error and CSP violation the page reports."""
    problems: list[str] = []
    page.on("console", lambda message: problems.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.on("response", lambda r: problems.append(f"{r.status} {r.url}") if r.status >= 400 else None)
    return problems


def test_county_official_signs_in_with_password_and_the_code_from_demo_otp(
    live_server, demo_county, page, screenshot
):
    problems = watch_console(page)
    page.goto(f"{live_server.url}/")
    page.get_by_label("用户名").fill("fupinban")
    page.get_by_label("密码").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="登录").click()

    page.wait_for_url(f"{live_server.url}/login/verify/**")
    assert page.locator("h1").inner_text() == "两步验证"
    page.get_by_label("验证码").fill("000000" if _code("fupinban") != "000000" else "111111")
    page.get_by_role("button", name="验证").click()
    assert "验证码不正确" in page.locator("main").inner_text()
    screenshot("security-01-second-factor")

    out = StringIO()
    call_command("demo_otp", "fupinban", stdout=out, stderr=StringIO())
    # The wrong code above throttles the device for a second; the test's clock need not wait for it.
    TOTPDevice.objects.filter(user__username="fupinban").update(throttling_failure_count=0)
    page.get_by_label("验证码").fill(out.getvalue().strip())
    page.get_by_role("button", name="验证").click()
    page.wait_for_url(f"{live_server.url}/")
    assert page.locator("h1").inner_text() == "师宗县"
    assert "县扶贫办" in page.locator("header").inner_text()
    screenshot("security-02-home-county")
    assert problems == []


def _code(username: str) -> str:
    return fresh_code(TOTPDevice.objects.get(user__username=username))


def test_no_csp_violation_on_the_main_pages(live_server, demo_county, page):
    problems = watch_console(page)
    violations: list[str] = []
    # securitypolicyviolation events are what the CSP blocked, reported by the page itself.
    page.add_init_script(
        "document.addEventListener('securitypolicyviolation', e =>"
        " console.error('CSP violation: ' + e.violatedDirective + ' ' + e.blockedURI))"
    )
    page.on("console", lambda m: violations.append(m.text) if "violation" in m.text.lower() else None)
    base = live_server.url
    fupin = User.objects.get(username="fupinban")
    household = Household.objects.visible_to(fupin).order_by("id").first()

    sign_in(page, base, "cungan", DEMO_PASSWORD)
    page.goto(f"{base}/households/new/")
    page.get_by_role("button", name="+ 添加成员").click()  # the form's script runs under the policy
    assert page.locator("#member-rows .member").count() >= 2
    visited = ["/households/new/"]

    sign_in(page, base, "fupinban", DEMO_PASSWORD)
    for path in (
        "/",
        "/households/",
        f"/households/{household.pk}/",
        f"/households/{household.pk}/print/",
        "/identification/applications/",
        "/identification/rounds/",
        "/reports/",
        "/reports/dashboard/",
        "/areas/",
        "/account/security/",
    ):
        response = page.goto(f"{base}{path}")
        assert response.status == 200, path
        page.wait_for_load_state("networkidle")
        visited.append(path)

    # The Django admin, signed in as the system administrator (the second factor again).
    sign_in(page, base, "admin", DEMO_PASSWORD)
    for path in ("/admin/", "/admin/accounts/user/", f"/admin/accounts/user/{fupin.pk}/change/"):
        response = page.goto(f"{base}{path}")
        assert response.status == 200, path
        page.wait_for_load_state("networkidle")
        visited.append(path)
    assert len(visited) == 14
    assert violations == [] and problems == [], violations + problems


def test_village_cadre_opts_in_from_the_security_page(live_server, users, page, screenshot):
    problems = watch_console(page)
    sign_in(page, live_server.url, "alice")
    page.get_by_role("link", name="账号安全").click()
    page.get_by_role("link", name="启用两步验证").click()
    page.wait_for_url(f"{live_server.url}/account/security/setup/**")
    qr = page.locator("figure.qr svg")
    assert qr.is_visible() and qr.bounding_box()["width"] >= 150
    screenshot("security-03-enrolment")

    device = TOTPDevice.objects.get(user=users.alice, confirmed=False)
    page.get_by_label("验证码").fill(fresh_code(device))
    page.get_by_role("button", name="启用").click()
    assert page.locator("h1").inner_text() == "恢复码"
    assert page.locator("ol.recovery-codes li").count() == 10
    screenshot("security-04-recovery-codes")
    assert problems == []
