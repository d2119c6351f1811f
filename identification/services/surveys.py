"""入户调查: the household visit that writes the income record and answers the 13 conditions."""

from __future__ import annotations

import datetime
from collections.abc import Mapping, Sequence
from decimal import Decimal

from django.db import transaction

from accounts.models import User
from households import choices as hh
from households.models import IncomeRecord
from identification import rules
from identification.choices import (
    State,
)
from identification.models import (
    Application,
    Survey,
)
from identification.services._common import (
    INCOME_FIELDS,
    LABOURERS,
    NO_LABOUR,
    _lock_application,
    _move,
    _require_open_round,
)
from identification.transitions import WorkflowError, check_move


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
    answers: Mapping[str, bool],
    assets: str = "",
    burden: str = "",
) -> Survey:
    """入户调查: writes last year's income record, answers the 13 conditions, stores the rule trace."""
    application = _lock_application(actor, application)
    round = application.round
    _require_open_round(round)
    check_move(application.state, State.SURVEYED, actor)
    surveyors = [s.strip() for s in surveyors if s and s.strip()]
    if len(set(surveyors)) < 2:
        raise WorkflowError("入户调查须由至少两名调查人员进行,请填写两人以上的姓名。", code="surveyors")
    if persons < 1:
        raise WorkflowError("家庭人口数至少为1。", code="invalid")
    unknown = sorted(set(income) - set(INCOME_FIELDS))
    if unknown:
        raise WorkflowError(f"未知的收入项目:{'、'.join(unknown)}。", code="invalid")
    amounts = {name: Decimal(income.get(name) or 0) for name in INCOME_FIELDS}
    if any(v < 0 for v in amounts.values()):
        raise WorkflowError("收入金额不能为负数。", code="invalid")
    missing = [code for code in rules.SURVEY_QUESTIONS if code not in answers]
    if missing:
        names = "、".join(f"{c} {rules.SURVEY_QUESTIONS[c]}" for c in missing)
        raise WorkflowError(f"请回答全部直接纳入和排除条件,尚缺:{names}。", code="answers_missing")
    answers = {code: bool(answers[code]) for code in rules.SURVEY_QUESTIONS}

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
        eligibility=trace,
        recorded_by=actor,
    )
    application.eligibility = trace
    application.poverty_class = eligibility.poverty_class
    _move(
        application,
        State.SURVEYED,
        actor,
        event_type="application.surveyed",
        new={
            "survey": survey.pk,
            "per_capita_income": str(record.per_capita_net_income),
            "fupin": eligibility.fupin,
            "dibao": eligibility.dibao,
            "poverty_class": eligibility.poverty_class,
            "fired": [r.code for r in eligibility.fired()],
        },
        update_fields=["eligibility", "poverty_class"],
    )
    return survey
