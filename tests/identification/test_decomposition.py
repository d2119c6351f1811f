"""规模分解: the pure computation, the registry's indicators, the service and task, and the screens."""

from __future__ import annotations

import random
from decimal import Decimal
from fractions import Fraction

import pytest
from django.urls import reverse

from accounts.models import AuditEvent
from households.models import Case, IncomeRecord
from identification import decomposition as service
from identification.decomposition import DEFAULT_WEIGHTS, DecompositionError, decompose, root_of
from identification.models import Decomposition, Quota
from identification.services import NotInScope
from identification.tasks import run_decomposition
from identification.transitions import WorkflowError
from tests.factories import HouseholdFactory, MemberFactory
from villages.indicators import INDICATORS, subtree_indicators

pytestmark = pytest.mark.django_db

EQUAL = {k: Decimal(25) for k in INDICATORS}
ONLY_RURAL = {
    "rural_population": 100,
    "low_income_population": 0,
    "dibao_population": 0,
    "disabled_population": 0,
}


def url(name: str, *args) -> str:
    return reverse(f"identification:{name}", args=args)


# --- the pure computation ---------------------------------------------------------------------------


def area(name, level, parent, rural=0, low=0, dibao=0, disabled=0):
    return {
        "name": name,
        "level": level,
        "parent": parent,
        "rural_population": rural,
        "low_income_population": low,
        "dibao_population": dibao,
        "disabled_population": disabled,
        "typed": [],
    }


