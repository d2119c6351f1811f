"""Signing in with the second factor in tests.

Most tests are about something else than signing in: `VerifiedClient.force_login` (the `client`
fixture of tests/conftest.py) skips the second factor the way Django's force_login skips the password.
The sign-in flow itself is tested through the real pages (tests/accounts/test_two_factor.py, and the
browser's `sign_in`, which types the code like a person).
"""

from __future__ import annotations

from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import two_factor
from tests.factories import PASSWORD


def enrolled_device(user) -> TOTPDevice:
    """The user's confirmed phone, created if missing."""
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    return device or TOTPDevice.objects.create(user=user, name="测试验证器", confirmed=True)


def fresh_code(device: TOTPDevice) -> str:
    """The current code, accepted even if this 30-second window's code was used by an earlier sign-in."""
    TOTPDevice.objects.filter(pk=device.pk).update(last_t=-1, throttling_failure_count=0)
    device.refresh_from_db()
    return two_factor.current_code(device)


class VerifiedClient(Client):
    def force_login(self, user, backend=None):
        super().force_login(user, backend)
        if two_factor.requires_second_factor(user):
            session = self.session
            session[DEVICE_ID_SESSION_KEY] = enrolled_device(user).persistent_id
            session.save()


def sign_in(page, base_url: str, username: str, password: str = PASSWORD) -> None:
    """The login page in the browser, with the second factor's code where the account needs one."""
    from accounts.models import User

    user = User.objects.get(username=username)
    device = enrolled_device(user) if two_factor.requires_second_factor(user) else None
    page.context.clear_cookies()
    page.goto(f"{base_url}/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录").click()
    if device is not None:
        page.wait_for_url(f"{base_url}/login/verify/**")
        page.get_by_label("验证码").fill(fresh_code(device))
        page.get_by_role("button", name="验证").click()
    page.wait_for_url(f"{base_url}/")
