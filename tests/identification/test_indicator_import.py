"""The townships' base indicators from a sheet in the annex's layout: all rows or none, 县扶贫办 only."""

from __future__ import annotations

import io

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook

from accounts.models import AuditEvent
from tests.factories import township
from villages.indicators import IMPORT_REASON, INDICATORS, import_indicators

pytestmark = pytest.mark.django_db

ANNEX_HEADER = [
    "乡镇名",
    "乡村人口数",
    "低收入家庭人口数",
    "享受低保人数",
    "已办证残疾人数",
    "规模控制识别贫困人口数",
    "贫困发生率",
    "备注",
]


def sheet(rows, *, header=ANNEX_HEADER, title="师宗县两项制度有效衔接贫困人口分解表", name="指标.xlsx"):
    book = Workbook()
    ws = book.active
    if title:
        ws.append([title])
    ws.append(header)
    for row in rows:
        ws.append(list(row))
    buffer = io.BytesIO()
    book.save(buffer)
    return SimpleUploadedFile(name, buffer.getvalue())


def figures(area):
    area.refresh_from_db()
    return [getattr(area, name) for name in INDICATORS]


def upload(client, user, round, file):
    client.force_login(user)
    return client.post(
        reverse("identification:decomposition_indicator_import", args=[round.pk]), {"file": file}, follow=True
    )


def test_annex_sheet_sets_the_townships_figures_with_audit(county_tree, users):
    t = county_tree
    file = sheet(
        [
            ["丹凤镇", 118696, 10507, 3737, 1981, 22207, 18.71, None],
            ["雄壁", "54,862", "5845", 2375, 936.0, 12154, 22.15, "备注不导入"],
            [],
            ["合计", 173558, 16352, 6112, 2917, 34361, None, None],
        ]
    )
    result = import_indicators(actor=users.fupin, file=file)
    assert result.ok and (result.count, result.changed) == (2, 2)
    assert figures(t.danfeng) == [118696, 10507, 3737, 1981]
    assert figures(t.xiongbi) == [54862, 5845, 2375, 936]
    events = AuditEvent.objects.filter(event_type="area.indicators_set", reason=IMPORT_REASON)
    assert events.count() == 2
    # 雄壁镇's 乡村人口数 was typed already and did not change: only the other three are recorded.
    event = events.get(area_code=t.xiongbi.code)
    assert event.old == {"low_income_population": None, "dibao_population": None, "disabled_population": None}
    assert event.new == {"low_income_population": 5845, "dibao_population": 2375, "disabled_population": 936}
    # The same sheet again changes nothing.
    assert import_indicators(actor=users.fupin, file=file).changed == 0


def test_ethnic_titles_and_suffixes_match_the_township(county_tree, users):
    longqing = township(county_tree.county, "202", "龙庆彝族壮族乡")
    gaoliang = township(county_tree.county, "204", "高良壮族瑶族苗族乡")
    file = sheet(
        [["龙庆乡", 36046, 8783, 3047, 844], ["高良 乡", 28100, 18691, 2579, 369]],
        header=ANNEX_HEADER[:5],
        title=None,
    )
    assert import_indicators(actor=users.fupin, file=file).ok
    assert figures(longqing) == [36046, 8783, 3047, 844]
    assert figures(gaoliang) == [28100, 18691, 2579, 369]


