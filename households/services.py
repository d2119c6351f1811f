"""Writes to the registry from the browser: a household with all its members, in one transaction.

Views, commands and tests come through here. The rules are those of households.validation, the
same the import uses; they are checked again here because a service must not trust its caller.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from accounts import freshness
from accounts.models import Role, User
from households import choices
from households.models import Case, Household, IncomeRecord, Member
from households.numbers import household_number_error, next_household_number, person_numbers
from households.validation import (
    check_household_members,
    check_member,
    members_in_other_households,
    other_cause_error,
)
from villages.models import Area

# Who enters and corrects households: the village (its own village), the township and the county
# 扶贫办. 县民政局 confirms 低保 cases but does not keep household data; the administrator manages
# accounts (and may use the Django admin).
EDITOR_ROLES = {Role.VILLAGE_CADRE, Role.TOWNSHIP_OFFICIAL, Role.COUNTY_FUPIN}

HOUSEHOLD_FIELDS = (
    "number",
    "group",
    "address",
    "phone",
    "bank_name",
    "bank_account",
    "standard",
    "attribute",
    "main_cause",
    "other_causes",
    "other_cause_note",
    "deep_poverty",
    "military_martyr_family",
    "only_child_household",
    "two_daughters_household",
    "arable_land",
    "irrigated_land",
    "forest_land",
    "returned_farmland",
    "pasture_land",
    "water_surface",
    "orchard_land",
    "has_electricity",
    "has_production_electricity",
    "has_broadcast_tv",
    "road_distance_km",
    "road_type",
    "housing_area",
    "dangerous_house",
    "dangerous_house_grade",
    "drinking_water_difficult",
    "drinking_water_safe",
    "fuel",
    "in_cooperative",
    "has_sanitary_toilet",
)

MEMBER_FIELDS = (
    "name",
    "id_number",
    "gender",
    "birth_date",
    "relation",
    "ethnicity",
    "education",
    "school_status",
    "health",
    "disability_certificate",
    "disability_grade",
    "labour",
    "work_status",
    "work_months",
    "basic_medical_insurance",
    "serious_illness_insurance",
    "pension_insurance",
    "serviceman",
    "phone",
)


# Counts on the household list (households.views.household_facets) and the dashboards are cached under
# their area's version (accounts.freshness); every write moves it on, so a cadre sees their new household
# counted at once. Audited changes move it by themselves (accounts.audit); households' own writes, which
# keep their history in django-simple-history instead, call registry_changed.


def registry_changed(codes: Iterable[str] = ("",)) -> None:
    """Call after any write to households, members or cases, with the codes of their 村民小组 (or "" for
    a change anywhere); now — inside a transaction, use freshness.changed_on_commit."""
    freshness.changed(codes)


def counts_version() -> int:
    """Moves on with every change anywhere."""
    return freshness.root_version()


def can_edit_households(user: User) -> bool:
    return user.is_authenticated and user.role in EDITOR_ROLES and user.area is not None


def _deny_unless_editor(actor: User) -> None:
    if not can_edit_households(actor):
        role = actor.get_role_display() if actor.is_authenticated and actor.role else "该用户"
        raise PermissionDenied(f"{role}只能查看贫困户信息,不能新增或修改。")


def _check_group(actor: User, group: Area) -> None:
    if group.level != Area.Level.GROUP or not actor.area.contains(group):
        raise PermissionDenied(f"“{group.name}”不在您的管辖范围内,不能在此登记贫困户。")


def _check_members(members: Sequence[Mapping], *, household_id: int | None) -> None:
    """The same rules as the member form, so that no caller can write an inconsistent household."""
    errors: list[str] = []
    for position, member in enumerate(members, start=1):
        for message in check_member(member).values():
            errors.append(f"第{position}名成员({member.get('name', '')}):{message}")
    errors.extend(check_household_members(members))
    taken = members_in_other_households([m["id_number"] for m in members], household_id=household_id)
    for member in members:
        if member["id_number"] in taken:
            errors.append(
                f"{member.get('name', '')}已登记在户编号{taken[member['id_number']]}中,一人只能属于一户"
            )
    if errors:
        raise ValidationError(errors)


# Who may set 贫困户属性 on a household that is on no roll: the county. Elsewhere it comes from the
# identification workflow or the roster import; a cadre corrects it only on a household on a roll.
ATTRIBUTE_SETTERS = {Role.COUNTY_FUPIN, Role.ADMIN}


def may_set_attribute(actor: User, household: Household | None) -> bool:
    if actor.role in ATTRIBUTE_SETTERS:
        return True
    return (
        household is not None
        and household.pk is not None
        and household.cases.filter(program=choices.Program.FUPIN, state__in=Case.OPEN_STATES).exists()
    )


def _check_household(actor: User, household: Household | None, data: Mapping) -> None:
    """户编号's format, 其他 with its note, and who may set 贫困户属性."""
    errors: dict[str, str] = {}
    if household is None and data.get("number") and (message := household_number_error(data["number"])):
        errors["number"] = message
    if message := other_cause_error(data):
        errors["other_cause_note"] = message
    current = household.attribute if household is not None else ""
    if data.get("attribute", current) != current and not may_set_attribute(actor, household):
        errors["attribute"] = (
            "该户不在扶贫名册中:贫困户属性由识别认定、花名册导入或县扶贫办设定,村、乡镇不能直接填写。"
        )
    if errors:
        raise ValidationError(errors)


# Who is in a household, who heads it and who each person is change only by a request the township
# approves (households.changes): the household form edits the other fields of the members it has.
FIELDS_CHANGED_BY_REQUEST = {"name": "姓名", "id_number": "身份证号"}


