"""Quota control (issue 9, point 7), against seed 002:

- 第一步 确定规模 / 四(一) "各乡镇要测算分解到村到组": a township official decomposes the township's own quota
  over its villages and groups (the county still decomposes the whole county);
- quotas at any level never add up above their parent or the round's 县控制指标 (refused with the figures);
- in a 动态调整 round the persons already on the 扶贫 roll count against the area's quota.
"""

from __future__ import annotations

import datetime
import importlib
from decimal import Decimal

import pytest
from django.apps import apps as django_apps
from django.urls import reverse

from accounts.models import AuditEvent
from households.models import Case
from identification import decomposition as service
from identification import selectors, services
from identification.choices import Origin, State
from identification.decomposition import DEFAULT_WEIGHTS
from identification.models import Application, Decomposition, Quota, Round
from identification.quota_import import import_quotas
from identification.services import NotInScope
from identification.transitions import WorkflowError
from tests.factories import HouseholdFactory, MemberFactory
from tests.identification.test_quota_import import sheet

pytestmark = pytest.mark.django_db


def url(name: str, *args) -> str:
    return reverse(f"identification:{name}", args=args)


def persons(round, area) -> int | None:
    return Quota.objects.filter(round=round, area=area).values_list("persons", flat=True).first()


def household(group, size: int):
    home = HouseholdFactory(group=group)
    for i in range(size):
        MemberFactory(household=home, relation="户主" if i == 0 else "之子")
    return home


def township_run(round, actor, django_capture_on_commit_callbacks, **kwargs) -> Decomposition:
    params = {"control_number": None, "weights": DEFAULT_WEIGHTS, "overrides": {}} | kwargs
    with django_capture_on_commit_callbacks(execute=True):
        run = service.decomposition_create(round=round, actor=actor, **params)
    run.refresh_from_db()
    return run


@pytest.fixture
def danfeng_100(round_2012, county_tree, users):
    """The county gives 丹凤镇 100 persons (雄壁镇 50) under a county control number of 200."""
    services.round_set_control_number(round=round_2012, actor=users.fupin, control_number=200)
    services.quota_set(round=round_2012, area=county_tree.danfeng, persons=100, actor=users.fupin)
    services.quota_set(round=round_2012, area=county_tree.xiongbi, persons=50, actor=users.fupin)
    round_2012.refresh_from_db()
    return round_2012


# --- 四(一) 各乡镇要测算分解到村到组: the township's own run ---------------------------------------------


def test_siyi_township_decomposes_its_own_quota_to_villages_and_groups(
    danfeng_100, county_tree, users, django_capture_on_commit_callbacks
):
    t = county_tree
    household(t.dazhai, 4)
    household(t.xincun, 2)
    run = township_run(danfeng_100, users.carol, django_capture_on_commit_callbacks)

    assert run.status == Decomposition.Status.DONE, run.errors
    assert run.scope == t.danfeng and run.control_number == 100
    assert set(run.result) == {a.code for a in (t.shanlong, t.fazai, t.dazhai, t.xiaozhai, t.xincun)}
    assert run.result[t.shanlong.code] + run.result[t.fazai.code] == 100
    assert run.result[t.dazhai.code] + run.result[t.xiaozhai.code] == run.result[t.shanlong.code]
    created = AuditEvent.objects.get(event_type="decomposition.created")
    assert created.actor == users.carol and created.area_code == t.danfeng.code

    changed = service.decomposition_apply(decomposition=run, actor=users.carol)

    assert changed == 5
    for area in (t.shanlong, t.fazai, t.dazhai, t.xiaozhai, t.xincun):
        assert persons(danfeng_100, area) == run.result[area.code]
    # Only the township's villages and groups: its own figure and the other township are untouched.
    assert persons(danfeng_100, t.danfeng) == 100
    assert persons(danfeng_100, t.xiongbi) == 50 and persons(danfeng_100, t.potou) == 30
    danfeng_100.refresh_from_db()
    assert danfeng_100.control_number == 200  # only a county run sets the county's number
    applied = AuditEvent.objects.get(event_type="quota.decomposition_applied")
    assert applied.actor == users.carol and applied.area_code == t.danfeng.code
    assert applied.new["scope"] == t.danfeng.code and set(applied.new["persons"]) == set(run.result)