def random_county(seed: int = 7, townships: int = 6) -> dict:
    """A county of `townships` townships, 2–9 villages each, 3–8 groups per village, random figures."""
    rng = random.Random(seed)
    inputs = {"530323000000": area("县", "county", None)}
    for t in range(1, townships + 1):
        tcode = f"530323{100 + t}000"
        inputs[tcode] = area(f"乡{t}", "township", "530323000000")
        for v in range(1, rng.randint(2, 9) + 1):
            vcode = f"{tcode[:9]}{200 + v}"
            inputs[vcode] = area(f"村{t}-{v}", "village", tcode)
            for g in range(1, rng.randint(3, 8) + 1):
                rural = rng.randint(50, 900)
                inputs[f"{vcode}{g:03d}"] = area(
                    f"组{t}-{v}-{g}",
                    "group",
                    vcode,
                    rural,
                    rng.randint(0, rural // 3),
                    rng.randint(0, rural // 10),
                    rng.randint(0, rural // 30),
                )
    # Villages and townships carry the sums of what is below them, as villages.indicators builds them.
    for level in ("village", "township"):
        for code, item in inputs.items():
            if item["level"] == level:
                kids = [c for c in inputs.values() if c["parent"] == code]
                for k in INDICATORS:
                    item[k] = sum(c[k] for c in kids)
    return inputs


def assert_sums_exact(inputs, outcome, control):
    persons = {root_of(inputs): control, **outcome.persons}
    children = service.children_of(inputs)
    for parent, kids in children.items():
        assert sum(persons[k] for k in kids) == persons[parent], inputs[parent]["name"]
    assert set(outcome.persons) == set(inputs) - {root_of(inputs)}


@pytest.mark.parametrize("control", [0, 1, 999, 112_800, 400_297])
def test_integer_figures_add_up_exactly_at_every_level(control):
    inputs = random_county()
    outcome = decompose(
        inputs=inputs, root="530323000000", control=control, weights=DEFAULT_WEIGHTS, overrides={}
    )
    assert_sums_exact(inputs, outcome, control)
    assert all(n >= 0 for n in outcome.persons.values())


def test_shares_follow_the_weighted_indicator_shares():
    inputs = {
        "c": area("县", "county", None),
        "a": area("甲", "township", "c", rural=300, low=10),
        "b": area("乙", "township", "c", rural=100, low=30),
    }
    by_rural = decompose(inputs=inputs, root="c", control=100, weights=ONLY_RURAL, overrides={})
    assert by_rural.persons == {"a": 75, "b": 25}
    half = {
        "rural_population": 50,
        "low_income_population": 50,
        "dibao_population": 0,
        "disabled_population": 0,
    }
    # 甲: ½·¾ + ½·¼ = ½; 乙: ½·¼ + ½·¾ = ½.
    assert decompose(inputs=inputs, root="c", control=100, weights=half, overrides={}).persons == {
        "a": 50,
        "b": 50,
    }


def test_an_indicator_zero_everywhere_drops_out():
    inputs = {
        "c": area("县", "county", None),
        "a": area("甲", "township", "c", rural=300),
        "b": area("乙", "township", "c", rural=100),
    }
    outcome = decompose(inputs=inputs, root="c", control=100, weights=DEFAULT_WEIGHTS, overrides={})
    assert outcome.persons == {"a": 75, "b": 25}


def test_largest_remainders_get_the_leftover_persons():
    inputs = {"k": area("县", "county", None), **{x: area(x, "township", "k", rural=1) for x in "abc"}}
    outcome = decompose(inputs=inputs, root="k", control=10, weights=ONLY_RURAL, overrides={})
    assert outcome.persons == {"a": 4, "b": 3, "c": 3}  # a tie goes to the earlier code
    assert outcome.exact["a"] == Fraction(10, 3)


def test_override_is_kept_and_siblings_share_the_rest_in_the_same_proportions():
    inputs = random_county()
    free = decompose(inputs=inputs, root="530323000000", control=50_000, weights=EQUAL, overrides={})
    fixed = decompose(
        inputs=inputs,
        root="530323000000",
        control=50_000,
        weights=EQUAL,
        overrides={"530323101000": 20_000, "530323102201": 77},
    )
    assert fixed.persons["530323101000"] == 20_000
    assert fixed.persons["530323102201"] == 77
    assert_sums_exact(inputs, fixed, 50_000)
    others = [f"530323{100 + t}000" for t in range(2, 7)]
    assert sum(fixed.persons[t] for t in others) == 30_000
    # The others keep their relative sizes: their exact shares scale by one factor.
    ratios = {fixed.exact[t] / free.exact[t] for t in others}
    assert len(ratios) == 1
    # The fixed village's siblings share what is left of their township's figure.
    siblings = [c for c in service.children_of(inputs)["530323102000"] if c != "530323102201"]
    assert sum(fixed.persons[c] for c in siblings) == fixed.persons["530323102000"] - 77


def test_overrides_exceeding_the_parent_are_refused_with_names_and_figures():
    inputs = random_county()
    with pytest.raises(DecompositionError) as caught:
        decompose(
            inputs=inputs,
            root="530323000000",
            control=1000,
            weights=EQUAL,
            overrides={"530323101000": 800, "530323102000": 300},
        )
    (message,) = caught.value.errors
    assert "县的指标为 1000 人" in message and "指定数合计 1100 人" in message and "超出 100 人" in message
    assert "乡1 800" in message


def test_all_siblings_fixed_must_add_up_to_the_parent():
    inputs = {
        "c": area("县", "county", None),
        "a": area("甲", "township", "c", rural=3),
        "b": area("乙", "township", "c", rural=1),
    }
    with pytest.raises(DecompositionError) as caught:
        decompose(inputs=inputs, root="c", control=100, weights=EQUAL, overrides={"a": 50, "b": 40})
    assert caught.value.errors == ["县下的 2 个乡镇已全部指定,合计 90 人,与县的指标 100 人不符(相差 10 人)。"]
    ok = decompose(inputs=inputs, root="c", control=100, weights=EQUAL, overrides={"a": 60, "b": 40})
    assert ok.persons == {"a": 60, "b": 40}


def test_every_problem_is_reported_at_once():
    inputs = random_county()
    children = service.children_of(inputs)
    v1, v2 = children["530323101000"][:2], children["530323102000"][:1]
    overrides = {v1[0]: 10**6, v2[0]: 10**6}
    with pytest.raises(DecompositionError) as caught:
        decompose(inputs=inputs, root="530323000000", control=1000, weights=EQUAL, overrides=overrides)
    assert len(caught.value.errors) == 2


def test_unknown_or_county_override_codes_are_refused():
    inputs = random_county()
    with pytest.raises(DecompositionError) as caught:
        decompose(
            inputs=inputs,
            root="530323000000",
            control=10,
            weights=EQUAL,
            overrides={"530323999000": 1, "530323000000": 10},
        )
    assert caught.value.errors == [
        "县控制指标在“县控制指标”一栏填写,不能在指定数中指定。",
        "指定数中的区划代码 530323999000 不存在,或不在本县。",
    ]


def test_siblings_without_any_data_share_equally_with_a_warning():
    inputs = {
        "c": area("县", "county", None),
        "a": area("甲", "township", "c", rural=10),
        "a1": area("一组", "village", "a"),
        "a2": area("二组", "village", "a"),
    }
    outcome = decompose(inputs=inputs, root="c", control=5, weights=EQUAL, overrides={})
    assert outcome.persons == {"a": 5, "a1": 3, "a2": 2}
    assert outcome.warnings == [
        "甲下未指定的 2 个行政村在所用指标上均为 0,其 5 人按平均分配;请录入指标或指定其人数。"
    ]


def test_same_inputs_give_the_same_figures_whatever_the_order():
    inputs = random_county(seed=3)
    shuffled = list(inputs.items())
    random.Random(1).shuffle(shuffled)
    args = {"root": "530323000000", "control": 112_800, "weights": DEFAULT_WEIGHTS, "overrides": {}}
    assert decompose(inputs=inputs, **args) == decompose(inputs=dict(shuffled), **args)


# --- indicators from the registry ------------------------------------------------------------------


def add_household(group, *, persons, per_capita=None, year=2011, dibao=False, disabled=0):
    household = HouseholdFactory(group=group)
    for i in range(persons):
        extra = {"health": "残疾", "disability_certificate": f"5303231970010{i}"} if i < disabled else {}
        MemberFactory(household=household, relation="户主" if i == 0 else "之子", **extra)
    if per_capita is not None:
        IncomeRecord.objects.create(
            household=household, year=year, persons=persons, wage_income=Decimal(per_capita) * persons
        )
    if dibao:
        Case.objects.create(household=household, program="dibao", entered_year=2010)
    return household


def test_indicators_are_counted_from_the_registry_and_typed_figures_win(round_2012, county_tree):
    t = county_tree
    poor = add_household(t.dazhai, persons=4, per_capita=2000, dibao=True, disabled=1)
    add_household(t.dazhai, persons=2, per_capita=3000)
    add_household(t.xiaozhai, persons=3, per_capita=2299.99, disabled=2)
    add_household(t.potou, persons=5)  # no income record: not counted as low income
    # The latest record up to the income year counts: 2010 was poor, 2011 is not.
    rich = add_household(t.xincun, persons=2, per_capita=1000, year=2010)
    IncomeRecord.objects.create(household=rich, year=2011, persons=2, wage_income=Decimal(9000))
    Case.objects.create(household=poor, program="fupin", entered_year=2012)
    Case.objects.create(household=rich, program="dibao", entered_year=2009, state="exited", left_year=2011)

    figures = subtree_indicators(t.county, poverty_line=round_2012.poverty_line, income_year=2011)

    def values(a):
        return [figures[a.code].values[k] for k in INDICATORS]

    assert values(t.dazhai) == [6, 4, 4, 1]
    assert values(t.xiaozhai) == [3, 3, 0, 2]
    assert values(t.shanlong) == [9, 7, 4, 3]
    assert values(t.fazai) == [2, 0, 0, 0]
    # 丹凤镇's 乡村人口数 is typed (118696); its other figures add up its villages.
    assert values(t.danfeng) == [118696, 7, 4, 3]
    assert figures[t.danfeng.code].typed == {"rural_population"}
    assert values(t.county) == [118696 + 54862, 7, 4, 3]


# --- the service and the task ----------------------------------------------------------------------


def create(round, actor, **kwargs):
    params = {"control_number": 1000, "weights": DEFAULT_WEIGHTS, "overrides": {}} | kwargs
    return service.decomposition_create(round=round, actor=actor, **params)


def test_a_run_is_computed_after_commit_and_kept_with_inputs(
    round_2012, county_tree, users, django_capture_on_commit_callbacks
):
    t = county_tree
    add_household(t.dazhai, persons=4, per_capita=2000)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        run = create(round_2012, users.fupin, overrides={t.xiongbi.code: 300}, note="第一次测算")
    # The task's publication, and the audited change's bump of the county's data version (accounts.freshness).
    assert len(callbacks) == 2
    run.refresh_from_db()
    assert run.status == Decomposition.Status.DONE and run.progress == 100 and run.task_id
    areas = [t.danfeng, t.xiongbi, t.shanlong, t.fazai, t.yuzhu, t.dazhai, t.xiaozhai, t.xincun, t.potou]
    assert set(run.result) == {a.code for a in areas}
    assert run.result[t.xiongbi.code] == 300 and run.result[t.danfeng.code] == 700
    assert run.result[t.shanlong.code] + run.result[t.fazai.code] == 700
    assert run.result[t.yuzhu.code] == run.result[t.potou.code] == 300
    # 法杂村 and 新村组 have no registered households: 山龙村 takes 丹凤镇's whole figure.
    assert run.result[t.fazai.code] == 0 and run.result[t.dazhai.code] == 700
    assert run.inputs[t.danfeng.code]["rural_population"] == 118696
    assert run.inputs[t.dazhai.code]["low_income_population"] == 4
    event = AuditEvent.objects.get(event_type="decomposition.created")
    assert event.actor == users.fupin and event.new["overrides"] == {t.xiongbi.code: 300}


def test_task_is_idempotent_and_rerun_gives_the_same_result(
    round_2012, county_tree, users, django_capture_on_commit_callbacks
):
    t = county_tree
    add_household(t.dazhai, persons=4, per_capita=2000)
    add_household(t.xincun, persons=3, per_capita=5000)
    with django_capture_on_commit_callbacks(execute=True):
        run = create(round_2012, users.fupin)
    run.refresh_from_db()
    first = (run.inputs, run.result, run.exact)
    add_household(t.xincun, persons=6)  # the registry moves on; the run keeps what it read
    run_decomposition.delay(run.pk)
    run_decomposition(run.pk)
    run.refresh_from_db()
    assert (run.inputs, run.result, run.exact) == first
    assert Decomposition.objects.count() == 1

    # A run interrupted after reading its inputs is computed again from those inputs.
    Decomposition.objects.filter(pk=run.pk).update(status="running", result={}, exact={})
    run_decomposition(run.pk)
    run.refresh_from_db()
    assert run.status == "done" and (run.inputs, run.result, run.exact) == first


def test_two_runs_with_the_same_inputs_give_the_same_figures(
    round_2012, county_tree, users, django_capture_on_commit_callbacks
):
    add_household(county_tree.dazhai, persons=4, per_capita=2000)
    add_household(county_tree.potou, persons=2)
    with django_capture_on_commit_callbacks(execute=True):
        first = create(round_2012, users.fupin, control_number=777)
        second = create(round_2012, users.fupin, control_number=777)
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.result == second.result and first.inputs == second.inputs


def test_impossible_overrides_fail_the_run_with_reasons(
    round_2012, county_tree, users, django_capture_on_commit_callbacks
):
    t = county_tree
    with django_capture_on_commit_callbacks(execute=True):
        run = create(round_2012, users.fupin, overrides={t.danfeng.code: 600, t.xiongbi.code: 600})
    run.refresh_from_db()
    assert run.status == Decomposition.Status.FAILED and run.result == {}
    assert run.errors == [
        "师宗县的指标为 1000 人,其下乡镇的指定数合计 1200 人(丹凤镇 600、雄壁镇 600),超出 200 人。"
    ]
    run_decomposition(run.pk)  # still the same answer
    run.refresh_from_db()
    assert run.status == "failed" and len(run.errors) == 1


@pytest.mark.parametrize("who", ["alice", "minzheng", "admin"])
def test_only_the_county_fupin_office_may_run_a_decomposition(round_2012, users, who):
    """The township official's own run is tested in test_quota_control.py."""
    with pytest.raises(WorkflowError) as caught:
        create(round_2012, getattr(users, who))
    assert caught.value.code == "wrong_role"
    assert not Decomposition.objects.exists()


def test_create_checks_weights_codes_and_round(round_2012, county_tree, users):
    bad_weights = dict(DEFAULT_WEIGHTS, disabled_population=Decimal(5))
    with pytest.raises(WorkflowError, match="权重之和须为 100%,现为 95%"):
        create(round_2012, users.fupin, weights=bad_weights)
    with pytest.raises(WorkflowError, match="不存在或不在您的管辖区域内:530323999000"):
        create(round_2012, users.fupin, overrides={"530323999000": 1})
    with pytest.raises(WorkflowError, match="不能在指定数中指定"):
        create(round_2012, users.fupin, overrides={county_tree.county.code: 1000})
    round_2012.closed = True
    round_2012.save()
    with pytest.raises(WorkflowError) as caught:
        create(round_2012, users.fupin)
    assert caught.value.code == "round_closed"


def done_run(round, users, django_capture_on_commit_callbacks, **kwargs):
    with django_capture_on_commit_callbacks(execute=True):
        run = create(round, users.fupin, **kwargs)
    run.refresh_from_db()
    assert run.status == "done", run.errors
    return run


def test_apply_writes_every_quota_in_one_event(
    round_2012, county_tree, users, django_capture_on_commit_callbacks
):
    t = county_tree
    add_household(t.dazhai, persons=4)
    add_household(t.xiaozhai, persons=4)
    run = done_run(round_2012, users, django_capture_on_commit_callbacks, control_number=100)
    changed = service.decomposition_apply(decomposition=run, actor=users.fupin)

    quotas = {q.area.code: q.persons for q in Quota.objects.filter(round=round_2012).select_related("area")}
    assert quotas == run.result
    assert changed == 9  # 9 areas; the four group quotas of 30 were all replaced
    run.refresh_from_db()
    assert run.applied and run.applied_by == users.fupin and run.applied_at
    event = AuditEvent.objects.get(event_type="quota.decomposition_applied")
    assert event.old["persons"] == {a.code: 30 for a in (t.dazhai, t.xiaozhai, t.xincun, t.potou)}
    assert event.new["persons"] == run.result and event.new["decomposition"] == run.pk

    assert service.decomposition_apply(decomposition=run, actor=users.fupin) == 0  # nothing left to change
    assert Quota.objects.filter(round=round_2012).count() == 9


def test_apply_is_refused_to_others_and_for_unfinished_runs(
    round_2012, county_tree, users, django_capture_on_commit_callbacks
):
    run = done_run(round_2012, users, django_capture_on_commit_callbacks)
    for who in (users.minzheng, users.alice):
        with pytest.raises(WorkflowError) as caught:
            service.decomposition_apply(decomposition=run, actor=who)
        assert caught.value.code == "wrong_role"
    with pytest.raises(NotInScope):  # the county's run is outside a township's area
        service.decomposition_apply(decomposition=run, actor=users.carol)
    Decomposition.objects.filter(pk=run.pk).update(status="failed")
    with pytest.raises(WorkflowError) as caught:
        service.decomposition_apply(decomposition=run, actor=users.fupin)
    assert caught.value.code == "wrong_state"
    assert Quota.objects.filter(round=round_2012, persons__gt=30).count() == 0


def test_a_real_worker_runs_the_task(celery_worker, county_tree, users):
    """Through Redis (skipped without REDIS_URL, failed in CI)."""
    import time

    from identification.models import Round

    round = Round.objects.create(year=2013, name="2013年动态调整", poverty_line=2736, dibao_line=1800)
    run = create(round, users.fupin)  # transactional_db: committed at once, so the task is sent
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        run.refresh_from_db()
        if run.is_finished:
            break
        time.sleep(0.2)
    assert (
        run.status == "done"
        and sum(run.result[t.code] for t in (county_tree.danfeng, county_tree.xiongbi)) == 1000
    )


# --- screens ---------------------------------------------------------------------------------------


def as_user(client, user):
    client.force_login(user)
    return client


FORM = {
    "control_number": "1000",
    "weight_rural": "40",
    "weight_low_income": "30",
    "weight_dibao": "20",
    "weight_disabled": "10",
    "overrides": "",
    "note": "",
}


def test_runs_page_for_the_county_refused_to_village_and_scoped_for_township(
    client, round_2012, users, django_capture_on_commit_callbacks
):
    county_run = done_run(round_2012, users, django_capture_on_commit_callbacks)
    target = url("decompositions", round_2012.pk)
    page = as_user(client, users.fupin).get(target)
    assert page.status_code == 200 and "新建测算" in page.content.decode()
    read_only = as_user(client, users.minzheng).get(target).content.decode()
    assert "新建测算" not in read_only and "历次测算" in read_only
    township = as_user(client, users.carol).get(target)
    assert township.status_code == 200
    assert url("decomposition", county_run.pk) not in township.content.decode()
    assert "县里尚未下达丹凤镇的规模控制指标" in township.content.decode()
    assert as_user(client, users.alice).get(target).status_code == 403


def test_new_run_from_the_form_computes_and_shows_the_result(
    client, round_2012, county_tree, users, django_capture_on_commit_callbacks
):
    t = county_tree
    as_user(client, users.fupin)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url("decompositions", round_2012.pk), FORM | {"overrides": "530323102 250"})
    run = Decomposition.objects.get()
    assert response.url == url("decomposition", run.pk)
    page = client.get(response.url).content.decode()
    assert "已完成" in page and "雄壁镇" in page and "750" in page and "250" in page
    village_level = client.get(response.url, {"area": t.danfeng.code}).content.decode()
    assert "山龙村" in village_level and "法杂村" in village_level
    assert client.get(response.url, {"area": "530323999000"}).status_code == 404


def test_bad_form_keeps_what_was_typed(client, round_2012, users):
    response = as_user(client, users.fupin).post(
        url("decompositions", round_2012.pk),
        FORM | {"control_number": "112800", "weight_disabled": "5", "overrides": "530323101 22207\n丹凤 5"},
    )
    page = response.content.decode()
    assert response.status_code == 200 and not Decomposition.objects.exists()
    assert "四项指标的权重之和须为 100%,现为 95%" in page
    assert "第 2 行“丹凤 5”:应写作“区划代码 人数”" in page
    assert 'value="112800"' in page and "530323101 22207" in page
    response = client.post(url("decompositions", round_2012.pk), FORM | {"weight_disabled": "5"})
    assert "四项指标的权重之和须为 100%,现为 95%" in response.content.decode()
    response = client.post(url("decompositions", round_2012.pk), FORM | {"overrides": "530323999 5"})
    assert "不存在或不在您的管辖区域内" in response.content.decode()


@pytest.mark.parametrize("who", ["minzheng", "alice"])
def test_others_cannot_post_a_run(client, round_2012, users, who):
    response = as_user(client, getattr(users, who)).post(url("decompositions", round_2012.pk), FORM)
    assert response.status_code == 403 and not Decomposition.objects.exists()


def test_run_page_status_and_refusals(
    client, round_2012, county_tree, users, django_capture_on_commit_callbacks
):
    run = done_run(round_2012, users, django_capture_on_commit_callbacks)
    assert as_user(client, users.minzheng).get(url("decomposition", run.pk)).status_code == 200
    status = client.get(url("decomposition_status", run.pk), headers={"HX-Request": "true"})
    assert status["HX-Refresh"] == "true" and "已完成" in status.content.decode()
    Decomposition.objects.filter(pk=run.pk).update(status="running", progress=60)
    polling = client.get(url("decomposition_status", run.pk), headers={"HX-Request": "true"})
    assert "HX-Refresh" not in polling and 'hx-trigger="every 1s"' in polling.content.decode()
    assert as_user(client, users.alice).get(url("decomposition", run.pk)).status_code == 403
    assert client.get(url("decomposition_status", run.pk)).status_code == 403
    # A township sees its own runs only: the county's is "not found".
    assert as_user(client, users.carol).get(url("decomposition", run.pk)).status_code == 404
    assert client.get(url("decomposition_status", run.pk)).status_code == 404


def test_editing_overrides_reruns_from_the_same_inputs(
    client, round_2012, county_tree, users, django_capture_on_commit_callbacks
):
    t = county_tree
    add_household(t.dazhai, persons=4)
    add_household(t.xincun, persons=4)
    run = done_run(round_2012, users, django_capture_on_commit_callbacks, overrides={t.dazhai.code: 10})
    data = {
        "parent": t.county.code,
        f"o-{t.danfeng.code}": "600",
        f"o-{t.xiongbi.code}": "",
        "note": "调整丹凤镇",
    }
    as_user(client, users.fupin)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url("decomposition_rerun", run.pk), data)
    new = Decomposition.objects.exclude(pk=run.pk).get()
    assert response.url == url("decomposition", new.pk) + f"?area={t.county.code}"
    assert new.based_on == run and new.inputs == run.inputs and new.note == "调整丹凤镇"
    assert new.overrides == {t.dazhai.code: 10, t.danfeng.code: 600}
    assert new.result[t.danfeng.code] == 600 and new.result[t.xiongbi.code] == 400
    assert new.result[t.dazhai.code] == 10

    bad = client.post(url("decomposition_rerun", run.pk), data | {f"o-{t.danfeng.code}": "-5"})
    assert bad.status_code == 200 and "不能为负数" in bad.content.decode()
    assert 'value="-5"' in bad.content.decode() and Decomposition.objects.count() == 2
    for who in (users.minzheng, users.alice):
        assert as_user(client, who).post(url("decomposition_rerun", run.pk), data).status_code == 403
    assert as_user(client, users.carol).post(url("decomposition_rerun", run.pk), data).status_code == 404
    assert Decomposition.objects.count() == 2


def test_apply_from_the_page(client, round_2012, county_tree, users, django_capture_on_commit_callbacks):
    run = done_run(round_2012, users, django_capture_on_commit_callbacks)
    for who in (users.minzheng, users.alice):
        assert as_user(client, who).post(url("decomposition_apply", run.pk)).status_code == 403
    assert as_user(client, users.carol).post(url("decomposition_apply", run.pk)).status_code == 404
    assert not Quota.objects.filter(round=round_2012, area=county_tree.danfeng).exists()
    response = as_user(client, users.fupin).post(url("decomposition_apply", run.pk), follow=True)
    assert "已按分解 #" in response.content.decode()
    assert (
        Quota.objects.get(round=round_2012, area=county_tree.danfeng).persons
        == run.result[county_tree.danfeng.code]
    )


def test_township_indicators_typed_on_the_page(client, round_2012, county_tree, users):
    t = county_tree
    target = url("decomposition_indicators", round_2012.pk)
    data = {f"{t.danfeng.code}-rural_population": "", f"{t.danfeng.code}-low_income_population": "10507"}
    as_user(client, users.fupin).post(target, data)
    t.danfeng.refresh_from_db()
    assert t.danfeng.rural_population is None and t.danfeng.low_income_population == 10507
    assert AuditEvent.objects.filter(event_type="area.indicators_set", area_code=t.danfeng.code).count() == 1

    bad = client.post(target, data | {f"{t.xiongbi.code}-dibao_population": "-1"})
    assert (
        bad.status_code == 200
        and "不能为负数" in bad.content.decode()
        and 'value="-1"' in bad.content.decode()
    )
    t.xiongbi.refresh_from_db()
    assert t.xiongbi.dibao_population is None
    for who in (users.minzheng, users.carol, users.alice):
        assert (
            as_user(client, who).post(target, data | {f"{t.danfeng.code}-dibao_population": "1"}).status_code
            == 403
        )
    t.danfeng.refresh_from_db()
    assert t.danfeng.dibao_population is None


def test_quotas_page_links_to_the_decomposition(client, round_2012, users):
    page = as_user(client, users.fupin).get(url("quotas", round_2012.pk)).content.decode()
    assert url("decompositions", round_2012.pk) in page and url("quota_table", round_2012.pk) in page
    township_page = as_user(client, users.carol).get(url("quotas", round_2012.pk)).content.decode()
    assert url("decompositions", round_2012.pk) in township_page  # 各乡镇要测算分解到村到组
    village_page = as_user(client, users.alice).get(url("quotas", round_2012.pk)).content.decode()
    assert url("decompositions", round_2012.pk) not in village_page
