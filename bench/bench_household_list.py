"""The household list at county scale: 100,000 households / ~400,000 members, a county user.

    createdb -h 127.0.0.1 -U postgres jiandang_listbench
    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/jiandang_listbench DEBUG=1
    .venv/bin/python manage.py migrate && .venv/bin/python manage.py seed_demo
    .venv/bin/python bench/bench_household_list.py [HOUSEHOLDS]

Households are generated once with COPY (a re-run reuses them), then each page is requested 20 times
with django.test.Client as the county 扶贫办 user; the script prints the median and the 90th percentile.
"""

from __future__ import annotations

import datetime
import os
import random
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import urlencode

REQUESTS = 20
TARGET_MS = 200


def _setup_django() -> None:
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")
    import django

    django.setup()


def generate(households: int, *, seed: int = 2012) -> None:
    """COPY households, members (valid, unique ID numbers) and cases into an empty registry."""
    from django.db import connection, transaction

    from villages.models import Area

    rng = random.Random(seed)
    groups = list(Area.objects.filter(level=Area.Level.GROUP).order_by("code").values_list("id", "code"))
    per_group = -(-households // len(groups))
    if per_group > 999:
        raise SystemExit("每个村民小组最多 999 户:户编号为小组代码加三位序号。")
    started = time.monotonic()
    with transaction.atomic():
        _copy_rows(connection.connection, households, rng=rng, groups=groups, per_group=per_group)
    print(f"已生成 {households} 户(COPY),用时 {time.monotonic() - started:.1f} 秒")


def _copy_rows(raw, households: int, *, rng: random.Random, groups: list, per_group: int) -> None:
    from django.utils import timezone

    from households import choices
    from households.idnumber import build

    attributes = ["一般贫困户"] * 6 + ["低保贫困户"] * 3 + ["特困供养贫困户"]
    causes = [c for c, _ in choices.Cause.choices]
    surnames = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹"
    given = "国建华明文志永成海平云兰芳秀英丽春梅红金荣德富贵林山福伟娟琼"
    now = timezone.now()
    sequence: dict[tuple[datetime.date, bool], int] = {}

    def id_number(born: datetime.date, male: bool) -> str:
        # A counter per birth date and gender keeps the numbers unique and their check digits valid.
        key = (born, male)
        n = sequence.get(key, 0)
        sequence[key] = n + 1
        # 500 numbers per date, gender and region: then the next county of 曲靖 (people move).
        region = ("530323", "530321", "530322", "530324", "530325", "530326", "530381", "530302")[n // 500]
        return build(region, born, (n % 500) * 2 + (1 if male else 0))

    # psycopg's own connection: Django's cursor wrapper has no COPY.
    with raw.cursor() as cursor:
        with cursor.copy(
            "COPY households_household (number, group_id, address, phone, bank_name, bank_account, standard,"
            " attribute, main_cause, other_causes, deep_poverty, road_type, dangerous_house_grade, fuel, created_at,"
            " updated_at) FROM STDIN"
        ) as copy:
            made = 0
            for group_id, code in groups:
                for i in range(per_group):
                    if made == households:
                        break
                    copy.write_row(
                        (
                            f"{code}{i + 1:03d}", group_id, "", "", "", "", "国家标准", rng.choice(attributes),
                            rng.choice(causes), "{}", rng.random() < 0.1, "", "", "", now, now,
                        )
                    )  # fmt: skip
                    made += 1
        cursor.execute("SELECT id FROM households_household ORDER BY id")
        ids = [row[0] for row in cursor.fetchall()]
        with cursor.copy(
            "COPY households_member (household_id, name, id_number, gender, birth_date, relation, ethnicity,"
            " education, school_status, health, disability_certificate, disability_grade, labour, work_status,"
            " basic_medical_insurance, serious_illness_insurance, pension_insurance, serviceman, phone) FROM STDIN"
        ) as copy:
            for household_id in ids:
                surname = rng.choice(surnames)
                head_born = datetime.date(rng.randint(1940, 1990), rng.randint(1, 12), rng.randint(1, 28))
                people = [
                    ("户主", head_born, True),
                    ("配偶", head_born + datetime.timedelta(days=700), False),
                ]
                for k in range(rng.choice([0, 1, 2, 2, 3])):
                    child_born = head_born + datetime.timedelta(days=365 * (22 + 2 * k) + rng.randint(0, 300))
                    if child_born.year > 2011:
                        child_born = datetime.date(
                            rng.randint(1990, 2011), rng.randint(1, 12), rng.randint(1, 28)
                        )
                    people.append(("之子" if k % 2 == 0 else "之女", child_born, k % 2 == 0))
                for relation, born, male in people:
                    name = (
                        (surname if relation != "配偶" else rng.choice(surnames))
                        + rng.choice(given)
                        + rng.choice(given)
                    )
                    copy.write_row(
                        (
                            household_id, name, id_number(born, male), "男" if male else "女", born, relation, "汉族",
                            "", "非在校生", "健康", "", "", "", "", True, False, False, False, "",
                        )
                    )  # fmt: skip
        with cursor.copy(
            "COPY households_case (household_id, program, entered_year, state, poverty_class, note) FROM STDIN"
        ) as copy:
            for household_id in ids:
                draw = rng.random()
                if draw < 0.30:
                    copy.write_row((household_id, "fupin", 2014, "active", 3, ""))
                elif draw < 0.38:
                    copy.write_row((household_id, "fupin", 2014, "lifted", 3, ""))
                if draw < 0.12:
                    copy.write_row((household_id, "dibao", 2014, "active", 1, ""))
        # Statistics now, as autovacuum would do a little later: without them the planner takes the
        # freshly filled tables for empty ones.
        cursor.execute("ANALYZE households_household; ANALYZE households_member; ANALYZE households_case")
        cursor.execute("ANALYZE villages_area")


def measure(client, label: str, request) -> float:
    request(client)  # warm the caches once, as a working server has them
    times = []
    for _ in range(REQUESTS):
        started = time.perf_counter()
        response = request(client)
        times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, response.status_code
    median = statistics.median(times)
    p90 = statistics.quantiles(times, n=10)[-1]
    print(
        f"{label:<28} 中位数 {median:7.1f} ms   P90 {p90:7.1f} ms   {'达标' if median <= TARGET_MS else '未达标'}"
    )
    return median


def main() -> None:
    _setup_django()
    from django.core.cache import cache
    from django.test import Client
    from django.test.utils import setup_test_environment

    from accounts.models import Role, User
    from households.models import Household, Member

    wanted = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    existing = Household.objects.count()
    if existing == 0:
        generate(wanted)
    else:
        print(f"沿用已有的 {existing} 户")
    print(f"户 {Household.objects.count()},成员 {Member.objects.count()}")

    setup_test_environment()  # lets the client see the response context; as the test suite does
    user = User.objects.get(role=Role.COUNTY_FUPIN, area__code="530323000000", username="fupinban")
    client = Client()
    client.force_login(user)
    first = client.get("/households/").context["page"]
    deep = Household.objects.order_by("number").values_list("number", flat=True)[
        Household.objects.count() // 2
    ]
    person = Member.objects.order_by("id").values_list("id_number", "name")[Member.objects.count() // 3]
    township = "530323104000"

    pages = {
        "第一页(全县)": ({}, None),
        "下一页(键集)": ({"after": first.next_after}, None),
        "第 1000 页附近(键集)": ({"after": deep}, None),
        "筛选:属性+致贫原因": ({"attribute": "低保贫困户", "cause": "因病"}, None),
        "筛选:乡镇+扶贫在册": ({"area": township, "roll": "fupin"}, None),
        "筛选:已脱贫": ({"state": "lifted"}, None),
        "查找:身份证号(POST)": ({}, {"q": person[0]}),
        "查找:姓名(POST)": ({}, {"q": person[1]}),
        "查找:户编号前缀(POST)": ({}, {"q": deep[:12]}),
    }
    print("列表页(不含各筛选值的户数):")
    lists = {
        label: measure(
            client,
            label,
            lambda c, q=query, d=data: (
                c.post(f"/households/?{urlencode(q)}", d) if d else c.get("/households/", q)
            ),
        )
        for label, (query, data) in pages.items()
    }

    def counts(query: dict, data: dict | None, *, cold: bool):
        def request(c):
            if cold:
                cache.clear()
            return c.post(f"/households/facets/?{urlencode(query)}", data or {})

        return request

    # The counts do not depend on the page cursor: the keyset pages share the first page's counts.
    counted = {label: spec for label, spec in pages.items() if "键集" not in label}
    print("各筛选值的户数(页面载入后由 htmx 取回),不用缓存:")
    cold = {label: measure(client, label, counts(q, d, cold=True)) for label, (q, d) in counted.items()}
    print("各筛选值的户数,缓存命中(同一区划和筛选条件一分钟内再次打开):")
    warm = {label: measure(client, label, counts(q, d, cold=False)) for label, (q, d) in counted.items()}
    print(
        f"最慢的中位数:列表页 {max(lists.values()):.1f} ms;户数统计 {max(cold.values()):.1f} ms(无缓存),"
        f" {max(warm.values()):.1f} ms(缓存);目标 ≤ {TARGET_MS} ms"
    )


if __name__ == "__main__":
    main()
