"""The county approves an exit from its queue and announces it; the 公告 closing lifts the case."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from exits.models import ExitApplication, ExitState
from exits.services.household_exit import village_notice
from households.models import Case
from notices.models import Notice
from tests.auth import sign_in
from tests.exits.conftest import calendar, exit_flow, round_2015  # noqa: F401
from tests.exits.flow import rolled_household

pytestmark = pytest.mark.browser


@pytest.fixture
def verified(exit_flow, county_tree):  # noqa: F811
    exit = exit_flow.advance(exit_flow.propose(rolled_household(county_tree.dazhai)), ExitState.VERIFIED)
    exit_flow.close(village_notice(exit))
    return ExitApplication.objects.select_related("household").get(pk=exit.pk)


def test_county_approves_and_announces_an_exit(live_server, verified, exit_flow, page, screenshot):  # noqa: F811
    base = live_server.url
    number = verified.household.number
    sign_in(page, base, "fupin")
    page.goto(f"{base}/exits/queue/")
    page.get_by_role("link", name=number).click()
    expect(page.locator("#exit-state")).to_have_text("乡镇已审核,待县审批")
    expect(page.locator("#checklist")).to_contain_text("全部达到")
    page.locator("#step-approve textarea[name=opinion]").fill("经审核,两不愁三保障均已达到,同意退出")
    page.get_by_role("button", name="审批退出").click()
    expect(page.locator(".messages")).to_contain_text("县扶贫办已审批")
    expect(page.locator("#exit-state")).to_have_text("县已审批,待公告")
    screenshot("60-exits-county-approved")

    page.goto(f"{base}/exits/notices/")
    expect(page.locator("#publish")).to_contain_text(number)
    page.get_by_label("监督电话").fill("0874-5612317")
    page.get_by_role("button", name="发布").click()
    expect(page.locator("body")).to_contain_text("脱贫退出公告")
    screenshot("61-exits-county-announcement")

    announcement = Notice.objects.get(kind="exits.county")
    exit_flow.close(announcement, actor=exit_flow.users.fupin)
    verified.refresh_from_db()
    assert verified.state == ExitState.LIFTED
    assert Case.objects.get(household=verified.household, program="fupin").state == "lifted"
