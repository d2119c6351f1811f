"""The township official asks for the 乡有簿 in the browser, sees it done and downloads it."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from accounts.demo import DEMO_PASSWORD
from tests.reports.helpers import sheets

pytestmark = pytest.mark.browser


@pytest.fixture
def demo_county(transactional_db):
    call_command("seed_demo", "--seed", "2012", "--households", "800", stdout=StringIO())


def test_township_official_exports_the_township_book(live_server, demo_county, page, screenshot, tmp_path):
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("用户名").fill("xiangzhen")
    page.get_by_label("密码").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(f"{live_server.url}/")

    page.get_by_role("navigation", name="主导航").get_by_role("link", name="台账导出").click()
    page.wait_for_url(f"{live_server.url}/reports/")
    areas = page.get_by_label("区划").locator("option").all_inner_texts()
    assert any("丹凤镇" in a for a in areas) and not any("雄壁镇" in a for a in areas)

    # A wrong combination is refused in Chinese, with the choices kept.
    page.get_by_label("台账类型").select_option(label="乡有簿")
    page.get_by_label("区划").select_option(label=next(a for a in areas if "村" in a and "丹凤镇" not in a))
    page.get_by_role("button", name="开始生成").click()
    assert page.get_by_text("乡有簿只能按乡镇导出").is_visible()
    assert page.get_by_label("台账类型").input_value() == "township-book"
    screenshot("ledger-01-refused")

    page.get_by_label("区划").select_option(label=next(a for a in areas if "丹凤镇" in a))
    page.get_by_role("button", name="开始生成").click()
    page.get_by_text("已开始生成").wait_for()
    row = page.locator("table.grid tbody tr").first
    row.get_by_text("已完成").wait_for(timeout=60_000)
    assert "乡有簿" in row.inner_text() and "丹凤镇" in row.inner_text()
    screenshot("ledger-02-done")

    with page.expect_download() as download:
        row.get_by_role("link", name="下载").click()
    saved = tmp_path / download.value.suggested_filename
    download.value.save_as(saved)
    assert saved.name.startswith("乡有簿-丹凤镇-") and saved.suffix == ".xlsx"
    book = sheets(saved.read_bytes())
    assert list(book)[0] == "汇总" and book["汇总"][1][:2] == ["序号", "行政村"]
