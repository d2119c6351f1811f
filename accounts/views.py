"""Sign-in pages: the password (Django's LoginView, in urls.py), the second factor, enrolment, and
the user's own security page. The home page lives in the portal app."""

from __future__ import annotations

from base64 import b32encode

import segno
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST
from django_otp import login as otp_login
from django_otp import match_token
from django_otp.plugins.otp_static.models import StaticToken

from accounts import audit, two_factor
from accounts.forms import TokenForm


def _next_url(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return "/"


def _area_code(user) -> str:
    return user.area.code if user.area_id else ""


@login_required
def two_factor_verify(request: HttpRequest) -> HttpResponse:
    """The second step of sign-in: a code from the phone, or a recovery code (used up once accepted)."""
    if request.user.is_verified():
        return redirect(_next_url(request))
    if not two_factor.has_totp(request.user):
        return redirect("two_factor_setup")
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = match_token(request.user, form.cleaned_data["token"])
        if device is not None:
            otp_login(request, device)
            audit.record(
                event_type="login.second_factor_succeeded",
                actor=request.user,
                obj=request.user,
                area_code=_area_code(request.user),
                new={"device": device.name},
            )
            if device.name == two_factor.RECOVERY_DEVICE_NAME:
                messages.warning(
                    request,
                    "您使用了一个恢复码,它已作废。请在“账号安全”中查看剩余恢复码,手机丢失请联系系统管理员。",
                )
            return redirect(_next_url(request))
        audit.record(
            event_type="login.second_factor_failed",
            actor=request.user,
            obj=request.user,
            area_code=_area_code(request.user),
        )
        form.add_error("token", "验证码不正确或已过期(输错后需稍等几秒再试)。")
    return render(request, "accounts/two_factor_verify.html", {"form": form, "next": _next_url(request)})


@login_required
def two_factor_setup(request: HttpRequest) -> HttpResponse:
    """Enrolment: scan the QR code, type the first code; the recovery codes are shown once, here."""
    if two_factor.has_totp(request.user) and not request.user.is_verified():
        # A second phone is enrolled only after proving the first (or after the administrator's reset).
        return redirect("two_factor_verify")
    device = two_factor.pending_totp(user=request.user)
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            codes = two_factor.confirm_totp(
                user=request.user, device=device, token=form.cleaned_data["token"]
            )
        except two_factor.TwoFactorError as error:
            form.add_error("token", str(error))
        else:
            device.refresh_from_db()
            otp_login(request, device)
            return render(
                request, "accounts/recovery_codes.html", {"codes": codes, "next": _next_url(request)}
            )
    return render(
        request,
        "accounts/two_factor_setup.html",
        {
            "form": form,
            "qr_svg": segno.make(device.config_url, error="m").svg_inline(scale=4, title="两步验证二维码"),
            "secret": _grouped_secret(device),
            "required": two_factor.is_required_by_role(request.user),
            "next": _next_url(request),
        },
    )


@login_required
def security(request: HttpRequest) -> HttpResponse:
    """账号安全: the state of the second factor, new recovery codes, and opting in or out."""
    return render(
        request,
        "accounts/security.html",
        {
            "has_totp": two_factor.has_totp(request.user),
            "required": two_factor.is_required_by_role(request.user),
            "recovery_left": _recovery_codes_left(request.user),
        },
    )


@login_required
@require_POST
def recovery_codes(request: HttpRequest) -> HttpResponse:
    try:
        codes = two_factor.regenerate_recovery_codes(user=request.user)
    except two_factor.TwoFactorError as error:
        messages.error(request, str(error))
        return redirect("security")
    return render(request, "accounts/recovery_codes.html", {"codes": codes, "next": "/"})


@login_required
@require_POST
def two_factor_disable(request: HttpRequest) -> HttpResponse:
    try:
        two_factor.disable(user=request.user)
    except two_factor.TwoFactorError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, "已关闭两步验证。")
    return redirect("security")


def _grouped_secret(device) -> str:
    secret = b32encode(device.bin_key).decode()
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def _recovery_codes_left(user) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()
