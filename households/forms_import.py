from __future__ import annotations

from django import forms

MAX_UPLOAD_MB = 200


class RosterUploadForm(forms.Form):
    file = forms.FileField(label="花名册文件(.xlsx)")

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith(".xlsx"):
            raise forms.ValidationError("请上传 .xlsx 格式的花名册(旧版 .xls 请先用 Excel 另存为 .xlsx)。")
        if upload.size > MAX_UPLOAD_MB * 1024 * 1024:
            raise forms.ValidationError(f"文件超过 {MAX_UPLOAD_MB} MB。")
        return upload
