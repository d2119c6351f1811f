"""What each kind of change needs to be possible, checked when it is filed and again when it is approved
(the household may have changed in between). Each check returns the request's Draft or refuses in Chinese.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError

from accounts.models import User
from households import choices
from households.changes.models import Kind
from households.idnumber import InvalidIdNumber, parse
from households.models import Case, Household, Member
from households.services import MEMBER_FIELDS
from households.validation import check_member, members_in_other_households
from villages.models import Area

Relation = choices.Relation

# 分户: what happens to each roll the household is on.
SPLIT_CASE_CHOICES = {
    "original": "仅原户在册",
    "both": "两户均在册",
    "new": "转入新户(原户转出)",
}


@dataclass
class Draft:
    """A request as the checks understood it: the members it holds, the number it brings in."""

    payload: dict
    held: list[Member] = field(default_factory=list)
    new_id_number: str = ""
    other_household: Household | None = None


def refuse(message: str, code: str = "invalid") -> ValidationError:
    return ValidationError(message, code=code)


def _current_member(household: Household, member_id: object, what: str) -> Member:
    member = (
        Member.objects.filter(household=household, pk=member_id).first()
        if str(member_id or "").isdigit()
        else None
    )
    if member is None:
        raise refuse(f"{what}不是该户的现有成员,请刷新页面后重新选择。")
    return member


def _head(household: Household) -> Member | None:
    return Member.objects.filter(household=household, relation=Relation.HEAD).first()


def _relation(value: object, what: str) -> str:
    if value not in Relation.values or value == Relation.HEAD:
        raise refuse(f"请为{what}选择与户主关系(户主除外)。")
    return str(value)


def _unique_person(id_number: str, *, except_member: Member | None = None) -> None:
    taken = members_in_other_households([id_number], household_id=None)
    if id_number in taken and not (except_member and except_member.id_number == id_number):
        raise refuse(f"身份证号尾号{id_number[-4:]}的人已登记在户编号{taken[id_number]}中,一人只能属于一户。")


def member_from_payload(values: Mapping) -> dict:
    """The new member's fields as Python values (the payload keeps dates as text)."""
    member = {name: values.get(name) for name in MEMBER_FIELDS if name in values}
    if isinstance(member.get("birth_date"), str):
        member["birth_date"] = datetime.date.fromisoformat(member["birth_date"])
    return member


def check_add_member(household: Household, payload: Mapping, reason: str, actor: User) -> Draft:
    if reason not in choices.AdditionReason.values:
        raise refuse("请选择新增原因(出生、婚入、迁入或其他)。")
    member = member_from_payload(payload.get("member") or {})
    if member.get("relation") == Relation.HEAD:
        raise refuse("新增成员不能直接作为户主:批准后另行申请“变更户主”。")
    errors = check_member(member)
    if errors:
        raise refuse(";".join(errors.values()))
    try:
        number = parse(member.get("id_number")).number
    except InvalidIdNumber as error:
        raise refuse(str(error)) from None
    if not (member.get("name") or "").strip():
        raise refuse("请填写新成员的姓名。")
    _unique_person(number)
    stored = {**member, "id_number": number, "birth_date": member["birth_date"].isoformat()}
    return Draft(payload={"member": stored}, new_id_number=number)


def check_remove_member(household: Household, payload: Mapping, reason: str, actor: User) -> Draft:
    if reason not in choices.RemovalReason.values:
        raise refuse("请选择减少原因(死亡、婚出、迁出、入伍、服刑或其他)。")
    member = _current_member(household, payload.get("member_id"), "要减少的成员")
    if Member.objects.filter(household=household).count() == 1:
        raise refuse("该户只有这一名成员,不能减少:如该户已无人,请办理合户或报乡镇处理。")
    held = [member]
    new_head_id = None
    if member.is_head:
        if not payload.get("new_head_id"):
            raise refuse(f"{member.name}是户主:减少户主须同时指定新户主。")
        new_head = _current_member(household, payload["new_head_id"], "新户主")
        if new_head.pk == member.pk:
            raise refuse("新户主不能是被减少的成员。")
        held.append(new_head)
        new_head_id = new_head.pk
    return Draft(payload={"member_id": member.pk, "new_head_id": new_head_id}, held=held)


def check_change_head(household: Household, payload: Mapping, reason: str, actor: User) -> Draft:
    new_head = _current_member(household, payload.get("new_head_id"), "新户主")
    if new_head.is_head:
        raise refuse(f"{new_head.name}已是户主。")
    old_head = _head(household)
    relation = _relation(payload.get("old_head_relation"), "原户主") if old_head else ""
    held = [new_head, *([old_head] if old_head else [])]
    return Draft(payload={"new_head_id": new_head.pk, "old_head_relation": relation}, held=held)


