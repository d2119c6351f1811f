"""Forms of the identification screens: they clean input into typed values for the services, which
make every decision (role, area, state, quota). Messages in Chinese."""

from __future__ import annotations

import datetime
import re
from decimal import Decimal

from django import forms

from households.models import Household, IncomeRecord
from identification import rules
from identification.choices import PROGRAM_LABELS, Origin, State
from identification.models import Application, Round
from identification.services import INCOME_FIELDS

PROGRAM_CHOICES = [("fupin", "扶贫"), ("dibao", "低保"), ("both", "扶贫和低保(交叉)")]
DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class ApplicationFilterForm(forms.Form):
    """The filters of every application list: all optional, all in the URL."""

    state = forms.ChoiceField(label="状态", required=False, choices=[("", "全部状态"), *State.choices])
    area = forms.CharField(label="区划代码", required=False, max_length=15)
    program = forms.ChoiceField(
        label="申请项目", required=False, choices=[("", "全部项目"), *PROGRAM_LABELS.items()]
    )
    q = forms.CharField(label="户编号", required=False, max_length=20)

    def filter(self, applications):
        data = self.cleaned_data
        if data.get("state"):
            applications = applications.filter(state=data["state"])
        if data.get("area"):
            applications = applications.filter(household__group__code__startswith=data["area"].rstrip("0"))
        if data.get("program"):
            applications = applications.filter(**{f"wants_{data['program']}": True})
        if data.get("q"):
            applications = applications.filter(household__number__startswith=data["q"].strip())
        return applications


