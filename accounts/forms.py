from __future__ import annotations

import re

from django import forms


class TokenForm(forms.Form):
    """A code from the phone (6 digits) or a recovery code (8 letters and digits)."""

    token = forms.CharField(label="验证码", max_length=16, strip=True)

    def clean_token(self) -> str:
        token = re.sub(r"[\s-]", "", self.cleaned_data["token"]).lower()
        if not re.fullmatch(r"\d{6}|[a-z2-7]{8}", token):
            raise forms.ValidationError("请输入手机验证器上的 6 位数字,或一个 8 位恢复码。")
        return token
