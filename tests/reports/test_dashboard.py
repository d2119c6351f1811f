"""The dashboards: who opens which, and that every number shown is the number reports.statistics gives.

The registry is test_statistics.py's, counted by hand there: 丹凤镇 6 households / 17 persons, 3 / 6 on
the 扶贫 roll (35.29%); 雄壁镇 1 / 3, all poor; the county 7 / 20, 4 / 9 (45.00%).
"""

from __future__ import annotations

import datetime
import re
from html import unescape

import pytest
from django.urls import reverse

from accounts.models import Role
from identification.models import Application, Quota, Round
from reports import charts, statistics
from tests.factories import UserFactory
from tests.reports.test_statistics import registry  # noqa: F401  (the hand-counted registry)

DASHBOARD = reverse("reports:dashboard")


def area_url(area) -> str:
    return reverse("reports:area_dashboard", args=[area.code])


def table_rows(html: str, table_id: str = "by-area") -> dict[str, list[str]]:
    """{area code: the texts of its cells} of the by-area table (body rows and the total)."""
    table = re.search(rf'<table[^>]*id="{table_id}".*?</table>', html, re.S).group(0)
    rows = {}
    for code, body in re.findall(r'<tr data-code="(\d+)">(.*?)</tr>', table, re.S):
        cells = re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", body, re.S)
        rows[code] = [unescape(re.sub(r"<[^>]+>", "", c)).strip() for c in cells]
    return rows


def shown(figures, level: str) -> list[str]:
    """The cells a by-area row must show for these figures, as the template lays them out."""

    def text(value) -> str:
        return "—" if value is None else str(value)

    cells = [figures.name if not figures.is_total else "合计"]
    if level == "county":
        cells += [str(figures.villages), str(figures.poor_villages)]
    elif level == "township":
        if figures.is_total:
            cells += [f"{figures.poor_villages} 个"]
        else:
            cells += [
                "未填报" if figures.profile is None else ("是" if figures.profile.is_poor_village else "否")
            ]
    cells += [
        str(figures.households),
        str(figures.persons),
        str(figures.fupin.households),
        str(figures.fupin.persons),
        text(figures.incidence),
        text(figures.quota),
        text(figures.quota_incidence),
        text(figures.quota_left),
        str(figures.dibao.households),
        str(figures.dibao.persons),
        str(figures.tekun.households),
        str(figures.tekun.persons),
        str(figures.deep_poverty.households),
        str(figures.deep_poverty.persons),
    ]
    return cells


@pytest.fixture
def current_round(registry):  # noqa: F811
    round = Round.objects.create(year=2013, name="2013年动态调整", poverty_line=2300, dibao_line=1400)
    Quota.objects.create(round=round, area=registry.danfeng, persons=5)  # under the roll: 1 over
    Quota.objects.create(round=round, area=registry.xiongbi, persons=4)
    Quota.objects.create(round=round, area=registry.shanlong, persons=6)
    return round


def test_anonymous_user_is_sent_to_login(client, registry):  # noqa: F811
    for url in (DASHBOARD, area_url(registry.county)):
        response = client.get(url)
        assert response.status_code == 302 and response.url.startswith(reverse("login"))


@pytest.mark.parametrize("username", ["fupin", "minzheng", "admin"])
def test_county_roles_see_the_county_by_township(client, users, registry, current_round, username):  # noqa: F811
    client.force_login(getattr(users, username))

    response = client.get(DASHBOARD)

    assert response.status_code == 200
    assert response.context["area"] == registry.county
    html = response.content.decode()
    table = statistics.figures_by_child(registry.county, user=users.fupin, round=current_round)
    assert table_rows(html) == {f.code: shown(f, "county") for f in table}


def test_county_numbers_checked_by_hand(client, users, registry, current_round):  # noqa: F811
    from households.models import Household

    Household.objects.filter(group=registry.potou).update(
        deep_poverty=True
    )  # 雄壁镇's one household, 3 persons
    client.force_login(users.fupin)

    rows = table_rows(client.get(DASHBOARD).content.decode())

    # 区划, 行政村, 贫困村, 户, 人, 扶贫户, 扶贫人, 发生率, 指标, 指标发生率, 剩余, 低保户, 低保人, 特困户, 特困人,
    # 深度贫困户, 深度贫困人
    assert rows["530323101000"] == [
        "丹凤镇", "2", "0", "6", "17", "3", "6", "35.29", "5", "29.41", "-1", "2", "4", "1", "1", "0", "0",
    ]  # fmt: skip
    assert rows["530323102000"] == [
        "雄壁镇", "1", "0", "1", "3", "1", "3", "100.00", "4", "133.33", "1", "0", "0", "0", "0", "1", "3",
    ]  # fmt: skip
    assert rows["530323000000"] == [
        "合计", "3", "0", "7", "20", "4", "9", "45.00", "9", "45.00", "0", "2", "4", "1", "1", "1", "3",
    ]  # fmt: skip


