"""Prints the current two-factor code of a demo account, so a newcomer needs no phone.

Only the demo device that seed_demo enrolled can be read this way: a real user's device (enrolled
with their phone) is refused, so the command is no way around the second factor in production.
"""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand, CommandError
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import two_factor


class Command(BaseCommand):
    help = "显示演示账号当前的两步验证码(仅限 seed_demo 生成的演示设备)。"

    def add_arguments(self, parser):
        parser.add_argument("username", help="演示账号用户名,如 fupinban")

    def handle(self, *args, username: str, **options):
        device = TOTPDevice.objects.filter(
            user__username=username, name=two_factor.DEMO_DEVICE_NAME, confirmed=True
        ).first()
        if device is None:
            raise CommandError(
                f"账号 {username} 没有演示验证设备:只有 seed_demo 生成的县级演示账号可以这样取验证码。"
            )
        remaining = device.step - int(time.time() - device.t0) % device.step
        self.stdout.write(two_factor.current_code(device))
        self.stderr.write(f"({username} 的当前验证码,{remaining} 秒后更换;每个验证码只能用一次)")
