"""Two-factor sign-in (django-otp): who needs it, enrolment, recovery codes, and the admin's reset.

A password alone opens nothing for the county roles and staff: SecondFactorMiddleware sends a
signed-in but unverified session to the code page (or, without a device yet, to enrolment).
Village and township accounts may opt in; once they have a confirmed device it is required too.

The second factor is a TOTP app on a phone (any authenticator: 微信小程序、Google/Microsoft
Authenticator, FreeOTP) plus ten single-use recovery codes for a lost phone. A lost device is
reset by the system administrator (UserAdmin action), which deletes the user's devices: the next
sign-in enrols a new one.
"""

from __future__ import annotations

from django.conf import settings
from django.db import transaction
from django_otp import devices_for_user
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import audit
from accounts.models import Role, User

REQUIRED_ROLES = frozenset({Role.COUNTY_FUPIN, Role.COUNTY_MINZHENG, Role.ADMIN, Role.CITY_FUPIN})
TOTP_DEVICE_NAME = "手机验证器"
RECOVERY_DEVICE_NAME = "恢复码"
# The device seed_demo gives the demo county accounts; only it may be read out by `demo_otp`.
DEMO_DEVICE_NAME = "演示验证器"


class TwoFactorError(Exception):
    """A refused two-factor move, with a Chinese message for the user."""


def is_required_by_role(user: User) -> bool:
    return user.role in REQUIRED_ROLES or user.is_staff or user.is_superuser


def requires_second_factor(user: User) -> bool:
    """True for the county roles and staff always, and for anyone who has opted in (has a phone:
    recovery codes only ever exist beside one, so one query answers it)."""
    return is_required_by_role(user) or has_totp(user)


def has_totp(user: User) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def pending_totp(*, user: User) -> TOTPDevice:
    """The unconfirmed device an enrolment page shows; the same one until it is confirmed."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("id").first()
    return device or TOTPDevice.objects.create(user=user, name=TOTP_DEVICE_NAME, confirmed=False)


@transaction.atomic
def confirm_totp(*, user: User, device: TOTPDevice, token: str) -> list[str]:
    """Confirm an enrolment with the first code from the phone; returns fresh recovery codes."""
    device = TOTPDevice.objects.select_for_update().get(pk=device.pk, user=user)
    if device.confirmed:
        raise TwoFactorError("该验证器已经启用。")
    if not device.verify_token(token):
        raise TwoFactorError("验证码不正确或已过期,请输入手机上当前显示的 6 位数字。")
    # One phone at a time: enrolling replaces any earlier device.
    TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    codes = _replace_recovery_codes(user)
    audit.record(event_type="two_factor.enrolled", actor=user, obj=user, area_code=_area_code(user))
    return codes


@transaction.atomic
def regenerate_recovery_codes(*, user: User) -> list[str]:
    """New codes; the old ones stop working at once."""
    if not has_totp(user):
        raise TwoFactorError("请先启用手机验证器。")
    codes = _replace_recovery_codes(user)
    audit.record(
        event_type="two_factor.recovery_codes_regenerated", actor=user, obj=user, area_code=_area_code(user)
    )
    return codes


@transaction.atomic
def disable(*, user: User) -> None:
    """An opted-in village or township account turns the second factor off again."""
    if is_required_by_role(user):
        raise TwoFactorError("您的岗位必须使用两步验证,不能关闭。")
    _delete_devices(user)
    audit.record(event_type="two_factor.disabled", actor=user, obj=user, area_code=_area_code(user))


@transaction.atomic
def reset(*, user: User, actor: User) -> None:
    """The administrator's answer to a lost phone: the user enrols a new device at next sign-in."""
    _delete_devices(user)
    audit.record(event_type="two_factor.reset", actor=actor, obj=user, area_code=_area_code(user))


def enrol_demo_device(*, user: User) -> TOTPDevice:
    """A confirmed device for a demo account, so the newcomer needs no phone (see `demo_otp`)."""
    return TOTPDevice.objects.create(user=user, name=DEMO_DEVICE_NAME, confirmed=True)


def current_code(device: TOTPDevice) -> str:
    """The code the device shows now (for the demo command and the tests that sign in by the form)."""
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{totp.token():0{device.digits}d}"


def _replace_recovery_codes(user: User) -> list[str]:
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name=RECOVERY_DEVICE_NAME, confirmed=True)
    codes = [StaticToken.random_token() for _ in range(settings.RECOVERY_CODE_COUNT)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


def _delete_devices(user: User) -> None:
    for device in devices_for_user(user, confirmed=None):
        device.delete()


def _area_code(user: User) -> str:
    return user.area.code if user.area_id else ""
