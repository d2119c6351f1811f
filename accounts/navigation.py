"""The navigation each role needs. One table, read by the base layout.

Links only help people find their work; permission is enforced by area scoping and the services,
never by hiding a link.
"""

from __future__ import annotations

from dataclasses import dataclass

from accounts.models import Role


@dataclass(frozen=True)
class NavItem:
    label: str
    url_name: str


HOME = NavItem("首页", "home")
AREAS = NavItem("行政区划", "villages:area_list")
HOUSEHOLDS = NavItem("农户档案", "households:list")
# households.changes: the village's requests, the township's queue.
CHANGES = NavItem("户情变更", "households:change_list")
ASSISTANCE = NavItem("帮扶", "assistance:index")
MONITORING = NavItem("防返贫监测", "monitoring:index")
MY_HOUSEHOLDS = NavItem("我的帮扶户", "assistance:mine")
IDENTIFICATION = NavItem("贫困识别", "identification:index")
EXITS = NavItem("退出与调整", "exits:index")
IMPORT = NavItem("导入花名册", "households:import_upload")
STATISTICS = NavItem("统计", "reports:dashboard")
LEDGERS = NavItem("台账导出", "reports:list")
ADMIN = NavItem("系统管理", "admin:index")

WORK = [IDENTIFICATION, EXITS, HOUSEHOLDS, ASSISTANCE, MONITORING]

NAVIGATION: dict[str, list[NavItem]] = {
    Role.VILLAGE_CADRE: [HOME, *WORK, CHANGES, STATISTICS, LEDGERS, AREAS],
    Role.TOWNSHIP_OFFICIAL: [HOME, *WORK, CHANGES, STATISTICS, LEDGERS, AREAS],
    Role.COUNTY_FUPIN: [HOME, *WORK, STATISTICS, LEDGERS, IMPORT, AREAS],
    Role.COUNTY_MINZHENG: [HOME, *WORK, STATISTICS, LEDGERS, AREAS],
    Role.ADMIN: [HOME, *WORK, STATISTICS, LEDGERS, IMPORT, AREAS, ADMIN],
    # The 市 reads its counties' registry and figures; the work of the rounds stays with the counties.
    Role.CITY_FUPIN: [HOME, HOUSEHOLDS, STATISTICS],
    # A 帮扶责任人 works on a phone: their households, nothing area-wide.
    Role.HELPER: [MY_HOUSEHOLDS],
}


def navigation_for(user) -> list[NavItem]:
    if not user.is_authenticated:
        return []
    return NAVIGATION.get(user.role, [HOME])
