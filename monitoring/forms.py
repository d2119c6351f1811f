"""Forms of monitoring: they clean into typed values; refusals are the services' (in Chinese)."""

from __future__ import annotations

from decimal import Decimal

from django import forms

from monitoring.choices import EventKind, MonitoredKind, Trigger, WarningStatus

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class WarningFilterForm(forms.Form):
    trigger = forms.ChoiceField(label="预警类型", choices=[("", "全部"), *Trigger.choices], required=False)
    village = forms.ChoiceField(label="行政村", required=False)
    status = forms.ChoiceField(
        label="状态", choices=[("open", "待处理"), ("", "全部"), *WarningStatus.choices], required=False
    )

    def __init__(self, *args, villages=(), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["village"].choices = [("", "全部"), *((v.code, v.name) for v in villages)]


class VerifyForm(forms.Form):
    visited_on = forms.DateField(label="核实日期", widget=DATE)
    visitors = forms.CharField(label="核实人员", max_length=100, help_text="入户核实的人员,如:李明、王芳")
    findings = forms.CharField(label="核实情况", widget=forms.Textarea(attrs={"rows": 3}))


class DecideForm(forms.Form):
    DECISIONS = [
        (WarningStatus.DISMISSED, "排除预警(风险不实或已消除)"),
        (WarningStatus.MONITORED, "纳入监测对象,落实帮扶措施"),
        (WarningStatus.REFERRED, "转入识别(返贫或新识别),由村申报"),
    ]
    decision = forms.ChoiceField(label="处理决定", choices=DECISIONS, widget=forms.RadioSelect)
    kind = forms.ChoiceField(
        label="监测对象类型", choices=[("", "按本户情况"), *MonitoredKind.choices], required=False
    )
    reason = forms.CharField(label="处理意见", widget=forms.Textarea(attrs={"rows": 3}))


class EventForm(forms.Form):
    kind = forms.ChoiceField(label="类型", choices=EventKind.choices)
    occurred_on = forms.DateField(label="发生日期", widget=DATE)
    amount = forms.DecimalField(
        label="损失或医疗自付金额(元)", min_value=Decimal("0"), max_digits=12, decimal_places=2,
        help_text="因病填写本户自付的医疗费用;因灾、因意外填写损失金额。",
    )  # fmt: skip
    description = forms.CharField(label="情况说明", widget=forms.Textarea(attrs={"rows": 3}))


class ReviewForm(forms.Form):
    held_on = forms.DateField(label="评议日期", widget=DATE)
    attendance = forms.IntegerField(label="参会人数", min_value=1)
    votes_for = forms.IntegerField(label="同意票", min_value=0)
    minutes = forms.CharField(label="评议记录", widget=forms.Textarea(attrs={"rows": 3}))


class ApproveForm(forms.Form):
    approve = forms.TypedChoiceField(
        label="审批意见", choices=[("1", "同意风险消除"), ("0", "退回继续监测")], coerce=lambda v: v == "1",
        widget=forms.RadioSelect,
    )  # fmt: skip
    reason = forms.CharField(label="退回原因", required=False, widget=forms.Textarea(attrs={"rows": 2}))


class NoticeForm(forms.Form):
    starts_on = forms.DateField(label="公示开始日期", widget=DATE)
    ends_on = forms.DateField(label="公示结束日期", widget=DATE)
    issuing_body = forms.CharField(label="公示单位", max_length=60)
    complaint_phone = forms.CharField(label="监督电话", max_length=20)


class SettingsForm(forms.Form):
    line_factor = forms.DecimalField(
        label="监测线倍数", max_digits=4, decimal_places=2, help_text="监测线 = 扶贫标准 × 倍数"
    )
    drop_share = forms.DecimalField(
        label="收入下降比例", max_digits=4, decimal_places=3, help_text="如 0.3 即下降超过 30% 预警"
    )
    medical_share = forms.DecimalField(
        label="医疗支出占收入比例",
        max_digits=4,
        decimal_places=3,
        help_text="如 0.5 即因病自付超过纯收入的 50% 预警",
    )
