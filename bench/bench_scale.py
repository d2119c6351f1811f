"""Area-bounded pages at 100,000 and at 1,000,000 households (issue 14's first target), side by side.

    # 100,000 households: the demo county alone
    createdb -h 127.0.0.1 -U postgres jd_scale_100k
    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/jd_scale_100k DEBUG=1
    .venv/bin/python manage.py migrate && .venv/bin/python manage.py seed_demo --households 100000
    .venv/bin/python bench/bench_scale.py

    # 1,000,000 households: 曲靖市's nine counties, 111,111 households each (师宗县 with the demo's round)
    createdb -h 127.0.0.1 -U postgres jd_scale_1m
    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/jd_scale_1m DEBUG=1
    .venv/bin/python manage.py migrate
    /usr/bin/time -v .venv/bin/python manage.py seed_demo --counties 9 --households 1000000
    .venv/bin/python bench/bench_scale.py

Each page is requested REQUESTS times with django.test.Client after one warm-up, as the user who works
there (demo accounts; a cadre is made for a village that has none); the script prints the median and
the 90th percentile, then the plan of the village list for the worst village (the last in code order:
a walk of the 户编号 index from the start would read every other household first) with the buffers read.
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import time
from pathlib import Path

REQUESTS = int(os.environ.get("BENCH_REQUESTS", "15"))
TARGET_MS = 500


def _setup_django() -> None:
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")
    import django

    django.setup()


def measure(label: str, call) -> float:
    call()  # warm the caches once, as a working server has them
    times = []
    for _ in range(REQUESTS):
        started = time.perf_counter()
        call()
        times.append((time.perf_counter() - started) * 1000)
    median = statistics.median(times)
    p90 = statistics.quantiles(times, n=10)[-1]
    print(
        f"{label:<44} 中位数 {median:7.1f} ms   P90 {p90:7.1f} ms   {'达标' if median <= TARGET_MS else '未达标'}"
    )
    return median


def main() -> None:
    _setup_django()
    from django.core.cache import cache
    from django.db import connection
    from django.test import Client
    from django.test.utils import setup_test_environment

    from accounts.models import Role, User
    from households.models import Household
    from households.selectors import households_for
    from villages.models import Area

    setup_test_environment()
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM households_household")
        households = cursor.fetchone()[0]
        cursor.execute("SELECT count(*) FROM households_member")
        members = cursor.fetchone()[0]
    counties = Area.objects.filter(level=Area.Level.COUNTY).count()
    print(f"户 {households},成员 {members},县 {counties};每项 {REQUESTS} 次")

    def cadre_of(village: Area) -> User:
        user = User.objects.filter(role=Role.VILLAGE_CADRE, area=village).order_by("pk").first()
        if user is None:
            user = User.objects.create(
                username=f"bench_{village.code}", role=Role.VILLAGE_CADRE, area=village
            )
        return user

    def client_for(user: User) -> Client:
        """Signed in past the second factor (its demo device), as tests/auth.py's VerifiedClient does."""
        from django_otp import DEVICE_ID_SESSION_KEY
        from django_otp.plugins.otp_totp.models import TOTPDevice

        client = Client()
        client.force_login(user)
        device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
        if device is not None:
            session = client.session
            session[DEVICE_ID_SESSION_KEY] = device.persistent_id
            session.save()
        return client

    def get(client: Client, url: str, data=None):
        def call():
            response = client.get(url, data or {})
            assert response.status_code == 200, (url, response.status_code)

        return call

    def facets(client: Client):
        def call():
            cache.clear()  # the counts uncached: what the first visitor of the minute waits for
            response = client.post("/households/facets/")
            assert response.status_code == 200, response.status_code

        return call

    villages = list(Area.objects.filter(level=Area.Level.VILLAGE, code__startswith="530323").order_by("code"))
    worst_shizong = villages[-1]
    worst_overall = Area.objects.filter(level=Area.Level.VILLAGE).order_by("-code").first()
    fupinban = client_for(User.objects.get(username="fupinban"))
    xiangzhen = client_for(User.objects.get(username="xiangzhen"))
    results: dict[str, float] = {}
    if os.environ.get("BENCH_PAGES", "1") != "0":  # BENCH_PAGES=0: the statements only
        pages = [
            ("村:户列表 山龙村(cungan)", client_for(cadre_of(Area.objects.get(code="530323101201"))), "list"),
            (f"村:户列表 {worst_shizong.name}(师宗县最后一村)", client_for(cadre_of(worst_shizong)), "list"),
            (
                f"村:户列表 {worst_overall.name}({worst_overall.code},库中最后一村)",
                client_for(cadre_of(worst_overall)),
                "list",
            ),
        ]
        for label, client, _ in pages:
            results[label] = measure(label, get(client, "/households/"))
        village_client = pages[0][1]
        results["村:各筛选值户数(无缓存) 山龙村"] = measure(
            "村:各筛选值户数(无缓存) 山龙村", facets(village_client)
        )
        results["村:统计页 山龙村"] = measure("村:统计页 山龙村", get(village_client, "/reports/dashboard/"))
        results["村:统计页 库中最后一村"] = measure(
            "村:统计页 库中最后一村", get(pages[2][1], "/reports/dashboard/")
        )
        results["乡镇:统计页 丹凤镇(32 村)"] = measure(
            "乡镇:统计页 丹凤镇(32 村)", get(xiangzhen, "/reports/dashboard/")
        )
        results["乡镇:户列表 丹凤镇"] = measure("乡镇:户列表 丹凤镇", get(xiangzhen, "/households/"))
        results["县:统计页 师宗县"] = measure("县:统计页 师宗县", get(fupinban, "/reports/dashboard/"))
        results["县:户列表 师宗县 第一页"] = measure("县:户列表 师宗县 第一页", get(fupinban, "/households/"))
        results["县:各筛选值户数(无缓存) 师宗县"] = measure(
            "县:各筛选值户数(无缓存) 师宗县", facets(fupinban)
        )
        city = User.objects.filter(role=Role.CITY_FUPIN).first()
        if city is not None:
            results["市:统计页 曲靖市(按县)"] = measure(
                "市:统计页 曲靖市(按县)", get(client_for(city), "/reports/dashboard/")
            )

    # What the main statements read, whatever the load: rows taken from the household, member and case
    # tables (actual rows × loops of their scans), buffers touched, and the execution time.
    def nodes(node):
        yield node
        for child in node.get("Plans", []):
            yield from nodes(child)

    def analyze(label: str, sql: str, params) -> None:
        with connection.cursor() as cursor:
            cursor.execute("BEGIN")
            # As reports.statistics runs them below the 市 (all the areas here).
            cursor.execute("SET LOCAL jit = off; SET LOCAL work_mem = '32MB'")
            cursor.execute("SET LOCAL max_parallel_workers_per_gather = 0")
            cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) {sql}", params)
            raw = cursor.fetchone()[0]
            cursor.execute("COMMIT")
        plan = (json.loads(raw) if isinstance(raw, str) else raw)[0]
        read: dict[str, int] = {}
        for node in nodes(plan["Plan"]):
            relation = node.get("Relation Name")
            if relation:
                read[relation] = read.get(relation, 0) + int(
                    node.get("Actual Rows", 0) * node.get("Actual Loops", 1)
                )
        top = plan["Plan"]
        buffers = top.get("Shared Hit Blocks", 0) + top.get("Shared Read Blocks", 0)
        indexes = sorted({n["Index Name"] for n in nodes(top) if "Index Name" in n})
        print(
            f"{label:<36} 执行 {plan['Execution Time']:8.1f} ms  缓冲块 {buffers:>7}  读行 "
            + ", ".join(f"{k.removeprefix('households_')} {v}" for k, v in sorted(read.items()))
            + f"  索引 {', '.join(indexes) or '—'}"
        )

    from reports import statistics as figures

    print("主要语句(EXPLAIN ANALYZE,与负载无关的是读行和缓冲块):")
    for village in (Area.objects.get(code="530323101201"), worst_overall):
        sql, params = (
            households_for(cadre_of(village)).order_by("area_code", "number")[:51].query.sql_with_params()
        )
        analyze(f"户列表 {village.code}", sql, params)
    for area, digits in (
        (Area.objects.get(code="530323101201"), 15),
        (Area.objects.get(code="530323101000"), 12),
        (Area.objects.get(code="530323000000"), 9),
    ):
        params = {"digits": digits, "like": f"{area.scope_prefix}%"}
        analyze(f"统计:农户与人数 {area.name}", figures._REGISTRY_SQL, params)
        analyze(f"统计:对象分组 {area.name}", figures._CASES_SQL, params)
    print(
        f"库中最后一村 {worst_overall.code} 的户数 {Household.objects.filter(area_code__startswith=worst_overall.scope_prefix).count()}"
    )
    print(json.dumps({k: round(v, 1) for k, v in results.items()}, ensure_ascii=False))


if __name__ == "__main__":
    main()
