"""贫困村退出: the standard, propose → 公示 → approve, and every refusal."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.http import Http404

from accounts.models import AuditEvent
from exits.models import VillageExit
from exits.village_exits import services as exits
from exits.village_exits.services import VillageExitError
from notices import services as notices
from tests.poor_villages.conftest import add_household
from villages.models import AreaProfile


def propose(users, village, **kwargs):
    return exits.exit_propose(actor=users.carol, village=village, year=2014, **kwargs)


def publish(users, tree, *exit_rows, days=7, calendar=None):
    start = calendar.today
    return exits.exits_publish(
        actor=users.carol,
        township=tree.danfeng,
        exits=list(exit_rows),
        starts_on=start,
        ends_on=start + datetime.timedelta(days=days),
        issuing_body="丹凤镇人民政府",
        complaint_phone="0874-5551234",
    )


def test_default_standard_is_three_percent_without_other_conditions(ranked_tree):
    standard = exits.standard_for(ranked_tree.county)
    assert standard.threshold == Decimal("3.00") and standard.facilities == []


def test_a_village_below_the_threshold_is_proposed_with_its_figures(marked, ranked_tree, users, calendar):
    exit = propose(users, ranked_tree.fazai, note="全村无在册扶贫对象")
    assert exit.state == "proposed"
    assert exit.figures["poverty_rate"] == "0.0000" and exit.figures["persons"] == 4
    assert exit.checks[0]["code"] == "poverty_rate" and exit.checks[0]["ok"]
    assert "低于县定标准 3.00%" in exit.checks[0]["detail"]
    event = AuditEvent.objects.get(event_type="village_exit.proposed")
    assert event.actor == users.carol and event.area_code == ranked_tree.fazai.code


def test_threshold_is_strictly_below(marked, ranked_tree, users, calendar):
    # 法杂村: 1 of 25 persons on the roll is 4 % (3 % refuses it); at 5 % it may exit.
    household = add_household(ranked_tree.xincun, persons=21)
    from households.models import Case

    Case.objects.create(household=household, program="fupin", entered_year=2012)
    with pytest.raises(VillageExitError, match="未达到退出标准:贫困发生率.*84.00%"):
        propose(users, ranked_tree.fazai)
    exits.standard_save(
        actor=users.fupin,
        threshold=Decimal("84"),
        facilities=[],
        min_collective_income=None,
        min_net_income=None,
    )
    with pytest.raises(VillageExitError, match="未低于县定标准 84.00%"):
        propose(users, ranked_tree.fazai)
    exits.standard_save(
        actor=users.fupin,
        threshold=Decimal("84.01"),
        facilities=[],
        min_collective_income=None,
        min_net_income=None,
    )
    assert propose(users, ranked_tree.fazai).state == "proposed"


def test_the_countys_other_conditions_are_checked_and_named(marked, ranked_tree, users, calendar):
    exits.standard_save(
        actor=users.fupin,
        threshold=Decimal(3),
        facilities=["road", "broadband"],
        min_collective_income=Decimal(5000),
        min_net_income=Decimal(1500),
    )
    with pytest.raises(VillageExitError) as refused:
        propose(users, ranked_tree.fazai)
    # 法杂村 has road and broadband, 人均 2,000 ≥ 1,500, but 集体收入 0 < 5,000.
    assert "村集体经济收入:0.00 元,低于县定标准 5,000.00 元" in refused.value.message
    assert "通宽带" not in refused.value.message
    AreaProfile.objects.filter(area=ranked_tree.fazai).update(collective_income=Decimal(6000))
    exit = propose(users, ranked_tree.fazai)
    assert [c["code"] for c in exit.checks] == [
        "poverty_rate",
        "road",
        "broadband",
        "collective_income",
        "net_income",
    ]
    assert all(c["ok"] for c in exit.checks)


def test_only_a_poor_village_with_no_open_exit_is_proposed(marked, ranked_tree, users, calendar):
    with pytest.raises(VillageExitError, match="未达到退出标准"):
        propose(users, ranked_tree.shanlong)  # 50 %
    propose(users, ranked_tree.fazai)
    with pytest.raises(VillageExitError, match="已有进行中的退出申报"):
        propose(users, ranked_tree.fazai)


def test_a_village_that_is_not_poor_is_refused(done_run, ranked_tree, users):
    with pytest.raises(VillageExitError, match="不是贫困村"):
        propose(users, ranked_tree.fazai)


@pytest.mark.parametrize("who", ["alice", "fupin", "minzheng", "admin"])
def test_only_the_township_proposes(marked, ranked_tree, users, who):
    with pytest.raises(VillageExitError) as refused:
        exits.exit_propose(actor=getattr(users, who), village=ranked_tree.fazai, year=2014)
    assert refused.value.code == "wrong_role"


def test_another_townships_official_cannot_reach_the_village(marked, ranked_tree, users):
    with pytest.raises(Http404):
        exits.exit_propose(actor=users.dave, village=ranked_tree.fazai, year=2014)
    assert not VillageExit.objects.exists()


def test_full_procedure_takes_the_village_off_the_list_with_the_exit_year(
    marked, ranked_tree, users, calendar
):
    exit = propose(users, ranked_tree.fazai)
    notice = publish(users, ranked_tree, exit, calendar=calendar)
    exit.refresh_from_db()
    assert exit.state == "publicizing" and notice.kind == "exits.poor_village"
    entry = notice.entries.get()
    assert entry.row[0] == "法杂村" and entry.row[4] == "0.00"
    with pytest.raises(VillageExitError, match="公示期满无异议"):
        exits.exit_decide(actor=users.fupin, exit=exit, approve=True)
    calendar.today += datetime.timedelta(days=8)
    notices.notice_close(notice=notice, actor=users.carol)
    exit.refresh_from_db()
    assert exit.state == "publicized"
    with pytest.raises(VillageExitError) as refused:
        exits.exit_decide(actor=users.carol, exit=exit, approve=True)
    assert refused.value.code == "wrong_role"
    exits.exit_decide(actor=users.fupin, exit=exit, approve=True, note="验收合格")
    exit.refresh_from_db()
    assert exit.state == "approved" and exit.decided_by == users.fupin
    profile = AreaProfile.objects.get(area=ranked_tree.fazai)
    assert not profile.is_poor_village and profile.poor_village_exit_year == 2014
    assert profile.poor_village_year == 2012
    trail = list(
        AuditEvent.objects.filter(object_id=exit.pk, event_type__startswith="village_exit.")
        .order_by("id")
        .values_list("event_type", flat=True)
    )
    assert trail == [
        "village_exit.proposed",
        "village_exit.publicizing",
        "village_exit.publicized",
        "village_exit.approved",
    ]
    assert AuditEvent.objects.get(event_type="poor_village.exited").new["poor_village_exit_year"] == 2014


def test_publishing_needs_seven_days(marked, ranked_tree, users, calendar):
    exit = propose(users, ranked_tree.fazai)
    with pytest.raises(notices.NoticeError, match="不得少于 7 天"):
        publish(users, ranked_tree, exit, days=6, calendar=calendar)
    exit.refresh_from_db()
    assert exit.state == "proposed"


def test_approval_checks_the_figures_again(marked, ranked_tree, users, calendar):
    exit = propose(users, ranked_tree.fazai)
    notice = publish(users, ranked_tree, exit, calendar=calendar)
    calendar.today += datetime.timedelta(days=8)
    notices.notice_close(notice=notice, actor=users.carol)
    # Meanwhile a household of 新村组 came onto the roll: 4 of 8 persons.
    from households.models import Case

    Case.objects.create(
        household=add_household(ranked_tree.xincun, persons=4), program="fupin", entered_year=2014
    )
    with pytest.raises(VillageExitError, match="已不符合退出标准.*50.00%"):
        exits.exit_decide(actor=users.fupin, exit=exit, approve=True)
    assert AreaProfile.objects.get(area=ranked_tree.fazai).is_poor_village
    with pytest.raises(VillageExitError, match="理由"):
        exits.exit_decide(actor=users.fupin, exit=exit, approve=False)
    exits.exit_decide(actor=users.fupin, exit=exit, approve=False, note="新增扶贫对象,贫困发生率回升")
    exit.refresh_from_db()
    assert exit.state == "rejected" and AreaProfile.objects.get(area=ranked_tree.fazai).is_poor_village


@pytest.mark.parametrize("outcome, state", [("recheck", "proposed"), ("reject", "rejected")])
def test_an_upheld_objection_sends_back_or_ends_the_exit(
    marked, ranked_tree, users, calendar, outcome, state
):
    exit = propose(users, ranked_tree.fazai)
    notice = publish(users, ranked_tree, exit, calendar=calendar)
    entry = notice.entries.get()
    objection = notices.objection_record(
        notice=notice, entry=entry, actor=users.carol, content="村里还有贫困户未纳入"
    )
    calendar.today += datetime.timedelta(days=8)
    with pytest.raises(notices.NoticeError, match="异议未核实"):
        notices.notice_close(notice=notice, actor=users.carol)
    notices.objection_handle(
        objection=objection, actor=users.carol, upheld=True, note="核实属实", outcome=outcome
    )
    exit.refresh_from_db()
    assert exit.state == state
    notices.notice_close(notice=notice, actor=users.carol)
    exit.refresh_from_db()
    assert exit.state == state  # a struck entry does not move on when the notice closes
    assert AreaProfile.objects.get(area=ranked_tree.fazai).is_poor_village
    if outcome == "recheck":  # published again on a new notice
        publish(users, ranked_tree, exit, calendar=calendar)
        exit.refresh_from_db()
        assert exit.state == "publicizing"


def test_only_the_county_fupin_office_sets_the_standard(ranked_tree, users):
    for user in (users.carol, users.minzheng, users.admin):
        with pytest.raises(VillageExitError) as refused:
            exits.standard_save(
                actor=user,
                threshold=Decimal(2),
                facilities=[],
                min_collective_income=None,
                min_net_income=None,
            )
        assert refused.value.code == "wrong_role"
    with pytest.raises(VillageExitError, match="未知"):
        exits.standard_save(
            actor=users.fupin,
            threshold=Decimal(2),
            facilities=["airport"],
            min_collective_income=None,
            min_net_income=None,
        )
    with pytest.raises(VillageExitError, match="大于 0"):
        exits.standard_save(
            actor=users.fupin,
            threshold=Decimal(0),
            facilities=[],
            min_collective_income=None,
            min_net_income=None,
        )
