"""Forms of 帮扶: they clean values into typed Python with Chinese messages; the services write."""

from __future__ import annotations

import copy
import datetime

from django import forms
from django.utils import timezone

from accounts.models import User
from assistance import choices, selectors
from assistance.models import (
    MAX_LOAN_MONTHS,
    Attendance,
    CountySettings,
    CreditRating,
    Helper,
    Loan,
    Measure,
    Plan,
    TeamMember,
    TeamRecord,
    Unit,
    VillageAssistance,
    WorkTeam,
)
from households.models import Household

# ISO values: a browser's date input reads nothing else (the zh-hans format would leave it empty).
DATE = forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"})


def _dates(form: forms.Form) -> None:
    for f in form.fields.values():
        if isinstance(f, forms.DateField):
            f.widget = copy.copy(DATE)


class PairForm(forms.Form):
    helper = forms.ModelChoiceField(label="帮扶责任人", queryset=Helper.objects.none())
    started_on = forms.DateField(label="结对日期", initial=timezone.localdate, widget=DATE)
    note = forms.CharField(label="说明", required=False, max_length=200)

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["helper"].queryset = selectors.helpers_for(user).filter(is_active=True)
        self.fields["helper"].label_from_instance = lambda h: f"{h.name}({h.unit},已联系 {h.held} 户)"


class UnpairForm(forms.Form):
    reason = forms.ChoiceField(label="解除原因", choices=choices.PairingEnd.choices)
    ended_on = forms.DateField(label="解除日期", initial=timezone.localdate, widget=DATE)
    note = forms.CharField(label="说明", required=False, max_length=200)


class UnitForm(forms.ModelForm):
    class Meta:
        model = Unit
        fields = ["name", "level"]


class HelperForm(forms.ModelForm):
    class Meta:
        model = Helper
        fields = ["name", "unit", "position", "is_cadre", "is_manager", "phone"]

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = selectors.units_for(user)


class HelperAccountForm(forms.Form):
    username = forms.CharField(label="用户名", max_length=150)
    password = forms.CharField(
        label="初始密码", widget=forms.PasswordInput, help_text="请当面告知本人,并提醒其登录后修改。"
    )


class PlanForm(forms.ModelForm):
    class Meta:
        model = Plan
        fields = ["year", "target_year", "wishes"]
        widgets = {"wishes": forms.Textarea(attrs={"rows": 2})}

    def clean(self):
        data = super().clean()
        if data.get("year") and data.get("target_year") and data["target_year"] < data["year"]:
            self.add_error("target_year", "计划脱贫年度不能早于计划年度。")
        return data

    def validate_unique(self):
        """An existing plan of the year is updated by the service, not refused."""


class MeasureForm(forms.ModelForm):
    class Meta:
        model = Measure
        fields = [
            "category",
            "content",
            "member",
            "amount",
            "funding_source",
            "started_on",
            "ended_on",
            "status",
        ]

    def __init__(self, *args, household: Household, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["member"].queryset = household.members.order_by("id")
        self.fields["member"].required = False
        self.fields["member"].empty_label = "(全户)"
        self.fields["category"].choices = [("", "请选择")] + [
            (group, [(c, c) for c in categories]) for group, categories in choices.GROUPS.items()
        ]
        _dates(self)

    def clean(self):
        data = super().clean()
        if data.get("ended_on") and data.get("started_on") and data["ended_on"] < data["started_on"]:
            self.add_error("ended_on", "结束日期不能早于开始日期。")
        return data

    def _post_clean(self):
        """The plan and household are the service's to set: skip the model's own validation here."""


class ProgressForm(forms.Form):
    status = forms.ChoiceField(label="状态", choices=choices.MeasureStatus.choices)
    effect = forms.CharField(label="成效", required=False, max_length=200)


class VisitForm(forms.Form):
    visited_on = forms.DateField(label="走访日期", initial=timezone.localdate, widget=DATE)
    content = forms.CharField(label="走访内容", max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))
    photo = forms.FileField(
        label="照片(可选)",
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png", "capture": "environment"}),
    )

    def clean_visited_on(self) -> datetime.date:
        day = self.cleaned_data["visited_on"]
        if day > timezone.localdate():
            raise forms.ValidationError("走访日期不能晚于今天。")
        return day


