"""深度贫困 (identification.deep_poverty): the county's criteria, the ranking against its target, the
confirmation that flags the 户卡, the dashboard count, and every refusal and the scoping of the screens."""

from __future__ import annotations

import itertools
from decimal import Decimal

import pytest
from django.urls import reverse

from accounts.models import AuditEvent
from households.models import Case, Household, IncomeRecord
from identification.deep_poverty import services
from identification.deep_poverty.models import DeepPovertyCriteria, DeepPovertyEntry, DeepPovertyList
from identification.deep_poverty.ranking import ranked, ranking
from identification.transitions import WorkflowError
from reports import statistics
from tests.factories import HouseholdFactory, MemberFactory

pytestmark = pytest.mark.django_db

_numbers = itertools.count(1)

CRITERIA = {
    "target_persons": 10,
    "income_limit": Decimal("1000"),
    "min_score": 1,
    "weight_no_labour": 3,
    "weight_illness": 2,
    "weight_dangerous_house": 2,
    "weight_water": 1,
}


def poor(
    group, *, persons=2, income=800, labour="普通劳动力", health="健康", grade="", dangerous=False,
    water_difficult=False, case_state="active", program="fupin", year=2011,
) -> Household:  # fmt: skip
    """A household of `persons` members on a roll, with `income` 元 per head in `year`; the head carries
    the labour and health given, the others are ordinary labourers in good health."""
    n = next(_numbers)
    household = HouseholdFactory(
        number=f"{group.code}{n:03d}", group=group, dangerous_house=dangerous or None,
        dangerous_house_grade="D级" if dangerous else "", drinking_water_difficult=water_difficult,
    )  # fmt: skip
    MemberFactory(household=household, labour=labour, health=health, disability_grade=grade)
    for _ in range(persons - 1):
        MemberFactory(
            household=household, relation="之子", labour="无劳动力" if labour == "无劳动力" else "普通劳动力"
        )
    if income is not None:
        IncomeRecord.objects.create(
            household=household, year=year, persons=persons, wage_income=income * persons
        )
    if case_state:
        Case.objects.create(household=household, program=program, entered_year=2012, state=case_state)
    return household


def set_criteria(round, users, **changes):
    return services.criteria_set(round=round, actor=users.fupin, values={**CRITERIA, **changes})


def numbers(rows) -> list[str]:
    return [r.number for r in rows]


# --- criteria ---------------------------------------------------------------------------------------


def test_county_fupin_sets_the_criteria_and_each_change_is_audited(round_2012, users):
    criteria = set_criteria(round_2012, users)
    assert (criteria.target_persons, criteria.income_limit, criteria.updated_by) == (10, 1000, users.fupin)

    set_criteria(round_2012, users, target_persons=13700, weight_water=0)

    first, second = AuditEvent.objects.filter(event_type="deep_poverty.criteria_set").order_by("id")
    assert first.new["target_persons"] == 10 and first.old == {}
    assert second.old == {"target_persons": 10, "weight_water": 1}
    assert second.new == {"target_persons": 13700, "weight_water": 0}
    assert DeepPovertyCriteria.objects.get().target_persons == 13700


def test_saving_the_same_criteria_again_writes_no_event(round_2012, users):
    set_criteria(round_2012, users)
    set_criteria(round_2012, users)

    assert AuditEvent.objects.filter(event_type="deep_poverty.criteria_set").count() == 1


@pytest.mark.parametrize("who", ["alice", "carol", "minzheng", "admin"])
def test_only_the_county_fupin_sets_criteria(round_2012, users, who):
    with pytest.raises(WorkflowError) as refused:
        services.criteria_set(round=round_2012, actor=getattr(users, who), values=CRITERIA)

    assert refused.value.code == "wrong_role" and "县扶贫办" in refused.value.message
    assert not DeepPovertyCriteria.objects.exists()


def test_criteria_of_a_closed_round_cannot_change(round_2012, users):
    round_2012.closed = True
    round_2012.save()

    with pytest.raises(WorkflowError) as refused:
        set_criteria(round_2012, users)
    assert refused.value.code == "round_closed"


