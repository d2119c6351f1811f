"""The moves of a household's 脱贫退出, each a plain function: role and area checked, row locked, audited.

The checklist (exits.checklist) is computed again at every step that carries the exit forward (评议,
乡镇审核, 县审批): an exit that fails any item is refused, naming the failing items.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping

from django.contrib.contenttypes.models import ContentType
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction

from accounts import audit, clock
from accounts.models import Role, User
from exits import checklist
from exits.models import ExitApplication, ExitState
from exits.models.household_exit import FINAL_STATES
from exits.selectors import checklist_of, facts_for
from exits.services._common import (
    VILLAGE_KIND,
    NotInScope,
    WorkflowError,
    lock_exit,
    move,
    require_reason,
    require_role,
    scoped,
)
from exits.transitions import check_move
from households.choices import CaseState, Program
from households.models import Case, Household
from households.services import registry_changed
from identification.models import Round
from notices.models import Entry, Notice, Objection
from notices.services import strike


def _require_standard(exit: ExitApplication, what: str) -> dict:
    """Compute the checklist now; refuse the step with the failing items, else keep the result."""
    result = checklist_of(exit)
    if not result.passed:
        raise WorkflowError(f"不符合退出标准,不能{what}:{result.failing_text()}。", code="standard_not_met")
    exit.checklist = {**result.as_json(), "on": clock.today().isoformat(), "step": what}
    return exit.checklist


@transaction.atomic
def exit_propose(
    *,
    household: Household,
    round: Round,
    actor: User,
    source: str = ExitApplication.Source.WORKLIST,
    note: str = "",
) -> ExitApplication:
    """The village proposes a rolled household for exit (村两委 from the worklist): an exit to 核实 and 评议."""
    if source == ExitApplication.Source.WORKLIST:
        require_role(actor, {Role.VILLAGE_CADRE}, "提出脱贫退出")
    household = scoped(Household.objects.select_related("group"), actor, household.pk, "该户")
    case = (
        Case.objects.select_for_update()
        .filter(household=household, program=Program.FUPIN, state__in=Case.OPEN_STATES)
        .first()
    )
    if case is None:
        raise WorkflowError(f"户 {household.number} 不在扶贫对象名册上,无需退出。", code="not_on_roll")
    if case.entered_year > round.year:
        raise WorkflowError(
            f"户 {household.number} 于 {case.entered_year} 年识别,不能在 {round.year} 年退出。",
            code="invalid",
        )
    if ExitApplication.objects.filter(case=case).exclude(state__in=FINAL_STATES).exists():
        raise WorkflowError(f"户 {household.number} 已有一份退出申请在办理中。", code="already_open")
    exit = ExitApplication.objects.create(
        household=household, case=case, round=round, source=source, source_note=note[:300], created_by=actor
    )
    audit.record(
        event_type="exit.proposed",
        actor=actor,
        obj=exit,
        area_code=household.group.code,
        new={"state": exit.state, "round": round.pk, "source": source},
        reason=note,
    )
    return exit


@transaction.atomic
def exit_survey_record(
    *,
    exit: ExitApplication,
    actor: User,
    surveyed_on: datetime.date,
    answers: Mapping[str, Mapping[str, object]],
) -> ExitApplication:
    """入户核实: the answers (达到 / 未达到) and evidence for the items the registry cannot decide."""
    require_role(actor, {Role.VILLAGE_CADRE}, "录入入户核实")
    exit = lock_exit(actor, exit)
    if exit.state != ExitState.DRAFT:
        raise WorkflowError(
            f"当前状态为“{exit.get_state_display()}”,只有待核实评议的退出可以录入入户核实。",
            code="wrong_state",
        )
    if surveyed_on > clock.today():
        raise WorkflowError("核实日期不能晚于今天。", code="invalid")
    asked = checklist.needs_survey(facts_for(exit.household, exit.round))
    unknown = set(answers) - set(asked)
    if unknown:
        raise WorkflowError(
            "以下项目由登记信息判定,不由入户核实回答:"
            + "、".join(checklist.ITEMS[c] for c in sorted(unknown))
            + "。",
            code="invalid",
        )
    survey = {}
    for code in asked:
        given = answers.get(code) or {}
        answer = given.get("answer")
        evidence = str(given.get("evidence") or "").strip()
        if answer is not None and not evidence:
            raise WorkflowError(f"“{checklist.ITEMS[code]}”请填写佐证(看到了什么、谁说的)。", code="invalid")
        survey[code] = {"answer": None if answer is None else bool(answer), "evidence": evidence}
    old = exit.survey
    exit.survey, exit.surveyed_on, exit.surveyed_by = survey, surveyed_on, actor
    exit.save(update_fields=["survey", "surveyed_on", "surveyed_by", "updated_at"])
    audit.record(
        event_type="exit.surveyed",
        actor=actor,
        obj=exit,
        area_code=exit.household.group.code,
        old={"survey": old},
        new={"survey": survey, "surveyed_on": surveyed_on},
    )
    return exit


@transaction.atomic
def exit_review(
    *, exit: ExitApplication, actor: User, reviewed_on: datetime.date, attendees: str, note: str = ""
) -> ExitApplication:
    """村两委 with the 驻村工作队 评议: only an exit that meets every item of the standard passes."""
    exit = lock_exit(actor, exit)
    attendees = (attendees or "").strip()
    if not attendees:
        raise WorkflowError("请填写参加评议的村两委成员和驻村工作队队员。", code="invalid")
    if reviewed_on > clock.today():
        raise WorkflowError("评议日期不能晚于今天。", code="invalid")
    check_move(exit.state, ExitState.REVIEWED, actor)
    _require_standard(exit, "评议通过")
    exit.reviewed_on, exit.review_attendees, exit.review_note = (
        reviewed_on,
        attendees[:300],
        (note or "").strip(),
    )
    move(
        exit,
        ExitState.REVIEWED,
        actor,
        event_type="exit.reviewed",
        new={"reviewed_on": reviewed_on, "attendees": exit.review_attendees},
        reason=exit.review_note,
        update_fields=["checklist", "reviewed_on", "review_attendees", "review_note"],
    )
    return exit


@transaction.atomic
def exit_agree(
    *,
    exit: ExitApplication,
    actor: User,
    agreed_on: datetime.date,
    signer: str,
    signed_form: UploadedFile | None = None,
) -> ExitApplication:
    """拟退出贫困户认可: who signed and when; the scanned signed form is optional (JPG/PNG/PDF)."""
    exit = lock_exit(actor, exit)
    signer = (signer or "").strip()
    if not signer:
        raise WorkflowError("请填写签字认可的户主或家庭成员姓名。", code="invalid")
    if agreed_on > clock.today():
        raise WorkflowError("认可日期不能晚于今天。", code="invalid")
    if exit.reviewed_on and agreed_on < exit.reviewed_on:
        raise WorkflowError(f"认可日期不能早于评议日期 {exit.reviewed_on}。", code="invalid")
    exit.agreed_on, exit.signer = agreed_on, signer[:40]
    fields = ["agreed_on", "signer"]
    if signed_form is not None:
        exit.signed_form = signed_form
        fields.append("signed_form")
    move(
        exit,
        ExitState.AGREED,
        actor,
        event_type="exit.agreed",
        new={"agreed_on": agreed_on, "signer": exit.signer, "signed_form": bool(signed_form)},
        update_fields=fields,
    )
    return exit


def open_objections(exit: ExitApplication) -> int:
    return Objection.objects.filter(entry__in=_entries(exit), status=Objection.Status.OPEN).count()


def _entries(exit: ExitApplication):
    return Entry.objects.filter(
        subject_type=ContentType.objects.get_for_model(ExitApplication), subject_id=exit.pk, struck=False
    )


def village_notice(exit: ExitApplication) -> Notice | None:
    entry = _entries(exit).filter(notice__kind=VILLAGE_KIND).select_related("notice").last()
    return entry.notice if entry else None


@transaction.atomic
def exit_verify(*, exit: ExitApplication, actor: User, opinion: str) -> ExitApplication:
    """乡镇审核: the standard is met, and no objection to the 公示 is waiting."""
    exit = lock_exit(actor, exit)
    opinion = require_reason(opinion, "乡镇审核意见")
    check_move(exit.state, ExitState.VERIFIED, actor)
    waiting = open_objections(exit)
    if waiting:
        raise WorkflowError(f"村内公示尚有 {waiting} 条异议未核实处理,不能审核通过。", code="open_objections")
    _require_standard(exit, "审核通过")
    exit.township_opinion = opinion
    move(
        exit,
        ExitState.VERIFIED,
        actor,
        event_type="exit.verified",
        reason=opinion,
        update_fields=["checklist", "township_opinion"],
    )
    return exit


@transaction.atomic
def exit_approve(*, exit: ExitApplication, actor: User, opinion: str = "") -> ExitApplication:
    """县审批 (扶贫办): the standard met, the 村内公示 over and no objection to it open."""
    exit = lock_exit(actor, exit)
    check_move(exit.state, ExitState.APPROVED, actor)
    waiting = open_objections(exit)
    if waiting:
        raise WorkflowError(
            f"该户的公示尚有 {waiting} 条异议未核实处理,不能审批退出。", code="open_objections"
        )
    notice = village_notice(exit)
    if notice is None:
        raise WorkflowError("该户未经村内公示,不能审批退出。", code="not_publicized")
    if notice.status != Notice.Status.CLOSED:
        raise WorkflowError(f"村内公示至 {notice.ends_on} 止,尚未结束,不能审批退出。", code="notice_running")
    _require_standard(exit, "审批退出")
    exit.county_opinion = (opinion or "").strip()
    move(
        exit,
        ExitState.APPROVED,
        actor,
        event_type="exit.approved",
        reason=exit.county_opinion,
        update_fields=["checklist", "county_opinion"],
    )
    return exit


def send_back_locked(exit: ExitApplication, actor: User, *, reason: str, event_type: str) -> None:
    """Back to 待核实评议 (the survey and the 评议 are done again); off every notice it stands on."""
    exit.reason = reason
    move(exit, ExitState.DRAFT, actor, event_type=event_type, reason=reason, update_fields=["reason"])
    strike([exit])


def withdraw_locked(exit: ExitApplication, actor: User, *, reason: str, event_type: str) -> None:
    exit.reason = reason
    move(exit, ExitState.WITHDRAWN, actor, event_type=event_type, reason=reason, update_fields=["reason"])
    strike([exit])


@transaction.atomic
def exit_send_back(*, exit: ExitApplication, actor: User, reason: str) -> ExitApplication:
    reason = require_reason(reason, "退回")
    exit = lock_exit(actor, exit)
    send_back_locked(exit, actor, reason=reason, event_type="exit.sent_back")
    return exit


@transaction.atomic
def exit_withdraw(*, exit: ExitApplication, actor: User, reason: str) -> ExitApplication:
    reason = require_reason(reason, "不予退出")
    exit = lock_exit(actor, exit)
    withdraw_locked(exit, actor, reason=reason, event_type="exit.withdrawn")
    return exit


def lift_locked(exit: ExitApplication, actor: User, *, notice: Notice) -> None:
    """The 公告 is over: the exit is done and the 扶贫 case is 已脱贫 with the exit year."""
    move(exit, ExitState.LIFTED, actor, event_type="exit.lifted", new={"notice": notice.pk})
    case = Case.objects.select_for_update().get(pk=exit.case_id)
    old = {"state": case.state, "left_year": case.left_year}
    case.state, case.left_year = CaseState.LIFTED, exit.round.year
    case.note = f"{exit.round.year}年脱贫退出"
    case._change_reason = f"脱贫退出({notice.title})"
    case.save(update_fields=["state", "left_year", "note"])
    audit.record(
        event_type="case.lifted",
        actor=actor,
        obj=case,
        area_code=exit.household.group.code,
        old=old,
        new={"state": case.state, "left_year": case.left_year, "exit": exit.pk},
    )
    transaction.on_commit(registry_changed)


__all__ = [
    "NotInScope",
    "exit_agree",
    "exit_approve",
    "exit_propose",
    "exit_review",
    "exit_send_back",
    "exit_survey_record",
    "exit_verify",
    "exit_withdraw",
]