class ApplicationForm(forms.Form):
    """申报: 户主申请 (date + scan of the signed form) or 村民小组提名 (reason)."""

    household = forms.ModelChoiceField(label="户", queryset=Household.objects.none())
    programs = forms.ChoiceField(label="申请项目", choices=PROGRAM_CHOICES, widget=forms.RadioSelect)
    origin = forms.ChoiceField(label="申报方式", choices=Origin.choices, widget=forms.RadioSelect)
    applied_on = forms.DateField(label="申请日期", required=False, widget=DATE)
    application_scan = forms.FileField(
        label="签名申请书扫描件或照片", required=False, help_text="户主申请时必须上传(图片或 PDF)。"
    )
    nomination_reason = forms.CharField(
        label="提名理由",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="村民小组提名时必填。",
    )

    def __init__(self, *args, households, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["household"].queryset = households
        self.fields["household"].label_from_instance = lambda h: f"{h.number} {h.address}"

    def clean(self) -> dict:
        data = super().clean()
        if data.get("origin") == Origin.APPLIED:
            if not data.get("applied_on"):
                self.add_error("applied_on", "户主申请须填写申请日期。")
            if not data.get("application_scan"):
                self.add_error("application_scan", "户主申请须上传签名申请书的扫描件或照片。")
        elif data.get("origin") == Origin.NOMINATED and not (data.get("nomination_reason") or "").strip():
            self.add_error("nomination_reason", "村民小组提名须填写提名理由。")
        programs = data.get("programs")
        data["wants_fupin"] = programs in ("fupin", "both")
        data["wants_dibao"] = programs in ("dibao", "both")
        return data


class MeetingForm(forms.Form):
    """A 评议 meeting with one pair of vote fields per application on the agenda."""

    held_on = forms.DateField(label="会议日期", widget=DATE)
    attendance = forms.IntegerField(label="到会户数/人数", min_value=1)
    attendees = forms.CharField(label="参会人员", required=False, widget=forms.Textarea(attrs={"rows": 2}))
    minutes = forms.CharField(label="会议记录", required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, applications: list[Application], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.applications = applications
        for a in applications:
            self.fields[f"for_{a.pk}"] = forms.IntegerField(label="赞成", min_value=0, required=False)
            self.fields[f"against_{a.pk}"] = forms.IntegerField(label="反对", min_value=0, required=False)

    def rows(self) -> list[tuple[Application, forms.BoundField, forms.BoundField]]:
        return [(a, self[f"for_{a.pk}"], self[f"against_{a.pk}"]) for a in self.applications]

    def clean(self) -> dict:
        data = super().clean()
        votes = []
        for a in self.applications:
            votes_for, against = data.get(f"for_{a.pk}"), data.get(f"against_{a.pk}")
            if votes_for is None and against is None:
                continue  # not on this meeting's agenda
            votes.append((a, votes_for or 0, against or 0))
        if not votes:
            raise forms.ValidationError("请至少为一户填写赞成票和反对票。")
        data["votes"] = votes
        return data


def _split_names(value: str) -> list[str]:
    return [n for n in re.split(r"[,,、;;\s]+", value or "") if n]


class SurveyForm(forms.Form):
    """入户调查: ≥ 2 surveyors, income by source for last year, the 5 + 8 conditions."""

    surveyed_on = forms.DateField(label="调查日期", widget=DATE)
    surveyors = forms.CharField(label="调查人员", help_text="至少两人,用顿号或逗号分隔。")
    persons = forms.IntegerField(label="家庭人口数", min_value=1)
    family_situation = forms.CharField(label="家庭基本情况", widget=forms.Textarea(attrs={"rows": 2}))
    assets = forms.CharField(label="家庭资产", required=False, widget=forms.Textarea(attrs={"rows": 2}))
    burden = forms.CharField(label="家庭负担", required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for name in INCOME_FIELDS:
            label = IncomeRecord._meta.get_field(name).verbose_name
            self.fields[name] = forms.DecimalField(
                label=f"{label}(元)", min_value=0, max_digits=10, decimal_places=2, required=False
            )
        for code, question in rules.SURVEY_QUESTIONS.items():
            self.fields[code] = forms.TypedChoiceField(
                label=f"{code} {question}",
                choices=[("no", "否"), ("yes", "是")],
                coerce=lambda v: v == "yes",
                widget=forms.RadioSelect,
                initial="no",
            )

    def clean_surveyors(self) -> list[str]:
        names = _split_names(self.cleaned_data["surveyors"])
        if len(set(names)) < 2:
            raise forms.ValidationError("入户调查须由至少两名调查人员进行,请填写两人以上的姓名。")
        return names

    def income_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in INCOME_FIELDS]

    def condition_fields(self, codes) -> list[forms.BoundField]:
        return [self[code] for code in codes]

    def income(self) -> dict[str, Decimal]:
        return {name: self.cleaned_data.get(name) or Decimal(0) for name in INCOME_FIELDS}

    def answers(self) -> dict[str, bool]:
        return {code: self.cleaned_data[code] for code in rules.SURVEY_QUESTIONS}


class ReasonForm(forms.Form):
    reason = forms.CharField(label="理由", widget=forms.Textarea(attrs={"rows": 2}))


class DecisionForm(forms.Form):
    confirm = forms.TypedChoiceField(
        label="认定结果",
        choices=[("yes", "认定"), ("no", "不予认定")],
        coerce=lambda v: v == "yes",
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(label="不予认定理由", required=False, widget=forms.Textarea(attrs={"rows": 2}))


class SpotCheckDrawForm(forms.Form):
    rate = forms.DecimalField(label="抽查比例(%)", min_value=1, max_value=100, decimal_places=1)
    seed = forms.IntegerField(
        label="随机种子", required=False, min_value=0, help_text="留空则随机生成;填入原种子可复核抽样结果。"
    )

    def clean_rate(self) -> Decimal:
        return self.cleaned_data["rate"] / 100


class SpotCheckResultForm(forms.Form):
    application = forms.IntegerField(widget=forms.HiddenInput)
    truthful = forms.TypedChoiceField(
        label="核查结论",
        choices=[("yes", "属实"), ("no", "不实")],
        coerce=lambda v: v == "yes",
        widget=forms.RadioSelect,
    )
    note = forms.CharField(label="核查情况", required=False, max_length=500)


class NoticeForm(forms.Form):
    title = forms.CharField(label="标题", required=False, max_length=120, help_text="留空则自动生成。")
    starts_on = forms.DateField(label="公示开始日期", widget=DATE)
    ends_on = forms.DateField(label="公示结束日期", widget=DATE)
    issuing_body = forms.CharField(label="公示单位", max_length=60)
    complaint_phone = forms.CharField(label="监督电话", max_length=20)

    def clean(self) -> dict:
        data = super().clean()
        if data.get("starts_on") and data.get("ends_on") and data["ends_on"] <= data["starts_on"]:
            self.add_error("ends_on", "结束日期须晚于开始日期。")
        return data


class ObjectionForm(forms.Form):
    household_number = forms.CharField(label="被异议户的户编号", max_length=20)
    complainant = forms.CharField(label="异议人", required=False, max_length=40, help_text="可匿名。")
    content = forms.CharField(label="异议内容", widget=forms.Textarea(attrs={"rows": 2}))
    received_at = forms.DateTimeField(
        label="收到时间", required=False, widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )


class ObjectionHandleForm(forms.Form):
    RESULTS = [("dismiss", "不成立"), ("reevaluate", "成立:退回重新评议"), ("reject", "成立:不予认定")]
    result = forms.ChoiceField(label="核实结论", choices=RESULTS, widget=forms.RadioSelect)
    note = forms.CharField(label="核实情况", widget=forms.Textarea(attrs={"rows": 2}))


class RoundForm(forms.ModelForm):
    class Meta:
        model = Round
        fields = [
            "year",
            "name",
            "poverty_line",
            "dibao_line",
            "notice_days",
            "township_sample_rate",
            "county_sample_rate",
        ]


class QuotaForm(forms.Form):
    area = forms.CharField(widget=forms.HiddenInput, max_length=15)
    persons = forms.IntegerField(label="规模控制人数", min_value=0)
    reason = forms.CharField(label="调整理由", required=False, max_length=200)


class QuotaImportForm(forms.Form):
    file = forms.FileField(
        label="规模控制表(.xlsx)",
        error_messages={"required": "请选择要导入的 Excel .xlsx 文件。", "empty": "上传的文件是空的。"},
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx"}),
    )

    MAX_BYTES = 5 * 1024 * 1024

    def clean_file(self):
        file = self.cleaned_data["file"]
        if not file.name.lower().endswith(".xlsx"):
            raise forms.ValidationError("只能导入 Excel .xlsx 文件(不支持 .xls、.csv 等其他格式)。")
        if file.size > self.MAX_BYTES:
            raise forms.ValidationError("文件超过 5 MB,规模控制表不应这么大,请检查。")
        return file


def default_notice_dates(round: Round, today: datetime.date) -> dict[str, datetime.date]:
    return {"starts_on": today, "ends_on": today + datetime.timedelta(days=round.notice_days)}