@pytest.mark.parametrize(
    "field,value", [("target_persons", 0), ("income_limit", Decimal("-1")), ("weight_illness", -2)]
)
def test_criteria_must_be_positive(round_2012, users, field, value):
    with pytest.raises(WorkflowError):
        set_criteria(round_2012, users, **{field: value})
    assert not DeepPovertyCriteria.objects.exists()


# --- ranking ----------------------------------------------------------------------------------------


def test_each_hardship_scores_its_weight_and_ranks_highest_first(round_2012, county_tree, users):
    t = county_tree
    no_labour = poor(t.dazhai, labour="无劳动力")  # 3
    ill = poor(t.dazhai, health="患有大病")  # 2
    severe = poor(t.xiaozhai, health="残疾", grade="一级")  # 2
    mild = poor(t.xiaozhai, health="残疾", grade="四级")  # 0: not 重度
    house = poor(t.xincun, dangerous=True)  # 2
    water = poor(t.potou, water_difficult=True)  # 1
    criteria = set_criteria(round_2012, users, target_persons=100)

    rows = {r.number: r for r in ranked(criteria, t.county)}

    assert {n: (r.score, r.hardships) for n, r in rows.items()} == {
        no_labour.number: (3, ("no_labour",)),
        ill.number: (2, ("illness",)),
        severe.number: (2, ("illness",)),
        house.number: (2, ("dangerous_house",)),
        water.number: (1, ("water",)),
    }
    assert mild.number not in rows  # below the minimum score of 1
    assert rows[no_labour.number].rank == 1 and rows[water.number].rank == 5
    assert rows[no_labour.number].hardship_labels == "无劳动力"


def test_equal_scores_rank_the_lowest_income_first_then_by_number(round_2012, county_tree, users):
    t = county_tree
    richer = poor(t.dazhai, labour="无劳动力", income=900)
    poorer = poor(t.xincun, labour="无劳动力", income=500)
    same_a = poor(t.dazhai, labour="无劳动力", income=700)
    same_b = poor(t.dazhai, labour="无劳动力", income=700)
    criteria = set_criteria(round_2012, users, target_persons=100)

    assert numbers(ranked(criteria, t.county)) == [poorer.number, same_a.number, same_b.number, richer.number]


def test_only_open_fupin_households_under_the_income_ceiling_with_the_years_income_are_ranked(
    round_2012, county_tree, users
):
    t = county_tree
    kept = poor(t.dazhai, labour="无劳动力", income=1000)  # at the ceiling: in
    returned = poor(t.dazhai, labour="无劳动力", case_state="returned")
    poor(t.dazhai, labour="无劳动力", income=1001)  # above the ceiling
    poor(t.dazhai, labour="无劳动力", case_state="lifted")  # 已脱贫
    poor(t.dazhai, labour="无劳动力", program="dibao")  # 低保 only: not identified as 扶贫
    poor(t.dazhai, labour="无劳动力", case_state=None)  # on no roll
    poor(t.dazhai, labour="无劳动力", year=2012)  # income only after 2011 (the 2012 round's income year)
    criteria = set_criteria(round_2012, users, target_persons=100)

    assert set(numbers(ranked(criteria, t.county))) == {kept.number, returned.number}
    assert ranking(criteria, t.county).missing_income == 1


def test_a_weight_of_0_leaves_a_hardship_out_and_min_score_0_ranks_on_income_alone(
    round_2012, county_tree, users
):
    t = county_tree
    water = poor(t.dazhai, water_difficult=True, income=300)
    plain = poor(t.dazhai, income=200)

    no_water = set_criteria(round_2012, users, weight_water=0)
    assert ranked(no_water, t.county) == []
    income_only = set_criteria(round_2012, users, weight_water=0, min_score=0, target_persons=100)
    assert numbers(ranked(income_only, t.county)) == [plain.number, water.number]


