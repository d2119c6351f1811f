"""Identification exactly as seed 002 (四(一)–(四), 五、(二) 第二步–第六步): who may reach 公示, direct entry, both
programs (两项制度衔接), the class from the rolls, referrals and 返贫. Each test names the step it checks."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from households.models import Case
from identification import rules, services
from identification.choices import NoticeLevel, ReferralStatus, State
from identification.models import Application, Quota, Referral, Round
from identification.selectors import quota_used
from identification.transitions import WorkflowError
from notices.models import Entry, Notice
from tests.identification.flow import NO, last_event, make_household

pytestmark = pytest.mark.django_db


def case_of(household, program):
    return Case.objects.filter(household=household, program=program).order_by("-pk").first()


# --- 第二步 申报: the 13 conditions declared -------------------------------------------------------------


def test_dierbu_every_condition_is_declared_none_is_assumed(flow):
    household = make_household(flow.tree.dazhai)
    declared = dict(NO)
    del declared["X8"]
    with pytest.raises(WorkflowError, match="请逐项填写申报自述.*尚缺:X8") as refused:
        services.application_submit(
            round=flow.round, household=household, actor=flow.users.alice, wants_fupin=True, wants_dibao=False,
            origin="nominated", nomination_reason="不识字", declared=declared,
        )  # fmt: skip
    assert refused.value.code == "declaration_missing"
    assert not Application.objects.exists()


def test_disanbu_a_declared_exclusion_bars_fupin_at_shenbao_but_not_dibao(flow):
    household = make_household(flow.tree.dazhai)
    with pytest.raises(WorkflowError, match="X2 .*不能作为扶贫开发对象") as refused:
        flow.submit(household, declared={"X2": True})
    assert refused.value.code == "excluded"
    application = flow.submit(household, fupin=False, dibao=True, declared={"X2": True})
    assert application.programs == ["dibao"] and application.declared_exclusions == ["X2"]


# --- 第三步: direct entry is a rule of the vote -------------------------------------------------------


def test_disanbu_direct_entry_takes_its_quota_places_first(flow):
    t = flow.tree
    Quota.objects.filter(round=flow.round, area=t.xiaozhai).update(persons=6)
    popular = flow.new(t.xiaozhai)  # 3 persons
    also = flow.new(t.xiaozhai)  # 3 persons
    direct = flow.new(t.xiaozhai, declared={"D1": True})  # 家庭主要劳动力死亡、孩子未成年
    meeting = services.meeting_record(
        round=flow.round, area=t.xiaozhai, kind="group", actor=flow.users.alice, held_on=flow.calendar.today,
        attendance=30,
        votes=[services.VoteInput(popular, 28, 2), services.VoteInput(also, 25, 5), services.VoteInput(direct, 16, 14)],
    )  # fmt: skip
    outcome = services.meeting_recommend_ranked(meeting=meeting, actor=flow.users.alice)
    # The direct-entry household ranked last in votes, yet it is recommended first; the quota (6) then holds
    # one of the two that competed.
    assert [a.pk for a in outcome.recommended] == [direct.pk, popular.pk]
    assert [a.pk for a, _ in outcome.left_out] == [also.pk]
    assert last_event(direct, "application.recommended").new["direct_entry"] == ["D1"]


def test_disanbu_direct_entry_still_needs_the_income_test(flow):
    [application] = flow.advance([flow.new(declared={"D4": True})], State.REVIEWED)
    flow.survey(application, wage="9000", answers={"D4": True})  # 3,000 each: above the line
    application.refresh_from_db()
    assert application.state == State.REJECTED
    assert "年人均纯收入低于扶贫标准" in application.rejection_reason


# --- 第四步: the survey decides who may reach 公示 ----------------------------------------------------


def test_disibu_survey_answers_are_chosen_and_evidenced_and_set_the_cause(flow):
    [application] = flow.advance([flow.new()], State.REVIEWED)
    base = dict(
        application=application, actor=flow.users.alice, surveyed_on=flow.calendar.today, surveyors=["李明", "王芳"],
        family_situation="三口之家", persons=3, income={"wage_income": Decimal("3000")},
    )  # fmt: skip
    with pytest.raises(WorkflowError, match="尚缺:D1"):
        services.application_survey(**base, answers={**NO, "D1": None}, main_cause="因病")
    with pytest.raises(WorkflowError, match="须写明佐证情况:D4") as refused:
        services.application_survey(**base, answers={**NO, "D4": True}, main_cause="因病")
    assert refused.value.code == "evidence_missing"
    with pytest.raises(WorkflowError, match="请选择主要致贫原因"):
        services.application_survey(**base, answers=NO, main_cause="")
    survey = services.application_survey(
        **base, answers={**NO, "D4": True}, evidence={"D4": "户主患尘肺病,卧床两年"}, main_cause="因病",
        other_causes=["缺资金", "因病"],
    )  # fmt: skip
    assert survey.evidence == {"D4": "户主患尘肺病,卧床两年"}
    household = application.household
    household.refresh_from_db()
    assert (household.main_cause, household.other_causes) == ("因病", ["缺资金"])
    assert household.history.first().history_change_reason == "2012年贫困识别入户调查"


def test_disibu_a_household_eligible_for_nothing_is_taken_off_frees_its_quota_and_never_reaches_gongshi(flow):
    [application] = flow.advance([flow.new(dibao=True)], State.REVIEWED)
    group = application.household.group
    assert quota_used(flow.round, group) == 3
    flow.survey(application, wage="9000")  # 3,000 each: above both lines
    application.refresh_from_db()
    assert application.state == State.REJECTED
    assert application.rejection_reason.startswith("入户调查不符合所申请的扶贫、低保条件:")
    assert "人均 3000.00 元,不低于扶贫标准" in application.rejection_reason
    assert last_event(application, "application.rejected_by_survey").actor == flow.users.alice
    assert quota_used(flow.round, group) == 0
    assert services.publishable(flow.round, NoticeLevel.VILLAGE, group.parent, flow.users.alice) == []
    assert not Entry.objects.filter(subject_id=application.pk, notice__kind="identification.village").exists()


def test_sier_eligible_for_one_of_two_goes_on_for_that_one_only(flow):
    [application] = flow.advance([flow.new(dibao=True)], State.SURVEYED, wage="4500")  # 1,500 each
    application.refresh_from_db()
    assert (application.requested_programs, application.programs) == (["fupin", "dibao"], ["fupin"])
    flow.publicize([application], NoticeLevel.VILLAGE)
    flow.verify([application])
    notice = flow.notice([application], NoticeLevel.TOWNSHIP)
    assert notice.entries.get().row[4] == "拟报县扶贫办审批扶贫"
    flow.close(notice)
    flow.county_checks()
    with pytest.raises(WorkflowError, match="未报低保"):
        services.application_decide(application=application, actor=flow.users.minzheng, confirm=True)
    services.application_decide(application=application, actor=flow.users.fupin, confirm=True)
    assert Application.objects.get(pk=application.pk).state == State.CONFIRMED


def test_sier_the_township_offers_dibao_with_consent_to_a_household_found_below_its_line(flow):
    [application] = flow.advance([flow.new()], State.REVIEWED)
    flow.survey(application, wage="3000", answers={"X3": True})  # excluded from 扶贫, 1,000 each: below 低保
    application.refresh_from_db()
    # Eligible for nothing it asked for, but below the 低保 line: kept for the township's choice, not listed.
    assert (application.state, application.programs) == (State.SURVEYED, [])
    assert services.publishable(flow.round, NoticeLevel.VILLAGE, flow.tree.shanlong, flow.users.alice) == []
    with pytest.raises(WorkflowError, match="转报低保只能由乡镇审核员办理"):
        services.application_offer_dibao(application=application, actor=flow.users.alice, consent="同意")
    with pytest.raises(WorkflowError, match="须填写理由"):
        services.application_offer_dibao(application=application, actor=flow.users.carol, consent=" ")
    services.application_offer_dibao(
        application=application, actor=flow.users.carol, consent="户主签字同意同时申请低保(2012-09-05)"
    )
    application.refresh_from_db()
    assert (application.programs, application.dibao_offered) == (["dibao"], True)
    assert last_event(application, "application.dibao_offered").new == {"programs": ["dibao"]}
    assert [
        a.pk
        for a in services.publishable(flow.round, NoticeLevel.VILLAGE, flow.tree.shanlong, flow.users.alice)
    ] == [application.pk]
    flow.publicize([application], NoticeLevel.VILLAGE)
    with pytest.raises(WorkflowError, match="入户调查之后、村委会公示之前"):
        services.application_offer_dibao(application=application, actor=flow.users.carol, consent="again")


# --- 四(二): routing, class from the rolls, 贫困户属性, referral, 返贫 ---------------------------------


def test_siyi_a_household_on_the_dibao_roll_asking_fupin_is_class_2_and_a_dibao_poor_household(flow):
    household = make_household(flow.tree.dazhai, labourers=1)
    Case.objects.create(household=household, program="dibao", entered_year=2010, poverty_class=2)
    application = flow.submit(household)
    [application] = flow.advance([application], State.PUBLICIZED, wage="4500")  # 1,500 each: above 低保
    assert application.poverty_class == 2
    flow.county_checks()
    services.application_decide(application=application, actor=flow.users.fupin, confirm=True)
    household.refresh_from_db()
    assert household.attribute == "低保贫困户"
    assert case_of(household, "fupin").poverty_class == 2


def test_siyi_confirming_fupin_never_overwrites_a_tekun_households_attribute(flow):
    household = make_household(flow.tree.dazhai, labourers=0)
    household.attribute = "特困供养贫困户"
    household.save()
    Case.objects.create(household=household, program="tekun", entered_year=2010, poverty_class=1)
    [application] = flow.advance([flow.submit(household)], State.PUBLICIZED, wage="4500")
    flow.county_checks()
    services.application_decide(application=application, actor=flow.users.fupin, confirm=True)
    household.refresh_from_db()
    assert household.attribute == "特困供养贫困户"


def test_siyi_a_lifted_household_confirmed_again_returns_on_its_case(flow):
    household = make_household(flow.tree.dazhai)
    lifted = Case.objects.create(
        household=household,
        program="fupin",
        entered_year=2008,
        state="lifted",
        left_year=2011,
        poverty_class=3,
    )
    [application] = flow.advance([flow.submit(household)], State.PUBLICIZED, wage="4500")
    flow.county_checks()
    services.application_decide(application=application, actor=flow.users.fupin, confirm=True)
    assert Case.objects.filter(household=household, program="fupin").count() == 1
    lifted.refresh_from_db()
    assert (lifted.state, lifted.returned_year, lifted.entered_year) == ("returned", 2012, 2008)
    assert lifted.history.first().history_change_reason == "2012年贫困识别县级认定"


def test_siere_minzheng_refers_a_dibao_household_with_labour_to_fupinban(flow):
    """四(二) "县民政局…要配合县扶贫办将其中有劳动能力和致富意愿的贫困农户确认为扶贫对象"."""
    [application] = flow.advance(
        [flow.new(fupin=False, dibao=True, labourers=1)], State.PUBLICIZED, wage="1200"
    )
    flow.county_checks()
    services.application_decide(application=application, actor=flow.users.minzheng, confirm=True)
    referral = Referral.objects.get(application=application)
    assert referral.status == ReferralStatus.PENDING and "二类" in referral.reason
    assert last_event(referral, "referral.created").actor == flow.users.minzheng
    with pytest.raises(WorkflowError, match="只能由县扶贫办办理"):
        services.referral_decide(referral=referral, actor=flow.users.minzheng, accept=True)
    with pytest.raises(WorkflowError, match="不予确认须填写理由"):
        services.referral_decide(referral=referral, actor=flow.users.fupin, accept=False)
    services.referral_decide(
        referral=referral, actor=flow.users.fupin, accept=True, note="有劳动力和致富意愿"
    )
    household = application.household
    household.refresh_from_db()
    assert household.attribute == "低保贫困户"
    assert (case_of(household, "fupin").poverty_class, case_of(household, "dibao").poverty_class) == (2, 2)
    assert last_event(referral, "referral.accepted").actor == flow.users.fupin
    with pytest.raises(WorkflowError, match="该转介已处理"):
        services.referral_decide(referral=referral, actor=flow.users.fupin, accept=True)


def test_the_whole_procedure_for_a_cross_household_and_a_dibao_household_with_labour(flow):
    """Every step and every 公示, in seed 002's order, for the two kinds of 两项制度衔接; then the bureaus,
    classes, referral, cases and 贫困户属性."""
    cross = flow.new(dibao=True, labourers=1)
    dibao = flow.new(fupin=False, dibao=True, labourers=1)
    apps = [cross, dibao]
    kinds = []
    flow.recommend(apps)
    for level, step in (
        (NoticeLevel.GROUP, lambda: flow.review(apps)),
        (NoticeLevel.VILLAGE, lambda: flow.verify(apps)),
        (NoticeLevel.TOWNSHIP, lambda: None),
    ):
        if level == NoticeLevel.VILLAGE:
            for a in apps:
                flow.survey(a, wage="1200")  # 400 each: below both lines
        notice = flow.notice(apps, level)
        kinds.append(notice.kind)
        assert notice.status == Notice.Status.RUNNING
        flow.close(notice)
        step()
    assert kinds == ["identification.group", "identification.village", "identification.township"]
    for a in apps:
        a.refresh_from_db()
        assert a.state == State.PUBLICIZED
    assert (cross.programs, dibao.programs) == (["fupin", "dibao"], ["dibao"])
    flow.county_checks()
    services.county_confirm_bulk(round=flow.round, actor=flow.users.fupin, applications=[cross.pk])
    services.county_confirm_bulk(
        round=flow.round, actor=flow.users.minzheng, applications=[cross.pk, dibao.pk]
    )
    cross.refresh_from_db()
    dibao.refresh_from_db()
    assert (cross.state, cross.poverty_class, dibao.state, dibao.poverty_class) == (
        State.CONFIRMED, 2, State.CONFIRMED, 2,
    )  # fmt: skip
    assert sorted(Case.objects.filter(household=cross.household).values_list("program", "poverty_class")) == [
        ("dibao", 2),
        ("fupin", 2),
    ]
    cross.household.refresh_from_db()
    assert cross.household.attribute == "低保贫困户"
    # The 低保 household with labour goes to 扶贫办 as a candidate; the cross one is on both rolls already.
    assert list(Referral.objects.values_list("application_id", flat=True)) == [dibao.pk]
    services.referral_decide(referral=Referral.objects.get(), actor=flow.users.fupin, accept=True)
    dibao.household.refresh_from_db()
    assert dibao.household.attribute == "低保贫困户"
    assert case_of(dibao.household, "fupin").state == "active"
    # Each bureau announces its own results.
    today = flow.calendar.today
    for actor, kind in (
        (flow.users.fupin, "identification.county_fupin"),
        (flow.users.minzheng, "identification.county_dibao"),
    ):
        announcement = services.notice_publish(
            round=flow.round, level=NoticeLevel.COUNTY, area=flow.tree.county, actor=actor, starts_on=today,
            ends_on=today + datetime.timedelta(days=7), issuing_body=actor.get_role_display(), complaint_phone="12317",
            applications=services.publishable(flow.round, NoticeLevel.COUNTY, flow.tree.county, actor,
                                              "fupin" if kind.endswith("fupin") else "dibao"),
        )  # fmt: skip
        assert announcement.kind == kind
    assert Notice.objects.filter(kind="identification.county_dibao").get().entries.count() == 2


def test_dongtai_a_household_on_the_roll_is_not_counted_twice_when_recommended(flow):
    round = Round.objects.create(
        year=2013, name="2013年动态调整", poverty_line=Decimal("2736"), dibao_line=Decimal("1800"),
        kind=Round.Kind.DYNAMIC,
    )  # fmt: skip
    flow.round = round
    group = flow.tree.xiaozhai
    Quota.objects.create(round=round, area=group, persons=3)
    household = make_household(group, persons=3)
    Case.objects.create(household=household, program="fupin", entered_year=2012, poverty_class=3)
    assert quota_used(round, group) == 3  # the roll's persons count against the quota …
    application = flow.submit(household)
    flow.recommend([application])  # … but not twice when the household is recommended again
    assert quota_used(round, group) == 3


def test_rules_module_lists_the_thirteen_questions_of_disanbu():
    assert len(rules.DIRECT_ENTRY) == 5 and len(rules.EXCLUSIONS) == 8
