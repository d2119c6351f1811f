"""入户调查 (第四步 "对民主评议确定的对象进行入户调查"): the visit that writes the income record, answers and
evidences the 13 conditions, sets the household's 致贫原因, and routes the application to the programs it was
found eligible for. An application eligible for nothing is taken off there and then: it frees its quota and
never reaches a 公示 ("在指标范围内将**符合条件的**对象进行张榜公示")."""

from __future__ import annotations

import datetime
from collections.abc import Mapping, Sequence
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from households import choices as hh
from households.models import Case, IncomeRecord
from identification import rules
from identification.choices import PROGRAM_LABELS, State
from identification.models import Application, Survey
from identification.services._common import (
    INCOME_FIELDS,
    LABOURERS,
    NO_LABOUR,
    _lock_application,
    _move,
    _require_open_round,
)
from identification.services.applications import _reject_locked
from identification.transitions import WorkflowError, check_move


def _clean_answers(answers: Mapping[str, bool | None], evidence: Mapping[str, str]) -> tuple[dict, dict]:
    """Each of the 13 questions chosen (no default), and what the surveyor saw for every 是."""
    missing = [code for code in rules.SURVEY_QUESTIONS if answers.get(code) is None]
    if missing:
        names = "、".join(f"{c} {rules.SURVEY_QUESTIONS[c]}" for c in missing)
        raise WorkflowError(f"请回答全部直接纳入和排除条件,尚缺:{names}。", code="answers_missing")
    answers = {code: bool(answers[code]) for code in rules.SURVEY_QUESTIONS}
    evidence = {code: (evidence.get(code) or "").strip() for code in rules.SURVEY_QUESTIONS if answers[code]}
    unproven = [code for code, text in evidence.items() if not text]
    if unproven:
        names = "、".join(f"{c} {rules.SURVEY_QUESTIONS[c]}" for c in unproven)
        raise WorkflowError(f"回答“是”的条件须写明佐证情况:{names}。", code="evidence_missing")
    return answers, evidence


@transaction.atomic
def application_survey(
    *,
    application: Application,
    actor: User,
    surveyed_on: datetime.date,
    surveyors: Sequence[str],
    family_situation: str,
    persons: int,
    income: Mapping[str, Decimal],
    answers: Mapping[str, bool | None],
    main_cause: str,
    evidence: Mapping[str, str] | None = None,
    other_causes: Sequence[str] = (),
    assets: str = "",
    burden: str = "",
) -> Survey:
    """Record the visit; the application goes on for the programs it asked for and was found eligible for."""
    application = _lock_application(actor, application)
    round = application.round
    _require_open_round(round)
    check_move(application.state, State.SURVEYED, actor)
    surveyors = [s.strip() for s in surveyors if s and s.strip()]
    if len(set(surveyors)) < 2:
        raise WorkflowError("入户调查须由至少两名调查人员进行,请填写两人以上的姓名。", code="surveyors")
    if surveyed_on > timezone.localdate():
        raise WorkflowError("调查日期不能晚于今天。", code="invalid")
    if persons < 1:
        raise WorkflowError("家庭人口数至少为1。", code="invalid")
    unknown = sorted(set(income) - set(INCOME_FIELDS))
    if unknown:
        raise WorkflowError(f"未知的收入项目:{'、'.join(unknown)}。", code="invalid")
    amounts = {name: Decimal(income.get(name) or 0) for name in INCOME_FIELDS}
    if any(v < 0 for v in amounts.values()):
        raise WorkflowError("收入金额不能为负数。", code="invalid")
    answers, evidence = _clean_answers(answers, evidence or {})
    if main_cause not in hh.Cause.values:
        raise WorkflowError("请选择主要致贫原因。", code="cause_missing")
    other_causes = sorted({c for c in other_causes if c in hh.Cause.values and c != main_cause})

    household = application.household
    record, created = IncomeRecord.objects.get_or_create(
        household=household, year=round.income_year, defaults={"persons": persons, **amounts}
    )
    if not created:
        for name, value in {"persons": persons, **amounts}.items():
            setattr(record, name, value)
        record._change_reason = f"{round.name}入户调查"
        record.save()
    members = list(household.members.values_list("labour", "health"))
    on_dibao_roll = Case.objects.filter(
        household=household, program=hh.Program.DIBAO, state__in=Case.OPEN_STATES
    ).exists()
    eligibility = rules.evaluate(
        rules.Facts(
            net_income=record.net_income,
            persons=persons,
            poverty_line=round.poverty_line,
            dibao_line=round.dibao_line,
            labourers=sum(1 for labour, _ in members if labour in LABOURERS),
            disabled_without_labour=sum(
                1 for labour, health in members if health == hh.Health.DISABLED and labour in NO_LABOUR
            ),
            answers=answers,
            benefits=record.dibao_benefit + record.tekun_benefit,
            on_dibao_roll=on_dibao_roll,
            declared=application.declared,
        )
    )
    trace = eligibility.as_json()
    survey = Survey.objects.create(
        application=application,
        surveyed_on=surveyed_on,
        surveyors=surveyors,
        family_situation=family_situation,
        persons=persons,
        income={name: str(value) for name, value in amounts.items()},
        assets=assets,
        burden=burden,
        answers=answers,
        evidence=evidence,
        main_cause=main_cause,
        other_causes=other_causes,
        eligibility=trace,
        recorded_by=actor,
    )
    # The survey sets the household's 致贫原因 (the ledgers read them from the household).
    household.main_cause, household.other_causes = main_cause, other_causes
    household._change_reason = f"{round.name}入户调查"
    household.save(update_fields=["main_cause", "other_causes", "updated_at"])

    was = application.programs
    application.for_fupin = application.wants_fupin and eligibility.fupin
    application.for_dibao = application.wants_dibao and eligibility.dibao
    application.eligibility = trace
    application.poverty_class = eligibility.poverty_class
    found = {
        "survey": survey.pk,
        "per_capita_income": str(record.per_capita_net_income),
        "fupin": eligibility.fupin,
        "dibao": eligibility.dibao,
        "poverty_class": eligibility.poverty_class,
        "fired": [r.code for r in eligibility.fired()],
        "programs": application.programs,
    }
    application.save(update_fields=["for_fupin", "for_dibao", "eligibility", "poverty_class"])
    # Found below the 低保 line without having asked for it: the township may still put it forward to
    # 民政 with the household's consent (application_offer_dibao), so it is kept for that choice.
    offer_possible = not application.wants_dibao and eligibility.dibao
    if application.programs or offer_possible:
        _move(application, State.SURVEYED, actor, event_type="application.surveyed", new=found)
    else:
        failed = [r for r in eligibility.results if r.code in ("INCOME_FUPIN", "INCOME_DIBAO")] + [
            r for r in eligibility.fired() if r.code.startswith("X")
        ]
        asked = "、".join(PROGRAM_LABELS[p] for p in was)
        reason = f"入户调查不符合所申请的{asked}条件:" + ";".join(
            f"{r.name}——{r.detail}" for r in failed if r.code.startswith("X") or not r.fired
        )
        _reject_locked(application, actor, reason=reason, event_type="application.rejected_by_survey")
    return survey
