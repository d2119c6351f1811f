"""The dashboards' 动态管理 section: exits by step, 低保 proposals, poor-village exits, warnings and 监测对象,
each counted inside the area only."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from exits.models import DibaoProposal, ExitApplication, ExitState, VillageExit
from households.choices import CaseState, Program
from households.models import Case
from identification.models import Round
from monitoring.choices import MonitoredKind, MonitoredState, Trigger, WarningStatus
from monitoring.models import MonitoredHousehold, Warning
from reports.dynamics import dynamics
from tests.factories import HouseholdFactory


@pytest.fixture
def work(county_tree, users):
    t = county_tree
    round_ = Round.objects.create(year=2015, name="2015年动态调整", poverty_line=2855, dibao_line=1800)

    def exit_in(group, state):
        h = HouseholdFactory(group=group)
        case = Case.objects.create(
            household=h, program=Program.FUPIN, entered_year=2014, state=CaseState.ACTIVE
        )
        ExitApplication.objects.create(
            household=h, case=case, round=round_, state=state, created_by=users.alice
        )

    def warning(group, trigger, status):
        h = HouseholdFactory(group=group)
        Warning.objects.create(
            household=h,
            trigger=trigger,
            cause_key=f"{trigger}:{h.pk}",
            area_code=group.code,
            reason="测试",
            raised_at=timezone.now(),
            status=status,
        )

    def monitored(group, kind, state):
        h = HouseholdFactory(group=group)
        MonitoredHousehold.objects.create(
            household=h, kind=kind, state=state, area_code=group.code, started_on=datetime.date(2015, 3, 1)
        )

    # 山龙村 (丹凤镇)
    exit_in(t.dazhai, ExitState.DRAFT)
    exit_in(t.dazhai, ExitState.PUBLICIZED)
    exit_in(t.xiaozhai, ExitState.LIFTED)
    exit_in(t.xiaozhai, ExitState.WITHDRAWN)
    warning(t.dazhai, Trigger.INCOME_LOW, WarningStatus.PENDING)
    warning(t.dazhai, Trigger.LOAN_OVERDUE, WarningStatus.PENDING)
    warning(t.xiaozhai, Trigger.DISASTER, WarningStatus.VERIFIED)
    warning(t.xiaozhai, Trigger.DISASTER, WarningStatus.DISMISSED)  # closed: not counted
    monitored(t.dazhai, MonitoredKind.UNSTABLE, MonitoredState.MONITORING)
    monitored(t.dazhai, MonitoredKind.EDGE, MonitoredState.CLEAR_REVIEWED)  # still under monitoring
    monitored(t.xiaozhai, MonitoredKind.SUDDEN, MonitoredState.CLEARED)
    DibaoProposal.objects.create(
        household=HouseholdFactory(group=t.dazhai), kind=DibaoProposal.Kind.EXIT, year=2015, detail="收入达标"
    )
    # 雨柱村 (雄壁镇)
    exit_in(t.potou, ExitState.VERIFIED)
    warning(t.potou, Trigger.SCHOOL_DROPOUT, WarningStatus.PENDING)
    monitored(t.potou, MonitoredKind.EDGE, MonitoredState.MONITORING)
    DibaoProposal.objects.create(
        household=HouseholdFactory(group=t.potou),
        kind=DibaoProposal.Kind.ENTER,
        year=2015,
        detail="收入低于低保标准",
    )
    VillageExit.objects.create(
        village=t.yuzhu,
        year=2015,
        state="approved",
        proposed_by=users.fupin,
        decided_by=users.fupin,
        decided_at=timezone.now(),
    )
    return t


def test_a_village_counts_only_its_own(work):
    d = dynamics(work.shanlong)
    assert d.exits_in_procedure == 2 and (d.exits_lifted, d.exits_refused) == (1, 1)
    assert d.exits_by_state == [("待核实评议", 1), ("已村内公示,待乡镇审核", 1)]
    assert d.dibao_pending == {"退保": 1, "纳入": 0}
    assert d.warnings_open == 3
    assert d.warnings_by_status == [("待核实", 2), ("已入户核实", 1)]
    assert d.pending_by_trigger == [("收入低于监测线", 1), ("扶贫贷款逾期", 1)]
    assert (d.monitored, d.cleared) == (2, 1)
    assert d.monitored_by_kind == [("脱贫不稳定户", 1), ("边缘易致贫户", 1), ("突发严重困难户", 0)]
    assert d.villages_exited == 0


def test_the_county_counts_both_townships(work):
    d = dynamics(work.county)
    assert (d.exits_in_procedure, d.warnings_open, d.monitored) == (3, 4, 3)
    assert d.dibao_pending == {"退保": 1, "纳入": 1}
    assert d.villages_exited == 1


def test_the_section_on_the_dashboard(client, work, users):
    client.force_login(users.carol)
    page = client.get(reverse("reports:area_dashboard", args=[work.danfeng.code]))
    assert reverse("reports:dynamics_part", args=[work.danfeng.code]) in page.content.decode()
    part = client.get(reverse("reports:dynamics_part", args=[work.danfeng.code])).content.decode()
    assert 'data-figure="exits-in-procedure">2<' in part and 'data-figure="warnings-open">3<' in part
    assert 'data-figure="monitored">2<' in part
    # Another township's section is not there for a 乡镇审核员, whatever code is typed.
    assert client.get(reverse("reports:dynamics_part", args=[work.xiongbi.code])).status_code == 404
