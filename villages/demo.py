"""The demo county's area tree: 云南省曲靖市师宗县 as in seed 002 (2012), with generated 村民小组.

Townships and their base indicators are seed 002's annex (data/shizong-2012-quota-annex.csv). Villages
are the real 2023 统计用区划代码 (data/shizong-divisions-2023.csv). In 2012 丹凤镇 was one 镇 (code
530323101); it has since become the 丹凤、漾月、大同 街道 (001–003), so their villages are put back
under 丹凤镇 and numbered anew in the same order (communities 001…, 村委会 201…).
"""

from __future__ import annotations

import csv
import functools
import random
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from villages.models import Area, AreaProfile

DATA = Path(__file__).parent / "data"
COUNTY_CODE = "530323000000"
COUNTY_NAME = "师宗县"

# The annex's township names → 2012 township codes.
ANNEX_TOWNSHIPS = {
    "丹凤镇": "530323101",
    "雄壁镇": "530323102",
    "葵山镇": "530323103",
    "彩云镇": "530323104",
    "竹基镇": "530323105",
    "龙庆乡": "530323202",
    "五龙乡": "530323203",
    "高良乡": "530323204",
}
# Today's 街道 that were 丹凤镇 in 2012.
DANFENG_SUCCESSORS = ("530323001", "530323002", "530323003")

# Natural-village names for 村民小组 (they are not in the statistics bureau's list).
GROUP_NAMES = (
    "大寨 小寨 上寨 下寨 中寨 新寨 老寨 新村 老村 上村 下村 大村 小村 坡头 坡脚 山脚 山背 箐口 大箐 小箐 "
    "龙潭 水井 河边 沙坝 田坝 大坝 小坝 松林 竹林 石岩 大凹 小凹 黑泥 白土 红土 岔河 营盘 庄房 洼子 大塘 "
    "小塘 旧寨 平寨 岩脚 地棚 花桥 新屋 后山 前山 东村 西村 南村 北村"
).split()


@dataclass
class AreaSeed:
    code: str
    name: str
    level: str
    children: list[AreaSeed] = field(default_factory=list)
    indicators: dict[str, int] = field(default_factory=dict)


def read_annex() -> list[dict[str, str]]:
    with open(DATA / "shizong-2012-quota-annex.csv", encoding="utf-8") as f:
        return [row for row in csv.DictReader(f) if row["乡镇名"] != "合计"]


def _villages_by_township() -> dict[str, list[tuple[str, str]]]:
    with open(DATA / "shizong-divisions-2023.csv", encoding="utf-8") as f:
        villages = [
            (r["code"], r["name"], r["parent_code"]) for r in csv.DictReader(f) if r["level"] == "village"
        ]
    result: dict[str, list[tuple[str, str]]] = {code: [] for code in ANNEX_TOWNSHIPS.values()}
    danfeng = ANNEX_TOWNSHIPS["丹凤镇"]
    for code, name, parent in villages:
        result[danfeng if parent in DANFENG_SUCCESSORS else parent].append((code, name))
    # 丹凤镇: renumber communities (0xx) and 村委会 (2xx) separately, keeping the official order.
    merged = sorted(result[danfeng], key=lambda v: (v[0][9], v[0]))
    communities = [name for code, name in merged if code[9] == "0"]
    committees = [name for code, name in merged if code[9] != "0"]
    result[danfeng] = [(f"{danfeng}{i:03d}", n) for i, n in enumerate(communities, 1)] + [
        (f"{danfeng}{200 + i:03d}", n) for i, n in enumerate(committees, 1)
    ]
    return result


def demo_area_tree(rng: random.Random) -> AreaSeed:
    """The whole county, deterministic for the generator's seed."""
    county = AreaSeed(COUNTY_CODE, COUNTY_NAME, Area.Level.COUNTY)
    villages = _villages_by_township()
    for row in read_annex():
        code = ANNEX_TOWNSHIPS[row["乡镇名"]]
        township = AreaSeed(
            f"{code}000",
            row["乡镇名"],
            Area.Level.TOWNSHIP,
            indicators={
                "rural_population": int(row["乡村人口数"]),
                "low_income_population": int(row["低收入家庭人口数"]),
                "dibao_population": int(row["享受低保人数"]),
                "disabled_population": int(row["已办证残疾人数"]),
            },
        )
        for village_code, village_name in villages[code]:
            village = AreaSeed(village_code, village_name, Area.Level.VILLAGE)
            names = rng.sample(GROUP_NAMES, rng.randint(4, 10))
            village.children = [
                AreaSeed(f"{village_code}{i:03d}", f"{name}组", Area.Level.GROUP)
                for i, name in enumerate(names, 1)
            ]
            township.children.append(village)
        county.children.append(township)
    return county


def create_areas(tree: AreaSeed) -> dict[str, Area]:
    """Insert the tree level by level with bulk inserts; returns every area by code."""
    created: dict[str, Area] = {}
    level_nodes = [(tree, None)]
    while level_nodes:
        areas = [
            Area(code=node.code, name=node.name, level=node.level, parent=parent, **node.indicators)
            for node, parent in level_nodes
        ]
        for area in Area.objects.bulk_create(areas):
            created[area.code] = area
        level_nodes = [(child, created[node.code]) for node, _ in level_nodes for child in node.children]
    AreaProfile.objects.bulk_create(
        demo_profile(area) for area in created.values() if area.level == Area.Level.VILLAGE
    )
    return created


@functools.cache
def _township_rates() -> dict[str, float]:
    """The annex's 贫困发生率 (%) by 2012 township code prefix."""
    return {ANNEX_TOWNSHIPS[row["乡镇名"]]: float(row["贫困发生率"]) for row in read_annex()}


def demo_profile(village: Area) -> AreaProfile:
    """A plausible 2012 行政村登记表 for a demo village, the same for a village code whatever the seed.

    Its own generator (seeded by the code) leaves seed_demo's random stream, and so every household
    it makes, exactly as before. Poorer townships (the annex's 贫困发生率) have more 贫困村, and a
    贫困村 is further from the township and worse served: fewer hardened roads, taps, clinics and
    broadband lines, and little or no collective income (many were 空壳村). Communities (社区, village
    number 0xx) are the township seats: never 贫困村, every service.
    """
    rng = random.Random(f"profile-{village.code}")
    if village.code[9] == "0":
        return AreaProfile(
            area=village,
            has_paved_road=True,
            has_tap_water=True,
            drinking_water_safe=True,
            has_power=True,
            has_clinic=True,
            has_school=rng.random() < 0.8,
            has_broadband=True,
            collective_income=Decimal(rng.randrange(80, 400) * 1000),
            distance_to_township_km=Decimal(rng.randint(0, 30)) / 10,
        )
    poor = rng.random() < min(0.9, _township_rates()[village.code[:9]] / 50)

    def share(if_poor: float, otherwise: float) -> bool:
        return rng.random() < (if_poor if poor else otherwise)

    water = share(0.45, 0.75)
    return AreaProfile(
        area=village,
        is_poor_village=poor,
        has_paved_road=share(0.35, 0.65),
        has_tap_water=water,
        drinking_water_safe=water or share(0.2, 0.4),
        has_power=share(0.96, 1.0),
        has_clinic=share(0.6, 0.85),
        has_school=share(0.45, 0.55),
        has_broadband=share(0.1, 0.35),
        collective_income=Decimal(0 if share(0.6, 0.15) else rng.randrange(2, 30 if poor else 150) * 1000),
        distance_to_township_km=Decimal(rng.randint(60 if poor else 20, 350 if poor else 200)) / 10,
    )
