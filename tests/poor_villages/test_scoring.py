"""The scoring maths on the small tree of conftest.py, computed by hand.

Default weights: 贫困发生率 35, 人均纯收入 25, 路 8, 饮水 8, 电 4, 卫生室 5, 学校 5, 宽带 4, 集体收入 6.

行政村 (min–max over the three villages):
    山龙村  rate 50 %   → 50;  income 3,000 (registry 24,000 ÷ 8) → (4,000−3,000)/2,000 = 50;
            lacks 饮水 and 宽带 → 100 each; 集体 10,000 → 0.     35×50 + 25×50 + 8×100 + 4×100 = 4,200 → 42.000
    法杂村  rate 0 % → 0; income 2,000 (its 登记表) → 100; 集体 0 → 100.   25×100 + 6×100 = 3,100 → 31.000
    雨柱村  rate 100 % → 100; income 4,000 → 0; no profile: nothing counts as lacking.   35×100 → 35.000
村民小组 (a group without a profile takes its village's; income from its own households):
    大寨组 rate 100, income 1,000 → 100, lacks 饮水 and 宽带, 集体 10,000 → 0:  3,500+2,500+800+400 → 72.000
    小寨组 rate 0, income 5,000 → 0, lacks 饮水 and 宽带:                        800+400 → 12.000
    新村组 rate 0, income 3,000 → 50, 集体 0 → 100:                              1,250+600 → 18.500
    坡头组 rate 100, income 4,000 → 25:                                          3,500+625 → 41.250
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from accounts.models import AuditEvent
from identification.poor_villages import services
from identification.poor_villages.models import RankingRow
from reports.statistics import figures_by_village
from tests.poor_villages.conftest import add_household, rows_of


def test_villages_are_scored_and_ranked_as_computed_by_hand(done_run):
    rows = rows_of(done_run)
    assert done_run.status == "done" and done_run.progress == 100
    assert [rows[n].score for n in ("山龙村", "法杂村", "雨柱村")] == [
        Decimal("42"),
        Decimal("31"),
        Decimal("35"),
    ]
    assert [rows[n].rank for n in ("山龙村", "雨柱村", "法杂村")] == [1, 2, 3]
    # In its township: 丹凤镇 山龙 1, 法杂 2; 雄壁镇 雨柱 1.
    assert [rows[n].township_rank for n in ("山龙村", "法杂村", "雨柱村")] == [1, 2, 1]


def test_groups_are_scored_and_ranked_as_computed_by_hand(done_run):
    rows = rows_of(done_run)
    scores = {n: rows[n].score for n in ("大寨组", "小寨组", "新村组", "坡头组")}
    assert scores == {
        "大寨组": Decimal("72"),
        "小寨组": Decimal("12"),
        "新村组": Decimal("18.5"),
        "坡头组": Decimal("41.25"),
    }
    assert [rows[n].rank for n in ("大寨组", "坡头组", "新村组", "小寨组")] == [1, 2, 3, 4]


def test_every_score_is_traceable_to_its_inputs(done_run):
    rows = rows_of(done_run)
    shanlong = rows["山龙村"]
    assert (shanlong.persons, shanlong.fupin_persons, shanlong.poverty_rate) == (8, 4, Decimal("50"))
    assert shanlong.net_income == Decimal("3000") and shanlong.income_source == "registry"
    assert shanlong.facilities["water"] is False and shanlong.facilities["road"] is True
    assert shanlong.parts["poverty_rate"] == 50 and shanlong.parts["water"] == 100
    fazai = rows["法杂村"]
    assert fazai.net_income == Decimal("2000") and fazai.income_source == "profile"
    assert rows["雨柱村"].profile_of == "" and rows["雨柱村"].facilities["road"] is None
    assert rows["大寨组"].profile_of == "village" and rows["大寨组"].income_source == "registry"
    # Σ weight × part ÷ 100 is the score, for every row.
    weights = {k: Decimal(v) for k, v in done_run.weights.items()}
    for row in rows.values():
        total = sum(weights[k] * Decimal(str(v)) for k, v in row.parts.items()) / 100
        assert abs(total - row.score) < Decimal("0.001"), row.area.name
    # The min and max each indicator was scaled by are kept with the run.
    assert done_run.summary["village"]["poverty_rate"] == ["0.0000", "100.0000"]
    assert done_run.summary["village"]["net_income"] == ["2000.00", "4000.00"]
    assert done_run.summary["village"]["no_profile"] == 1 and done_run.summary["group"]["units"] == 4


def test_poverty_rate_is_the_one_the_statistics_count(done_run, ranked_tree, users):
    table = figures_by_village(ranked_tree.county, user=users.fupin)
    rows = rows_of(done_run)
    for figures in table.rows:
        assert rows[figures.name].poverty_rate == figures.incidence


def test_latest_income_record_up_to_the_income_year_counts(
    ranked_tree, users, django_capture_on_commit_callbacks
):
    household = add_household(ranked_tree.potou, persons=2, per_capita=100, year=2010)
    from households.models import IncomeRecord

    IncomeRecord.objects.create(household=household, year=2012, persons=2, wage_income=Decimal(1))
    with django_capture_on_commit_callbacks(execute=True):
        run = services.run_create(actor=users.fupin, year=2012, income_year=2011)
    # 坡头组: (4 × 4,000 + 2 × 100) ÷ 6 = 2,700; the 2012 record is after the income year.
    assert rows_of(run)["坡头组"].net_income == Decimal("2700")


def test_an_indicator_all_units_share_scores_nothing(ranked_tree, users, django_capture_on_commit_callbacks):
    from villages.models import AreaProfile

    AreaProfile.objects.update(has_broadband=True, drinking_water_safe=True)
    with django_capture_on_commit_callbacks(execute=True):
        run = services.run_create(actor=users.fupin, year=2012, income_year=2011)
    assert all(r.parts["water"] == 0 and r.parts["broadband"] == 0 for r in run.rows.all())


def test_weights_change_the_ranking(ranked_tree, users, django_capture_on_commit_callbacks):
    # Income alone: 法杂村 (2,000) is the poorest village, 雨柱村 (4,000) the least poor.
    services.settings_save(
        actor=users.fupin,
        weights={
            "net_income": Decimal(100),
            **dict.fromkeys(
                (
                    "poverty_rate",
                    "road",
                    "water",
                    "power",
                    "clinic",
                    "school",
                    "broadband",
                    "collective_income",
                ),
                0,
            ),
        },
    )
    with django_capture_on_commit_callbacks(execute=True):
        run = services.run_create(actor=users.fupin, year=2012, income_year=2011)
    rows = rows_of(run)
    assert [rows[n].rank for n in ("法杂村", "山龙村", "雨柱村")] == [1, 2, 3]
    assert rows["法杂村"].score == 100 and rows["雨柱村"].score == 0
    event = AuditEvent.objects.get(event_type="poor_village.weights_set")
    assert event.actor == users.fupin and event.new["net_income"] == "100"


def test_equal_scores_share_a_rank(county_tree, users, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        run = services.run_create(actor=users.fupin, year=2012, income_year=2011)
    # No households, no profiles: every unit scores 0 and all share rank 1.
    assert set(run.rows.values_list("score", "rank").distinct()) == {(Decimal("0"), 1)}
    assert run.rows.count() == 7


def test_task_is_idempotent(done_run):
    before = list(RankingRow.objects.filter(run=done_run).values_list("area_id", "score", "rank"))
    services.run(run_id=done_run.pk)  # done: left as it is
    done_run.status = "running"
    done_run.save(update_fields=["status"])
    services.run(run_id=done_run.pk)  # interrupted: scored again from nothing
    after = list(RankingRow.objects.filter(run=done_run).values_list("area_id", "score", "rank"))
    assert sorted(before) == sorted(after)


@pytest.mark.parametrize("who", ["alice", "carol", "minzheng", "admin"])
def test_only_the_county_fupin_office_runs_and_sets_weights(ranked_tree, users, who):
    from identification.transitions import WorkflowError

    actor = getattr(users, who)
    with pytest.raises(WorkflowError) as refused:
        services.run_create(actor=actor, year=2012, income_year=2011)
    assert refused.value.code == "wrong_role"
    with pytest.raises(WorkflowError):
        services.settings_save(actor=actor, weights=services.current_weights(ranked_tree.county))


def test_weights_must_add_up_to_100_and_keep_a_main_indicator(ranked_tree, users):
    from identification.transitions import WorkflowError

    weights = services.current_weights(ranked_tree.county)
    with pytest.raises(WorkflowError, match="之和须为 100%"):
        services.settings_save(actor=users.fupin, weights={**weights, "road": Decimal(9)})
    with pytest.raises(WorkflowError, match="主要指标"):
        services.settings_save(
            actor=users.fupin,
            weights={**dict.fromkeys(weights, Decimal(0)), "road": Decimal(50), "water": Decimal(50)},
        )
    with pytest.raises(WorkflowError, match="收入年度"):
        services.run_create(actor=users.fupin, year=2012, income_year=2013)
