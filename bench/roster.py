"""A synthetic national 花名册 (one row per person) for the demo county, for the import benchmark.

    DATABASE_URL=… DEBUG=1 .venv/bin/python bench/roster.py 100000 /tmp/roster-100k.xlsx

Areas are read from the database (`manage.py seed_demo` first), ID numbers are valid and unique
(households.idnumber.build), and the sheet has the merged title row of the real export. Written with
xlsxwriter in constant-memory mode, the fastest writer we measured (DESIGN, "Known pitfalls").
"""

from __future__ import annotations

import datetime
import os
import random
import sys
import time
from pathlib import Path

HEADERS = [
    "县", "乡", "行政村", "自然村", "户编号", "人编号", "姓名", "证件号码", "人数", "与户主关系", "民族",
    "文化程度", "在校生状况", "健康状况", "劳动技能", "务工状况", "务工时间(月)", "参加大病医疗", "脱贫属性",
    "贫困户属性", "主要致贫原因", "危房户", "饮水安全", "饮水困难", "人均纯收入", "联系电话",
]  # fmt: skip

SURNAMES = "王 李 张 刘 陈 杨 黄 赵 吴 周 徐 孙 马 朱 胡 郭 何 高 林 罗 郑 梁 谢 宋 唐 许 韩 冯 邓 曹".split()
GIVEN = "国 建 华 明 文 志 永 成 海 平 云 兰 芳 秀 英 丽 春 梅 红 金 荣 德 富 贵 林 山 福 伟 娟 琼".split()
CAUSES = ["因病", "因残", "因学", "因灾", "缺土地", "缺水", "缺技术", "缺劳力", "缺资金", "交通条件落后"]
ATTRIBUTES = ["一般贫困户"] * 6 + ["低保贫困户"] * 3 + ["特困供养贫困户"]
ETHNICITIES = ["汉族"] * 7 + ["彝族", "壮族", "苗族"]


def _setup_django() -> None:
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")
    import django

    django.setup()


def demo_groups() -> list[tuple[str, str, str, str]]:
    """(township, village, group name, group code) of every 村民小组 in the database."""
    from villages.models import Area

    groups = Area.objects.filter(level=Area.Level.GROUP).select_related("parent__parent").order_by("code")
    return [(g.parent.parent.name, g.parent.name, g.name, g.code) for g in groups]


class _Ids:
    """Unique valid ID numbers: a counter per birth date and gender gives the 3-digit sequence."""

    def __init__(self) -> None:
        self.used: dict[tuple[datetime.date, str], int] = {}

    def new(self, birth: datetime.date, gender: str) -> str:
        from households.idnumber import build

        while True:
            k = self.used.get((birth, gender), 0)
            if k < 500:
                self.used[(birth, gender)] = k + 1
                return build("530323", birth, 2 * k + (1 if gender == "男" else 0))
            birth += datetime.timedelta(days=1)


def write_roster(
    path: Path,
    *,
    households: int,
    groups: list[tuple[str, str, str, str]],
    seed: int = 2012,
    county: str = "师宗县",
) -> int:
    """Write the roster; returns the number of person rows."""
    import xlsxwriter

    rng = random.Random(seed)
    ids = _Ids()
    today = datetime.date(2025, 1, 1)
    book = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    sheet = book.add_worksheet("花名册")
    sheet.merge_range(0, 0, 0, len(HEADERS) - 1, f"{county}建档立卡贫困人口花名册")
    for col, header in enumerate(HEADERS):
        sheet.write_string(1, col, header)
    row = 2
    per_group: dict[str, int] = {}
    for h in range(households):
        township, village, group, code = groups[h % len(groups)]
        per_group[code] = per_group.get(code, 0) + 1
        number = f"{code}{per_group[code]:04d}"
        size = rng.choice((1, 2, 3, 3, 4, 4, 4, 5, 5, 6))
        head_gender = rng.choice("男男男女")
        head_birth = today - datetime.timedelta(days=rng.randint(25 * 365, 75 * 365))
        people = [("户主", head_gender, head_birth)]
        if size > 1:
            people.append(
                (
                    "配偶",
                    "女" if head_gender == "男" else "男",
                    head_birth + datetime.timedelta(days=rng.randint(-900, 900)),
                )
            )
        for _ in range(size - len(people)):
            gender = rng.choice("男女")
            birth = head_birth + datetime.timedelta(days=rng.randint(20 * 365, 30 * 365))
            people.append(("之子" if gender == "男" else "之女", gender, min(birth, today)))
        attribute = rng.choice(ATTRIBUTES)
        cause = rng.choice(CAUSES)
        dangerous = rng.choice("否否否是")
        water_safe = rng.choice("是是是否")
        income = round(rng.uniform(1200, 4500), 2)
        phone = f"13{rng.randint(100000000, 999999999)}"
        surname = rng.choice(SURNAMES)
        ethnicity = rng.choice(ETHNICITIES)
        for i, (relation, gender, birth) in enumerate(people, 1):
            age = (today - birth).days // 365
            child = age < 18
            name = (surname if relation != "配偶" else rng.choice(SURNAMES)) + "".join(rng.sample(GIVEN, 2))
            values = [
                county, township, village, group, number, f"{number}{i:02d}", name, ids.new(birth, gender),
                size, relation, ethnicity,
                "小学" if child else rng.choice(("小学", "初中", "初中", "文盲或半文盲")),
                "小学" if 6 <= age < 12 else ("初中" if 12 <= age < 18 else "非在校生"),
                rng.choice(("健康", "健康", "健康", "长期慢性病", "患有大病")),
                "无劳动力" if child or age > 65 else "普通劳动力",
                "" if child else rng.choice(("", "县外省内务工", "省外务工")),
                "" if child else rng.randint(0, 12),
                rng.choice("是是否"), "未脱贫", attribute, cause, dangerous, water_safe,
                "否" if water_safe == "是" else "是", income, phone,
            ]  # fmt: skip
            for col, value in enumerate(values):
                if isinstance(value, str):
                    if value:
                        sheet.write_string(row, col, value)
                else:
                    sheet.write_number(row, col, value)
            row += 1
    book.close()
    return row - 2


def main() -> None:
    households = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    path = Path(sys.argv[2] if len(sys.argv) > 2 else f"/tmp/roster-{households}.xlsx")
    _setup_django()
    started = time.monotonic()
    persons = write_roster(path, households=households, groups=demo_groups())
    print(f"{path}: {households} 户 {persons} 人,用时 {time.monotonic() - started:.1f} 秒")


if __name__ == "__main__":
    main()