def _check_membership_unchanged(existing: Mapping[int, Member], members: Sequence[Mapping]) -> None:
    errors = []
    listed = {m["id"] for m in members if m.get("id")}
    if any(not m.get("id") for m in members):
        errors.append("建档后新增家庭成员须通过“申请变更—新增成员”办理,经乡镇审核后生效。")
    for member in existing.values():
        if member.pk not in listed:
            errors.append(f"{member.name}:减少家庭成员须通过“申请变更—减少成员”办理,经乡镇审核后生效。")
    for values in members:
        member = existing.get(values.get("id"))
        if member is None:
            continue
        for field, label in FIELDS_CHANGED_BY_REQUEST.items():
            if field in values and values[field] != getattr(member, field):
                errors.append(f"{member.name}:修改{label}须通过“申请变更—修改身份证号/姓名”办理。")
        if "relation" in values and (values["relation"] == choices.Relation.HEAD) != member.is_head:
            errors.append(f"{member.name}:变更户主须通过“申请变更—变更户主”办理。")
    if errors:
        raise ValidationError(errors)


def _write_members(
    *, household: Household, actor: User, members: Sequence[Mapping], creating: bool = False
) -> None:
    """Write the household's members: on creation all of `members`; afterwards the listed members'
    fields other than those only a change request changes (FIELDS_CHANGED_BY_REQUEST, 户主)."""
    existing = {m.pk: m for m in household.members.select_for_update()}
    keep = {m["id"] for m in members if m.get("id")}
    unknown = keep - existing.keys()
    if unknown:
        raise ValidationError("要修改的成员不属于该户,请刷新页面后重试。")
    if not creating:
        _check_membership_unchanged(existing, members)
    # Whoever stops being 户主 is saved first (the one-head constraint is checked row by row); the
    # others keep the order they were entered in.
    ordered = sorted(
        members,
        key=lambda m: (
            not (m.get("id") and existing[m["id"]].is_head and m.get("relation") != choices.Relation.HEAD)
        ),
    )
    # A 人编号 names one person for good: the numbers of members who have left are not given again.
    taken = set(
        Member.history.filter(household_id=household.pk)
        .exclude(person_number="")
        .values_list("person_number", flat=True)
    )
    for values in ordered:
        member = existing[values["id"]] if values.get("id") else Member(household=household)
        for field in MEMBER_FIELDS:
            if field in values:
                setattr(member, field, values[field])
        if not member.person_number:
            member.person_number = person_numbers(household.number, taken, 1)[0]
            taken.add(member.person_number)
        # Uniqueness of the person was checked above, with the other 户编号 in the message.
        member.full_clean(validate_unique=False)
        member._history_user = actor
        member.save()


def _set_household_fields(household: Household, data: Mapping) -> None:
    for field in HOUSEHOLD_FIELDS:
        if field in data:
            setattr(household, field, data[field])


@transaction.atomic
def household_create(*, actor: User, data: Mapping, members: Sequence[Mapping]) -> Household:
    """Register a household with its members. `data` holds household fields (group is an Area)."""
    _deny_unless_editor(actor)
    _check_group(actor, data["group"])
    _check_members(members, household_id=None)
    _check_household(actor, None, data)
    household = Household()
    _set_household_fields(household, data)
    if not household.number:
        # Drawn under the group's row lock: two cadres registering in one group get different serials.
        Area.objects.select_for_update().filter(pk=household.group_id).first()
        household.number = next_household_number(household.group)
    household.full_clean()
    household._history_user = actor
    household.save()
    _write_members(household=household, actor=actor, members=members, creating=True)
    freshness.changed_on_commit([household.group.code])
    return household


@transaction.atomic
def household_update(
    *, household: Household, actor: User, data: Mapping, members: Sequence[Mapping]
) -> Household:
    """Change a household and the fields of its members (dicts with `id`); who the members are changes
    only through households.changes."""
    _deny_unless_editor(actor)
    # Lock the row, and fetch it through the actor's scope: two cadres saving at once are serialised,
    # and a household moved out of the actor's area in the meantime is no longer theirs to change.
    locked = Household.objects.visible_to(actor).select_for_update().filter(pk=household.pk).first()
    if locked is None:
        raise PermissionDenied("该户不在您的管辖范围内。")
    if "number" in data and data["number"] != locked.number:
        raise ValidationError({"number": "户编号建档后不能修改。"})
    _check_group(actor, data.get("group", locked.group))
    _check_members(members, household_id=locked.pk)
    _check_household(actor, locked, data)
    before = locked.group.code
    _set_household_fields(locked, data)
    locked.full_clean()
    locked._history_user = actor
    locked.save()
    _write_members(household=locked, actor=actor, members=members)
    if not Household.objects.visible_to(actor).filter(pk=locked.pk).exists():
        raise PermissionDenied("保存后该户将不在您的管辖范围内,未保存。")
    freshness.changed_on_commit([before, locked.group.code])  # both groups' figures, if it moved
    return locked


INCOME_FIELDS = (
    "persons",
    "wage_income",
    "business_income",
    "business_expense",
    "property_income",
    *IncomeRecord.TRANSFER_FIELDS,
)


@transaction.atomic
def income_save(*, household: Household, actor: User, year: int, values: Mapping) -> IncomeRecord:
    """The household's income of `year`, created or corrected; 年人均纯收入 follows from it."""
    _deny_unless_editor(actor)
    locked = Household.objects.visible_to(actor).select_for_update().filter(pk=household.pk).first()
    if locked is None:
        raise PermissionDenied("该户不在您的管辖范围内。")
    record = IncomeRecord.objects.filter(household=locked, year=year).first() or IncomeRecord(
        household=locked, year=year
    )
    for field in INCOME_FIELDS:
        if field in values:
            setattr(record, field, values[field])
    record.full_clean()
    record._history_user = actor
    record.save()
    return record