def test_the_target_cuts_the_list_where_the_running_persons_would_exceed_it(round_2012, county_tree, users):
    t = county_tree
    first = poor(t.dazhai, labour="无劳动力", persons=4, income=100)
    second = poor(t.dazhai, labour="无劳动力", persons=5, income=200)
    third = poor(t.dazhai, labour="无劳动力", persons=2, income=300)  # 4 + 5 + 2 = 11 > 10
    criteria = set_criteria(round_2012, users, target_persons=10)

    rows = ranked(criteria, t.county)

    assert [(r.number, r.running, r.within_target) for r in rows] == [
        (first.number, 4, True), (second.number, 9, True), (third.number, 11, False),
    ]  # fmt: skip
    assert numbers(ranked(criteria, t.county, within_only=True)) == [first.number, second.number]


def test_an_area_sees_its_households_with_their_county_rank_and_its_child_areas_counted(
    round_2012, county_tree, users
):
    t = county_tree
    elsewhere = poor(t.potou, labour="无劳动力", income=100, persons=3)  # 雄壁镇, rank 1
    dazhai = poor(t.dazhai, labour="无劳动力", income=200, persons=3)  # rank 2
    xiaozhai = poor(t.xiaozhai, labour="无劳动力", income=300, persons=3)  # rank 3
    fazai = poor(t.fazai.children.get(), labour="无劳动力", income=400, persons=3)  # rank 4, beyond 10
    criteria = set_criteria(round_2012, users, target_persons=10)

    village = ranking(criteria, t.shanlong)
    assert [(r.number, r.rank) for r in village.rows] == [(dazhai.number, 2), (xiaozhai.number, 3)]
    assert [(s.area, s.candidates, s.households) for s in village.children] == [
        (t.dazhai, 1, 1),
        (t.xiaozhai, 1, 1),
    ]
    assert (village.county_households, village.county_persons) == (3, 9)

    township = ranking(criteria, t.danfeng)
    assert [(s.area, s.candidates, s.persons) for s in township.children] == [
        (t.shanlong, 2, 6),
        (t.fazai, 1, 0),
    ]
    assert (township.total.candidates, township.total.households) == (3, 2)
    assert elsewhere.number not in numbers(township.rows) and fazai.number in numbers(township.rows)


def test_the_latest_income_up_to_the_rounds_income_year_is_the_one_ranked(round_2012, county_tree, users):
    household = poor(county_tree.dazhai, labour="无劳动力", income=900, year=2009)
    IncomeRecord.objects.create(household=household, year=2010, persons=2, wage_income=1200)  # 600 a head
    IncomeRecord.objects.create(household=household, year=2012, persons=2, wage_income=6000)  # after: unused
    criteria = set_criteria(round_2012, users)

    (row,) = ranked(criteria, county_tree.county)

    assert (row.income, row.income_year) == (Decimal("600.00"), 2010)


# --- confirmation -----------------------------------------------------------------------------------


def test_confirming_writes_the_list_flags_the_cards_and_is_audited(round_2012, county_tree, users):
    t = county_tree
    first = poor(t.dazhai, labour="无劳动力", persons=4, income=100)
    second = poor(t.potou, labour="无劳动力", persons=5, income=200)
    beyond = poor(t.dazhai, labour="无劳动力", persons=3, income=300)
    set_criteria(round_2012, users, target_persons=10)

    listed = services.list_confirm(round=round_2012, actor=users.fupin, note="2012年县确认")

    assert (listed.households, listed.persons, listed.area) == (2, 9, t.county)
    assert listed.criteria["target_persons"] == 10
    entries = list(listed.entries.order_by("rank"))
    assert [(e.household, e.rank, e.score, e.persons, e.hardships) for e in entries] == [
        (first, 1, 3, 4, ["no_labour"]), (second, 2, 3, 5, ["no_labour"]),
    ]  # fmt: skip
    assert entries[0].per_capita_income == Decimal("100.00")
    assert set(Household.objects.filter(deep_poverty=True)) == {first, second}
    assert not Household.objects.get(pk=beyond.pk).deep_poverty
    change = first.history.order_by("-history_date").first()
    assert (change.deep_poverty, change.history_user, change.history_change_reason) == (
        True, users.fupin, f"深度贫困名单 #{listed.pk}",
    )  # fmt: skip
    event = AuditEvent.objects.get(event_type="deep_poverty.confirmed")
    assert (event.actor, event.area_code, event.reason) == (users.fupin, t.county.code, "2012年县确认")
    assert (event.new["households"], event.new["persons"], event.new["flagged"], event.new["cleared"]) == (
        2,
        9,
        2,
        0,
    )


