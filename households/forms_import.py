from __future__ import annotations

from django import forms

from villages.guard import ROSTER

ACCEPTED = (".xlsx", ".csv")


class RosterUploadForm(forms.Form):
    file = forms.FileField(
        label="花名册文件(.xlsx 或 .csv)",
        widget=forms.ClearableFileInput(attrs={"accept": ",".join(ACCEPTED)}),
    )

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
