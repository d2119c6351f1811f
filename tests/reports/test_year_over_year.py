"""逐年进出统计: each year's 新识别, 脱贫, 返贫, 净增 and 低保 进退 by area, on the page and in the export."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from households.choices import CaseState, Program
from households.models import Case
from reports import year_over_year
from tests.factories import HouseholdFactory, MemberFactory
from tests.reports.helpers import sheets


def household(group, persons: int):
    h = HouseholdFactory(group=group)
    for n in range(persons):
        MemberFactory(household=h, relation="户主" if n == 0 else "之子")
    return h


def case(h, program=Program.FUPIN, *, entered, state=CaseState.ACTIVE, left=None, returned=None):
    return Case.objects.create(
        household=h,
        program=program,
        entered_year=entered,
        state=state,
        left_year=left,
        returned_year=returned,
    )


@pytest.fixture
def moves(county_tree):
    t = county_tree
    # 山龙村 (丹凤镇): entered 2014, lifted 2015 and back 2016; entered 2015; 低保 in 2014, out 2015.
    a = household(t.dazhai, 3)
    case(a, entered=2014, state=CaseState.RETURNED, left=2015, returned=2016)
    case(household(t.xiaozhai, 2), entered=2015)
    case(household(t.dazhai, 4), Program.DIBAO, entered=2014, state=CaseState.EXITED, left=2015)
    # 雨柱村 (雄壁镇): entered 2014 and lifted 2015.
    case(household(t.potou, 5), entered=2014, state=CaseState.LIFTED, left=2015)
    return t


def test_each_year_by_township(moves, users):
    t = moves
    years = year_over_year.years_with_movement(t.county, user=users.fupin)
    assert years == [2014, 2015, 2016]
    history = year_over_year.history(t.county, years, user=users.fupin)
    by_year = {table.year: table for table in history.tables}

    danfeng_2015, xiongbi_2015 = by_year[2015].rows
    assert (danfeng_2015.name, xiongbi_2015.name) == ("丹凤镇", "雄壁镇")
    assert (danfeng_2015.entered.households, danfeng_2015.entered.persons) == (1, 2)
    assert (danfeng_2015.lifted.households, danfeng_2015.lifted.persons) == (1, 3)
    assert (danfeng_2015.dibao_out.households, danfeng_2015.dibao_out.persons) == (1, 4)
    assert (xiongbi_2015.lifted.households, xiongbi_2015.lifted.persons) == (1, 5)
    total_2015 = by_year[2015].total
    assert (total_2015.net.households, total_2015.net.persons) == (1 - 2, 2 - 8)

    total_2014 = by_year[2014].total
    assert (total_2014.entered.households, total_2014.entered.persons) == (2, 8)
    assert (total_2014.dibao_in.households, total_2014.dibao_in.persons) == (1, 4)
    total_2016 = by_year[2016].total
    assert (total_2016.returned.households, total_2016.net.households) == (1, 1)


def test_a_township_sees_its_villages_and_not_the_county(moves, users):
    history = year_over_year.history(moves.danfeng, [2015], user=users.carol)
    assert [row.name for row in history.tables[0].rows] == ["山龙村", "法杂村"]
    assert history.tables[0].rows[0].lifted.households == 1
    with pytest.raises(PermissionDenied):
        year_over_year.history(moves.county, [2015], user=users.carol)


def test_page_shows_the_chosen_year_and_every_year(client, moves, users):
    client.force_login(users.fupin)
    response = client.get(reverse("reports:year_over_year"), {"year": "2015"})
    assert response.status_code == 200
    table = response.context["table"]
    assert table.year == 2015 and [row.name for row in table.rows] == ["丹凤镇", "雄壁镇"]
    assert [t.year for t in response.context["history"].tables] == [2014, 2015, 2016]
    assert "逐年合计" in response.content.decode()


def test_page_of_an_area_outside_is_missing(client, moves, users):
    client.force_login(users.carol)
    assert client.get(reverse("reports:year_over_year"), {"area": moves.xiongbi.code}).status_code == 404
    assert client.get(reverse("reports:year_over_year_export"), {"area": moves.yuzhu.code}).status_code == 404
    assert client.get(reverse("reports:year_over_year"), {"area": moves.shanlong.code}).status_code == 200


def test_export_has_the_totals_by_year_and_a_sheet_per_year(client, moves, users):
    client.force_login(users.fupin)
    response = client.get(reverse("reports:year_over_year_export"))
    assert response.status_code == 200
    book = sheets(b"".join(response.streaming_content))
    assert list(book) == ["逐年合计", "2014年", "2015年", "2016年"]
    totals = book["逐年合计"]
    assert totals[1][:5] == ["年度", "新识别户数", "新识别人数", "脱贫户数", "脱贫人数"]
    assert [row[0] for row in totals[2:]] == ["2014", "2015", "2016"]
    assert totals[3][3:5] == [2, 8]  # 2015: two households lifted, eight persons
    assert book["2015年"][-1][0] == "合计"