def test_siyi_township_run_refused_while_the_county_has_not_given_the_township_a_quota(
    round_2012, users, django_capture_on_commit_callbacks
):
    with pytest.raises(WorkflowError) as caught:
        township_run(round_2012, users.carol, django_capture_on_commit_callbacks)
    assert caught.value.code == "no_quota"
    assert "县里尚未下达“丹凤镇”的规模控制指标" in caught.value.message
    assert not Decomposition.objects.exists()


def test_siyi_township_splits_the_county_figure_not_one_of_its_own(
    danfeng_100, users, django_capture_on_commit_callbacks
):
    with pytest.raises(WorkflowError, match="须为县下达的“丹凤镇”指标 100 人,不是 150 人"):
        township_run(danfeng_100, users.carol, django_capture_on_commit_callbacks, control_number=150)
    with pytest.raises(WorkflowError, match="不能在指定数中指定"):
        township_run(
            danfeng_100,
            users.carol,
            django_capture_on_commit_callbacks,
            overrides={users.carol.area.code: 100},
        )
    # Another township's village is outside the township's area.
    with pytest.raises(WorkflowError, match="不存在或不在您的管辖区域内"):
        township_run(
            danfeng_100, users.carol, django_capture_on_commit_callbacks, overrides={"530323102202": 5}
        )
    assert not Decomposition.objects.exists()


def test_siyi_township_run_not_applied_after_the_county_changed_the_township_quota(
    danfeng_100, county_tree, users, django_capture_on_commit_callbacks
):
    run = township_run(danfeng_100, users.carol, django_capture_on_commit_callbacks)
    services.quota_set(round=danfeng_100, area=county_tree.danfeng, persons=120, actor=users.fupin)
    with pytest.raises(WorkflowError) as caught:
        service.decomposition_apply(decomposition=run, actor=users.carol)
    assert caught.value.code == "stale"
    assert "已由 100 人调整为120 人" in caught.value.message
    assert persons(danfeng_100, county_tree.shanlong) is None


def test_siyi_only_the_township_applies_its_run_and_other_townships_do_not_see_it(
    danfeng_100, users, django_capture_on_commit_callbacks
):
    run = township_run(danfeng_100, users.carol, django_capture_on_commit_callbacks)
    with pytest.raises(NotInScope):
        service.decomposition_apply(decomposition=run, actor=users.dave)
    with pytest.raises(WorkflowError) as caught:
        service.decomposition_apply(decomposition=run, actor=users.fupin)
    assert caught.value.code == "wrong_role"
    assert not service.decompositions_for(users.dave).filter(pk=run.pk).exists()
    assert service.decompositions_for(users.fupin).filter(pk=run.pk).exists()
    assert not service.decompositions_for(users.alice).exists()


