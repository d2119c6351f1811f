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
CITY_CODE = "530300000000"
CITY_NAME = "曲靖市"
# 曲靖市's counties (统计用区划代码) with roughly their number of 乡镇/街道, 师宗县 first: `seed_demo
# --counties N` builds the first N. Only 师宗县's townships and villages are the real ones; the other
# counties' are generated (names and sizes plausible, codes in the county's own range).
QUJING_COUNTIES = (
    ("530323", "师宗县", 8),
    ("530302", "麒麟区", 11),
    ("530303", "沾益区", 8),
    ("530304", "马龙区", 9),
    ("530322", "陆良县", 10),
    ("530324", "罗平县", 12),
    ("530325", "富源县", 11),
    ("530326", "会泽县", 21),
    ("530381", "宣威市", 26),
)
TOWNSHIP_STEMS = (
    "板桥 东山 西泽 大河 新店 越州 茨营 潇湘 珠街 沿江 三宝 东川 大坡 小百户 召夸 芳华 板桥 马街 纳章 月望 "
    "旧屋基 鲁布革 长底 九龙 阿岗 老厂 钟山 板桥 待补 乐业 大井 雨碌 五星 火红 新街 娜姑 金钟 者海 格宜 田坝 "
    "羊场 热水 宝山 杨柳 双河 落水 务德 龙场 普立 西泽 文兴 得禄 海岱 倘塘 板桥 东山 龙华 古城"
).split()

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


def generated_county_tree(code: str, name: str, townships: int) -> AreaSeed:
    """A county of 曲靖市 other than 师宗县: `townships` 乡镇 of 8–16 行政村 of 4–10 村民小组, generated with
    a generator of its own (seeded by the code), so each county is the same whatever else is built."""
    rng = random.Random(f"county-{code}")
    county = AreaSeed(f"{code}000000", name, Area.Level.COUNTY)
    stems = rng.sample(sorted(set(TOWNSHIP_STEMS)), townships)
    for t, stem in enumerate(stems, 1):
        is_xiang = t > townships * 2 // 3  # the remote ones are 乡, the rest 镇
        t_code = f"{code}{100 + t if not is_xiang else 200 + t:03d}"
        township = AreaSeed(
            f"{t_code}000",
            f"{stem}{'乡' if is_xiang else '镇'}",
            Area.Level.TOWNSHIP,
            indicators={"rural_population": rng.randint(15, 60) * 1000},
        )
        for v in range(1, rng.randint(8, 16) + 1):
            v_code = f"{t_code}{200 + v:03d}"
            village = AreaSeed(v_code, f"{rng.choice(GROUP_NAMES)}村民委员会", Area.Level.VILLAGE)
            village.children = [
                AreaSeed(f"{v_code}{i:03d}", f"{group}组", Area.Level.GROUP)
                for i, group in enumerate(rng.sample(GROUP_NAMES, rng.randint(4, 10)), 1)
            ]
            township.children.append(village)
        county.children.append(township)
    return county


def township_poverty_rate(code: str) -> float:
    """贫困发生率 (%) of a township (its 9-digit code): the annex's for 师宗县, else a generated one."""
    rate = _township_rates().get(code)
    return rate if rate is not None else random.Random(f"rate-{code}").uniform(8, 35)


def create_areas(tree: AreaSeed, *, parent: Area | None = None) -> dict[str, Area]:
    """Insert the tree (below `parent`, if given) level by level with bulk inserts; returns every area by code."""
    created: dict[str, Area] = {}
    level_nodes = [(tree, parent)]
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
    poor = rng.random() < min(0.9, township_poverty_rate(village.code[:9]) / 50)

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
