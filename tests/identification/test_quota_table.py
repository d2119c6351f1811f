"""贫困人口分解表: seed 002's annex reproduced from the annex's own figures, on screen, in print and in xlsx."""

from __future__ import annotations

import io
import re
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from identification import decomposition as service
from identification.decomposition import DEFAULT_WEIGHTS
from identification.models import Quota, Round
from identification.quota_table import HEADER, incidence, quota_table, write_quota_table
from tests.factories import (
    AreaFactory,
    HouseholdFactory,
    MemberFactory,
    UserFactory,
    group,
    township,
    village,
)
from villages.demo import ANNEX_TOWNSHIPS, read_annex

pytestmark = pytest.mark.django_db

# Seed 002's annex, 贫困发生率 column, and its 合计.
ANNEX_RATES = {
    "丹凤镇": "18.71",
    "雄壁镇": "22.15",
    "葵山镇": "21.74",
    "彩云镇": "32.27",
    "竹基镇": "23.61",
    "五龙乡": "44.31",
    "龙庆乡": "47.11",
    "高良乡": "48.79",
}
ANNEX_TOTAL_RATE = "28.18"


def url(name: str, *args) -> str:
    return reverse(f"identification:{name}", args=args)


@pytest.fixture
def annex_county(db):
    """The eight townships of the annex with its four indicators, one village and group each."""
    from accounts.models import Role

    county = AreaFactory()
    for row in read_annex():
        t = township(
            county,
            ANNEX_TOWNSHIPS[row["乡镇名"]][6:],
            row["乡镇名"],
            rural_population=int(row["乡村人口数"]),
            low_income_population=int(row["低收入家庭人口数"]),
            dibao_population=int(row["享受低保人数"]),
            disabled_population=int(row["已办证残疾人数"]),
        )
        group(village(t, "201", f"{row['乡镇名'][:2]}村"), "001", "大寨组")
    fupin = UserFactory(username="fupinban", role=Role.COUNTY_FUPIN, area=county)
    round = Round.objects.create(year=2012, name="2012年贫困识别", poverty_line=2300, dibao_line=1400)
    return county, fupin, round


def test_annex_figures_as_overrides_print_the_annex_incidence_column(
    client, annex_county, django_capture_on_commit_callbacks
):
    county, fupin, round = annex_county
    annex = read_annex()
    overrides = {f"{ANNEX_TOWNSHIPS[r['乡镇名']]}000": int(r["规模控制识别贫困人口数"]) for r in annex}
    with django_capture_on_commit_callbacks(execute=True):
        run = service.decomposition_create(
            round=round, actor=fupin, control_number=112_800, weights=DEFAULT_WEIGHTS, overrides=overrides
        )
    run.refresh_from_db()
    assert run.status == "done", run.errors
    service.decomposition_apply(decomposition=run, actor=fupin)

    # HTML: every township's row carries the annex's rate; the 合计 row 28.18.
    client.force_login(fupin)
    page = client.get(url("quota_table", round.pk)).content.decode()
    assert "师宗县两项制度有效衔接贫困人口分解表" in page
    assert all(f"<th>{h}</th>" in page for h in HEADER)
    for row in annex:
        name = row["乡镇名"]
        cells = re.search(rf">{name}</a></td>(.*?)</tr>", page, re.S).group(1)
        numbers = re.findall(r"<td>([\d.]*)</td>", cells)
        assert numbers[:4] == [
            row["乡村人口数"],
            row["低收入家庭人口数"],
            row["享受低保人数"],
            row["已办证残疾人数"],
        ]
        assert numbers[4:6] == [row["规模控制识别贫困人口数"], ANNEX_RATES[name]]
    total = re.search(r"<th>合计</th>(.*?)</tr>", page, re.S).group(1)
    assert re.findall(r"<th>([\d.]+)</th>", total) == ["400297", "80419", "21300", "7623", "112800", "28.18"]

    printed = client.get(url("quota_table", round.pk), {"print": "1"}).content.decode()
    assert all(f"<td>{rate}</td>" in printed for rate in ANNEX_RATES.values())
    assert "<th>28.18</th>" in printed and "data-print" in printed

    # xlsx: title row, the annex's header, eight townships, 合计.
    buffer = io.BytesIO()
    assert write_quota_table(round, county, buffer) == 8
    sheet = load_workbook(io.BytesIO(buffer.getvalue())).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "师宗县两项制度有效衔接贫困人口分解表"
    assert rows[1] == HEADER
    by_name = {r[0]: r for r in rows[2:10]}
    assert set(by_name) == set(ANNEX_RATES)
    for name, rate in ANNEX_RATES.items():
        assert f"{by_name[name][6]:.2f}" == rate and by_name[name][6] == float(rate)
    assert rows[10][:7] == ("合计", 400297, 80419, 21300, 7623, 112800, float(ANNEX_TOTAL_RATE))
    assert sheet.cell(row=3, column=7).number_format == "0.00"