def test_diyibu_county_run_still_covers_the_county_and_sets_the_control_number(
    round_2012, county_tree, users, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        run = service.decomposition_create(
            round=round_2012, actor=users.fupin, control_number=1000, weights=DEFAULT_WEIGHTS
        )
    run.refresh_from_db()
    assert run.scope == county_tree.county
    service.decomposition_apply(decomposition=run, actor=users.fupin)
    round_2012.refresh_from_db()
    assert round_2012.control_number == 1000
    assert persons(round_2012, county_tree.danfeng) + persons(round_2012, county_tree.xiongbi) == 1000
    event = AuditEvent.objects.get(event_type="quota.decomposition_applied")
    assert event.old["control_number"] is None and event.new["control_number"] == 1000


def test_siyi_township_screens(client, danfeng_100, county_tree, users, django_capture_on_commit_callbacks):
    form = {
        "weight_rural": "40",
        "weight_low_income": "30",
        "weight_dibao": "20",
        "weight_disabled": "10",
        "overrides": "",
        "note": "乡镇测算",
    }
    client.force_login(users.carol)
    page = client.get(url("decompositions", danfeng_100.pk)).content.decode()
    assert "丹凤镇乡镇指标(人)" in page and 'value="100"' in page and "行政村名" in page
    assert "保存指标" not in page  # the typed base indicators are the county's
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url("decompositions", danfeng_100.pk), form | {"control_number": "999"})
    run = Decomposition.objects.get()
    assert response.url == url("decomposition", run.pk) and run.control_number == 100  # disabled field
    detail = client.get(url("decomposition", run.pk)).content.decode()
    assert "下达为规模控制指标" in detail and "山龙村" in detail and "乡镇指定数" in detail
    assert client.post(url("decomposition_apply", run.pk)).status_code == 302
    assert persons(danfeng_100, county_tree.shanlong) == run.result[county_tree.shanlong.code]
    assert client.post(url("decomposition_indicators", danfeng_100.pk), {}).status_code == 403

    client.force_login(users.dave)  # another township: not found
    assert client.get(url("decomposition", run.pk)).status_code == 404
    assert client.post(url("decomposition_apply", run.pk)).status_code == 404
    client.force_login(users.alice)  # a village: refused
    assert client.get(url("decompositions", danfeng_100.pk)).status_code == 403
    assert client.get(url("decomposition", run.pk)).status_code == 403
    client.force_login(users.fupin)  # the county reads it, but it is the township's to apply
    assert url("decomposition", run.pk) in client.get(url("decompositions", danfeng_100.pk)).content.decode()
    county_view = client.get(url("decomposition", run.pk)).content.decode()
    assert "丹凤镇" in county_view and "下达为规模控制指标</button>" not in county_view
    assert client.post(url("decomposition_apply", run.pk)).status_code == 403


def test_siyi_the_townships_table_reads_its_own_applied_run(
    danfeng_100, county_tree, users, django_capture_on_commit_callbacks
):
    from identification.quota_table import quota_table

    t = county_tree
    run = township_run(
        danfeng_100, users.carol, django_capture_on_commit_callbacks, overrides={t.fazai.code: 40}
    )
    service.decomposition_apply(decomposition=run, actor=users.carol)
    table = quota_table(danfeng_100, t.danfeng)
    assert table.source.startswith(f"指标取自规模分解 #{run.pk}")
    assert {r.name: (r.quota, r.note) for r in table.rows} == {"山龙村": (60, ""), "法杂村": (40, "乡镇指定")}
    # The county's table has no township run to read: its townships are not in the township's inputs.
    assert not quota_table(danfeng_100, t.county).source.startswith("指标取自")


# --- the sums: never above the parent, never above the 县控制指标 --------------------------------------


def test_sums_villages_never_above_the_township_quota(danfeng_100, county_tree, users):
    t = county_tree
    services.quota_set(round=danfeng_100, area=t.shanlong, persons=70, actor=users.fupin)
    events = AuditEvent.objects.filter(event_type="quota.set").count()
    with pytest.raises(WorkflowError) as caught:
        services.quota_set(round=danfeng_100, area=t.fazai, persons=31, actor=users.carol)
    assert caught.value.code == "over_parent_quota"
    assert caught.value.message.startswith("丹凤镇各村指标合计 101 人,超过乡镇指标 100 人")
    assert persons(danfeng_100, t.fazai) is None
    assert AuditEvent.objects.filter(event_type="quota.set").count() == events
    services.quota_set(round=danfeng_100, area=t.fazai, persons=30, actor=users.carol)  # exactly full


def test_sums_thousands_are_written_with_separators(round_2012, county_tree, users):
    services.quota_set(round=round_2012, area=county_tree.danfeng, persons=1200, actor=users.fupin)
    services.quota_set(round=round_2012, area=county_tree.shanlong, persons=1000, actor=users.fupin)
    with pytest.raises(WorkflowError, match="丹凤镇各村指标合计 1,230 人,超过乡镇指标 1,200 人"):
        services.quota_set(round=round_2012, area=county_tree.fazai, persons=230, actor=users.fupin)


