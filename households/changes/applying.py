"""What an approved request does to the registry. Called by deciding.approve (and by preview, inside a
savepoint that is rolled back) with the household rows locked and the draft checked again.

Nothing is deleted: a removed member keeps the row with removed_at and the reason; members moved by
分户/合户 keep their rows, 人编号 and history; a merged household stays, pointing at the one it joined.
"""

from __future__ import annotations

from django.utils import timezone

from accounts.models import User
from households import choices
from households.changes.checks import Draft, member_from_payload
from households.changes.models import ChangeRequest, Kind
from households.idnumber import parse
from households.models import Case, Household, Member
from households.numbers import next_household_number, person_numbers
from villages.models import Area

Relation = choices.Relation


def _save(obj, actor: User) -> None:
    obj._history_user = actor
    obj.full_clean(validate_unique=False)
    obj.save()


def _taken_person_numbers(household: Household) -> set[str]:
    # A 人编号 names one person for good: numbers of members who left are not given again.
    return set(
        Member.history.filter(household_id=household.pk)
        .exclude(person_number="")
        .values_list("person_number", flat=True)
    )


def _add_member(change: ChangeRequest, draft: Draft, actor: User) -> list[Household]:
    household = change.household
    member = Member(household=household, **member_from_payload(draft.payload["member"]))
    member.person_number = person_numbers(household.number, _taken_person_numbers(household), 1)[0]
    _save(member, actor)
    return [household]


def _make_head(member: Member, actor: User) -> None:
    member.relation = Relation.HEAD
    _save(member, actor)


def _remove_member(change: ChangeRequest, draft: Draft, actor: User) -> list[Household]:
    member = Member.objects.get(pk=draft.payload["member_id"])
    member.removed_at = timezone.now()
    member.removal_reason = change.reason
    _save(member, actor)  # first: the one-head constraint counts current members only
    if draft.payload.get("new_head_id"):
        _make_head(Member.objects.get(pk=draft.payload["new_head_id"]), actor)
    return [change.household]


def _change_head(change: ChangeRequest, draft: Draft, actor: User) -> list[Household]:
    old_head = Member.objects.filter(household=change.household, relation=Relation.HEAD).first()
    if old_head is not None:
        old_head.relation = draft.payload["old_head_relation"]
        _save(old_head, actor)
    _make_head(Member.objects.get(pk=draft.payload["new_head_id"]), actor)
    return [change.household]


def _copy_household(original: Household, group: Area) -> Household:
    """The new household of a 分户: the original's 登记表 fields, a new 户编号, no phone or bank account."""
    new = Household.objects.get(pk=original.pk)
    new.pk = new.id = None
    new.group = group
    new.phone = new.bank_name = new.bank_account = ""
    # Drawn under the group's row lock, as households.services does: no two households share a serial.
    Area.objects.select_for_update().filter(pk=group.pk).first()
    new.number = next_household_number(group)
    return new


def _split(change: ChangeRequest, draft: Draft, actor: User) -> list[Household]:
    payload = draft.payload
    original = change.household
    new = _copy_household(original, Area.objects.get(pk=payload["group_id"]))
    _save(new, actor)
    leaving = list(Member.objects.filter(pk__in=payload["member_ids"]).order_by("pk"))
    # The heads first leave their role, so that neither household has two 户主 at any moment.
    for member in leaving:
        if member.is_head and member.pk != payload["new_head_id"]:
            member.relation = Relation.OTHER
    for member in leaving:
        member.household = new
        if member.pk == payload["new_head_id"]:
            member.relation = Relation.HEAD
    for member in sorted(leaving, key=lambda m: m.relation == Relation.HEAD):
        _save(member, actor)
    if payload.get("remaining_head_id"):
        _make_head(Member.objects.get(pk=payload["remaining_head_id"]), actor)
    for case in Case.objects.filter(household=original, state__in=Case.OPEN_STATES):
        decision = payload["cases"].get(case.program, "original")
        if decision in ("both", "new"):
            _open_like(case, new, note=f"分户自户编号{original.number}", actor=actor)
        if decision == "new":
            _transfer(case, note=f"分户转入户编号{new.number}", actor=actor)
    change.other_household = new
    return [original, new]


def _open_like(case: Case, household: Household, *, note: str, actor: User) -> None:
    opened = Case(
        household=household,
        program=case.program,
        entered_year=case.entered_year,
        state=case.state,
        poverty_class=case.poverty_class,
        returned_year=case.returned_year,
        note=note,
    )
    _save(opened, actor)


def _transfer(case: Case, *, note: str, actor: User) -> None:
    case.state = choices.CaseState.TRANSFERRED
    case.note = note[: Case._meta.get_field("note").max_length]
    _save(case, actor)


def _merge(change: ChangeRequest, draft: Draft, actor: User) -> list[Household]:
    household, other = change.household, draft.other_household
    for member in Member.objects.filter(household=other).order_by("pk"):
        member.household = household
        member.relation = draft.payload["relations"][str(member.pk)]
        _save(member, actor)
    open_here = set(
        Case.objects.filter(household=household, state__in=Case.OPEN_STATES).values_list("program", flat=True)
    )
    # The merged household's rolls continue in this one: where this one is not on the roll yet, it joins
    # it with the other's year and class; the other's case is closed as transferred either way.
    for case in Case.objects.filter(household=other, state__in=Case.OPEN_STATES):
        if case.program not in open_here:
            _open_like(case, household, note=f"合户自户编号{other.number}转入", actor=actor)
        _transfer(case, note=f"合户并入户编号{household.number}", actor=actor)
    other.merged_into = household
    _save(other, actor)
    return [household, other]


def _correct_identity(change: ChangeRequest, draft: Draft, actor: User) -> list[Household]:
    member = Member.objects.get(pk=draft.payload["member_id"])
    info = parse(draft.payload["id_number"])
    member.name = draft.payload["name"]
    member.id_number = info.number
    # The number carries the birth date and the gender: a corrected number corrects them too.
    member.birth_date = info.birth_date
    member.gender = info.gender
    _save(member, actor)
    return [change.household]


APPLY = {
    Kind.ADD_MEMBER: _add_member,
    Kind.REMOVE_MEMBER: _remove_member,
    Kind.CHANGE_HEAD: _change_head,
    Kind.SPLIT: _split,
    Kind.MERGE: _merge,
    Kind.CORRECT_IDENTITY: _correct_identity,
}


def apply(change: ChangeRequest, draft: Draft, actor: User) -> list[Household]:
    """Make the change; returns the households it touched (for the after-snapshot)."""
    return APPLY[change.kind](change, draft, actor)
