"""The household form (贫困户登记表 with its members) and the list's filters.

The member rules are households.validation's, the same the import and the services use; here they
put each Chinese message on the field that is wrong.
"""

from __future__ import annotations

import datetime

from django import forms
from django.db.models import Exists, OuterRef, Q, QuerySet

from accounts.models import User
from households import choices
from households.idnumber import InvalidIdNumber, normalize
from households.models import Case, Household, IncomeRecord, Member
from households.numbers import household_number_error
from households.services import HOUSEHOLD_FIELDS, INCOME_FIELDS, MEMBER_FIELDS, may_set_attribute
from households.validation import (
    check_household_members,
    check_member,
    members_in_other_households,
    other_cause_error,
)
from villages.models import Area
from villages.selectors import areas_for


class GroupChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Area) -> str:
        return f"{obj.parent.name} {obj.name}"


class HouseholdForm(forms.ModelForm):
    other_causes = forms.MultipleChoiceField(
        label="其他致贫原因",
        choices=choices.Cause.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    class Meta:
        model = Household
        fields = HOUSEHOLD_FIELDS
        field_classes = {"group": GroupChoiceField}

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["group"].queryset = (
            areas_for(user).filter(level=Area.Level.GROUP).select_related("parent").order_by("code")
        )
        if self.instance.pk:
            # 户编号 is the key the national system and the import know the household by.
            self.fields["number"].disabled = True
            self.fields["number"].help_text = "户编号建档后不能修改。"
        else:
            self.fields["number"].required = False
            self.fields["number"].help_text = "留空由系统按村民小组代码加序号生成;已有全国系统户编号的照填。"
        # 深度贫困户 is the county's confirmed list (identification.deep_poverty): shown here, set there.
        self.fields["deep_poverty"].disabled = True
        self.fields["deep_poverty"].help_text = "由县扶贫办确认深度贫困名单时标注。"
        if not may_set_attribute(user, self.instance if self.instance.pk else None):
            self.fields["attribute"].disabled = True
            self.fields[
                "attribute"
            ].help_text = "不在扶贫名册的农户,贫困户属性由识别认定、花名册导入或县扶贫办设定。"

    BASIC_FIELDS = HOUSEHOLD_FIELDS[: HOUSEHOLD_FIELDS.index("arable_land")]

    def sections(self) -> list[tuple[str, list[forms.BoundField]]]:
        return [
            ("基本情况", [self[name] for name in self.BASIC_FIELDS]),
            ("生产生活条件", [self[name] for name in HOUSEHOLD_FIELDS[len(self.BASIC_FIELDS) :]]),
        ]

    def clean_number(self) -> str:
        number = self.cleaned_data["number"].strip()
        # Checked when typed: a number registered before the check stays as it is.
        if not self.instance.pk and number and (message := household_number_error(number)):
            raise forms.ValidationError(message)
        return number

    def clean(self) -> dict:
        cleaned = super().clean()
        arable, irrigated = cleaned.get("arable_land"), cleaned.get("irrigated_land")
        if arable is not None and irrigated is not None and irrigated > arable:
            self.add_error("irrigated_land", "有效灌溉面积不能大于耕地面积")
        if cleaned.get("dangerous_house_grade") and not cleaned.get("dangerous_house"):
            self.add_error("dangerous_house_grade", "只有危房户才填写危房等级")
        if cleaned.get("main_cause") and cleaned.get("main_cause") in (cleaned.get("other_causes") or []):
            self.add_error("other_causes", "其他致贫原因不应重复主要致贫原因")
        if message := other_cause_error(cleaned):
            self.add_error("other_cause_note", message)
        return cleaned


class MemberForm(forms.ModelForm):
    # Longer than 18 so that a mistyped number reaches the check that says what is wrong with it.
    id_number = forms.CharField(label="身份证号", max_length=40)

    class Meta:
        model = Member
        fields = MEMBER_FIELDS
        widgets = {"birth_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}

    def __init__(self, *args, check_url: str, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            # Who the person is changes only by a request the township approves (households.changes).
            for name in ("name", "id_number"):
                self.fields[name].disabled = True
                self.fields[name].help_text = "建档后通过“申请变更—修改身份证号/姓名”更正。"
            if self.instance.is_head:
                self.fields["relation"].disabled = True
                self.fields["relation"].help_text = "通过“申请变更—变更户主”办理。"
            return
        # Checked as it is typed (htmx): the number goes in a POST body, never in the URL.
        self.fields["id_number"].widget.attrs.update(
            {
                "hx-post": check_url,
                "hx-trigger": "keyup changed delay:400ms, change",
                "hx-target": f"#{self.prefix}-id-check",
                "hx-params": self.add_prefix("id_number"),
                "autocomplete": "off",
                "class": "mono",
            }
        )

    def clean_id_number(self) -> str:
        try:
            return normalize(self.cleaned_data["id_number"])
        except InvalidIdNumber as error:
            raise forms.ValidationError(str(error)) from None

    def clean(self) -> dict:
        cleaned = super().clean()
        if "id_number" in self.errors:
            return cleaned
        for field, message in check_member(cleaned).items():
            if field not in self.errors:
                self.add_error(field, message)
        return cleaned

    def validate_unique(self) -> None:
        # A person already registered elsewhere is reported by the formset, naming the other 户编号.
        exclude = self._get_validation_exclusions() | {"id_number"}
        try:
            self.instance.validate_unique(exclude=exclude)
        except forms.ValidationError as error:
            self._update_errors(error)


class BaseMemberFormSet(forms.BaseInlineFormSet):
    def live_forms(self) -> list[MemberForm]:
        """The rows that will be members after saving: not removed, not left blank."""
        return [
            form
            for form in self.forms
            if not (self.can_delete and self._should_delete_form(form))
            and (form.instance.pk or form.has_changed())
        ]

    def clean(self) -> None:
        # Django's own duplicate check across rows is replaced by check_household_members, which
        # says it in the household's terms.
        live = self.live_forms()
        values = [getattr(form, "cleaned_data", {}) for form in live]
        errors = check_household_members(values)
        taken = members_in_other_households(
            [v["id_number"] for v in values if v.get("id_number")], household_id=self.instance.pk
        )
        for form, value in zip(live, values, strict=True):
            if value.get("id_number") in taken:
                form.add_error(
                    "id_number", f"此人已登记在户编号{taken[value['id_number']]}中,一人只能属于一户"
                )
        if errors:
            raise forms.ValidationError(errors)

    def member_values(self) -> list[dict]:
        """What households.services expects: the fields of each member, with `id` for existing ones."""
        return [
            {"id": form.instance.pk, **{f: form.cleaned_data[f] for f in MEMBER_FIELDS}}
            for form in self.live_forms()
        ]


def member_formset_class(*, extra: int, can_delete: bool = True) -> type[BaseMemberFormSet]:
    """A new household's members (rows added and removed freely), or an existing household's (extra=0,
    can_delete=False: members come and go by households.changes)."""
    return forms.inlineformset_factory(
        Household,
        Member,
        form=MemberForm,
        formset=BaseMemberFormSet,
        fields=MEMBER_FIELDS,
        extra=extra,
        can_delete=can_delete,
    )


class IncomeRecordForm(forms.ModelForm):
    """One year's income; the year is fixed once recorded, the household's other years are untouched."""

    class Meta:
        model = IncomeRecord
        fields = ("year", *INCOME_FIELDS)

    def __init__(self, *args, household: Household, **kwargs):
        super().__init__(*args, **kwargs)
        self.household = household
        if self.instance.pk:
            self.fields["year"].disabled = True

    def clean_year(self) -> int:
        year = self.cleaned_data["year"]
        if year is not None and year > datetime.date.today().year:
            raise forms.ValidationError("收入年度不能晚于今年:只能录入已经过去或正在进行的年度。")
        taken = self.household.incomes.filter(year=year).exclude(pk=self.instance.pk)
        if year is not None and taken.exists():
            raise forms.ValidationError(f"{year}年的收入已经录入,请在户卡上修改该年度。")
        return year

    def validate_unique(self) -> None:
        # The one-record-per-year rule is checked by clean_year, in the household's terms.
        pass


# The registry holds every rural household; the rolls say which are 贫困户 (an open 扶贫 case), 低保户
# and 特困户 (open cases there), and the rest are on no roll.
NO_ROLL = "none"
ROLL_FILTERS = [
    (choices.Program.FUPIN, "贫困户"),
    (choices.Program.DIBAO, "低保户"),
    (choices.Program.TEKUN, "特困户"),
    (NO_ROLL, "未在名册"),
]


def _with_all(choices_: list[tuple[str, str]]) -> list[tuple[str, str]]:
    return [("", "全部"), *choices_]


class HouseholdFilterForm(forms.Form):
    """The list's filters: GET parameters, because none of them is personal data."""

    area = forms.CharField(required=False)
    attribute = forms.ChoiceField(
        label="贫困户属性", choices=_with_all(choices.Attribute.choices), required=False
    )
    cause = forms.ChoiceField(label="主要致贫原因", choices=_with_all(choices.Cause.choices), required=False)
    roll = forms.ChoiceField(label="户类", choices=_with_all(ROLL_FILTERS), required=False)
    state = forms.ChoiceField(label="对象状态", choices=_with_all(choices.CaseState.choices), required=False)
    after = forms.CharField(required=False, max_length=30)
    before = forms.CharField(required=False, max_length=30)

    FILTERS = ("area", "attribute", "cause", "roll", "state")

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_area(self) -> Area | None:
        code = self.cleaned_data["area"]
        if not code:
            return None
        area = areas_for(self.user).filter(code=code).first()
        if area is None:
            raise forms.ValidationError("该区划不在您的管辖范围内")
        return area

    def selected_area(self) -> Area:
        return self.cleaned_data.get("area") or self.user.area

    def filter(self, households: QuerySet[Household]) -> QuerySet[Household]:
        data = self.cleaned_data
        if data.get("area"):
            households = households.filter(area_code__startswith=data["area"].scope_prefix)
        if data.get("attribute"):
            households = households.filter(attribute=data["attribute"])
        if data.get("cause"):
            households = households.filter(main_cause=data["cause"])
        if data.get("roll") == NO_ROLL:
            households = households.exclude(
                Exists(Case.objects.filter(household=OuterRef("pk"), state__in=Case.OPEN_STATES))
            )
            if data.get("state"):
                households = households.filter(
                    Exists(Case.objects.filter(household=OuterRef("pk"), state=data["state"]))
                )
        elif data.get("roll") or data.get("state"):
            households = households.filter(Exists(self._cases()))
        return households

    def _cases(self) -> QuerySet[Case]:
        """A household is on a roll while its case there is open; a state filter looks at any case."""
        data = self.cleaned_data
        cases = Case.objects.filter(household=OuterRef("pk"))
        if data.get("roll"):
            cases = cases.filter(program=data["roll"])
        if data.get("state"):
            cases = cases.filter(state=data["state"])
        else:
            cases = cases.filter(state__in=Case.OPEN_STATES)
        return cases

    def query_without(self, *names: str) -> dict[str, str]:
        """The current filters as GET parameters, less `names` and the page cursors."""
        return {
            name: self.data[name]
            for name in self.FILTERS
            if name not in names and self.data.get(name) and name not in self.errors
        }


def search_households(households: QuerySet[Household], text: str) -> QuerySet[Household]:
    """By 身份证号 (whole), 户编号 or a member's name (both from their start: an index range scan)."""
    text = normalize(text)
    if not text:
        return households
    if len(text) == 18 and text[:17].isdigit():
        # 户编号 can be 18 digits too. The person is looked up first, so that the OR below is two
        # index lookups rather than a subplan over every household.
        holders = list(Member.objects.filter(id_number=text).values_list("household_id", flat=True))
        return households.filter(Q(number=text) | Q(pk__in=holders))
    if text.isdigit():
        return households.filter(number__startswith=text)
    return households.filter(pk__in=Member.objects.filter(name__startswith=text).values("household_id"))
