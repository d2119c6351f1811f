from __future__ import annotations

from decimal import Decimal

from django import forms

from identification.poor_villages.indicators import INDICATORS, check_weights


class WeightsForm(forms.Form):
    """One weight (%) per indicator; 0 leaves it out. The sum must be 100."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for indicator in INDICATORS:
            kind = "主要指标" if indicator.main else "一般指标"
            self.fields[indicator.code] = forms.DecimalField(
                label=f"{indicator.label}({kind})",
                min_value=Decimal(0),
                max_value=Decimal(100),
                decimal_places=2,
                max_digits=5,
                error_messages={"required": "请填写权重(不用的指标填 0)。", "invalid": "请填写数字。"},
            )

    def clean(self):
        cleaned = super().clean()
        if not self.errors:
            for problem in check_weights({i.code: cleaned[i.code] for i in INDICATORS}):
                self.add_error(None, problem)
        return cleaned

    def weights(self) -> dict[str, Decimal]:
        return {i.code: self.cleaned_data[i.code] for i in INDICATORS}


class RunForm(forms.Form):
    year = forms.IntegerField(label="识别年度", min_value=2000, max_value=2100)
    income_year = forms.IntegerField(
        label="收入年度",
        min_value=2000,
        max_value=2100,
        help_text="按各户该年度及以前最近一年的收入记录计算农民人均纯收入(村情概况已填报的以填报数为准)。",
    )
    note = forms.CharField(label="说明", max_length=200, required=False)

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("year") and cleaned.get("income_year") and cleaned["income_year"] > cleaned["year"]:
            self.add_error("income_year", "收入年度不能晚于识别年度。")
        return cleaned
