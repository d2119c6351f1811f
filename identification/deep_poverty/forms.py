"""Forms of 深度贫困: the county's criteria, and the note of a confirmation."""

from __future__ import annotations

from django import forms

from identification.deep_poverty.models import DeepPovertyCriteria
from identification.deep_poverty.services import CRITERIA_FIELDS


class CriteriaForm(forms.ModelForm):
    class Meta:
        model = DeepPovertyCriteria
        fields = CRITERIA_FIELDS
        error_messages = {
            name: {
                "required": "请填写此项。",
                "invalid": "请填写数字。",
                "min_value": "不能小于 %(limit_value)s。",
            }
            for name in CRITERIA_FIELDS
        }


class ConfirmForm(forms.Form):
    note = forms.CharField(label="说明", max_length=200, required=False)
