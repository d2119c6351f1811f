"""The exit procedure: every move, every refusal, the audit trail, and the case lifted at the end."""

from __future__ import annotations

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import Http404

from exits import services
from exits.models import ExitApplication, ExitState
from exits.services._common import COUNTY_KIND, VILLAGE_KIND
from exits.transitions import TRANSITIONS, check_move
from households.models import Case
from identification.transitions import WorkflowError
from notices.models import Entry, Notice
from tests.exits.flow import ALL_MET, rolled_household
from tests.identification.flow import last_event

pytestmark = pytest.mark.django_db


@pytest.fixture
def household(county_tree):
    return rolled_household(county_tree.dazhai)


def refused(code: str):
    return pytest.raises(WorkflowError, match=".") if code is None else _Refused(code)


class _Refused:
    def __init__(self, code):
        self.code = code

    def __enter__(self):
        return self

    def __exit__(self, kind, error, tb):
        assert kind is not None, f"expected a refusal {self.code}"
        assert issubclass(kind, WorkflowError) and error.code == self.code, error
        self.error = error
        return True


# --- the table ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("current", "target", "role", "allowed"),
    [
        ("draft", "reviewed", "village_cadre", True),
        ("draft", "reviewed", "township_official", False),
        ("reviewed", "agreed", "village_cadre", True),
        ("agreed", "publicized", "village_cadre", True),
        ("publicized", "verified", "township_official", True),
        ("publicized", "verified", "village_cadre", False),
        ("verified", "approved", "county_fupin", True),
        ("verified", "approved", "county_minzheng", False),
        ("verified", "approved", "township_official", False),
        ("approved", "lifted", "county_fupin", True),
        ("draft", "approved", "county_fupin", None),
        ("lifted", "draft", "county_fupin", None),
    ],
)
def test_transition_table(current, target, role, allowed):
    actor = type("Actor", (), {"role": role, "get_role_display": lambda self: role})()
    if allowed:
        check_move(current, target, actor)
        return
    with pytest.raises(WorkflowError) as caught:
        check_move(current, target, actor)
    assert caught.value.code == ("wrong_role" if allowed is False else "wrong_state")


def test_every_state_is_in_the_table():
    assert set(TRANSITIONS) == set(ExitState)


# --- propose, survey, review, agree -------------------------------------------------------------


def test_village_proposes_a_rolled_household(exit_flow, household, users):
    exit = exit_flow.propose(household)
    assert (exit.state, exit.case.program, exit.round, exit.created_by) == (
        "draft",
        "fupin",
        exit_flow.round,
        users.alice,
    )
    assert last_event(exit, "exit.proposed").actor == users.alice


def test_household_not_on_the_fupin_roll_cannot_be_proposed(exit_flow, household):
    Case.objects.filter(household=household).update(state="lifted", left_year=2014)
    with refused("not_on_roll"):
        exit_flow.propose(household)


def test_second_exit_of_the_same_case_is_refused_while_one_is_open(exit_flow, household):
    exit_flow.propose(household)
    with refused("already_open"):
        exit_flow.propose(household)


def test_township_cannot_propose(exit_flow, household, users):
    with refused("wrong_role"):
        services.exit_propose(household=household, round=exit_flow.round, actor=users.carol)


def test_village_cadre_cannot_propose_a_household_of_another_village(exit_flow, county_tree, users):
    elsewhere = rolled_household(county_tree.xincun)
    with pytest.raises(Http404):
        exit_flow.propose(elsewhere)


def test_survey_records_answers_and_evidence(exit_flow, household, users):
    exit = exit_flow.survey(exit_flow.propose(household))
    assert exit.survey == ALL_MET
    assert last_event(exit, "exit.surveyed").new["survey"] == ALL_MET


def test_survey_answer_needs_evidence(exit_flow, household):
    with refused("invalid") as r:
        exit_flow.survey(exit_flow.propose(household), {"FOOD": {"answer": True, "evidence": " "}})
    assert "不愁吃" in r.error.message


def test_survey_cannot_answer_an_item_the_registry_decides(exit_flow, household):
    with refused("invalid") as r:
        exit_flow.survey(
            exit_flow.propose(household), {**ALL_MET, "WATER": {"answer": True, "evidence": "井水"}}
        )
    assert "饮水安全有保障" in r.error.message


def test_review_of_a_household_meeting_the_standard_moves_it_and_keeps_the_checklist(
    exit_flow, household, users
):
    exit = exit_flow.review(exit_flow.survey(exit_flow.propose(household)))
    assert exit.state == ExitState.REVIEWED
    assert exit.checklist["passed"] and len(exit.checklist["items"]) == 7
    event = last_event(exit, "exit.reviewed")
    assert (event.actor, event.old, event.new["state"]) == (users.alice, {"state": "draft"}, "reviewed")


