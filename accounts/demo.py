"""One demo account per role, for the demo county (villages.demo).

The areas are handed in by the caller (portal's seed_demo): accounts sits below villages and
imports nothing from it. The county accounts come enrolled in the second factor with a demo device,
whose current code `python manage.py demo_otp USERNAME` prints.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from django.contrib.auth.hashers import make_password
from django.db import models

from accounts import two_factor
from accounts.models import Role, User

DEMO_PASSWORD = "shizong2012"


@dataclass(frozen=True)
class DemoAccount:
    username: str
    full_name: str
    role: str
    area_code: str | None  # None: a role without an area (帮扶责任人)


DEMO_ACCOUNTS = [
    DemoAccount("cungan", "李文华", Role.VILLAGE_CADRE, "530323101201"),  # 丹凤镇 山龙村民委员会
    DemoAccount("xiangzhen", "王建国", Role.TOWNSHIP_OFFICIAL, "530323101000"),  # 丹凤镇
    DemoAccount("fupinban", "赵明", Role.COUNTY_FUPIN, "530323000000"),
    DemoAccount("minzheng", "陈丽", Role.COUNTY_MINZHENG, "530323000000"),
    DemoAccount("admin", "系统管理员", Role.ADMIN, "530323000000"),
    # Paired with three households of 山龙村 by assistance.demo; sees only those.
    DemoAccount("bangfu", "周建华", Role.HELPER, None),
]


# The 市 account of a prefecture demo (seed_demo --counties): sees every county built, changes nothing.
CITY_ACCOUNT = DemoAccount("shiji", "孙平", Role.CITY_FUPIN, "530300000000")


def create_city_user(city: models.Model) -> User:
    """The 市扶贫办 demo account on `city` (曲靖市), enrolled in the second factor like the county's."""
    user = User(
        username=CITY_ACCOUNT.username, last_name=CITY_ACCOUNT.full_name, role=CITY_ACCOUNT.role, area=city
    )
    user.password = make_password(DEMO_PASSWORD)
    user.save()
    two_factor.enrol_demo_device(user=user)
    return user


def demo_area_codes() -> list[str]:
    return [account.area_code for account in DEMO_ACCOUNTS if account.area_code]


def create_demo_users(areas: Mapping[str, models.Model]) -> list[User]:
    """`areas` maps each code of `demo_area_codes()` to its Area."""
    # One slow password hash for all: same password, and the seed stays fast.
    password = make_password(DEMO_PASSWORD)
    users = []
    for account in DEMO_ACCOUNTS:
        is_admin = account.role == Role.ADMIN
        user = User(
            username=account.username,
            last_name=account.full_name,
            role=account.role,
            area=areas[account.area_code] if account.area_code else None,
            is_staff=is_admin,
            is_superuser=is_admin,
        )
        user.password = password
        users.append(user)
    users = User.objects.bulk_create(users)
    for user in users:
        if two_factor.is_required_by_role(user):
            two_factor.enrol_demo_device(user=user)
    return users


def demo_accounts_table(area_names: Mapping[str, str]) -> str:
    """The accounts to try, for the console; `area_names` maps area codes to names."""
    lines = [f"演示账号(密码均为 {DEMO_PASSWORD}):"]
    needs_code = []
    # The 市 account exists only in a prefecture demo (its area is then among the names).
    city = [CITY_ACCOUNT] if CITY_ACCOUNT.area_code in area_names else []
    for account in DEMO_ACCOUNTS + city:
        if account.area_code:
            name = area_names.get(account.area_code, "—")
        else:
            name = "结对的农户" if account.role == Role.HELPER else "—"
        second = ""
        if account.role in two_factor.REQUIRED_ROLES:
            second = "  需两步验证码"
            needs_code.append(account.username)
        lines.append(f"  {account.username:<10} {Role(account.role).label:<6} {name}{second}")
    if needs_code:
        lines.append(
            f"县级账号({'、'.join(needs_code)})登录时还要输入验证码,在另一个终端取当前验证码:"
            f"\n  .venv/bin/python manage.py demo_otp {needs_code[0]}"
        )
    return "\n".join(lines)
