"""households.changes.services: filed by the village, applied only when the township approves, every
kind, the pending block, rejection and withdrawal, with audit events and history."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from accounts.models import AuditEvent
from households.changes import services
from households.changes.models import ChangeRequest, ChangeRequestMember, State
from households.models import Case, Household, Member
from tests.factories import MemberFactory, id_number_for
from tests.households.changes.conftest import member, person


def file(users, household, kind, reason="", **payload):
    return services.change_file(
        actor=users.alice, household=household, kind=kind, reason=reason, payload=payload
    )


def approve(users, change):
    return services.change_approve(actor=users.carol, change=change)


def test_a_filed_removal_changes_nothing_until_the_township_approves(users, household):
    son = member(household, "张小军")
    change = file(users, household, "remove_member", "死亡", member_id=son.pk)
    assert household.members.count() == 3
    assert change.state == State.PENDING
    assert AuditEvent.objects.get(object_id=change.pk).event_type == "household_change_filed"

    approve(users, change)

    assert household.members.count() == 2
    removed = Member.everyone.get(pk=son.pk)
    assert (removed.removal_reason, removed.is_removed) == ("死亡", True)
    assert removed.history.first().history_user == users.carol
    change.refresh_from_db()
    assert (change.state, change.decided_by, change.decided_at is not None) == (
        State.APPROVED,
        users.carol,
        True,
    )
    assert [m["state"] for m in change.after[0]["members"] if m["id"] == son.pk] == ["已减少(死亡)"]
    assert AuditEvent.objects.filter(object_id=change.pk, event_type="household_change_approved").exists()


def test_removing_the_head_names_the_new_head(users, household):
    head, wife = member(household, "张大山"), member(household, "李秀英")
    with pytest.raises(ValidationError, match="减少户主须同时指定新户主"):
        file(users, household, "remove_member", "死亡", member_id=head.pk)
    approve(users, file(users, household, "remove_member", "死亡", member_id=head.pk, new_head_id=wife.pk))
    assert household.members.get(relation="户主") == wife


def test_the_last_member_cannot_be_removed(users, household):
    for name in ("张小军", "李秀英"):
        approve(users, file(users, household, "remove_member", "迁出", member_id=member(household, name).pk))
    with pytest.raises(ValidationError, match="只有这一名成员"):
        file(users, household, "remove_member", "死亡", member_id=member(household, "张大山").pk)


def test_a_removal_needs_a_reason_from_the_list(users, household):
    with pytest.raises(ValidationError, match="请选择减少原因"):
        file(users, household, "remove_member", "出走", member_id=member(household, "张小军").pk)


def test_a_new_member_is_added_on_approval_with_a_person_number(users, household):
    change = file(users, household, "add_member", "出生", member=person(21))
    assert not household.members.filter(name="新成员21").exists()
    approve(users, change)
    added = household.members.get(name="新成员21")
    assert added.person_number.startswith(household.number)
    assert added.id_number == id_number_for(21)


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"relation": "户主"}, "新增成员不能直接作为户主"),
        ({"id_number": "530323197001010000"}, "校验位错误"),
        ({"gender": "女"}, "与身份证号不符"),
    ],
)
def test_a_new_member_is_checked_like_the_household_form(users, household, values, message):
    with pytest.raises(ValidationError, match=message):
        file(users, household, "add_member", "婚入", member={**person(22), **values})
    assert not ChangeRequest.objects.exists()


def test_a_person_registered_elsewhere_is_not_added(users, household, neighbour):
    taken = member(neighbour, "张老汉")
    with pytest.raises(ValidationError, match=f"已登记在户编号{neighbour.number}"):
        file(
            users,
            household,
            "add_member",
            "迁入",
            member=person(
                0, id_number=taken.id_number, gender=taken.gender, birth_date=taken.birth_date.isoformat()
            ),
        )


def test_a_person_who_left_one_household_can_join_another(users, household, neighbour):
    wife = member(neighbour, "王老太")
    approve(users, file(users, neighbour, "remove_member", "婚出", member_id=wife.pk))
    values = person(0, id_number=wife.id_number, gender="女", birth_date=wife.birth_date.isoformat())
    approve(users, file(users, household, "add_member", "婚入", member=values))
    assert household.members.filter(id_number=wife.id_number).exists()
    assert Member.everyone.filter(id_number=wife.id_number).count() == 2


def test_change_head(users, household):
    head, son = member(household, "张大山"), member(household, "张小军")
    approve(users, file(users, household, "change_head", new_head_id=son.pk, old_head_relation="之父"))
    head.refresh_from_db()
    son.refresh_from_db()
    assert (son.relation, head.relation) == ("户主", "之父")


def test_correct_identity_takes_birth_date_and_gender_from_the_new_number(users, household):
    son = member(household, "张小军")
    corrected = id_number_for(31, gender="女")
    approve(
        users,
        file(users, household, "correct_identity", member_id=son.pk, name="张小君", id_number=corrected),
    )
    son.refresh_from_db()
    assert (son.name, son.id_number, son.gender) == ("张小君", corrected, "女")
    assert str(son.birth_date).replace("-", "") == corrected[6:14]


def test_correct_identity_refuses_a_number_used_county_wide(users, household, neighbour):
    with pytest.raises(ValidationError, match="一人只能属于一户"):
        file(
            users,
            household,
            "correct_identity",
            member_id=member(household, "张小军").pk,
            name="张小军",
            id_number=member(neighbour, "张老汉").id_number,
        )


def test_correct_identity_validates_the_number(users, household):
    with pytest.raises(ValidationError, match="身份证号应为18位"):
        file(
            users,
            household,
            "correct_identity",
            member_id=member(household, "张小军").pk,
            name="张小军",
            id_number="123",
        )


def test_split_makes_a_new_household_with_its_members_and_rolls(users, household, county_tree):
    son = member(household, "张小军")
    change = file(
        users,
        household,
        "split",
        member_ids=[son.pk],
        new_head_id=son.pk,
        group_id=county_tree.xiaozhai.pk,
        cases={"fupin": "both"},
    )
    assert Household.objects.count() == 1
    approve(users, change)
    change.refresh_from_db()
    new = change.other_household
    assert new.number == "5303231012010020001"  # 小寨组's code and the first serial
    assert list(new.members.values_list("name", "relation")) == [("张小军", "户主")]
    assert household.members.count() == 2
    assert new.cases.get().state == "active"
    assert household.cases.get().state == "active"
    assert (new.main_cause, new.phone) == ("因病", "")


def test_split_moving_the_roll_closes_it_in_the_original(users, household):
    son = member(household, "张小军")
    approve(
        users,
        file(users, household, "split", member_ids=[son.pk], new_head_id=son.pk, cases={"fupin": "new"}),
    )
    assert household.cases.get().state == "moved"
    assert Case.objects.filter(program="fupin", state="active").exclude(household=household).count() == 1


def test_split_taking_the_head_names_the_remaining_head(users, household):
    head, wife = member(household, "张大山"), member(household, "李秀英")
    with pytest.raises(ValidationError, match="请在留下的成员中指定原户的新户主"):
        file(users, household, "split", member_ids=[head.pk], new_head_id=head.pk)
    approve(
        users,
        file(users, household, "split", member_ids=[head.pk], new_head_id=head.pk, remaining_head_id=wife.pk),
    )
    assert household.members.get(relation="户主") == wife


def test_split_cannot_take_everyone(users, household):
    ids = list(household.members.values_list("pk", flat=True))
    with pytest.raises(ValidationError, match="原户至少要留一人"):
        file(users, household, "split", member_ids=ids, new_head_id=ids[0])


def test_merge_moves_the_members_and_rolls_and_keeps_the_household(users, household, neighbour):
    old, wife = member(neighbour, "张老汉"), member(neighbour, "王老太")
    change = file(
        users,
        household,
        "merge",
        other_id=neighbour.pk,
        relations={str(old.pk): "之父", str(wife.pk): "之母"},
    )
    approve(users, change)
    assert sorted(household.members.values_list("relation", flat=True)) == sorted(
        ["之父", "之母", "户主", "配偶", "之子"]
    )
    neighbour.refresh_from_db()
    assert neighbour.merged_into == household
    assert not neighbour.members.exists()
    assert neighbour.cases.get().state == "moved"
    assert household.cases.filter(program="dibao", state="active", entered_year=2013).exists()
    with pytest.raises(ValidationError, match="已并入其他户"):
        file(users, neighbour, "change_head", new_head_id=old.pk, old_head_relation="之子")


def test_a_merged_household_leaves_the_counts(users, household, neighbour, county_tree):
    from reports.statistics import figures_for

    before = figures_for(county_tree.county, user=users.fupin)
    approve(users, file(users, household, "merge", other_id=neighbour.pk, relations=relations_of(neighbour)))
    after = figures_for(county_tree.county, user=users.fupin)
    assert (after.households, after.persons) == (before.households - 1, before.persons)


def test_merge_needs_a_relation_for_every_incoming_person(users, household, neighbour):
    with pytest.raises(ValidationError, match="与户主关系"):
        file(users, household, "merge", other_id=neighbour.pk, relations={})


def test_a_pending_request_blocks_a_second_on_the_same_member(users, household):
    son = member(household, "张小军")
    file(users, household, "remove_member", "死亡", member_id=son.pk)
    with pytest.raises(ValidationError, match="张小军已有一项待审核的“减少成员”申请"):
        file(users, household, "correct_identity", member_id=son.pk, name="张晓军", id_number=son.id_number)
    assert ChangeRequest.objects.count() == 1


def test_the_database_holds_one_pending_request_per_member(users, household):
    son = member(household, "张小军")
    first = file(users, household, "remove_member", "死亡", member_id=son.pk)
    second = ChangeRequest.objects.create(household=household, kind="change_head", filed_by=users.alice)
    with pytest.raises(IntegrityError, match="change_one_pending_per_member"), transaction.atomic():
        ChangeRequestMember.objects.create(request=second, member=son)
    assert ChangeRequestMember.objects.get(member=son).request == first


def test_a_pending_split_blocks_any_other_request_on_the_household(users, household):
    son = member(household, "张小军")
    file(users, household, "split", member_ids=[son.pk], new_head_id=son.pk)
    with pytest.raises(ValidationError, match="待审核的分户或合户申请"):
        file(users, household, "add_member", "出生", member=person(41))


def test_after_a_decision_the_member_is_free_again(users, household):
    son = member(household, "张小军")
    change = file(users, household, "remove_member", "死亡", member_id=son.pk)
    services.change_reject(actor=users.carol, change=change, reason="死亡证明未附")
    file(users, household, "remove_member", "死亡", member_id=son.pk)


def test_rejection_needs_a_reason_and_changes_nothing(users, household):
    son = member(household, "张小军")
    change = file(users, household, "remove_member", "死亡", member_id=son.pk)
    with pytest.raises(ValidationError, match="驳回须写明理由"):
        services.change_reject(actor=users.carol, change=change, reason=" ")
    services.change_reject(actor=users.carol, change=change, reason="死亡证明未附")
    change.refresh_from_db()
    assert (change.state, change.decision_reason) == (State.REJECTED, "死亡证明未附")
    assert household.members.count() == 3
    assert (
        AuditEvent.objects.get(object_id=change.pk, event_type="household_change_rejected").reason
        == "死亡证明未附"
    )
    with pytest.raises(ValidationError, match="不能再批准"):
        approve(users, change)


def test_the_village_withdraws_its_request(users, household):
    change = file(users, household, "remove_member", "死亡", member_id=member(household, "张小军").pk)
    services.change_withdraw(actor=users.alice, change=change)
    change.refresh_from_db()
    assert change.state == State.WITHDRAWN
    assert household.members.count() == 3


@pytest.mark.parametrize(
    ("who", "move"),
    [("alice", "change_approve"), ("fupin", "change_approve"), ("carol", "change_withdraw")],
)
def test_moves_for_other_roles_are_refused_as_wrong_role(users, household, who, move):
    change = file(users, household, "remove_member", "死亡", member_id=member(household, "张小军").pk)
    with pytest.raises(ValidationError) as refused:
        getattr(services, move)(actor=getattr(users, who), change=change)
    assert refused.value.code == "wrong_role"
    assert household.members.count() == 3


@pytest.mark.parametrize("who", ["carol", "fupin", "minzheng"])
def test_only_the_village_files(users, household, who):
    with pytest.raises(ValidationError) as refused:
        services.change_file(
            actor=getattr(users, who),
            household=household,
            kind="remove_member",
            reason="死亡",
            payload={"member_id": member(household, "张小军").pk},
        )
    assert refused.value.code == "wrong_role"


def test_a_cadre_of_another_village_cannot_file(users, household):
    with pytest.raises(ValidationError, match="不在您的管辖范围内"):
        services.change_file(
            actor=users.bob,
            household=household,
            kind="remove_member",
            reason="死亡",
            payload={"member_id": member(household, "张小军").pk},
        )


def test_a_township_cannot_approve_another_townships_request(users, household):
    change = file(users, household, "remove_member", "死亡", member_id=member(household, "张小军").pk)
    with pytest.raises(ValidationError, match="不在您的管辖范围内"):
        services.change_approve(actor=users.dave, change=change)
    assert household.members.count() == 3


def test_approval_checks_again_what_changed_since_filing(users, household, neighbour):
    change = file(users, household, "add_member", "迁入", member=person(51))
    # Meanwhile the person was registered in another household (by an import, say).
    MemberFactory(household=neighbour, relation="之子", id_number=id_number_for(51), name="别人")
    with pytest.raises(ValidationError, match="一人只能属于一户"):
        approve(users, change)
    change.refresh_from_db()
    assert change.state == State.PENDING


def test_preview_shows_the_outcome_without_writing(users, household):
    son = member(household, "张小军")
    change = file(users, household, "remove_member", "死亡", member_id=son.pk)
    outcome, problem = services.change_preview(actor=users.carol, change=change)
    assert problem == ""
    assert [m["state"] for m in outcome.after[0]["members"] if m["id"] == son.pk] == ["已减少(死亡)"]
    assert [m["state"] for m in outcome.before[0]["members"] if m["id"] == son.pk] == ["现有"]
    assert household.members.count() == 3
    assert "*" in outcome.before[0]["members"][0]["id_number"]


def relations_of(household) -> dict[str, str]:
    return {str(m.pk): "之父" if n == 0 else "之兄弟姐妹" for n, m in enumerate(household.members.all())}
