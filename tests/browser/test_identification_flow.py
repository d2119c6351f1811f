"""One household from 申报 to 县级认定 in the browser, through the village cadre, the township official,
县扶贫办 and 县民政局 (a cross application needs both), with a screenshot at each step."""

from __future__ import annotations

import datetime

import pytest
from playwright.sync_api import expect

from tests.auth import sign_in
from tests.factories import PASSWORD

# The identification fixtures (a 2012 round with quotas, a movable calendar, the Flow helper).
from tests.identification.conftest import calendar, flow, round_2012  # noqa: F401
from tests.identification.flow import make_household

pytestmark = pytest.mark.browser


@pytest.fixture
def household(flow):  # noqa: F811
    # Made before the browser starts: no ORM under Playwright's event loop (see test_household_entry).
    return make_household(flow.tree.dazhai, persons=3, labourers=1)


def test_one_household_from_application_to_county_confirmation(
    live_server,
    flow,  # noqa: F811
    household,
    page,
    screenshot,
):
    base = live_server.url
    clock = flow.calendar

    def login(username: str) -> None:
        sign_in(page, base, username, PASSWORD)

    def nav(name: str) -> None:
        page.get_by_role("navigation", name="主导航").get_by_role("link", name=name).click()

    def notice_period_over() -> None:
        # Notices run the round's 7 days from "today" (the form's default): move past their end.
        clock.today += datetime.timedelta(days=flow.round.notice_days + 1)

    def answer_all_no() -> None:
        # Each of 第三步's 13 conditions must be chosen: nothing is pre-selected.
        for code in ("D1", "D2", "D3", "D4", "D5", "X1", "X2", "X3", "X4", "X5", "X6", "X7", "X8"):
            page.locator(f"input[name={code}][value=no]").check()

    def publish(level: str) -> None:
        page.goto(f"{base}/identification/notices/")
        page.get_by_role("link", name=f"发布{level}").click()
        page.get_by_label("监督电话").fill("0874-5555555")
        page.get_by_role("button", name="发布公示").click()
        expect(page.locator(".messages")).to_contain_text(f"已发布{level}")

    def close_notice(level: str) -> None:
        notice_period_over()
        page.reload()
        page.get_by_role("button", name="结束公示").click()
        expect(page.locator(".messages")).to_contain_text(f"已结束{level},1 个对象公示无异议")

    # 第二步 申报: the village cadre nominates the household for both rolls, with its declaration.
    login("alice")
    expect(page.locator("#identification-work")).to_contain_text("2012年贫困识别")
    nav("贫困识别")
    page.wait_for_url("**/identification/applications/")
    page.get_by_role("link", name="+ 新申报").click()
    page.locator("#id_household").select_option(str(household.pk))
    page.get_by_label("扶贫和低保(交叉)").check()
    page.get_by_label("村民小组提名").check()
    page.get_by_label("提名理由").fill("户主长期患病,家中无人识字")
    page.get_by_role("button", name="提交申报").click()
    expect(page.locator("form.narrow-form")).to_contain_text("请选择“是”或“否”")  # nothing assumed
    expect(page.get_by_label("提名理由")).to_have_value("户主长期患病,家中无人识字")  # what was typed is kept
    answer_all_no()
    screenshot("20-identification-apply")
    page.get_by_role("button", name="提交申报").click()
    expect(page.locator(".messages")).to_contain_text("已申报")
    application_url = page.url

    # 第三步: the group's 户主会议 votes, and the group notice runs before the 村委会 sees it.
    page.get_by_role("link", name="召开户主会议评议").click()
    page.get_by_label("到会户数/人数").fill("30")
    page.locator("input[name^=for_]").fill("25")
    page.locator("input[name^=against_]").fill("5")
    page.get_by_label("会议记录").fill("户主会议投票,按得票排序推荐。")
    screenshot("21-identification-group-meeting")
    page.get_by_role("button", name="保存会议记录并推荐").click()
    expect(page.locator(".messages")).to_contain_text("按排名推荐 1 户")
    publish("村民小组公示")
    notice_url = page.url
    page.goto(f"{notice_url}print/")
    page.emulate_media(media="print")
    screenshot("22-identification-group-notice-print")
    page.emulate_media(media="screen")
    page.goto(notice_url)
    close_notice("村民小组公示")

    # 第四步: 村委会评议, 入户调查, then the village notice of the households found eligible.
    page.goto(application_url)
    page.get_by_role("link", name="村委会评议").click()
    page.get_by_label("到会户数/人数").fill("15")
    page.locator("input[name^=for_]").fill("12")
    page.locator("input[name^=against_]").fill("3")
    page.get_by_role("button", name="保存会议记录并通过村评议").click()
    expect(page.locator(".messages")).to_contain_text("1 户通过村评议")
    page.goto(application_url)
    page.get_by_role("link", name="录入入户调查").click()
    page.get_by_label("调查人员").fill("李明、王芳")
    page.get_by_label("家庭基本情况").fill("一家三口,户主长期患病")
    page.get_by_label("工资性收入(元)").fill("1500")
    page.get_by_label("主要致贫原因").select_option("因病")
    answer_all_no()
    screenshot("23-identification-survey-form")
    page.get_by_role("button", name="保存调查并判定资格").click()
    expect(page.locator("table.trace")).to_contain_text(
        "人均 500.00 元(含在内为 500.00 元),低于农村低保标准 1400.00 元"
    )
    screenshot("24-identification-trace")
    publish("村委会公示")
    close_notice("村委会公示")

    # 第五步: the township samples each list of the village, finds it true, verifies, and publishes its 审核意见.
    login("carol")
    nav("贫困识别")
    page.wait_for_url("**/identification/township/")
    page.get_by_role("link", name="抽查审核").click()
    page.get_by_label("抽查比例(%)").fill("100")
    page.get_by_role("button", name="抽取").click()
    expect(page.locator("body")).to_contain_text("按此种子重新抽取,结果一致")
    page.get_by_label("属实").check()
    page.get_by_role("button", name="录入").click()
    expect(page.locator(".messages")).to_contain_text("全部属实")
    screenshot("25-identification-township-sample")
    page.get_by_role("button", name="抽查全部属实:本次抽查的 1 户审核通过").click()
    expect(page.locator(".messages")).to_contain_text("1 户乡镇审核通过")
    publish("乡镇公示")
    screenshot("27-identification-township-notice")
    close_notice("乡镇公示")

    # 第六步: each bureau samples its own list and decides its own program.
    for username, program in (("fupin", "扶贫"), ("minzheng", "低保")):
        login(username)
        page.goto(f"{base}/identification/county/sample/")
        page.get_by_label("抽查比例(%)").fill("100")
        page.get_by_role("button", name="抽取").click()
        page.get_by_label("属实").check()
        page.get_by_role("button", name="录入").click()
        expect(page.locator(".messages")).to_contain_text("全部属实")
        page.goto(f"{base}/identification/county/confirm/")
        screenshot(f"29-identification-county-confirm-{username}")
        page.get_by_label(f"认定 {household.number}").check()
        page.get_by_role("button", name=f"提交{program}认定").click()
        expect(page.locator(".messages")).to_contain_text(f"已作出{program}认定 1 户")

    page.get_by_role("navigation", name="贫困识别").get_by_role("link", name="公告").click()
    expect(page.locator("table")).to_contain_text(household.number)
    expect(page.locator("table")).to_contain_text("已认定")
    screenshot("30-identification-announcement")
    page.goto(application_url)
    expect(page.locator("h1")).to_contain_text("已认定")
    expect(page.locator("table.history")).to_contain_text("村民小组公示无异议")
    screenshot("31-identification-confirmed")
