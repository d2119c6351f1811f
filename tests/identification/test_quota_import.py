"""Import of 规模控制 from an .xlsx sheet on the quotas page: all rows or none, 县扶贫办 only."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook

from accounts.models import AuditEvent
from identification.models import Quota
from identification.quota_import import REASON, import_quotas

pytestmark = pytest.mark.django_db

HEADER = ["区划代码", "名称", "规模控制人数"]


def url(name: str, *args) -> str:
    return reverse(f"identification:{name}", args=args)


def sheet(rows, *, header=HEADER, title: str | None = None, name: str = "quotas.xlsx") -> SimpleUploadedFile:
    book = Workbook()
    ws = book.active
    if title:
        ws.append([title])
        ws.append([])
    ws.append(header)
    for row in rows:
        ws.append(list(row))
    buffer = io.BytesIO()
    book.save(buffer)
    return SimpleUploadedFile(name, buffer.getvalue())


def upload(client, user, round, file, area: str = ""):
    client.force_login(user)
    target = url("quota_import", round.pk) + (f"?area={area}" if area else "")
    return client.post(target, {"file": file}, follow=True)


def persons(round, area):
    quota = Quota.objects.filter(round=round, area=area).first()
    return quota.persons if quota else None


def test_good_sheet_sets_quotas_with_audit(client, round_2012, county_tree, users):
    t = county_tree
    file = sheet(
        [
            [t.danfeng.code, "丹凤镇", 120],
            ["530323102", "雄壁", 80],  # a township by its 9-digit prefix, name without 镇
            [t.shanlong.code, "山龙村民委员会", 60],
            [int(t.dazhai.code), "大寨", 25],  # a number cell, name without 组
            [],
            [None, "合计", 285],
        ]
    )
    response = upload(client, users.fupin, round_2012, file)
    assert response.status_code == 200
    assert response.redirect_chain[-1][0] == url("quotas", round_2012.pk)
    assert "已从规模控制表导入 4 个区划" in response.content.decode()
    assert [persons(round_2012, a) for a in (t.danfeng, t.xiongbi, t.shanlong, t.dazhai)] == [120, 80, 60, 25]
    events = AuditEvent.objects.filter(event_type="quota.set", reason=REASON)
    assert events.count() == 4
    assert events.get(area_code=t.dazhai.code).old == {"persons": 30}


def test_title_row_and_annex_header(client, round_2012, county_tree, users):
    t = county_tree
    file = sheet(
        [[t.danfeng.code, 150], [t.xiongbi.code, 70]],
        header=["区划代码", "规模控制识别贫困人口数"],
        title="师宗县两项制度有效衔接贫困人口分解表",
    )
    response = upload(client, users.fupin, round_2012, file)
    assert "导入 2 个区划" in response.content.decode()
    assert (persons(round_2012, t.danfeng), persons(round_2012, t.xiongbi)) == (150, 70)


def test_one_bad_row_writes_nothing_and_lists_row_and_column(client, round_2012, county_tree, users):
    t = county_tree
    file = sheet(
        [[t.danfeng.code, "丹凤镇", 120], [t.xiongbi.code, "雄壁镇", "很多"]], title="2013年规模控制"
    )
    response = upload(client, users.fupin, round_2012, file)
    page = response.content.decode()
    assert response.status_code == 200
    assert Quota.objects.filter(round=round_2012, area__in=[t.danfeng, t.xiongbi]).count() == 0
    assert not AuditEvent.objects.filter(event_type="quota.set").exists()
    assert "全表未导入" in page
    # title row 1, blank row 2, header row 3: the second data row is Excel row 5, column C.
    assert "<td>5</td><td>C(规模控制人数)</td>" in page and "规模控制人数须为非负整数" in page
    assert "规模控制指标" in page and 'name="file"' in page  # the page is still usable


@pytest.mark.parametrize(
    ("row", "column", "reason"),
    [
        (["530323999000", "", 1], "A(区划代码)", "没有这个区划代码"),
        (["5303231", "", 1], "A(区划代码)", "须为 9 位"),
        (["", "丹凤镇", 1], "A(区划代码)", "区划代码为空"),
        (["530323000000", "", 1], "A(区划代码)", "不能下达到县"),
        (["530323101000", "雄壁镇", 1], "B(名称)", "名称与区划代码不符"),
        (["530323101000", "", -3], "C(规模控制人数)", "不能为负数"),
        (["530323101000", "", 2.5], "C(规模控制人数)", "须为整数"),
        (["530323101000", "", None], "C(规模控制人数)", "规模控制人数为空"),
        (["530323101000", "", "十"], "C(规模控制人数)", "须为非负整数"),
    ],
)
def test_each_validation_reason(county_tree, round_2012, users, row, column, reason):
    result = import_quotas(round=round_2012, actor=users.fupin, file=sheet([row]))
    assert result.count == 0 and len(result.errors) == 1
    error = result.errors[0]
    assert (error.row, error.column) == (2, column)
    assert reason in error.reason


def test_same_area_twice_and_several_errors(county_tree, round_2012, users):
    t = county_tree
    rows = [[t.danfeng.code, "", 1], ["530323101", "", 2], [t.fazai.code, "", -1]]
    result = import_quotas(round=round_2012, actor=users.fupin, file=sheet(rows))
    assert [(e.row, e.column) for e in result.errors] == [(3, "A(区划代码)"), (4, "C(规模控制人数)")]
    assert "与第 2 行是同一区划" in result.errors[0].reason
    assert not Quota.objects.filter(area=t.danfeng).exists()


def test_area_outside_scope(county_tree, round_2012, users):
    """A 县扶贫办 account of a township (a narrower area) cannot reach the neighbouring township."""
    t = county_tree
    users.fupin.area = t.danfeng
    users.fupin.save()
    result = import_quotas(round=round_2012, actor=users.fupin, file=sheet([[t.xiongbi.code, "", 5]]))
    assert "不在您的管辖区域内" in result.errors[0].reason


def test_missing_header_and_unreadable_file(county_tree, round_2012, users):
    result = import_quotas(
        round=round_2012, actor=users.fupin, file=sheet([["x", 1]], header=["代码", "人数"])
    )
    assert result.errors[0].row is None and "找不到表头" in result.errors[0].reason
    bad = SimpleUploadedFile("quotas.xlsx", b"not a zip")
    assert "无法读取" in import_quotas(round=round_2012, actor=users.fupin, file=bad).errors[0].reason


def test_only_xlsx_is_accepted(client, round_2012, county_tree, users):
    file = SimpleUploadedFile("quotas.csv", "区划代码,规模控制人数\n530323101000,5\n".encode())
    page = upload(client, users.fupin, round_2012, file).content.decode()
    assert "只能导入 Excel .xlsx 文件" in page
    assert not Quota.objects.filter(area=county_tree.danfeng).exists()


def test_village_cadre_and_minzheng_cannot_import(client, round_2012, county_tree, users):
    """A township official imports the figures of its own villages and groups (test_quota_control.py)."""
    t = county_tree
    for user in (users.alice, users.minzheng):
        response = upload(client, user, round_2012, sheet([[t.dazhai.code, "", 99]]))
        assert response.status_code in (403, 404)
    assert persons(round_2012, t.dazhai) == 30
    # Through another area's page, still refused.
    response = upload(client, users.dave, round_2012, sheet([[t.dazhai.code, "", 99]]), area=t.shanlong.code)
    assert response.status_code in (403, 404)
    assert client.get(url("quota_import", round_2012.pk)).status_code == 405


def test_closed_round_is_refused(client, round_2012, county_tree, users):
    round_2012.closed = True
    round_2012.save()
    response = upload(client, users.fupin, round_2012, sheet([[county_tree.danfeng.code, "", 5]]))
    assert "已关闭" in response.content.decode()
    assert not Quota.objects.filter(area=county_tree.danfeng).exists()