def test_sums_groups_never_above_the_village_quota(danfeng_100, county_tree, users):
    t = county_tree
    services.quota_set(round=danfeng_100, area=t.shanlong, persons=60, actor=users.fupin)
    with pytest.raises(WorkflowError, match="山龙村各村民小组指标合计 61 人,超过村指标 60 人"):
        services.quota_set(round=danfeng_100, area=t.dazhai, persons=31, actor=users.carol)


def test_sums_townships_never_above_the_county_control_number(danfeng_100, county_tree, users):
    with pytest.raises(WorkflowError) as caught:
        services.quota_set(round=danfeng_100, area=county_tree.xiongbi, persons=101, actor=users.fupin)
    assert "师宗县各乡镇指标合计 201 人,超过县控制指标 200 人" in caught.value.message
    assert persons(danfeng_100, county_tree.xiongbi) == 50


def test_sums_a_parent_is_never_lowered_below_its_children(danfeng_100, county_tree, users):
    t = county_tree
    # The fixture's groups hold 30 each: 丹凤镇's three groups 90 of its 100.
    with pytest.raises(WorkflowError, match="丹凤镇各村民小组指标合计 90 人,超过乡镇指标 80 人"):
        services.quota_set(round=danfeng_100, area=t.danfeng, persons=80, actor=users.fupin)
    with pytest.raises(WorkflowError, match="师宗县各乡镇指标合计 150 人,超过县控制指标 149 人"):
        services.round_set_control_number(round=danfeng_100, actor=users.fupin, control_number=149)
    danfeng_100.refresh_from_db()
    assert danfeng_100.control_number == 200 and persons(danfeng_100, t.danfeng) == 100


def test_sums_a_township_without_a_quota_does_not_let_villages_escape_the_county(
    round_2012, county_tree, users
):
    services.round_set_control_number(round=round_2012, actor=users.fupin, control_number=200)
    services.quota_set(round=round_2012, area=county_tree.shanlong, persons=170, actor=users.fupin)
    with pytest.raises(WorkflowError) as caught:
        services.quota_set(round=round_2012, area=county_tree.yuzhu, persons=31, actor=users.fupin)
    assert caught.value.message == "师宗县各村指标合计 201 人,超过县控制指标 200 人。未作任何修改。"


def test_sums_old_excess_elsewhere_does_not_block_an_unrelated_figure(round_2012, county_tree, users):
    """Figures written before this rule (here: straight into the table) are not the next writer's
    problem: only the sums a write takes part in are judged."""
    Quota.objects.create(round=round_2012, area=county_tree.xiongbi, persons=10)  # its group holds 30
    services.quota_set(round=round_2012, area=county_tree.danfeng, persons=100, actor=users.fupin)
    assert persons(round_2012, county_tree.danfeng) == 100


def test_sums_quota_sheet_is_judged_on_its_result_and_refused_whole(danfeng_100, county_tree, users):
    t = county_tree
    services.quota_set(round=danfeng_100, area=t.shanlong, persons=60, actor=users.fupin)
    services.quota_set(round=danfeng_100, area=t.fazai, persons=40, actor=users.fupin)
    # Moving 10 persons from 法杂村 to 山龙村: the first row alone would be over, the sheet is not.
    moved = import_quotas(
        round=danfeng_100,
        actor=users.carol,
        file=sheet([[t.shanlong.code, "", 70], [t.dazhai.code, "", 35], [t.fazai.code, "", 30]]),
    )
    assert moved.ok and moved.count == 3
    assert persons(danfeng_100, t.shanlong) == 70 and persons(danfeng_100, t.fazai) == 30

    over = import_quotas(
        round=danfeng_100,
        actor=users.fupin,
        file=sheet([[t.shanlong.code, "", 80], [t.xiongbi.code, "", 40], [t.fazai.code, "", 30]]),
    )
    assert not over.ok
    assert over.errors[0].reason.startswith("丹凤镇各村指标合计 110 人,超过乡镇指标 100 人")
    assert persons(danfeng_100, t.shanlong) == 70 and persons(danfeng_100, t.xiongbi) == 50


