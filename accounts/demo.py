"""One demo account per role, for the demo county (villages.demo)."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.hashers import make_password

from accounts.models import Role, User
from villages.models import Area

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


def create_demo_users() -> list[User]:
    areas = Area.objects.in_bulk([a.area_code for a in DEMO_ACCOUNTS], field_name="code")
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
    return User.objects.bulk_create(users)


def demo_accounts_table() -> str:
    areas = Area.objects.in_bulk([a.area_code for a in DEMO_ACCOUNTS], field_name="code")
    lines = [f"演示账号(密码均为 {DEMO_PASSWORD}):"]
    for account in DEMO_ACCOUNTS:
        area = areas.get(account.area_code) if account.area_code else None
        where = area.name if area else ("结对的农户" if account.role == Role.HELPER else "—")
        lines.append(f"  {account.username:<10} {Role(account.role).label:<6} {where}")
    return "\n".join(lines)