class CreditForm(forms.ModelForm):
    class Meta:
        model = CreditRating
        fields = ["grade", "credit_line", "rated_on"]
        widgets = {"rated_on": DATE}


class LoanForm(forms.ModelForm):
    class Meta:
        model = Loan
        fields = [
            "bank",
            "amount",
            "issued_on",
            "term_months",
            "purpose",
            "subsidy_rate",
            "subsidy_amount",
            "risk_compensation",
        ]
        widgets = {"issued_on": DATE}
        help_texts = {"term_months": f"最长 {MAX_LOAN_MONTHS} 个月(3 年)。"}

    def _post_clean(self):
        """The due date is derived by the service; the model's own checks run there."""


class LoanUpdateForm(forms.Form):
    status = forms.ChoiceField(
        label="状态", choices=[c for c in choices.LoanStatus.choices if c[0] != "正常"]
    )
    on = forms.DateField(label="日期", initial=timezone.localdate, widget=DATE)
    months = forms.IntegerField(
        label="延长月数(展期/续贷)", required=False, min_value=1, max_value=MAX_LOAN_MONTHS
    )


class TeamForm(forms.ModelForm):
    class Meta:
        model = WorkTeam
        fields = ["unit", "started_on"]
        widgets = {"started_on": DATE}

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = selectors.units_for(user)

    def _post_clean(self):
        """The village is the page's; the service checks the one open team per village."""


class TeamEndForm(forms.Form):
    ended_on = forms.DateField(label="撤离日期", initial=timezone.localdate, widget=DATE)


class MemberLeaveForm(forms.Form):
    member = forms.ModelChoiceField(label="队员", queryset=TeamMember.objects.none())
    left_on = forms.DateField(label="离开日期", initial=timezone.localdate, widget=DATE)

    def __init__(self, *args, team: WorkTeam, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["member"].queryset = team.members.filter(left_on__isnull=True)


class TeamMemberForm(forms.ModelForm):
    class Meta:
        model = TeamMember
        fields = ["name", "role", "is_first_secretary", "unit", "phone", "joined_on"]
        widgets = {"joined_on": DATE}

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = selectors.units_for(user)

    def _post_clean(self):
        """The team is the page's."""


class AttendanceForm(forms.ModelForm):
    month = forms.DateField(
        label="月份",
        widget=forms.DateInput(format="%Y-%m", attrs={"type": "month"}),
        input_formats=["%Y-%m", "%Y-%m-%d"],
    )

    class Meta:
        model = Attendance
        fields = ["member", "month", "days_present", "days_leave"]

    def __init__(self, *args, team: WorkTeam, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["member"].queryset = team.members.filter(left_on__isnull=True)

    def clean(self):
        data = super().clean()
        if (data.get("days_present") or 0) + (data.get("days_leave") or 0) > 31:
            self.add_error("days_leave", "在岗天数与请假天数之和不能超过当月天数。")
        return data

    def _post_clean(self):
        """An existing month is updated by the service."""


class TeamRecordForm(forms.ModelForm):
    class Meta:
        model = TeamRecord
        fields = ["kind", "member", "date", "content"]
        widgets = {"date": DATE, "content": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, team: WorkTeam, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["member"].queryset = team.members.all()
        self.fields["member"].empty_label = "(全队)"

    def _post_clean(self):
        """The team is the page's."""


class VillageContactsForm(forms.ModelForm):
    class Meta:
        model = VillageAssistance
        fields = ["liaison_leader", "unit", "agronomist"]

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = selectors.units_for(user)

    def _post_clean(self):
        """The village is the page's."""


class SettingsForm(forms.ModelForm):
    class Meta:
        model = CountySettings
        fields = ["helper_limit", "transition_ends_on"]
        widgets = {"transition_ends_on": DATE}

    def _post_clean(self):
        """The county is the user's."""


class BulkAssignForm(forms.Form):
    file = forms.FileField(
        label="结对表(.xlsx)",
        help_text="表头须含“户编号”“帮扶责任人”,可含“帮扶单位”(同名时区分)与“结对日期”。整表检查无误才写入。",
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith(".xlsx"):
            raise forms.ValidationError("请上传 .xlsx 文件。")
        return upload