def test_review_is_refused_with_the_failing_items(exit_flow, county_tree):
    household = rolled_household(county_tree.dazhai, dangerous_house=True, dangerous_house_grade="D级")
    exit = exit_flow.propose(household)
    with refused("standard_not_met") as r:
        exit_flow.review(exit)  # no survey either: 不愁吃, 不愁穿 are not met
    assert "住房安全有保障(住房为D级危房)" in r.error.message
    assert "不愁吃(待入户核实)" in r.error.message
    exit.refresh_from_db()
    assert exit.state == ExitState.DRAFT


def test_review_refused_when_income_is_not_stably_above_the_line(exit_flow, county_tree):
    exit = exit_flow.survey(exit_flow.propose(rolled_household(county_tree.dazhai, last_year="2500")))
    with refused("standard_not_met") as r:
        exit_flow.review(exit)
    assert "年人均纯收入稳定超过扶贫标准" in r.error.message


def test_review_needs_the_attendees(exit_flow, household, users):
    exit = exit_flow.survey(exit_flow.propose(household))
    with refused("invalid"):
        services.exit_review(exit=exit, actor=users.alice, reviewed_on=exit_flow.calendar.today, attendees="")


def test_agreement_records_signer_and_optional_signed_form(exit_flow, household, users, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    exit = exit_flow.review(exit_flow.survey(exit_flow.propose(household)))
    scan = SimpleUploadedFile("认可书.pdf", b"%PDF-1.4 signed", content_type="application/pdf")
    exit = services.exit_agree(
        exit=exit, actor=users.alice, agreed_on=exit_flow.calendar.today, signer="王大山", signed_form=scan
    )
    assert (exit.state, exit.signer) == (ExitState.AGREED, "王大山")
    assert exit.signed_form.name.endswith(".pdf")
    assert last_event(exit, "exit.agreed").new["signed_form"] is True


def test_agreement_needs_a_signer(exit_flow, household, users):
    exit = exit_flow.review(exit_flow.survey(exit_flow.propose(household)))
    with refused("invalid"):
        services.exit_agree(exit=exit, actor=users.alice, agreed_on=exit_flow.calendar.today, signer="")


# --- 公示, 乡镇审核, 县审批, 公告 ---------------------------------------------------------------------


def test_village_notice_lists_no_personal_numbers(exit_flow, household):
    exit = exit_flow.advance(exit_flow.propose(household), ExitState.AGREED)
    notice = exit_flow.publish([exit])
    exit.refresh_from_db()
    assert exit.state == ExitState.PUBLICIZED
    entry = Entry.objects.get(notice=notice)
    head = household.members.get(relation="户主")
    assert entry.row == [household.number, head.name, "2", "大寨组", "2015"]
    assert head.id_number not in " ".join(entry.row)


def test_only_agreed_exits_can_be_published(exit_flow, household):
    exit = exit_flow.propose(household)
    with refused("wrong_state"):
        exit_flow.publish([exit])


def test_township_verifies_with_an_opinion(exit_flow, household, users):
    exit = exit_flow.advance(exit_flow.propose(household), ExitState.VERIFIED)
    assert exit.state == ExitState.VERIFIED
    assert last_event(exit, "exit.verified").actor == users.carol


def test_township_cannot_verify_while_an_objection_is_open(exit_flow, household, users):
    exit = exit_flow.advance(exit_flow.propose(household), ExitState.PUBLICIZED)
    notice = Notice.objects.get(kind=VILLAGE_KIND)
    services.objection_record(notice=notice, exit=exit, actor=users.alice, content="他家收入主要靠低保")
    with refused("open_objections"):
        exit_flow.verify(exit)


def test_county_cannot_approve_an_exit_whose_notice_has_an_open_objection(exit_flow, household, users):
    exit = exit_flow.advance(exit_flow.propose(household), ExitState.VERIFIED)
    notice = Notice.objects.get(kind=VILLAGE_KIND)
    services.objection_record(notice=notice, exit=exit, actor=users.carol, content="家中有人长期生病")
    with refused("open_objections") as r:
        exit_flow.approve(exit)
    assert "1 条异议" in r.error.message
    exit.refresh_from_db()
    assert exit.state == ExitState.VERIFIED


def test_county_cannot_approve_while_the_village_notice_runs(exit_flow, household):
    exit = exit_flow.advance(exit_flow.propose(household), ExitState.VERIFIED)
    with refused("notice_running"):
        exit_flow.approve(exit)


def test_county_refuses_an_exit_that_no_longer_meets_the_standard(exit_flow, household):
    exit = exit_flow.advance(exit_flow.propose(household), ExitState.VERIFIED)
    exit_flow.close(Notice.objects.get(kind=VILLAGE_KIND))
    household.members.update(basic_medical_insurance=False)
    with refused("standard_not_met") as r:
        exit_flow.approve(exit)
    assert "基本医疗有保障" in r.error.message


def test_minzheng_cannot_approve_an_exit(exit_flow, household, users):
    exit = exit_flow.advance(exit_flow.propose(household), ExitState.VERIFIED)
    exit_flow.close(Notice.objects.get(kind=VILLAGE_KIND))
    with refused("wrong_role"):
        services.exit_approve(exit=exit, actor=users.minzheng)


def test_county_announcement_lifts_the_case_with_the_year(exit_flow, household, users):
    exit = exit_flow.advance(exit_flow.propose(household), ExitState.LIFTED)
    assert exit.state == ExitState.LIFTED
    case = Case.objects.get(household=household, program="fupin")
    assert (case.state, case.left_year) == ("lifted", 2015)
    assert last_event(case, "case.lifted").actor == users.fupin
    assert case.history.first().history_change_reason.startswith("脱贫退出")


def test_upheld_objection_on_village_notice_sends_the_exit_back(exit_flow, household, users):
    exit = exit_flow.advance(exit_flow.propose(household), ExitState.PUBLICIZED)
    notice = Notice.objects.get(kind=VILLAGE_KIND)
    objection = services.objection_record(notice=notice, exit=exit, actor=users.alice, content="收入不实")
    services.objection_handle(
        objection=objection, actor=users.carol, upheld=True, note="核实务工收入为季节性", outcome="recheck"
    )
    exit.refresh_from_db()
    assert exit.state == ExitState.DRAFT
    assert "异议成立" in exit.reason
    assert Entry.objects.get(notice=notice).struck


def test_upheld_objection_can_withdraw_the_exit(exit_flow, household, users):
    exit = exit_flow.advance(exit_flow.propose(household), ExitState.PUBLICIZED)
    notice = Notice.objects.get(kind=VILLAGE_KIND)
    objection = services.objection_record(notice=notice, exit=exit, actor=users.alice, content="收入不实")
    services.objection_handle(
        objection=objection, actor=users.alice, upheld=True, note="属实", outcome="withdraw"
    )
    exit.refresh_from_db()
    assert exit.state == ExitState.WITHDRAWN
    # A withdrawn exit frees the case for a new proposal later.
    assert exit_flow.propose(household).state == ExitState.DRAFT


def test_upheld_objection_on_the_announcement_reopens_the_exit_and_keeps_the_case(
    exit_flow, household, users
):
    exit = exit_flow.advance(exit_flow.propose(household), ExitState.APPROVED)
    notice = exit_flow.publish([exit], kind=COUNTY_KIND)
    objection = services.objection_record(
        notice=notice, exit=exit, actor=users.fupin, content="有人反映未脱贫"
    )
    services.objection_handle(
        objection=objection, actor=users.fupin, upheld=True, note="属实", outcome="recheck"
    )
    exit_flow.close(notice, actor=users.fupin)
    exit.refresh_from_db()
    assert exit.state == ExitState.DRAFT
    assert Case.objects.get(household=household, program="fupin").state == "active"


def test_send_back_and_withdraw_need_a_reason(exit_flow, household, users):
    exit = exit_flow.advance(exit_flow.propose(household), ExitState.PUBLICIZED)
    with refused("reason_required"):
        services.exit_send_back(exit=exit, actor=users.carol, reason="")
    services.exit_send_back(exit=exit, actor=users.carol, reason="收入佐证不全")
    exit.refresh_from_db()
    assert exit.state == ExitState.DRAFT
    assert last_event(exit, "exit.sent_back").reason == "收入佐证不全"


def test_township_of_another_township_cannot_touch_the_exit(exit_flow, household, users):
    exit = exit_flow.advance(exit_flow.propose(household), ExitState.PUBLICIZED)
    with pytest.raises(Http404):
        services.exit_verify(exit=exit, actor=users.dave, opinion="同意")


def test_future_dates_are_refused(exit_flow, household, users):
    exit = exit_flow.survey(exit_flow.propose(household))
    with refused("invalid"):
        services.exit_review(
            exit=exit,
            actor=users.alice,
            reviewed_on=exit_flow.calendar.today + datetime.timedelta(days=1),
            attendees="村支书",
        )
    assert ExitApplication.objects.get(pk=exit.pk).state == ExitState.DRAFT