def test_a_new_confirmation_clears_the_flag_of_households_no_longer_on_the_list(
    round_2012, county_tree, users
):
    t = county_tree
    stays = poor(t.dazhai, labour="无劳动力", persons=2, income=100)
    drops = poor(t.dazhai, health="患有大病", persons=2, income=200)
    flagged_by_hand = HouseholdFactory(group=t.xincun, deep_poverty=True)
    set_criteria(round_2012, users)
    services.list_confirm(round=round_2012, actor=users.fupin)
    assert set(Household.objects.filter(deep_poverty=True)) == {stays, drops}

    set_criteria(round_2012, users, weight_illness=0)
    second = services.list_confirm(round=round_2012, actor=users.fupin)

    assert set(Household.objects.filter(deep_poverty=True)) == {stays}
    assert DeepPovertyList.objects.filter(round=round_2012).first() == second  # the newest is in force
    assert AuditEvent.objects.filter(event_type="deep_poverty.confirmed").last().new["cleared"] == 1
    assert flagged_by_hand.pk not in {e.household_id for e in DeepPovertyEntry.objects.all()}


@pytest.mark.parametrize("who", ["alice", "carol", "minzheng", "admin"])
def test_only_the_county_fupin_confirms(round_2012, county_tree, users, who):
    poor(county_tree.dazhai, labour="无劳动力")
    set_criteria(round_2012, users)

    with pytest.raises(WorkflowError) as refused:
        services.list_confirm(round=round_2012, actor=getattr(users, who))

    assert refused.value.code == "wrong_role"
    assert not DeepPovertyList.objects.exists() and not Household.objects.filter(deep_poverty=True).exists()


def test_confirming_without_criteria_or_with_nobody_ranked_is_refused_with_the_reason(
    round_2012, county_tree, users
):
    with pytest.raises(WorkflowError) as no_criteria:
        services.list_confirm(round=round_2012, actor=users.fupin)
    assert no_criteria.value.code == "no_criteria" and "认定条件" in no_criteria.value.message

    poor(county_tree.dazhai, income=2000, labour="无劳动力")  # above the ceiling
    set_criteria(round_2012, users)
    with pytest.raises(WorkflowError) as empty:
        services.list_confirm(round=round_2012, actor=users.fupin)
    assert empty.value.code == "empty"
    assert not DeepPovertyList.objects.exists() and not AuditEvent.objects.filter(
        event_type="deep_poverty.confirmed"
    )


def test_a_closed_round_cannot_be_confirmed(round_2012, county_tree, users):
    poor(county_tree.dazhai, labour="无劳动力")
    set_criteria(round_2012, users)
    round_2012.closed = True
    round_2012.save()

    with pytest.raises(WorkflowError) as refused:
        services.list_confirm(round=round_2012, actor=users.fupin)
    assert refused.value.code == "round_closed"


def test_the_dashboard_counts_the_flagged_households_per_area(round_2012, county_tree, users):
    t = county_tree
    poor(t.dazhai, labour="无劳动力", persons=3)
    poor(t.potou, labour="无劳动力", persons=2)
    set_criteria(round_2012, users)
    services.list_confirm(round=round_2012, actor=users.fupin)

    table = statistics.figures_by_child(t.county, user=users.fupin)

    assert {row.name: row.deep_poverty for row in table.rows} == {
        "丹凤镇": statistics.Tally(1, 3), "雄壁镇": statistics.Tally(1, 2),
    }  # fmt: skip
    assert table.total.deep_poverty == statistics.Tally(2, 5)


# --- screens ----------------------------------------------------------------------------------------