def check_split(household: Household, payload: Mapping, reason: str, actor: User) -> Draft:
    ids = [int(i) for i in payload.get("member_ids") or [] if str(i).isdigit()]
    current = {m.pk: m for m in Member.objects.filter(household=household)}
    if not ids:
        raise refuse("请选择分出的成员。")
    if any(i not in current for i in ids):
        raise refuse("分出的成员须是该户的现有成员,请刷新页面后重新选择。")
    remaining = [m for pk, m in current.items() if pk not in ids]
    if not remaining:
        raise refuse("不能把全部成员分出:原户至少要留一人。")
    if int(payload.get("new_head_id") or 0) not in ids:
        raise refuse("请在分出的成员中指定新户的户主。")
    leaving_head = next((current[i] for i in ids if current[i].is_head), None)
    remaining_head_id = None
    if leaving_head is not None:
        keeper = int(payload.get("remaining_head_id") or 0)
        if keeper not in {m.pk for m in remaining}:
            raise refuse(f"户主{leaving_head.name}分出:请在留下的成员中指定原户的新户主。")
        remaining_head_id = keeper
    group = Area.objects.filter(
        pk=payload.get("group_id") or household.group_id, level=Area.Level.GROUP
    ).first()
    if group is None or group.parent_id != household.group.parent_id or not actor.area.contains(group):
        raise refuse("新户须在本村的村民小组中。")
    decisions = {}
    for case in Case.objects.filter(household=household, state__in=Case.OPEN_STATES):
        decision = (payload.get("cases") or {}).get(case.program, "original")
        if decision not in SPLIT_CASE_CHOICES:
            raise refuse(f"请为{case.get_program_display()}名册选择两户的去向。")
        decisions[case.program] = decision
    return Draft(
        payload={
            "member_ids": ids,
            "new_head_id": int(payload["new_head_id"]),
            "remaining_head_id": remaining_head_id,
            "group_id": group.pk,
            "cases": decisions,
        },
        held=[current[i] for i in ids] + ([current[remaining_head_id]] if remaining_head_id else []),
    )


def check_merge(household: Household, payload: Mapping, reason: str, actor: User) -> Draft:
    other = (
        Household.objects.visible_to(actor)
        .filter(pk=payload.get("other_id"), merged_into__isnull=True)
        .first()
        if str(payload.get("other_id") or "").isdigit()
        else None
    )
    if other is None or other.pk == household.pk:
        raise refuse("请填写本村另一户的户编号:要并入本户的户。")
    incoming = list(Member.objects.filter(household=other))
    if not incoming:
        raise refuse(f"户编号{other.number}没有现有成员,无需合户。")
    relations = payload.get("relations") or {}
    chosen = {str(m.pk): _relation(relations.get(str(m.pk)), m.name) for m in incoming}
    return Draft(
        payload={"other_id": other.pk, "relations": chosen},
        held=incoming,
        other_household=other,
    )


def check_correct_identity(household: Household, payload: Mapping, reason: str, actor: User) -> Draft:
    member = _current_member(household, payload.get("member_id"), "要更正的成员")
    name = (payload.get("name") or "").strip()
    if not name or len(name) > 40:
        raise refuse("请填写正确的姓名(不超过40字)。")
    try:
        info = parse(payload.get("id_number"))
    except InvalidIdNumber as error:
        raise refuse(str(error)) from None
    if name == member.name and info.number == member.id_number:
        raise refuse("姓名和身份证号都没有变化。")
    _unique_person(info.number, except_member=member)
    return Draft(
        payload={"member_id": member.pk, "name": name, "id_number": info.number},
        held=[member],
        new_id_number=info.number if info.number != member.id_number else "",
    )


CHECKS: dict[str, Callable[[Household, Mapping, str, User], Draft]] = {
    Kind.ADD_MEMBER: check_add_member,
    Kind.REMOVE_MEMBER: check_remove_member,
    Kind.CHANGE_HEAD: check_change_head,
    Kind.SPLIT: check_split,
    Kind.MERGE: check_merge,
    Kind.CORRECT_IDENTITY: check_correct_identity,
}

# The kinds that take reasons from a list (the rest say why in the note).
REASONS = {Kind.ADD_MEMBER: choices.AdditionReason, Kind.REMOVE_MEMBER: choices.RemovalReason}


def check(kind: str, household: Household, payload: Mapping, reason: str, actor: User) -> Draft:
    if kind not in CHECKS:
        raise refuse("未知的变更类型。")
    if household.merged_into_id is not None:
        raise refuse("该户已并入其他户,不能再申请变更。")
    return CHECKS[kind](household, payload, reason, actor)
