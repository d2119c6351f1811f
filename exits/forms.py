"""The forms of the exit screens: values cleaned into Python, messages in Chinese, what was typed kept."""

from __future__ import annotations

import datetime

from django import forms

from exits import checklist

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
SCAN_TYPES = {".jpg", ".jpeg", ".png", ".pdf"}
ANSWERS = [("", "未核实"), ("yes", "达到"), ("no", "未达到")]


class SurveyForm(forms.Form):
    """入户核实: one answer and its evidence per item the registry cannot decide."""

    surveyed_on = forms.DateField(label="核实日期", widget=DATE)

    def __init__(self, *args, codes: list[str], survey: dict, **kwargs) -> None:
        initial = kwargs.pop("initial", {})
        for code in codes:
            given = survey.get(code) or {}
            answer = given.get("answer")
            initial[f"{code}_answer"] = "" if answer is None else ("yes" if answer else "no")
            initial[f"{code}_evidence"] = given.get("evidence", "")
        super().__init__(*args, initial=initial, **kwargs)
        self.codes = codes
        for code in codes:
            self.fields[f"{code}_answer"] = forms.ChoiceField(
                label=checklist.ITEMS[code], choices=ANSWERS, required=False
            )
            self.fields[f"{code}_evidence"] = forms.CharField(
                label=f"{checklist.ITEMS[code]}佐证", required=False, max_length=200
            )

    def answers(self) -> dict[str, dict]:
        d = self.cleaned_data
        return {
            code: {
                "answer": None if not d[f"{code}_answer"] else d[f"{code}_answer"] == "yes",
                "evidence": d[f"{code}_evidence"],
            }
            for code in self.codes
        }


class ReviewForm(forms.Form):
    reviewed_on = forms.DateField(label="评议日期", widget=DATE)
    attendees = forms.CharField(
        label="参加评议人员", max_length=300, help_text="村两委成员和驻村工作队队员的姓名。"
    )
    note = forms.CharField(label="评议意见", required=False, widget=forms.Textarea(attrs={"rows": 2}))


class AgreeForm(forms.Form):
    agreed_on = forms.DateField(label="签字认可日期", widget=DATE)
    signer = forms.CharField(label="签字人", max_length=40)
    signed_form = forms.FileField(
        label="签字认可书(可选)",
        required=False,
        help_text="JPG、PNG 图片或 PDF,不超过 10 MB。",
        widget=forms.ClearableFileInput(attrs={"accept": ".jpg,.jpeg,.png,.pdf"}),
    )

    def clean_signed_form(self):
        scan = self.cleaned_data.get("signed_form")
        if scan:
            suffix = "." + scan.name.rsplit(".", 1)[-1].lower() if "." in scan.name else ""
            if suffix not in SCAN_TYPES:
                raise forms.ValidationError("签字认可书只能上传 JPG、PNG 图片或 PDF 文件。")
            if scan.size > 10 * 1024 * 1024:
                raise forms.ValidationError("签字认可书文件超过 10 MB,请压缩后再上传。")
        return scan


class OpinionForm(forms.Form):
    opinion = forms.CharField(label="意见", required=False, widget=forms.Textarea(attrs={"rows": 2}))


class ReasonForm(forms.Form):
    reason = forms.CharField(label="理由", widget=forms.Textarea(attrs={"rows": 2}))


class PublishForm(forms.Form):
    starts_on = forms.DateField(label="公示开始日期", widget=DATE)
    ends_on = forms.DateField(label="公示结束日期", widget=DATE)
    issuing_body = forms.CharField(label="公示单位", max_length=60)
    complaint_phone = forms.CharField(label="监督电话", max_length=20)
    exits = forms.MultipleChoiceField(label="公示名单", widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, candidates, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["exits"].choices = [(str(e.pk), e.household.number) for e in candidates]

    def clean(self):
        d = super().clean()
        if d.get("starts_on") and d.get("ends_on") and d["ends_on"] <= d["starts_on"]:
            self.add_error("ends_on", "结束日期须晚于开始日期。")
        return d


class DecideForm(forms.Form):
    decision = forms.ChoiceField(label="决定", choices=[("accept", "同意"), ("decline", "不同意")])
    reason = forms.CharField(label="理由", widget=forms.Textarea(attrs={"rows": 2}))


def default_dates(today: datetime.date, days: int) -> dict:
    return {"starts_on": today, "ends_on": today + datetime.timedelta(days=days)}