def url(name, round, **query):
    path = reverse(f"identification:{name}", args=[round.pk])
    return path + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def test_the_county_sets_criteria_and_confirms_from_the_page(client, round_2012, county_tree, users):
    household = poor(county_tree.dazhai, labour="无劳动力")
    client.force_login(users.fupin)
    assert "尚未设置" in client.get(url("deep_poverty", round_2012)).content.decode()

    form = {k: str(v) for k, v in CRITERIA.items()}
    assert client.post(url("deep_poverty_criteria", round_2012), form).status_code == 302
    page = client.get(url("deep_poverty", round_2012)).content.decode()
    assert household.number in page and "按当前排序确认名单(1 户 2 人)" in page

    response = client.post(url("deep_poverty_confirm", round_2012), {"note": "县扶贫办确认"}, follow=True)
    assert "已确认深度贫困名单" in response.content.decode()
    assert Household.objects.get(pk=household.pk).deep_poverty
    card = client.get(reverse("households:detail", args=[household.pk])).content.decode()
    assert '<span class="tag">深度贫困户</span>' in card


def test_bad_criteria_keep_what_was_typed_and_say_why(client, round_2012, users):
    client.force_login(users.fupin)
    form = {**{k: str(v) for k, v in CRITERIA.items()}, "target_persons": "0", "income_limit": "一千"}

    response = client.post(url("deep_poverty_criteria", round_2012), form)

    page = response.content.decode()
    assert response.status_code == 200 and "请填写数字" in page and 'value="一千"' in page
    assert not DeepPovertyCriteria.objects.exists()


def test_a_village_sees_only_its_own_households_and_not_another_area(client, round_2012, county_tree, users):
    t = county_tree
    own = poor(t.dazhai, labour="无劳动力")
    neighbour = poor(t.xincun, labour="无劳动力")
    set_criteria(round_2012, users)
    client.force_login(users.alice)

    page = client.get(url("deep_poverty", round_2012)).content.decode()

    assert own.number in page and neighbour.number not in page
    assert "确认名单" not in page and "修改认定条件" not in page
    assert client.get(url("deep_poverty", round_2012, area=t.fazai.code)).status_code == 404
    assert client.get(url("deep_poverty", round_2012, area=t.dazhai.code)).status_code == 200


@pytest.mark.parametrize("who", ["alice", "carol", "minzheng", "admin"])
def test_others_cannot_set_criteria_or_confirm(client, round_2012, county_tree, users, who):
    poor(county_tree.dazhai, labour="无劳动力")
    set_criteria(round_2012, users)
    client.force_login(getattr(users, who))

    assert client.get(url("deep_poverty_criteria", round_2012)).status_code == 403
    assert client.post(url("deep_poverty_criteria", round_2012), {"target_persons": "5"}).status_code == 403
    assert client.post(url("deep_poverty_confirm", round_2012)).status_code == 403
    assert client.get(url("deep_poverty_confirm", round_2012)).status_code == 405
    assert DeepPovertyCriteria.objects.get().target_persons == 10 and not DeepPovertyList.objects.exists()


def test_an_account_without_an_area_is_refused(client, round_2012, users):
    from accounts.models import Role
    from tests.factories import UserFactory

    client.force_login(UserFactory(username="helper", role=Role.HELPER, area=None))

    assert client.get(url("deep_poverty", round_2012)).status_code == 403


def test_the_household_form_shows_the_flag_but_cannot_set_it(client, county_tree, users):
    """The 户卡 flag is the county's confirmed list: a cadre's edit leaves it as it is."""
    from tests.households.test_views import edit_post

    household = poor(county_tree.dazhai, persons=1, labour="无劳动力")
    head = household.members.get()
    client.force_login(users.alice)
    assert (
        "由县扶贫办确认深度贫困名单时标注"
        in client.get(reverse("households:edit", args=[household.pk])).content.decode()
    )

    data = edit_post(household, [(head, {"name": head.name, "id_number": head.id_number})], deep_poverty="on")
    response = client.post(reverse("households:edit", args=[household.pk]), data)

    assert response.status_code == 302, response.content.decode()[:3000]
    assert not Household.objects.get(pk=household.pk).deep_poverty
