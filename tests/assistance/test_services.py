"""Each 帮扶 move: allowed, refused with its reason (nothing written), audited."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.models import AuditEvent
from assistance import services
from assistance.models import (
    Attendance,
    CountySettings,
    CreditRating,
    Helper,
    Loan,
    Measure,
    Pairing,
    Plan,
    TeamMember,
    Visit,
    WorkTeam,
)
from assistance.services import AssistanceError
from tests.assistance.conftest import rolled_household
from tests.factories import MemberFactory

pytestmark = pytest.mark.django_db


def events(event_type: str) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(event_type=event_type))


# --- pairing ---------------------------------------------------------------------------------------------


def test_township_official_pairs_a_household_and_the_event_is_recorded(world):
    pairing = services.pair(
        actor=world.carol, household=world.b, helper=world.li, started_on=datetime.date(2026, 1, 5)
    )
    assert pairing.is_open and pairing.helper == world.li
    (event,) = events("assistance.pair")
    assert event.actor == world.carol
    assert event.area_code == world.b.group.code
    assert event.new["helper"] == "李帮扶"


def test_pairing_a_paired_household_reassigns_it_with_the_reason(world):
    services.pair(actor=world.fupin, household=world.a, helper=world.li, started_on=datetime.date(2026, 2, 1))
    old = Pairing.objects.get(pk=world.pairing.pk)
    assert old.ended_on == datetime.date(2026, 2, 1)
    assert old.end_reason == "调整帮扶责任人"
    assert Pairing.objects.get(household=world.a, ended_on__isnull=True).helper == world.li
    assert len(events("assistance.unpair")) == 1


def test_fourth_household_is_refused_with_the_limit_in_the_reason(world, county_tree):
    for n, group in enumerate([county_tree.dazhai, county_tree.xiaozhai], start=3):
        services.pair(
            actor=world.fupin,
            household=rolled_household(group, f"53032310120100100{n}", head=f"户{n}"),
            helper=world.wang,
        )
    assert Pairing.objects.filter(helper=world.wang, ended_on__isnull=True).count() == 3
    with pytest.raises(AssistanceError, match="已联系 3 户,达到每人最多 3 户的上限"):
        services.pair(actor=world.fupin, household=world.b, helper=world.wang)
    assert not Pairing.objects.filter(household=world.b).exists()


def test_county_can_raise_the_limit(world, county_tree):
    services.settings_save(
        actor=world.fupin, county=county_tree.county, helper_limit=1, transition_ends_on=None
    )
    with pytest.raises(AssistanceError, match="最多 1 户"):
        services.pair(actor=world.fupin, household=world.b, helper=world.wang)
    services.settings_save(
        actor=world.fupin, county=county_tree.county, helper_limit=5, transition_ends_on=None
    )
    services.pair(actor=world.fupin, household=world.b, helper=world.wang)
    assert CountySettings.objects.get().helper_limit == 5
    assert len(events("assistance.settings")) == 2


@pytest.mark.parametrize(
    ("actor", "message"),
    [
        ("alice", "您的角色不能安排帮扶责任人"),
        ("helper_wang", "您的角色不能安排帮扶责任人"),
        ("dave", "不在您的帮扶或管辖范围内"),
    ],
)
def test_who_may_not_pair(world, actor, message):
    with pytest.raises(AssistanceError, match=message):
        services.pair(actor=getattr(world, actor), household=world.b, helper=world.li)


def test_exited_household_keeps_its_helper_within_the_transition_period(world, county_tree):
    world.a.cases.update(state="lifted", left_year=2019)
    services.settings_save(
        actor=world.fupin,
        county=county_tree.county,
        helper_limit=3,
        transition_ends_on=datetime.date(2025, 12, 31),
    )
    with pytest.raises(AssistanceError, match="过渡期.*不脱钩"):
        services.unpair(
            actor=world.fupin,
            pairing=world.pairing,
            reason="已脱贫且过渡期结束",
            ended_on=datetime.date(2025, 6, 1),
        )
    assert Pairing.objects.get(pk=world.pairing.pk).is_open
    services.unpair(
        actor=world.fupin,
        pairing=world.pairing,
        reason="已脱贫且过渡期结束",
        ended_on=datetime.date(2026, 1, 2),
    )
    assert not Pairing.objects.get(pk=world.pairing.pk).is_open


def test_without_an_end_date_the_transition_never_ends(world):
    world.a.cases.update(state="lifted", left_year=2019)
    with pytest.raises(AssistanceError, match="县里确定的结束日期"):
        services.unpair(actor=world.fupin, pairing=world.pairing, reason="已脱贫且过渡期结束")


def test_household_still_on_the_roll_is_not_exited(world, county_tree):
    services.settings_save(
        actor=world.fupin,
        county=county_tree.county,
        helper_limit=3,
        transition_ends_on=datetime.date(2020, 1, 1),
    )
    with pytest.raises(AssistanceError, match="仍在扶贫名册上"):
        services.unpair(actor=world.fupin, pairing=world.pairing, reason="已脱贫且过渡期结束")


def test_after_the_transition_exited_households_pairings_end(world, county_tree):
    world.a.cases.update(state="lifted", left_year=2019)
    services.pair(actor=world.fupin, household=world.b, helper=world.li)
    services.settings_save(
        actor=world.fupin,
        county=county_tree.county,
        helper_limit=3,
        transition_ends_on=datetime.date(2025, 12, 31),
    )
    assert services.end_pairings_after_transition(actor=None, today=datetime.date(2026, 1, 5)) == 1
    assert not Pairing.objects.get(pk=world.pairing.pk).is_open
    assert Pairing.objects.get(household=world.b).is_open  # still on the roll


# --- plans, measures, visits ---------------------------------------------------------------------------------


def test_helper_makes_a_plan_and_a_measure_for_a_student(world):
    student = MemberFactory(household=world.a, relation="之子", name="张小", school_status="初中")
    plan = services.plan_save(
        actor=world.helper_wang, household=world.a, year=2026, target_year=2027, wishes="养牛"
    )
    measure = services.measure_add(
        actor=world.helper_wang,
        plan=plan,
        category="义务教育资助",
        content="寄宿生生活补助",
        member=student,
        amount=Decimal("1250"),
        funding_source="财政专项",
        started_on=datetime.date(2026, 3, 1),
    )
    assert measure.household == world.a and measure.path == "发展教育脱贫一批"
    assert events("assistance.measure_add")[0].new["member"] == "张小"


def test_measure_for_someone_of_another_household_is_refused(world):
    stranger = world.b.members.get()
    plan = services.plan_save(actor=world.alice, household=world.a, year=2026, target_year=2026)
    with pytest.raises(AssistanceError, match="不是该户的家庭成员"):
        services.measure_add(
            actor=world.alice,
            plan=plan,
            category="大病救治",
            content="x",
            member=stranger,
            funding_source="行业部门",
            started_on=datetime.date(2026, 1, 1),
        )
    assert not Measure.objects.exists()


def test_plan_target_before_its_year_is_refused(world):
    with pytest.raises(AssistanceError, match="不能早于计划年度"):
        services.plan_save(actor=world.alice, household=world.a, year=2026, target_year=2025)
    assert not Plan.objects.exists()


def test_helper_cannot_plan_for_a_household_not_paired_with_them(world):
    with pytest.raises(AssistanceError, match="不在您的帮扶或管辖范围内"):
        services.plan_save(actor=world.helper_wang, household=world.b, year=2026, target_year=2026)


def test_measure_progress_is_audited_with_old_and_new(world):
    plan = services.plan_save(actor=world.alice, household=world.a, year=2026, target_year=2026)
    measure = services.measure_add(
        actor=world.alice,
        plan=plan,
        category="养殖",
        content="能繁母牛 2 头",
        funding_source="财政专项",
        started_on=datetime.date(2026, 1, 1),
    )
    services.measure_progress(
        actor=world.helper_wang, measure=measure, status="已完成", effect="出栏 1 头,增收 8000 元"
    )
    measure.refresh_from_db()
    assert measure.status == "已完成" and measure.ended_on is not None
    (event,) = events("assistance.measure_progress")
    assert event.old["status"] == "计划" and event.new["effect"] == "出栏 1 头,增收 8000 元"


def test_helper_logs_a_visit(world):
    visit = services.visit_log(
        actor=world.helper_wang,
        household=world.a,
        visited_on=datetime.date(2026, 1, 3),
        content="了解生猪出栏情况",
    )
    assert visit.helper == world.wang
    assert events("assistance.visit")[0].actor == world.helper_wang


def test_visit_in_the_future_or_empty_is_refused(world):
    tomorrow = datetime.date.today() + datetime.timedelta(days=2)
    with pytest.raises(AssistanceError, match="走访日期不能晚于今天"):
        services.visit_log(actor=world.helper_wang, household=world.a, visited_on=tomorrow, content="x")
    with pytest.raises(AssistanceError, match="请填写走访内容"):
        services.visit_log(
            actor=world.helper_wang, household=world.a, visited_on=datetime.date(2026, 1, 1), content=" "
        )
    assert not Visit.objects.exists()


def test_visit_photo_must_be_a_picture(world):
    with pytest.raises(AssistanceError, match="JPG 或 PNG"):
        services.visit_log(
            actor=world.helper_wang,
            household=world.a,
            visited_on=datetime.date(2026, 1, 1),
            content="x",
            photo=SimpleUploadedFile("a.exe", b"MZ"),
        )


def test_cadre_records_a_visit_for_the_households_helper_but_not_without_one(world):
    visit = services.visit_log(
        actor=world.alice, household=world.a, visited_on=datetime.date(2026, 1, 3), content="x"
    )
    assert visit.helper == world.wang
    with pytest.raises(AssistanceError, match="尚未安排帮扶责任人"):
        services.visit_log(
            actor=world.alice, household=world.b, visited_on=datetime.date(2026, 1, 3), content="x"
        )


# --- loans ----------------------------------------------------------------------------------------------------


def test_loan_needs_a_rating_and_stays_within_the_credit_line(world):
    with pytest.raises(AssistanceError, match="没有评级授信"):
        services.loan_issue(
            actor=world.alice,
            household=world.a,
            bank="农村信用社",
            amount=Decimal("30000"),
            issued_on=datetime.date(2025, 3, 1),
            term_months=36,
            purpose="养牛",
        )
    services.credit_rate(
        actor=world.alice,
        household=world.a,
        grade="AA",
        credit_line=Decimal("50000"),
        rated_on=datetime.date(2025, 1, 10),
    )
    with pytest.raises(AssistanceError, match="超过授信额度"):
        services.loan_issue(
            actor=world.alice,
            household=world.a,
            bank="农村信用社",
            amount=Decimal("60000"),
            issued_on=datetime.date(2025, 3, 1),
            term_months=36,
            purpose="养牛",
        )
    loan = services.loan_issue(
        actor=world.alice,
        household=world.a,
        bank="农村信用社",
        amount=Decimal("50000"),
        issued_on=datetime.date(2025, 3, 31),
        term_months=11,
        purpose="养牛",
    )
    assert loan.due_on == datetime.date(2026, 2, 28)
    assert Loan.objects.count() == 1 and CreditRating.objects.count() == 1


def test_loan_longer_than_three_years_is_refused(world):
    services.credit_rate(
        actor=world.alice,
        household=world.a,
        grade="A",
        credit_line=Decimal("50000"),
        rated_on=datetime.date(2025, 1, 10),
    )
    with pytest.raises(AssistanceError, match="3 年"):
        services.loan_issue(
            actor=world.alice,
            household=world.a,
            bank="农行",
            amount=Decimal("10000"),
            issued_on=datetime.date(2025, 3, 1),
            term_months=37,
            purpose="x",
        )
    assert not Loan.objects.exists()


def test_overdue_is_computed_from_the_dates_and_extension_moves_the_due_date(world):
    services.credit_rate(
        actor=world.alice,
        household=world.a,
        grade="A",
        credit_line=Decimal("50000"),
        rated_on=datetime.date(2023, 1, 10),
    )
    loan = services.loan_issue(
        actor=world.alice,
        household=world.a,
        bank="农行",
        amount=Decimal("10000"),
        issued_on=datetime.date(2023, 3, 1),
        term_months=24,
        purpose="x",
    )
    assert (
        loan.is_overdue(datetime.date(2025, 3, 2))
        and loan.display_status(datetime.date(2025, 3, 2)) == "逾期"
    )
    assert not loan.is_overdue(datetime.date(2025, 2, 28))
    loan = services.loan_update(actor=world.alice, loan=loan, status="展期", months=12)
    assert loan.due_on == datetime.date(2026, 3, 1)
    with pytest.raises(AssistanceError, match="超过 36 个月"):
        services.loan_update(actor=world.alice, loan=loan, status="续贷", months=1)
    loan = services.loan_update(actor=world.alice, loan=loan, status="已还", on=datetime.date(2025, 12, 1))
    assert not loan.is_overdue(datetime.date(2030, 1, 1))
    assert len(events("assistance.loan_update")) == 2


def test_helper_may_not_record_loans(world):
    with pytest.raises(AssistanceError, match="您的角色不能登记评级授信"):
        services.credit_rate(
            actor=world.helper_wang,
            household=world.a,
            grade="A",
            credit_line=Decimal("1"),
            rated_on=datetime.date(2025, 1, 1),
        )


# --- work teams ---------------------------------------------------------------------------------------------------


def test_work_team_member_attendance_and_records(world, county_tree):
    team = services.team_create(
        actor=world.carol,
        village=county_tree.shanlong,
        unit=world.county_unit,
        started_on=datetime.date(2015, 10, 1),
    )
    with pytest.raises(AssistanceError, match="已有在驻的工作队"):
        services.team_create(
            actor=world.carol,
            village=county_tree.shanlong,
            unit=world.county_unit,
            started_on=datetime.date(2016, 1, 1),
        )
    leader = services.team_member_add(
        actor=world.carol,
        team=team,
        name="周书记",
        role="队长",
        is_first_secretary=True,
        joined_on=datetime.date(2015, 10, 1),
    )
    services.attendance_record(
        actor=world.alice, member=leader, month=datetime.date(2026, 5, 9), days_present=22, days_leave=2
    )
    services.attendance_record(
        actor=world.alice, member=leader, month=datetime.date(2026, 5, 1), days_present=23, days_leave=1
    )
    assert Attendance.objects.get().days_present == 23
    with pytest.raises(AssistanceError, match="不能超过当月天数"):
        services.attendance_record(
            actor=world.alice, member=leader, month=datetime.date(2026, 6, 1), days_present=30, days_leave=5
        )
    services.team_record_add(
        actor=world.alice, team=team, kind="工作报告", date=datetime.date(2026, 6, 1), content="上半年工作"
    )
    with pytest.raises(AssistanceError, match="不在您的管辖范围内"):
        services.team_record_add(
            actor=world.bob, team=team, kind="请假", date=datetime.date(2026, 6, 1), content="x"
        )
    assert WorkTeam.objects.count() == 1 and TeamMember.objects.count() == 1
    assert len(events("assistance.attendance")) == 2


def test_helper_qualification_follows_seed_004(world, county_tree):
    assert world.wang.is_qualified
    not_cadre = Helper(name="x", unit=world.county_unit, is_cadre=False, area=county_tree.county)
    assert not not_cadre.is_qualified and not_cadre.qualification_problem == "不是在编干部"
    worker = Helper(name="y", unit=world.company, is_manager=False, area=county_tree.county)
    assert "中层以上" in worker.qualification_problem
    manager = Helper(name="z", unit=world.company, is_manager=True, area=county_tree.county)
    assert manager.is_qualified


def test_nightly_task_ends_exited_households_pairings_after_the_transition(world, county_tree):
    from assistance.tasks import end_pairings_after_transition

    world.a.cases.update(state="lifted", left_year=2019)
    assert end_pairings_after_transition() == 0  # no end date set: the helper stays
    CountySettings.objects.create(county=county_tree.county, transition_ends_on=datetime.date(2020, 12, 31))
    assert end_pairings_after_transition() == 1
    assert Pairing.objects.get(pk=world.pairing.pk).end_reason == "已脱贫且过渡期结束"
    assert events("assistance.unpair")[0].reason == "过渡期结束"


def test_team_leaves_and_a_new_one_may_come(world, county_tree):
    team = services.team_create(
        actor=world.carol,
        village=county_tree.shanlong,
        unit=world.county_unit,
        started_on=datetime.date(2015, 10, 1),
    )
    member = services.team_member_add(
        actor=world.carol, team=team, name="周", role="队长", joined_on=datetime.date(2015, 10, 1)
    )
    with pytest.raises(AssistanceError, match="不能早于进驻日期"):
        services.team_member_leave(actor=world.carol, member=member, left_on=datetime.date(2015, 1, 1))
    with pytest.raises(AssistanceError, match="您的角色不能登记工作队撤离"):
        services.team_end(actor=world.alice, team=team, ended_on=datetime.date(2018, 1, 1))
    services.team_end(actor=world.carol, team=team, ended_on=datetime.date(2018, 1, 1))
    member.refresh_from_db()
    assert member.left_on == datetime.date(2018, 1, 1)
    services.team_create(
        actor=world.carol,
        village=county_tree.shanlong,
        unit=world.county_unit,
        started_on=datetime.date(2018, 1, 2),
    )
    assert WorkTeam.objects.filter(village=county_tree.shanlong).count() == 2
    assert len(events("assistance.team_end")) == 1
