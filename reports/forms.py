"""The export request form: kind, area (inside the user's own), round, and a 户编号 for a single card."""

from __future__ import annotations

from django import forms

from households.models import Household
from identification.models import Round
from reports.models import Kind
from reports.services import LEVELS
from villages.models import Area


class ReportRequestForm(forms.Form):
    kind = forms.ChoiceField(label="台账类型", choices=Kind.choices)
    area = forms.ModelChoiceField(label="区划", queryset=Area.objects.none(), empty_label=None)
    round = forms.ModelChoiceField(
        label="识别批次", queryset=Round.objects.all(), required=False, empty_label="(不限)",
        help_text="贫困人口分解表必选;乡有簿按该批次显示规模控制指标。",
    )  # fmt: skip
    household_number = forms.CharField(
        label="户编号",
        required=False,
        max_length=30,
        help_text="只导出一户的户卡时填写;留空则导出全村户卡(zip)。",
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        levels = {level for levels in LEVELS.values() for level in levels}
        self.fields["area"].queryset = Area.objects.visible_to(user).filter(level__in=levels).order_by("code")
        self.fields["area"].label_from_instance = lambda a: (
            f"{'　' * _depth(a)}{a.name}({a.get_level_display()})"
        )

    def clean(self):
        data = super().clean()
        number = (data.get("household_number") or "").strip()
        data["household"] = None
        if number:
            if data.get("kind") != Kind.HOUSEHOLD_CARD:
                self.add_error("household_number", "只有户卡可以按户编号导出。")
            else:
                household = (
                    Household.objects.visible_to(self.user)
                    .select_related("group")
                    .filter(number=number)
                    .first()
                )
                if household is None:
                    self.add_error("household_number", f"您的管辖范围内没有户编号为“{number}”的户。")
                data["household"] = household
        return data


def _depth(area: Area) -> int:
    return ["county", "township", "village", "group"].index(area.level)
