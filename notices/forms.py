from __future__ import annotations

import datetime

from django import forms
from django.utils import timezone

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


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


def default_dates(today: datetime.date, days: int) -> dict[str, datetime.date]:
    return {"starts_on": today, "ends_on": today + datetime.timedelta(days=days)}


class ObjectionForm(forms.Form):
    key = forms.CharField(label="被异议对象的编号(户编号)", max_length=40)
    complainant = forms.CharField(label="异议人", required=False, max_length=40, help_text="可匿名。")
    content = forms.CharField(label="异议内容", max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))
    received_at = forms.DateTimeField(
        label="收到时间", required=False, widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )

    def clean_received_at(self):
        value = self.cleaned_data["received_at"]
        if value and value > timezone.now():
            raise forms.ValidationError("收到时间不能晚于现在。")
        return value


class ObjectionHandleForm(forms.Form):
    result = forms.ChoiceField(label="核实结论", widget=forms.RadioSelect)
    note = forms.CharField(label="核实情况", max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, outcomes: dict[str, str], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["result"].choices = [("dismiss", "不成立")] + [
            (code, f"成立:{label}") for code, label in outcomes.items()
        ]
