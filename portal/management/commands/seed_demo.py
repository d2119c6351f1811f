"""The demo county: each app's demo module in turn, with a line of progress per step.

It lives in the top app because it calls every app's demo module (villages, accounts, households,
identification); the modules stay in their apps.
"""

from __future__ import annotations

import random
import time

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction

from accounts.demo import (
    CITY_ACCOUNT,
    create_city_user,
    create_demo_users,
    demo_accounts_table,
    demo_area_codes,
)
from assistance.demo import create_demo_assistance
from exits.demo import create_demo_exits
from exits.village_exits.demo import create_demo_poor_villages
from households.demo import create_demo_change_requests, create_demo_households
from identification.demo import create_demo_round
from monitoring.demo import create_demo_monitoring
from villages.apportion import apportion
from villages.demo import (
    CITY_CODE,
    CITY_NAME,
    COUNTY_CODE,
    QUJING_COUNTIES,
    create_areas,
    demo_area_tree,
    generated_county_tree,
)
from villages.models import Area

SEED_STEPS = 9  # the demo county's; a prefecture adds one


class Command(BaseCommand):
    help = "生成演示县(云南省曲靖市师宗县):区划、各角色演示账号、农户及其成员、收入和对象。同一 --seed 结果相同。"

    def add_arguments(self, parser):
        parser.add_argument("--seed", type=int, default=2012, help="随机种子(默认 2012)")
        parser.add_argument(
            "--households", type=int, default=5000, help="农户数(默认 5000;全县规模约 100000)"
        )
        parser.add_argument(
            "--counties",
            type=int,
            default=1,
            choices=range(1, len(QUJING_COUNTIES) + 1),
            metavar=f"1–{len(QUJING_COUNTIES)}",
            help="县数(默认 1,只有师宗县);大于 1 时生成曲靖市及其前 N 个县(含市级账号 shiji),"
            "--households 为各县合计、平均分到各县",
        )
        parser.add_argument(
            "--if-empty", action="store_true", help="数据库已有数据时不做任何事,只打印演示账号(make run 用)"
        )

    def handle(self, *args, seed: int, households: int, counties: int, if_empty: bool, **options):
        if Area.objects.exists():
            if not if_empty:
                raise CommandError(
                    "数据库中已有区划数据,不能重复生成演示县。要重新生成,请先清空数据库(make clean-data)。"
                )
            self.stdout.write("数据库已有数据,跳过演示数据生成。")
        else:
            shares = apportion(households, [1] * counties)
            self._seed(seed, shares[0], steps=SEED_STEPS + (counties > 1))
            if counties > 1:
                self._prefecture(random.Random(seed + 1), shares[1:])
        codes = [*demo_area_codes(), CITY_ACCOUNT.area_code]
        names = dict(Area.objects.filter(code__in=codes).values_list("code", "name"))
        self.stdout.write(demo_accounts_table(names))

    def _seed(self, seed: int, households: int, *, steps: int = SEED_STEPS) -> None:
        self.steps = steps
        started = time.monotonic()
        rng = random.Random(seed)
        self.stdout.write(f"正在生成演示县 师宗县(种子 {seed},{households} 户,约需 1–2 分钟)……")
        with transaction.atomic():
            self._step(1, "区划:8 个乡镇、115 个行政村及村民小组")
            areas = create_areas(demo_area_tree(rng))
            self._step(2, "各角色演示账号(县级账号含两步验证设备)")
            create_demo_users({code: areas[code] for code in demo_area_codes()})
            self._step(3, f"{households} 户农户及其成员、收入和对象(最长的一步)")
            counts = create_demo_households(rng, households)
            # The round's quota checks count the roll per area: statistics of the rows just loaded, or the
            # planner may keep plans made for empty tables (seen: minutes instead of seconds).
            with connection.cursor() as cursor:
                cursor.execute(
                    "ANALYZE households_household, households_member, households_case, villages_area"
                )
            self._step(4, "识别批次、规模控制指标和各环节的申请")
            demo_round = create_demo_round(rng)
            self._step(5, "贫困村识别测算、认定贫困村,一个贫困村退出(2014年)")
            poor_villages = create_demo_poor_villages()
            self._step(6, "帮扶:帮扶单位、责任人、结对、驻村工作队、帮扶计划与措施、走访和小额信贷")
            create_demo_assistance(rng)
            # 户情变更 in 山龙村 (households.changes): one approved, two in 丹凤镇's queue.
            create_demo_change_requests(rng)
            self._step(7, "脱贫退出(2015年已退出和公示中的户)、低保退保和纳入建议")
            demo_exits = create_demo_exits(rng)
            self._step(8, "防返贫监测:突发严重困难、监测运行、丹凤镇的预警和一户返贫申报")
            monitoring = create_demo_monitoring(rng)
        # Fresh statistics for the planner: the bulk-loaded tables would otherwise look empty to it
        # until autovacuum gets round to them (a county export then takes minutes instead of seconds).
        self._step(9, "更新数据库统计信息")
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        levels = [a.level for a in areas.values()]
        exited = f",{poor_villages.exited.name}已于2014年退出" if poor_villages.exited else ""
        self.stdout.write(
            self.style.SUCCESS(
                f"已生成演示县 师宗县:{levels.count('township')} 个乡镇、{levels.count('village')} 个行政村、"
                f"{levels.count('group')} 个村民小组;{counts.households} 户 {counts.members} 人,"
                f"其中贫困户 {counts.poor_households} 户 {counts.poor_members} 人;"
                f"识别批次“{demo_round.round.name}” {demo_round.applications} 份申请;"
                f"贫困村 {poor_villages.marked} 个(测算 #{poor_villages.run.pk}){exited}"
                f";{demo_exits.round.year} 年脱贫退出 {demo_exits.lifted} 户、村内公示中 {demo_exits.in_notice} 户,"
                f"退保建议 {demo_exits.proposals['exit']} 户、纳入建议 {demo_exits.proposals['enter']} 户;"
                f"防返贫监测预警 {monitoring.run.raised_total} 条,丹凤镇待核实 {monitoring.waiting} 条"
                f"(种子 {seed},用时 {time.monotonic() - started:.1f} 秒)。"
            )
        )

    def _prefecture(self, rng: random.Random, shares: list[int]) -> None:
        """曲靖市 above 师宗县, and its next counties with `shares` households each, one county per
        transaction and one township at a time inside it (bounded memory at 1,000,000 households)."""
        started = time.monotonic()
        self._step(SEED_STEPS + 1, f"曲靖市及其另外 {len(shares)} 个县({sum(shares)} 户,逐个乡镇写入)")
        with transaction.atomic():
            city = Area.objects.create(code=CITY_CODE, name=CITY_NAME, level=Area.Level.CITY)
            Area.objects.filter(code=COUNTY_CODE).update(parent=city)
            create_city_user(city)
        for (code, name, townships), share in zip(QUJING_COUNTIES[1:], shares, strict=False):
            with transaction.atomic():
                areas = create_areas(generated_county_tree(code, name, townships), parent=city)
                county = areas[f"{code}000000"]
                counts = create_demo_households(rng, share, county=county)
            self.stdout.write(
                f"      {name}:{sum(a.level == 'township' for a in areas.values())} 个乡镇、"
                f"{sum(a.level == 'village' for a in areas.values())} 个行政村,{counts.households} 户 "
                f"{counts.members} 人({time.monotonic() - started:.0f} 秒)"
            )
            self.stdout.flush()
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        self.stdout.write(
            self.style.SUCCESS(
                f"已生成曲靖市:{len(shares) + 1} 个县;市级账号 {CITY_ACCOUNT.username}"
                f"(用时 {time.monotonic() - started:.1f} 秒)。"
            )
        )

    def _step(self, number: int, text: str) -> None:
        self.stdout.write(f"  [{number}/{self.steps}] {text}……")
        self.stdout.flush()