def test_summary_figures_and_breakdowns_equal_statistics(client, users, registry, current_round):  # noqa: F811
    client.force_login(users.fupin)

    html = client.get(DASHBOARD).content.decode()

    total = statistics.figures_for(registry.county, user=users.fupin)
    figures = dict(re.findall(r'data-figure="([\w-]+)">(-?[\d.]+)', html))
    assert figures == {
        "households": str(total.households),
        "persons": str(total.persons),
        "fupin-households": str(total.fupin.households),
        "fupin-persons": str(total.fupin.persons),
        "incidence": str(total.incidence),
        "quota": str(total.quota),
        "dibao-households": str(total.dibao.households),
        "dibao-persons": str(total.dibao.persons),
        "tekun-households": str(total.tekun.households),
        "tekun-persons": str(total.tekun.persons),
        "deep-poverty-households": str(total.deep_poverty.households),
        "deep-poverty-persons": str(total.deep_poverty.persons),
        "poor-villages": str(total.poor_villages),
    }
    context = client.get(DASHBOARD).context
    assert [(s.label, s.tally) for s in context["causes"]] == [
        (str(label), total.by_cause[key]) for key, label in statistics.CAUSES
    ]
    assert dict(context["states"])["扶贫"] == [
        ("在册", total.by_state["fupin"]["active"]),
        ("返贫", total.by_state["fupin"]["returned"]),
        ("已脱贫", total.by_state["fupin"]["lifted"]),
        ("已退出", total.by_state["fupin"]["exited"]),
    ]


def test_township_official_sees_own_township_by_village(client, users, registry, current_round):  # noqa: F811
    client.force_login(users.carol)

    for url in (DASHBOARD, area_url(registry.danfeng)):
        response = client.get(url)
        assert response.status_code == 200
        assert response.context["area"] == registry.danfeng
        table = statistics.figures_by_child(registry.danfeng, user=users.carol, round=current_round)
        assert table_rows(response.content.decode()) == {f.code: shown(f, "township") for f in table}
    # and a village inside it, by 村民小组
    response = client.get(area_url(registry.shanlong))
    assert response.status_code == 200
    assert [r.name for r in response.context["table"].rows] == ["大寨组", "小寨组"]


def test_county_user_opens_any_township_and_village(client, users, registry):  # noqa: F811
    client.force_login(users.fupin)
    for area in (registry.danfeng, registry.xiongbi, registry.shanlong, registry.yuzhu):
        assert client.get(area_url(area)).status_code == 200, area


def test_village_cadre_sees_own_village_by_group(client, users, registry):  # noqa: F811
    client.force_login(users.alice)

    response = client.get(DASHBOARD)

    assert response.status_code == 200
    assert response.context["area"] == registry.shanlong
    table = statistics.figures_by_child(registry.shanlong, user=users.alice)
    assert table_rows(response.content.decode()) == {f.code: shown(f, "village") for f in table}
    assert client.get(area_url(registry.shanlong)).status_code == 200


@pytest.mark.parametrize(
    ("username", "areas"),
    [
        ("alice", ["county", "danfeng", "xiongbi", "fazai", "yuzhu"]),
        ("bob", ["shanlong", "danfeng"]),
        ("carol", ["county", "xiongbi", "yuzhu"]),
        ("dave", ["county", "danfeng", "shanlong", "fazai"]),
    ],
)
def test_no_one_sees_another_areas_figures_whatever_url_they_type(client, users, registry, username, areas):  # noqa: F811
    client.force_login(getattr(users, username))
    for name in areas:
        url = area_url(getattr(registry, name))
        assert client.get(url).status_code == 404, (username, name)
        assert client.get(url, {"round": "1"}).status_code == 404, (username, name)


def test_groups_have_no_dashboard_of_their_own(client, users, registry):  # noqa: F811
    client.force_login(users.alice)
    assert client.get(area_url(registry.dazhai)).status_code == 404
    client.force_login(users.fupin)
    assert client.get(area_url(registry.dazhai)).status_code == 404


