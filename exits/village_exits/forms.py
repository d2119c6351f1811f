from __future__ import annotations

import datetime
from decimal import Decimal

from django import forms

from identification.poor_villages.indicators import FACILITIES


class StandardForm(forms.Form):
    threshold = forms.DecimalField(
        label="贫困发生率低于(%)",
        min_value=Decimal("0.01"),
        max_value=Decimal(100),
        decimal_places=2,
        max_digits=5,
        help_text="西部省份(含云南)国家标准为 3%;中部省份为 2%(如辽宁)。",
    )
    facilities = forms.MultipleChoiceField(
        label="须具备",
        required=False,
        choices=[(i.code, i.label) for i in FACILITIES],
        widget=forms.CheckboxSelectMultiple,
    )
    min_collective_income = forms.DecimalField(
        label="村集体经济收入不低于(元)",
        required=False,
        min_value=Decimal(0),
        decimal_places=2,
        max_digits=12,
    )
    min_net_income = forms.DecimalField(
        label="农民人均纯收入不低于(元)",
        required=False,
        min_value=Decimal(0),
        decimal_places=2,
        max_digits=10,
    )


class ProposeForm(forms.Form):
    note = forms.CharField(label="申报说明", max_length=300, required=False)


class PublishForm(forms.Form):
    starts_on = forms.DateField(label="公示开始日期")
    ends_on = forms.DateField(label="公示结束日期")
    issuing_body = forms.CharField(label="公示单位", max_length=60)
    complaint_phone = forms.CharField(label="监督电话", max_length=20)

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("starts_on"), cleaned.get("ends_on")
        if start and end and end <= start:
            self.add_error("ends_on", "结束日期须晚于开始日期。")
        return cleaned

    @classmethod
    def initial_for(cls, township, today: datetime.date) -> dict:
        return {
            "starts_on": today,
            "ends_on": today + datetime.timedelta(days=7),
            "issuing_body": f"{township.name}人民政府",
        }


class DecideForm(forms.Form):
    decision = forms.ChoiceField(label="审批", choices=[("approve", "批准退出"), ("reject", "不予退出")])
    note = forms.CharField(label="审批意见", max_length=300, required=False)
