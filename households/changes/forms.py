"""One form per kind of change. Each cleans what the user typed into the request's payload; the rules
themselves are households.changes.checks', run by the service (a refusal goes back on the form)."""

from __future__ import annotations

from django import forms

from accounts.models import User
from households import choices
from households.changes.checks import SPLIT_CASE_CHOICES
from households.changes.models import Kind
from households.forms import MemberForm
from households.models import Case, Household, Member
from households.services import MEMBER_FIELDS
from villages.models import Area

RELATIONS_BUT_HEAD = [(v, label) for v, label in choices.Relation.choices if v != choices.Relation.HEAD]


class MemberChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Member) -> str:
        return f"{obj.name}({obj.relation})"


class MemberMultipleChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Member) -> str:
        return f"{obj.name}({obj.relation})"


def _note() -> forms.CharField:
    return forms.CharField(
        label="情况说明",
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="如死亡日期、婚迁去向、证明材料等,供乡镇审核。",
    )


class ChangeForm(forms.Form):
    """The parts every kind shares: the household, its current members, the note."""

    kind: Kind
    note = _note()

    def __init__(self, *args, household: Household, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.household = household
        self.user = user
        self.current = household.members.order_by("id")

    def payload(self) -> dict:
        raise NotImplementedError


class AddMemberForm(MemberForm):
    """新增成员: the 贫困户登记表's member fields, a reason and a note."""

    kind = Kind.ADD_MEMBER
    reason = forms.ChoiceField(label="新增原因", choices=choices.AdditionReason.choices)
    note = _note()

    def __init__(self, *args, household: Household, user: User, check_url: str, **kwargs):
        # Prefixed as a member row of the household form is, so that the ID check (htmx) finds its field.
        super().__init__(*args, check_url=check_url, prefix="member", **kwargs)
        self.household = household
        self.fields["relation"].choices = [("", "---------"), *RELATIONS_BUT_HEAD]
        self.order_fields(["reason", *MEMBER_FIELDS, "note"])

    def payload(self) -> dict:
        member = {name: self.cleaned_data[name] for name in MEMBER_FIELDS}
        member["birth_date"] = member["birth_date"].isoformat()
        return {"member": member}


class RemoveMemberForm(ChangeForm):
    kind = Kind.REMOVE_MEMBER
    member = MemberChoiceField(label="减少的成员", queryset=Member.objects.none())
    reason = forms.ChoiceField(label="减少原因", choices=choices.RemovalReason.choices)
    new_head = MemberChoiceField(
        label="新户主", queryset=Member.objects.none(), required=False, help_text="减少的是户主时必填。"
    )
    field_order = ["member", "reason", "new_head", "note"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["member"].queryset = self.current
        self.fields["new_head"].queryset = self.current.exclude(relation=choices.Relation.HEAD)

    def payload(self) -> dict:
        new_head = self.cleaned_data.get("new_head")
        return {"member_id": self.cleaned_data["member"].pk, "new_head_id": new_head.pk if new_head else None}


class ChangeHeadForm(ChangeForm):
    kind = Kind.CHANGE_HEAD
    new_head = MemberChoiceField(label="新户主", queryset=Member.objects.none())
    old_head_relation = forms.ChoiceField(label="原户主改为(与新户主关系)", choices=RELATIONS_BUT_HEAD)
    field_order = ["new_head", "old_head_relation", "note"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["new_head"].queryset = self.current.exclude(relation=choices.Relation.HEAD)

    def payload(self) -> dict:
        return {
            "new_head_id": self.cleaned_data["new_head"].pk,
            "old_head_relation": self.cleaned_data["old_head_relation"],
        }


class SplitForm(ChangeForm):
    """分户: who leaves, who heads each household, where the new one lives, and the rolls of both."""

    kind = Kind.SPLIT
    members = MemberMultipleChoiceField(
        label="分出的成员", queryset=Member.objects.none(), widget=forms.CheckboxSelectMultiple
    )
    new_head = MemberChoiceField(label="新户户主", queryset=Member.objects.none())
    remaining_head = MemberChoiceField(
        label="原户新户主", queryset=Member.objects.none(), required=False, help_text="户主分出时必填。"
    )
    group = forms.ModelChoiceField(label="新户所在村民小组", queryset=Area.objects.none())
    field_order = ["members", "new_head", "remaining_head", "group", "note"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("members", "new_head", "remaining_head"):
            self.fields[name].queryset = self.current
        self.fields["group"].queryset = Area.objects.filter(
            parent_id=self.household.group.parent_id, level=Area.Level.GROUP
        ).order_by("code")
        self.fields["group"].initial = self.household.group_id
        self.open_cases = list(Case.objects.filter(household=self.household, state__in=Case.OPEN_STATES))
        for case in self.open_cases:
            self.fields[f"case_{case.program}"] = forms.ChoiceField(
                label=f"{case.get_program_display()}名册",
                choices=list(SPLIT_CASE_CHOICES.items()),
                initial="original",
            )

    def payload(self) -> dict:
        data = self.cleaned_data
        return {
            "member_ids": [m.pk for m in data["members"]],
            "new_head_id": data["new_head"].pk,
            "remaining_head_id": data["remaining_head"].pk if data.get("remaining_head") else None,
            "group_id": data["group"].pk,
            "cases": {case.program: data[f"case_{case.program}"] for case in self.open_cases},
        }


class MergeForm(ChangeForm):
    """合户: the household that joins this one, and each incoming person's relation to this 户主. The
    relation fields appear once the 户编号 names a household of the user's area."""

    kind = Kind.MERGE
    other_number = forms.CharField(label="并入本户的户编号", max_length=30)
    field_order = ["other_number", "note"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.other = None
        number = (self.data.get(self.add_prefix("other_number")) or "").strip()
        if number:
            self.other = (
                Household.objects.visible_to(self.user)
                .filter(number=number, merged_into__isnull=True)
                .exclude(pk=self.household.pk)
                .first()
            )
        for member in self.other.members.order_by("id") if self.other else []:
            self.fields[f"relation_{member.pk}"] = forms.ChoiceField(
                label=f"{member.name}(原{member.relation})与本户户主关系", choices=RELATIONS_BUT_HEAD
            )

    def clean_other_number(self) -> str:
        if self.other is None:
            raise forms.ValidationError("本村没有这个户编号的户(或它就是本户、已被合并)。")
        return self.cleaned_data["other_number"]

    def payload(self) -> dict:
        relations = {
            name.removeprefix("relation_"): value
            for name, value in self.cleaned_data.items()
            if name.startswith("relation_")
        }
        return {"other_id": self.other.pk, "relations": relations}


class CorrectIdentityForm(ChangeForm):
    kind = Kind.CORRECT_IDENTITY
    member = MemberChoiceField(label="更正的成员", queryset=Member.objects.none())
    name = forms.CharField(label="正确的姓名", max_length=40)
    id_number = forms.CharField(
        label="正确的身份证号",
        max_length=40,
        widget=forms.TextInput(attrs={"class": "mono", "autocomplete": "off"}),
    )
    field_order = ["member", "name", "id_number", "note"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["member"].queryset = self.current

    def payload(self) -> dict:
        data = self.cleaned_data
        return {"member_id": data["member"].pk, "name": data["name"], "id_number": data["id_number"]}


FORMS: dict[str, type] = {
    Kind.ADD_MEMBER: AddMemberForm,
    Kind.REMOVE_MEMBER: RemoveMemberForm,
    Kind.CHANGE_HEAD: ChangeHeadForm,
    Kind.SPLIT: SplitForm,
    Kind.MERGE: MergeForm,
    Kind.CORRECT_IDENTITY: CorrectIdentityForm,
}


class DecisionForm(forms.Form):
    reason = forms.CharField(
        label="审核意见", max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
