"""Rules that every way of writing households shares: the member form, the import and the services.

Each rule returns Chinese messages keyed by the field they concern, so a form can put them on the
field and an import report can name the column.
"""

from __future__ import annotations

import datetime
from collections import Counter
from collections.abc import Iterable, Mapping

from households import choices
from households.idnumber import IdInfo, InvalidIdNumber, parse
from households.models import Member


def check_member(
    values: Mapping, *, today: datetime.date | None = None, grade_required: bool = True
) -> dict[str, str]:
    """One person: the ID number is valid and agrees with 性别 and 出生日期; 残疾 details fit 健康状况.

    `grade_required=False` for the 花名册, which has no 残疾等级 column: the member is accepted and the
    户卡 asks for the grade (Member.needs_disability_grade); the browser form always asks for it."""
    errors: dict[str, str] = {}
    try:
        info: IdInfo | None = parse(values.get("id_number"), today=today)
    except InvalidIdNumber as error:
        errors["id_number"] = str(error)
        info = None
    if info is not None:
        gender, birth_date = values.get("gender"), values.get("birth_date")
        if gender and gender != info.gender:
            errors["gender"] = f"性别“{gender}”与身份证号不符(应为“{info.gender}”)"
        if birth_date and birth_date != info.birth_date:
            errors["birth_date"] = (
                f"出生日期{birth_date:%Y-%m-%d}与身份证号不符(应为{info.birth_date:%Y-%m-%d})"
            )
    health = values.get("health") or choices.Health.HEALTHY
    if health != choices.Health.DISABLED and (
        values.get("disability_grade") or values.get("disability_certificate")
    ):
        errors["disability_grade"] = "只有健康状况为“残疾”时才填写残疾证号和残疾等级"
    if grade_required and health == choices.Health.DISABLED and not values.get("disability_grade"):
        errors["disability_grade"] = "健康状况为“残疾”时须填写残疾等级"
    months = values.get("work_months")
    if months is not None and not 0 <= months <= 12:
        errors["work_months"] = "务工时间应在0到12个月之间"
    return errors


def other_cause_error(values: Mapping) -> str | None:
    """致贫原因 其他 says what in 其他致贫原因说明; the note is for that case only."""
    causes = [values.get("main_cause"), *(values.get("other_causes") or [])]
    note = (values.get("other_cause_note") or "").strip()
    if choices.Cause.OTHER in causes and not note:
        return "致贫原因选了“其他”,须在“其他致贫原因说明”中写明具体原因"
    if note and choices.Cause.OTHER not in causes:
        return "只有致贫原因选了“其他”时才填写“其他致贫原因说明”"
    return None


def check_household_members(members: Iterable[Mapping]) -> list[str]:
    """The household as a whole: exactly one 户主, no person twice."""
    members = list(members)
    errors = []
    heads = sum(1 for m in members if m.get("relation") == choices.Relation.HEAD)
    if not members:
        errors.append("每户至少要有一名家庭成员")
    elif heads == 0:
        errors.append("该户没有户主:必须有且只有一名成员的与户主关系为“户主”")
    elif heads > 1:
        errors.append(f"该户有{heads}名户主:必须有且只有一名")
    repeated = [
        n
        for n, count in Counter(m.get("id_number") for m in members if m.get("id_number")).items()
        if count > 1
    ]
    for number in repeated:
        errors.append(f"同一身份证号在本户出现了多次(尾号{number[-4:]})")
    return errors


def members_in_other_households(id_numbers: Iterable[str], *, household_id: int | None) -> dict[str, str]:
    """ID number → 户编号 of every person already registered in another household (county-wide)."""
    taken = Member.objects.filter(id_number__in=list(id_numbers)).exclude(household_id=household_id)
    return dict(taken.values_list("id_number", "household__number"))