def test_unknown_area_and_user_without_area_get_404(client, users, registry):  # noqa: F811
    client.force_login(users.fupin)
    assert client.get(reverse("reports:area_dashboard", args=["530323999000"])).status_code == 404
    nobody = UserFactory(username="nobody", role="", area=None)
    client.force_login(nobody)
    assert client.get(DASHBOARD).status_code == 404


def test_round_parameter_picks_the_quotas_and_an_unknown_round_is_404(client, users, registry, current_round):  # noqa: F811
    older = Round.objects.create(
        year=2012, name="2012年贫困识别", poverty_line=2300, dibao_line=1400, closed=True
    )
    Quota.objects.create(round=older, area=registry.danfeng, persons=11)
    client.force_login(users.fupin)

    rows = table_rows(client.get(DASHBOARD, {"round": older.pk}).content.decode())

    assert rows["530323101000"][8] == "11"
    assert rows["530323102000"][8] == "—"
    assert client.get(DASHBOARD, {"round": "99999"}).status_code == 404


def test_dashboard_without_any_round_shows_no_quota_and_no_progress(client, users, registry):  # noqa: F811
    client.force_login(users.fupin)

    response = client.get(DASHBOARD)

    assert response.status_code == 200
    assert response.context["progress"] is None
    assert "未下达" in response.content.decode()


def test_progress_of_the_round_per_area(client, users, registry, current_round):  # noqa: F811
    household = registry.dazhai.households.first()
    Application.objects.create(
        round=current_round,
        household=household,
        wants_fupin=True,
        origin="applied",
        applied_on=datetime.date(2013, 3, 1),
        persons=3,
        state="recommended",
        created_by=users.alice,
    )
    client.force_login(users.fupin)

    progress = client.get(DASHBOARD).context["progress"]

    danfeng, xiongbi = progress["rows"]
    assert (danfeng.applications, danfeng.persons, danfeng.quota_left) == (1, 3, 2)
    assert (xiongbi.applications, xiongbi.persons, xiongbi.quota_left) == (0, 0, 4)
    assert progress["applications"] == 1 and progress["decided"] == 0


def test_charts_are_inline_svg_with_titles_and_chinese_labels(client, users, registry, current_round):  # noqa: F811
    client.force_login(users.fupin)

    html = client.get(DASHBOARD).content.decode()

    assert html.count("<svg") == 2 and "cdn" not in html.lower()
    assert 'role="img"' in html and "<title" in html
    assert "师宗县各乡镇扶贫对象人数与规模控制指标" in html
    assert "丹凤镇 扶贫对象(在册+返贫):6人" in html  # the bar's tooltip
    assert "因病 1户" in html  # the pie's legend


def test_bar_chart_escapes_labels_and_marks_missing_values():
    svg = charts.bar_chart(
        title="<b>标题</b>",
        categories=["<script>x</script>", "乙村"],
        series=[charts.Series("扶贫", [3, 0], "#000"), charts.Series("指标", [None, 2], "#999")],
    )
    assert "<script>" not in svg and "&lt;script&gt;" in svg
    assert "指标未设" in svg


def test_pie_chart_of_nothing_says_so():
    svg = charts.pie_chart(title="致贫原因", slices=[("因病", 0), ("未填写", 0)])
    assert "暂无数据" in svg and "<path" not in svg


def test_pie_chart_of_one_cause_is_a_full_circle():
    svg = charts.pie_chart(title="致贫原因", slices=[("因病", 4), ("因残", 0)])
    assert "<circle" in svg and "因病 4户(100.00%)" in svg


@pytest.mark.parametrize(
    "role", [Role.VILLAGE_CADRE, Role.TOWNSHIP_OFFICIAL, Role.COUNTY_FUPIN, Role.COUNTY_MINZHENG, Role.ADMIN]
)
def test_every_role_has_the_statistics_link(client, users, role):
    user = next(u for u in vars(users).values() if u.role == role)
    client.force_login(user)
    assert f'href="{DASHBOARD}">统计</a>' in client.get(reverse("home")).content.decode()


@pytest.mark.parametrize(
    ("peak", "axis"), [(0, (1, 1)), (3, (3, 1)), (7, (8, 2)), (782, (800, 200)), (1987, (2000, 500))]
)
def test_bar_chart_axis_ends_just_above_the_largest_bar(peak, axis):
    assert charts._axis(peak) == axis