def test_siyi_township_official_sets_its_villages_and_groups_only(danfeng_100, county_tree, users):
    t = county_tree
    services.quota_set(round=danfeng_100, area=t.shanlong, persons=60, actor=users.carol)
    with pytest.raises(WorkflowError) as caught:
        services.quota_set(round=danfeng_100, area=t.danfeng, persons=90, actor=users.carol)
    assert caught.value.code == "wrong_area_level" and "乡镇指标由县扶贫办下达" in caught.value.message
    with pytest.raises(NotInScope):
        services.quota_set(round=danfeng_100, area=t.potou, persons=1, actor=users.carol)
    with pytest.raises(WorkflowError) as caught:
        services.quota_set(round=danfeng_100, area=t.dazhai, persons=1, actor=users.alice)
    assert caught.value.code == "wrong_role"
    result = import_quotas(round=danfeng_100, actor=users.carol, file=sheet([[t.danfeng.code, "", 90]]))
    assert "乡镇指标由县扶贫办下达" in result.errors[0].reason and persons(danfeng_100, t.danfeng) == 100


def test_sums_quotas_page_shows_the_figures_and_the_refusal(client, danfeng_100, county_tree, users):
    client.force_login(users.fupin)
    page = client.get(url("quotas", danfeng_100.pk)).content.decode()
    assert "县控制指标 200 人,各乡镇指标合计 150 人" in page
    refused = client.post(url("quotas", danfeng_100.pk), {"control_number": "120"})
    assert "师宗县各乡镇指标合计 150 人,超过县控制指标 120 人" in refused.content.decode()
    raised = client.post(url("quotas", danfeng_100.pk), {"control_number": "300", "reason": "追加"})
    assert raised.status_code == 302
    danfeng_100.refresh_from_db()
    assert danfeng_100.control_number == 300
    event = AuditEvent.objects.filter(event_type="round.control_number_set").latest("id")
    assert event.old == {"control_number": 200} and event.new == {"control_number": 300}

    client.force_login(users.carol)
    township = client.get(url("quotas", danfeng_100.pk)).content.decode()
    assert "丹凤镇指标 100 人" in township and 'name="persons"' in township
    assert 'name="control_number"' not in township
    over = client.post(
        url("quotas", danfeng_100.pk), {"area": county_tree.shanlong.code, "persons": "101", "reason": ""}
    )
    assert "丹凤镇各村指标合计 101 人,超过乡镇指标 100 人" in over.content.decode()
    assert client.post(url("quotas", danfeng_100.pk), {"control_number": "999"}).status_code == 403


# --- 动态调整: the roll counts against the quota -------------------------------------------------------


def apply(round, home, state, size: int, users) -> Application:
    return Application.objects.create(
        round=round,
        household=home,
        wants_fupin=True,
        origin=Origin.APPLIED,
        persons=size,
        applied_on=datetime.date(2014, 3, 1),
        state=state,
        created_by=users.alice,
    )


