"""A village cadre files a 减少成员 (死亡) in the browser; the township approves it; the 户卡 shows the member
as 已减少 with the reason (households.changes)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.auth import sign_in
from tests.households.changes.conftest import household  # noqa: F401  (山龙村 大寨组: 张大山, 李秀英, 张小军)

pytestmark = pytest.mark.browser


def test_cadre_files_a_death_and_the_township_approves_it(live_server, users, household, page, screenshot):  # noqa: F811
    base = live_server.url
    try:
        sign_in(page, base, "alice")
        page.goto(f"{base}/households/{household.pk}/")
        page.get_by_role("link", name="申请变更").click()
        page.wait_for_url(f"**/households/{household.pk}/changes/")
        page.get_by_role("navigation", name="变更类型").get_by_role("link", name="减少成员").click()
        form = page.locator("#change-form")
        expect(form.get_by_role("heading", name="减少成员")).to_be_visible()  # loaded by htmx
        form.get_by_label("减少的成员").select_option(label="张小军(之子)")
        form.get_by_label("减少原因").select_option("死亡")
        form.get_by_label("情况说明").fill("2024年3月因病去世,附死亡证明。")
        form.get_by_role("button", name="提交申请").click()
        page.wait_for_url("**/households/changes/*/")
        expect(page.get_by_text("待乡镇审核后生效")).to_be_visible()
        expect(page.locator(".before-after tr.changed")).to_contain_text("已减少(死亡)")
        screenshot("household-change-filed")

        sign_in(page, base, "carol")
        page.get_by_role("navigation", name="主导航").get_by_role("link", name="户情变更").click()
        page.wait_for_url("**/households/changes/")
        page.get_by_role("link", name="审核", exact=True).click()
        page.get_by_label("审核意见").fill("经核实,死亡证明齐全。")
        page.get_by_role("button", name="批准").click()
        expect(page.get_by_text("已批准,变更已生效。")).to_be_visible()
        screenshot("household-change-approved")

        page.get_by_role("link", name=f"户卡 {household.number}").click()
        removed = page.locator("table.removed-members")
        expect(removed).to_contain_text("张小军")
        expect(removed).to_contain_text("已减少")
        expect(removed).to_contain_text("死亡")
        expect(page.get_by_role("heading", name="家庭成员(2人)")).to_be_visible()
        screenshot("household-change-card")
    except Exception:
        print("URL:", page.url)
        print(page.locator("main").inner_text()[:1500])
        raise
