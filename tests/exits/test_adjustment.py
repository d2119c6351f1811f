"""年度动态调整: a village's worklist for the round and the progress by village, as each role sees it."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from exits import adjustment, services
from households.models import IncomeRecord
from identification.models import Application
from tests.exits.flow import rolled_household
from tests.factories import HouseholdFactory, MemberFactory


@pytest.fixture
def village_work(round_2015, county_tree, users):
    """山龙村: two rolled households with 2014 incomes (one in a D级 danger house), one rolled household
    not re-surveyed yet, a new applicant and a 低保 纳入 proposal; 雨柱村 (雄壁镇): one rolled household."""
    t = county_tree
    ready = rolled_household(t.dazhai)
    unsafe = rolled_household(t.dazhai, dangerous_house=True, dangerous_house_grade="D级")
    unsurveyed = rolled_household(t.xiaozhai, per_capita=None)
    applicant = HouseholdFactory(group=t.xiaozhai)
    MemberFactory(household=applicant, relation="户主")
    IncomeRecord.objects.create(household=applicant, year=2014, persons=1, wage_income=Decimal("1000"))
    Application.objects.create(
        round=round_2015,
        household=applicant,
        origin="applied",
        applied_on=datetime.date(2015, 3, 1),
        persons=1,
        wants_fupin=True,
        created_by=users.alice,
    )
    services.dibao_proposals_compute(actor=users.carol, round=round_2015)
    elsewhere = rolled_household(t.potou)
    return {
        "ready": ready,
        "unsafe": unsafe,
        "unsurveyed": unsurveyed,
        "applicant": applicant,
        "elsewhere": elsewhere,
    }


def test_village_worklist_lists_each_kind_of_work(village_work, round_2015, county_tree, users):
    work = adjustment.worklist(users.alice, county_tree.shanlong, round_2015)
    assert [h.pk for h in work.to_resurvey] == [village_work["unsurveyed"].pk]
    assert [r["household"].pk for r in work.ready_to_exit] == [village_work["ready"].pk]
    assert [a.household_id for a in work.applications] == [village_work["applicant"].pk]
    assert [(p.household_id, p.kind) for p in work.proposals] == [(village_work["applicant"].pk, "enter")]


def test_a_proposed_exit_leaves_the_ready_list_and_counts_as_open(
    village_work, round_2015, county_tree, users, exit_flow
):
    exit_flow.propose(village_work["ready"])
    work = adjustment.worklist(users.alice, county_tree.shanlong, round_2015)
    assert work.ready_to_exit == []
    assert [e.household_id for e in work.exits] == [village_work["ready"].pk]
    rows, total = adjustment.progress(users.carol, county_tree.danfeng, round_2015)
    shanlong = next(r for r in rows if r.village == county_tree.shanlong)
    assert (shanlong.exits_open, shanlong.exits_lifted) == (1, 0)


def test_progress_by_village_and_total(village_work, round_2015, county_tree, users):
    rows, total = adjustment.progress(users.fupin, county_tree.county, round_2015)
    by_name = {r.village.name: r for r in rows}
    assert set(by_name) == {"山龙村", "法杂村", "雨柱村"}
    shanlong = by_name["山龙村"]
    assert (shanlong.rolled, shanlong.resurveyed, shanlong.to_resurvey) == (3, 2, 1)
    assert (shanlong.applications, shanlong.proposals_pending) == (1, 1)
    assert (by_name["雨柱村"].rolled, by_name["法杂村"].rolled) == (1, 0)
    assert (total.rolled, total.resurveyed, total.applications) == (4, 3, 1)


def test_reopening_the_page_adds_nothing(village_work, round_2015, county_tree, users):
    """The list is the records themselves: looking again, or computing proposals again, duplicates nothing."""
    first = adjustment.progress(users.carol, county_tree.danfeng, round_2015)[1]
    services.dibao_proposals_compute(actor=users.carol, round=round_2015)
    again = adjustment.progress(users.carol, county_tree.danfeng, round_2015)[1]
    assert (again.rolled, again.proposals_pending, again.applications) == (
        first.rolled,
        first.proposals_pending,
        first.applications,
    )


def test_a_township_official_sees_only_their_villages(village_work, round_2015, county_tree, users):
    rows, total = adjustment.progress(users.carol, county_tree.danfeng, round_2015)
    assert [r.village.name for r in rows] == ["山龙村", "法杂村"]
    assert total.rolled == 3


def test_page_for_each_role(client, village_work, round_2015, county_tree, users):
    url = reverse("exits:adjustment")
    client.force_login(users.alice)
    page = client.get(url)
    assert page.status_code == 200
    assert page.context["work"].village == county_tree.shanlong
    assert village_work["unsurveyed"].number in page.content.decode()
    client.force_login(users.carol)
    page = client.get(url)
    assert [r.village.name for r in page.context["rows"]] == ["山龙村", "法杂村"]
    assert "work" not in page.context
    assert (
        client.get(url, {"area": county_tree.shanlong.code}).context["work"].village == county_tree.shanlong
    )


def test_page_of_a_village_outside_is_missing(client, village_work, county_tree, users):
    client.force_login(users.alice)
    assert client.get(reverse("exits:adjustment"), {"area": county_tree.fazai.code}).status_code == 404
    client.force_login(users.carol)
    assert client.get(reverse("exits:adjustment"), {"area": county_tree.yuzhu.code}).status_code == 404
