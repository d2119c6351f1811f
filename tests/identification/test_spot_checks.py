"""Seeded samples (re-drawable, ≥ 20% of each list / ≥ 5% per bureau, ceil) and 推倒重来 (seed 002 第五步, 第六步)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from identification import sampling, services
from identification.choices import SpotCheckLevel, SpotCheckStatus, State
from identification.models import Application
from identification.transitions import WorkflowError
from notices.models import Entry
from tests.identification.flow import last_event


@pytest.mark.parametrize(
    ("rate", "population", "size"),
    [
        ("0.20", 10, 2),
        ("0.20", 11, 3),
        ("0.20", 1, 1),
        ("0.05", 100, 5),
        ("0.05", 101, 6),
        ("0.05", 0, 0),
        ("1", 7, 7),
    ],
)
def test_sample_size_is_the_ceiling(rate, population, size):
    assert sampling.sample_size(Decimal(rate), population) == size


def test_same_seed_same_sample_whatever_the_order_of_the_population():
    population = list(range(1000, 1100))
    first = sampling.draw(population, rate=Decimal("0.2"), seed=20120903)
    again = sampling.draw(reversed(population), rate=Decimal("0.2"), seed=20120903)
    other = sampling.draw(population, rate=Decimal("0.2"), seed=20120904)
    assert first == again
    assert len(first) == 20 and set(first) <= set(population)
    assert first != other


pytestmark_db = pytest.mark.django_db


def surveyed_batch(flow, n, group=None, **kwargs):
    """n applications of one group whose village notice has closed: what the township samples."""
    wage = kwargs.pop("wage", "1000")
    apps = [flow.new(group, **kwargs) for _ in range(n)]
    return flow.advance(apps, State.VILLAGE_PUBLICIZED, wage=wage)


@pytestmark_db
def test_township_sample_records_seed_and_population_and_can_be_redrawn(flow):
    apps = surveyed_batch(flow, 6)
    village = flow.tree.shanlong
    check = services.spot_check_draw(
        round=flow.round, level=SpotCheckLevel.TOWNSHIP, area=village, actor=flow.users.carol, seed=42
    )
    assert check.rate == Decimal("0.20")
    assert sorted(check.population) == sorted(a.pk for a in apps)
    assert len(check.drawn) == 2  # ceil(0.2 × 6)
    assert check.drawn == sampling.draw(check.population, rate=check.rate, seed=42)
    event = last_event(check, "spot_check.drawn")
    assert (event.new["seed"], event.new["drawn"], event.new["lists"]) == (
        42,
        check.drawn,
        {"fupin": [6, 2], "dibao": [0, 0]},
    )

    redraw = services.spot_check_draw(
        round=flow.round, level=SpotCheckLevel.TOWNSHIP, area=village, actor=flow.users.carol, seed=43
    )
    check.refresh_from_db()
    assert check.status == SpotCheckStatus.SUPERSEDED
    assert last_event(redraw, "spot_check.drawn").new["superseded"] == [check.pk]


@pytestmark_db
def test_township_rate_below_twenty_percent_is_refused(flow):
    surveyed_batch(flow, 2)
    with pytest.raises(WorkflowError, match="抽查比例须在 20% 到 100% 之间,您填写的是 10.0%"):
        services.spot_check_draw(
            round=flow.round,
            level=SpotCheckLevel.TOWNSHIP,
            area=flow.tree.shanlong,
            actor=flow.users.carol,
            rate=Decimal("0.1"),
        )


@pytestmark_db
def test_only_the_township_draws_its_villages_and_not_another_townships(flow):
    surveyed_batch(flow, 2)
    with pytest.raises(WorkflowError, match="乡镇抽查只能由乡镇审核员办理"):
        services.spot_check_draw(
            round=flow.round, level=SpotCheckLevel.TOWNSHIP, area=flow.tree.shanlong, actor=flow.users.alice
        )
    with pytest.raises(services.NotInScope):
        services.spot_check_draw(
            round=flow.round, level=SpotCheckLevel.TOWNSHIP, area=flow.tree.shanlong, actor=flow.users.dave
        )


@pytestmark_db
def test_a_redraw_after_results_is_refused(flow):
    surveyed_batch(flow, 5)
    check = services.spot_check_draw(
        round=flow.round,
        level=SpotCheckLevel.TOWNSHIP,
        area=flow.tree.shanlong,
        actor=flow.users.carol,
        rate=Decimal("0.5"),
        seed=7,
    )
    services.spot_check_record(
        spot_check=check, application=Application(pk=check.drawn[0]), actor=flow.users.carol, truthful=True
    )
    with pytest.raises(WorkflowError, match="上一次抽查已有核查结果,不能重新抽取"):
        services.spot_check_draw(
            round=flow.round, level=SpotCheckLevel.TOWNSHIP, area=flow.tree.shanlong, actor=flow.users.carol
        )


@pytestmark_db
def test_verification_waits_for_an_all_true_sample(flow):
    apps = surveyed_batch(flow, 5)
    check = services.spot_check_draw(
        round=flow.round,
        level=SpotCheckLevel.TOWNSHIP,
        area=flow.tree.shanlong,
        actor=flow.users.carol,
        rate=Decimal("0.4"),
        seed=1,
    )
    first, second = check.drawn
    services.spot_check_record(
        spot_check=check, application=Application(pk=first), actor=flow.users.carol, truthful=True
    )
    with pytest.raises(WorkflowError, match="该村的抽查核查中,只有抽查全部属实才能审核通过"):
        services.village_verify(spot_check=check, actor=flow.users.carol)
    with pytest.raises(WorkflowError, match="该户未被抽中"):
        undrawn = next(a for a in apps if a.pk not in check.drawn)
        services.spot_check_record(
            spot_check=check, application=undrawn, actor=flow.users.carol, truthful=True
        )

    services.spot_check_record(
        spot_check=check, application=Application(pk=second), actor=flow.users.carol, truthful=True
    )
    check.refresh_from_db()
    assert check.status == SpotCheckStatus.PASSED
    verified = services.village_verify(spot_check=check, actor=flow.users.carol)
    assert sorted(a.pk for a in verified) == sorted(a.pk for a in apps)
    assert last_event(apps[0], "application.verified").new == {"state": "verified", "spot_check": check.pk}


@pytestmark_db
def test_one_untrue_finding_sends_the_whole_group_back_to_evaluation(flow):
    t = flow.tree
    dazhai = surveyed_batch(flow, 4, t.dazhai)
    xiaozhai = surveyed_batch(flow, 2, t.xiaozhai)
    check = services.spot_check_draw(
        round=flow.round,
        level=SpotCheckLevel.TOWNSHIP,
        area=t.shanlong,
        actor=flow.users.carol,
        rate=Decimal("1"),
        seed=3,
    )
    untrue = dazhai[0]

    services.spot_check_record(
        spot_check=check,
        application=untrue,
        actor=flow.users.carol,
        truthful=False,
        note="实有货车一辆,未如实申报",
    )

    check.refresh_from_db()
    assert check.status == SpotCheckStatus.FAILED
    assert {a.state for a in Application.objects.filter(pk__in=[a.pk for a in dazhai])} == {State.SUBMITTED}
    # The other group of the village keeps its place, but cannot be verified on a failed sample.
    assert {a.state for a in Application.objects.filter(pk__in=[a.pk for a in xiaozhai])} == {
        State.VILLAGE_PUBLICIZED
    }
    event = last_event(dazhai[3], "application.redo")
    assert event.actor == flow.users.carol
    assert (event.old, event.new) == ({"state": "village_done"}, {"state": "submitted"})
    # Off every notice it stood on: it must pass the group and village notices again.
    assert not Entry.objects.filter(subject_id__in=[a.pk for a in dazhai], struck=False).exists()
    assert check.redo_scope == "group"
    assert event.reason.startswith(f"乡镇抽查发现户 {untrue.household.number} 情况不实,大寨组推倒重来")
    with pytest.raises(WorkflowError, match="该抽查已发现不实"):
        services.spot_check_record(
            spot_check=check, application=dazhai[1], actor=flow.users.carol, truthful=True
        )
    with pytest.raises(WorkflowError, match="只有抽查全部属实才能审核通过"):
        services.village_verify(spot_check=check, actor=flow.users.carol)
    assert last_event(check, "spot_check.completed").new == {"status": "failed", "redo_scope": "group"}


@pytestmark_db
def test_diwubu_the_township_may_choose_the_whole_village_for_tuidao_chonglai(flow):
    t = flow.tree
    dazhai = surveyed_batch(flow, 2, t.dazhai)
    xiaozhai = surveyed_batch(flow, 2, t.xiaozhai)
    check = services.spot_check_draw(
        round=flow.round,
        level=SpotCheckLevel.TOWNSHIP,
        area=t.shanlong,
        actor=flow.users.carol,
        rate=Decimal("1"),
    )
    services.spot_check_record(
        spot_check=check, application=dazhai[0], actor=flow.users.carol, truthful=False, note="收入漏报",
        redo_scope="village",
    )  # fmt: skip
    check.refresh_from_db()
    assert check.redo_scope == "village"
    assert {a.state for a in Application.objects.filter(pk__in=[a.pk for a in dazhai + xiaozhai])} == {
        State.SUBMITTED
    }
    assert "山龙村推倒重来" in last_event(xiaozhai[0], "application.redo").reason


@pytestmark_db
def test_diwubu_each_list_is_sampled_at_twenty_percent_and_a_cross_household_counts_in_both(flow):
    fupin = surveyed_batch(flow, 5, wage="4500")  # 1,500 each: 扶贫 only
    dibao = surveyed_batch(flow, 4, fupin=False, dibao=True, wage="1200")  # 400 each: 低保 only
    cross = surveyed_batch(flow, 1, dibao=True, wage="1200")
    check = services.spot_check_draw(
        round=flow.round,
        level=SpotCheckLevel.TOWNSHIP,
        area=flow.tree.shanlong,
        actor=flow.users.carol,
        seed=5,
    )
    fupin_list = sorted(a.pk for a in fupin + cross)
    dibao_list = sorted(a.pk for a in dibao + cross)
    assert check.lists["fupin"]["population"] == fupin_list
    assert check.lists["dibao"]["population"] == dibao_list
    assert len(check.lists["fupin"]["drawn"]) == 2  # ceil(0.2 × 6)
    assert len(check.lists["dibao"]["drawn"]) == 1  # ceil(0.2 × 5)
    assert check.lists["fupin"]["drawn"] == sampling.draw(fupin_list, rate=Decimal("0.2"), seed=5)
    assert check.lists["dibao"]["drawn"] == sampling.draw(dibao_list, rate=Decimal("0.2"), seed=5)
    assert check.drawn == sorted(set(check.lists["fupin"]["drawn"]) | set(check.lists["dibao"]["drawn"]))


@pytestmark_db
def test_an_untrue_finding_needs_a_note(flow):
    surveyed_batch(flow, 1)
    check = services.spot_check_draw(
        round=flow.round, level=SpotCheckLevel.TOWNSHIP, area=flow.tree.shanlong, actor=flow.users.carol
    )
    with pytest.raises(WorkflowError, match="情况不实须写明核查发现的问题"):
        services.spot_check_record(
            spot_check=check,
            application=Application(pk=check.drawn[0]),
            actor=flow.users.carol,
            truthful=False,
        )


@pytestmark_db
def test_diliubu_each_bureau_samples_at_least_five_percent_of_its_own_list(flow):
    apps = flow.advance([flow.new(dibao=True) for _ in range(3)], State.PUBLICIZED, wage="1200")
    with pytest.raises(WorkflowError, match="抽查比例须在 5% 到 100% 之间"):
        services.spot_check_draw(
            round=flow.round,
            level=SpotCheckLevel.COUNTY,
            area=flow.tree.county,
            actor=flow.users.minzheng,
            rate=Decimal("0.04"),
        )
    with pytest.raises(WorkflowError, match=r"县级抽查由县扶贫办\(扶贫\)和县民政局\(低保\)各自抽取"):
        services.spot_check_draw(
            round=flow.round, level=SpotCheckLevel.COUNTY, area=flow.tree.county, actor=flow.users.admin
        )
    with pytest.raises(services.NotInScope):
        services.spot_check_draw(
            round=flow.round, level=SpotCheckLevel.COUNTY, area=flow.tree.county, actor=flow.users.carol
        )
    check = services.spot_check_draw(
        round=flow.round,
        level=SpotCheckLevel.COUNTY,
        area=flow.tree.county,
        actor=flow.users.minzheng,
        seed=9,
    )
    assert check.program == "dibao"
    assert sorted(check.population) == sorted(a.pk for a in apps)
    assert len(check.drawn) == 1  # ceil(0.05 × 3)
    services.spot_check_record(
        spot_check=check, application=Application(pk=check.drawn[0]), actor=flow.users.minzheng, truthful=True
    )
    check.refresh_from_db()
    assert check.status == SpotCheckStatus.PASSED
    # Every publicized 低保 application is in 民政's sample now: nothing left for 民政 to draw …
    with pytest.raises(WorkflowError, match="目前没有可抽查的低保申请"):
        services.spot_check_draw(
            round=flow.round, level=SpotCheckLevel.COUNTY, area=flow.tree.county, actor=flow.users.minzheng
        )
    # … while 扶贫办 still draws its own sample of the same cross households.
    own = services.spot_check_draw(
        round=flow.round, level=SpotCheckLevel.COUNTY, area=flow.tree.county, actor=flow.users.fupin
    )
    assert (own.program, sorted(own.population)) == ("fupin", sorted(a.pk for a in apps))


@pytestmark_db
def test_after_tuidao_chonglai_the_group_goes_round_again_and_can_pass(flow):
    apps = surveyed_batch(flow, 2)
    check = services.spot_check_draw(
        round=flow.round,
        level=SpotCheckLevel.TOWNSHIP,
        area=flow.tree.shanlong,
        actor=flow.users.carol,
        rate=Decimal("1"),
    )
    services.spot_check_record(
        spot_check=check, application=apps[0], actor=flow.users.carol, truthful=False, note="收入漏报"
    )
    # The group meets again, the notices run again, the households are surveyed again.
    again = flow.advance(apps, State.VILLAGE_PUBLICIZED, wage="1200")
    assert [a.surveys.count() for a in again] == [2, 2]
    verified = flow.verify(again)
    assert {a.state for a in verified} == {State.VERIFIED}
    check.refresh_from_db()
    assert check.status == SpotCheckStatus.FAILED  # the failed sample stays on record
    assert last_event(again[0], "application.verified").new["spot_check"] != check.pk