def test_write_quota_table_to_a_path(tmp_path, annex_county):
    county, _, round = annex_county
    target = tmp_path / "分解表.xlsx"
    write_quota_table(round, county, target)
    rows = list(load_workbook(target).active.iter_rows(values_only=True))
    assert rows[1] == HEADER
    # No quotas yet: the quota and rate cells are empty and 备注 says so.
    assert rows[2][5:8] == (None, None, "未下达")


@pytest.mark.parametrize(
    ("quota", "rural", "expected"),
    [(22207, 118696, "18.71"), (1, 800, "0.13"), (1, 3, "33.33"), (2, 3, "66.67"), (0, 5, "0.00")],
)
def test_incidence_is_percent_to_two_decimals_half_up(quota, rural, expected):
    assert incidence(quota, rural) == Decimal(expected)


def test_incidence_without_population_is_blank():
    assert incidence(5, 0) is None and incidence(None, 100) is None


def test_township_table_lists_its_villages_from_the_registry(round_2012, county_tree):
    t = county_tree
    household = HouseholdFactory(group=t.dazhai)
    for i in range(4):
        MemberFactory(household=household, relation="户主" if i == 0 else "之子")
    Quota.objects.create(round=round_2012, area=t.shanlong, persons=2)
    table = quota_table(round_2012, t.danfeng)
    assert table.header[0] == "行政村名" and table.header[1:] == HEADER[1:]
    assert table.title == "师宗县丹凤镇两项制度有效衔接贫困人口分解表"
    shanlong, fazai = table.rows
    assert (shanlong.name, shanlong.values, shanlong.quota, str(shanlong.rate)) == (
        "山龙村",
        [4, 0, 0, 0],
        2,
        "50.00",
    )
    assert (fazai.quota, fazai.rate, fazai.note) == (None, None, "未下达")
    assert table.total.values == [4, 0, 0, 0] and table.total.quota == 2


def test_quota_changed_after_the_run_is_noted(
    round_2012, county_tree, users, django_capture_on_commit_callbacks
):
    from identification import services

    with django_capture_on_commit_callbacks(execute=True):
        run = service.decomposition_create(
            round=round_2012,
            actor=users.fupin,
            control_number=100,
            weights=DEFAULT_WEIGHTS,
            overrides={county_tree.xiongbi.code: 40},
        )
    run.refresh_from_db()
    service.decomposition_apply(decomposition=run, actor=users.fupin)
    # Raising a township above its share needs room under the county's control number first.
    services.round_set_control_number(round=round_2012, actor=users.fupin, control_number=101)
    services.quota_set(round=round_2012, area=county_tree.danfeng, persons=61, actor=users.fupin)
    table = quota_table(round_2012, county_tree.county)
    notes = {r.name: r.note for r in table.rows}
    assert notes == {"丹凤镇": "已单独调整(分解数 60)", "雄壁镇": "县指定"}
    assert table.source.startswith(f"指标取自规模分解 #{run.pk}")
    assert [r.values[0] for r in table.rows] == [118696, 54862]


def test_each_user_sees_the_table_of_their_own_area(client, round_2012, county_tree, users):
    t = county_tree
    client.force_login(users.carol)
    page = client.get(url("quota_table", round_2012.pk))
    assert (
        page.status_code == 200
        and "山龙村" in page.content.decode()
        and "雄壁镇" not in page.content.decode()
    )
    assert client.get(url("quota_table", round_2012.pk), {"area": t.xiongbi.code}).status_code == 404
    assert client.get(url("quota_table", round_2012.pk), {"area": t.county.code}).status_code == 404
    assert client.get(url("quota_table_xlsx", round_2012.pk), {"area": t.yuzhu.code}).status_code == 404

    client.force_login(users.alice)
    page = client.get(url("quota_table", round_2012.pk)).content.decode()
    assert "村民小组名" in page and "大寨组" in page and "新村组" not in page
    assert client.get(url("quota_table", round_2012.pk), {"area": t.dazhai.code}).status_code == 404
    assert client.get(url("quota_table", round_2012.pk), {"area": t.fazai.code}).status_code == 404

    client.force_login(users.minzheng)
    county_page = client.get(url("quota_table", round_2012.pk)).content.decode()
    assert "丹凤镇" in county_page and "雄壁镇" in county_page


def test_xlsx_download(client, round_2012, county_tree, users):
    client.force_login(users.carol)
    response = client.get(url("quota_table_xlsx", round_2012.pk))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert (
        "attachment" in response["Content-Disposition"]
        and "filename*=UTF-8''" in response["Content-Disposition"]
    )
    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    assert rows[0][0] == "师宗县丹凤镇两项制度有效衔接贫困人口分解表"
    assert [r[0] for r in rows[2:5]] == ["山龙村", "法杂村", "合计"]


def test_table_needs_a_login(client, round_2012):
    response = client.get(url("quota_table", round_2012.pk))
    assert response.status_code == 302 and "login" in response.url