def test_bad_sheet_lists_every_error_by_row_and_column_and_writes_nothing(county_tree, users):
    t = county_tree
    before = figures(t.danfeng), figures(t.xiongbi)
    file = sheet(
        [
            ["丹凤镇", 10, 20, 1, 1],  # 乡村人口数 below 低收入家庭人口数
            ["葵山镇", 38536, 5955, 2021, 920],  # not a township of this county
            ["雄壁镇", -5, "很多", 2.5, None],
            ["丹凤", 1, 1, 1, 1],  # 丹凤镇 again
            [None, 100, 1, 1, 1],
        ]
    )
    result = import_indicators(actor=users.fupin, file=file)
    found = {(e.row, e.column, e.value, e.reason) for e in result.errors}
    assert found == {
        (3, "B(乡村人口数)", "10", "乡村人口数不能小于其他三项指标中的任何一项。"),
        (4, "A(乡镇名)", "葵山镇", "本县没有这个乡镇(或不在您的管辖区域内)。"),
        (5, "B(乡村人口数)", "-5", "乡村人口数不能为负数。"),
        (5, "C(低收入家庭人口数)", "很多", "低收入家庭人口数须为非负整数。"),
        (5, "D(享受低保人数)", "2.5", "享受低保人数须为整数。"),
        (5, "E(已办证残疾人数)", "", "已办证残疾人数为空。"),
        (6, "A(乡镇名)", "丹凤", "与第 3 行是同一乡镇,每个乡镇只能出现一次。"),
        (7, "A(乡镇名)", "", "乡镇名为空。"),
    }
    assert (figures(t.danfeng), figures(t.xiongbi)) == before
    assert not AuditEvent.objects.filter(event_type="area.indicators_set").exists()


def test_total_row_must_match_the_rows(county_tree, users):
    file = sheet([["丹凤镇", 100, 10, 5, 1], ["雄壁镇", 50, 5, 2, 1], ["合计", 150, 16, 7, 2]])
    result = import_indicators(actor=users.fupin, file=file)
    assert [(e.row, e.column, e.reason) for e in result.errors] == [
        (5, "C(低收入家庭人口数)", "合计行与各乡镇之和 15 不符。")
    ]
    assert figures(county_tree.danfeng)[1] is None


def test_sheet_without_header_or_not_a_workbook(county_tree, users):
    no_header = import_indicators(actor=users.fupin, file=sheet([["丹凤镇", 1]], header=["名称", "人数"]))
    assert no_header.errors[0].row is None and "找不到表头" in no_header.errors[0].reason
    garbage = import_indicators(actor=users.fupin, file=SimpleUploadedFile("x.xlsx", b"not a workbook"))
    assert "无法读取" in garbage.errors[0].reason and "另存为" in garbage.errors[0].reason
    empty = import_indicators(actor=users.fupin, file=sheet([]))
    assert empty.errors[0].reason == "表中没有乡镇数据行。"


@pytest.mark.parametrize("who", ["minzheng", "carol", "alice"])
def test_only_the_county_fupin_office_may_import(county_tree, users, who):
    with pytest.raises(PermissionDenied):
        import_indicators(actor=getattr(users, who), file=sheet([["丹凤镇", 1, 1, 1, 1]]))


def test_upload_on_the_page(client, round_2012, county_tree, users):
    response = upload(client, users.fupin, round_2012, sheet([["丹凤镇", 100, 10, 5, 1]]))
    assert response.redirect_chain[-1][0] == reverse("identification:decompositions", args=[round_2012.pk])
    assert "已从基础指标表导入 1 个乡镇的指标" in response.content.decode()
    assert figures(county_tree.danfeng) == [100, 10, 5, 1]


def test_bad_upload_shows_the_errors_and_writes_nothing(client, round_2012, county_tree, users):
    response = upload(
        client, users.fupin, round_2012, sheet([["丹凤镇", 100, 10, 5, 1], ["葵山镇", 1, 1, 1, 1]])
    )
    page = response.content.decode()
    assert response.status_code == 200 and not response.redirect_chain
    assert "共 1 处错误,全表未导入" in page and "A(乡镇名)" in page and "葵山镇" in page
    assert figures(county_tree.danfeng) == [118696, None, None, None]
    wrong_type = upload(client, users.fupin, round_2012, SimpleUploadedFile("指标.csv", b"a,b"))
    assert "只能导入 Excel .xlsx 文件" in wrong_type.content.decode()


@pytest.mark.parametrize("who", ["minzheng", "carol", "alice"])
def test_upload_is_refused_to_others(client, round_2012, county_tree, users, who):
    response = upload(client, getattr(users, who), round_2012, sheet([["丹凤镇", 100, 10, 5, 1]]))
    assert response.status_code == 403
    assert figures(county_tree.danfeng) == [118696, None, None, None]