def test_dongtai_persons_on_the_roll_count_against_the_quota(round_2012, county_tree, users):
    t = county_tree
    on_roll = household(t.dazhai, 4)
    Case.objects.create(household=on_roll, program="fupin", entered_year=2012)
    returned = household(t.dazhai, 2)
    Case.objects.create(
        household=returned, program="fupin", entered_year=2012, state="returned", left_year=2013
    )
    lifted = household(t.dazhai, 5)  # lifted out of poverty: no longer on the roll
    Case.objects.create(household=lifted, program="fupin", entered_year=2012, state="lifted", left_year=2013)
    dibao_only = household(t.dazhai, 3)  # the 扶贫 quota counts the 扶贫 roll
    Case.objects.create(household=dibao_only, program="dibao", entered_year=2012)
    elsewhere = household(t.potou, 6)
    Case.objects.create(household=elsewhere, program="fupin", entered_year=2012)
    dynamic = Round.objects.create(
        year=2014,
        name="2014年动态调整",
        kind=Round.Kind.DYNAMIC,
        poverty_line=Decimal("2736"),
        dibao_line=Decimal("1800"),
    )
    applicant = household(t.dazhai, 3)
    apply(dynamic, applicant, State.RECOMMENDED, 3, users)

    assert selectors.quota_used(dynamic, t.dazhai) == 4 + 2 + 3
    assert selectors.quota_used(dynamic, t.danfeng) == 9
    assert selectors.quota_used(dynamic, t.county) == 9 + 6
    assert selectors.quota_used_of(dynamic, [t.danfeng, t.xiongbi]) == {t.danfeng.code: 9, t.xiongbi.code: 6}
    assert selectors.quota_used_of(dynamic, [t.dazhai, t.xiaozhai]) == {t.dazhai.code: 9, t.xiaozhai.code: 0}

    # A household on the roll with a counted application counts once, by its application.
    apply(dynamic, on_roll, State.RECOMMENDED, 4, users)
    assert selectors.quota_used(dynamic, t.dazhai) == 9
    # Withdrawn, it is still on the roll: its persons still count.
    Application.objects.filter(round=dynamic, household=on_roll).update(
        state=State.WITHDRAWN, withdrawal_reason="外出务工"
    )
    assert selectors.quota_used(dynamic, t.dazhai) == 9


def test_shibie_a_fresh_round_counts_only_its_applications(round_2012, county_tree, users):
    t = county_tree
    on_roll = household(t.dazhai, 4)
    Case.objects.create(household=on_roll, program="fupin", entered_year=2011)
    apply(round_2012, household(t.dazhai, 3), State.REVIEWED, 3, users)
    apply(round_2012, household(t.dazhai, 2), State.SUBMITTED, 2, users)  # not yet recommended
    assert round_2012.kind == Round.Kind.FRESH
    assert selectors.quota_used(round_2012, t.dazhai) == 3
    assert selectors.quota_used_of(round_2012, [t.dazhai]) == {t.dazhai.code: 3}


def test_dongtai_round_form_asks_for_the_kind_and_the_control_number(client, users, county_tree):
    client.force_login(users.fupin)
    page = client.get(url("rounds")).content.decode()
    assert "批次类型" in page and "动态调整" in page and "县控制指标" in page
    response = client.post(
        url("rounds"),
        {
            "year": "2015",
            "name": "2015年动态调整",
            "kind": "dynamic",
            "control_number": "9800",
            "poverty_line": "2855",
            "dibao_line": "2000",
            "notice_days": "7",
            "township_sample_rate": "0.2",
            "county_sample_rate": "0.05",
        },
    )
    assert response.status_code == 302
    round = Round.objects.get(name="2015年动态调整")
    assert round.kind == Round.Kind.DYNAMIC and round.is_dynamic and round.control_number == 9800
    event = AuditEvent.objects.get(event_type="round.created")
    assert event.new["kind"] == "dynamic" and event.new["control_number"] == 9800
    bad = client.post(url("rounds"), {"year": "2016", "name": "x", "kind": "other", "poverty_line": "1"})
    assert bad.status_code == 200 and not Round.objects.filter(name="x").exists()


def test_dongtai_migration_marks_rounds_named_dynamic_and_fills_scope_and_control(
    round_2012, county_tree, users, django_capture_on_commit_callbacks
):
    migration = importlib.import_module("identification.migrations.0003_quota_control")
    named = Round.objects.create(year=2014, name="2014年动态调整", poverty_line=2736, dibao_line=1800)
    with django_capture_on_commit_callbacks(execute=True):
        run = service.decomposition_create(
            round=round_2012, actor=users.fupin, control_number=500, weights=DEFAULT_WEIGHTS
        )
    run.refresh_from_db()
    service.decomposition_apply(decomposition=run, actor=users.fupin)
    Round.objects.filter(pk=round_2012.pk).update(control_number=None)

    migration.fill(django_apps, None)

    named.refresh_from_db()
    round_2012.refresh_from_db()
    assert named.kind == Round.Kind.DYNAMIC and round_2012.kind == Round.Kind.FRESH
    assert round_2012.control_number == 500 and named.control_number is None
