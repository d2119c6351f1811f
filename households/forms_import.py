from __future__ import annotations

from django import forms

from households.importer import current_round_year
from villages.guard import ROSTER

ACCEPTED = (".xlsx", ".csv")


class RosterUploadForm(forms.Form):
    file = forms.FileField(
        label="花名册文件(.xlsx 或 .csv)",
        widget=forms.ClearableFileInput(attrs={"accept": ",".join(ACCEPTED)}),
    )
    # Asked, never taken from the clock: a roster exported in January belongs to last year's rolls.
    year = forms.IntegerField(
        label="识别年度",
        min_value=2000,
        max_value=2100,
        help_text="花名册所列对象所属的识别年度:新纳入名册的对象记入该年度,人均纯收入与上一年的收入记录核对。",
        error_messages={"required": "请填写花名册所属的识别年度。"},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].initial = current_round_year()

    def clean_file(self):
        """The name and the size only: what the file holds is checked by villages.guard in the preview."""
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith(ACCEPTED):
            raise forms.ValidationError(
                "请上传 .xlsx 或 .csv 格式的花名册(旧版 .xls 请先用 Excel 另存为 .xlsx)。"
            )
        if upload.size > ROSTER.max_bytes:
            raise forms.ValidationError(f"文件超过 {ROSTER.max_mb} MB 上限,请分成几个文件上传。")
        return upload
