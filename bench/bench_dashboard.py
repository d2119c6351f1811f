"""The county dashboard at county scale: 100,000 households / ~360,000 persons, the county 扶贫办 user.

    createdb -h 127.0.0.1 -U postgres jiandang_bench_s
    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/jiandang_bench_s DEBUG=1
    .venv/bin/python manage.py migrate
    .venv/bin/python manage.py seed_demo --households 100000     # ≈ 2 minutes; a re-run reuses it
    .venv/bin/python bench/bench_dashboard.py

The registry is the demo county's (households.demo: poor with each township's annex 贫困发生率, causes,
classes, 扶贫/低保/特困 cases; identification.demo: the 2013 round with its quotas and applications).
Each page is requested 20 times with django.test.Client after one warm-up request, as the county user
(`fupinban`, who sees all 100,000 households); the script prints the median and the 90th percentile,
then the same for reports.statistics alone and for each of its two grouped statements.
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from pathlib import Path

REQUESTS = 20
TARGET_MS = 500

# The first design, kept to compare side by side: the households of the area with their member counts
# (a subquery per household) materialised once, grouped alone and joined to their cases, in one
# statement. reports.statistics runs two statements instead (bench/README.md, "Dashboard").
ONE_STATEMENT_SQL = """
WITH hh AS MATERIALIZED (
    SELECT h.id, substr(a.code, 1, %(digits)s) AS prefix, h.attribute, h.main_cause,
           (SELECT count(*) FROM households_member m WHERE m.household_id = h.id) AS persons
    FROM households_household h JOIN villages_area a ON a.id = h.group_id
    WHERE a.code LIKE %(like)s
)
SELECT prefix, NULL, NULL, NULL::integer, NULL::integer, NULL, NULL, count(*), sum(persons) FROM hh GROUP BY prefix
UNION ALL
SELECT hh.prefix, c.program, c.state, c.poverty_class, c.entered_year, hh.attribute, hh.main_cause,
       count(*), sum(hh.persons)
FROM hh JOIN households_case c ON c.household_id = hh.id
GROUP BY 1, 2, 3, 4, 5, 6, 7
"""


def _setup_django() -> None:
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")
    import django

    django.setup()


def measure(label: str, call, *, target: bool = False) -> float:
    """Median of REQUESTS calls after one warm-up; `target`: judge it against TARGET_MS."""
    call()  # warm the caches once, as a working server has them
    times = []
    for _ in range(REQUESTS):
        started = time.perf_counter()
        call()
        times.append((time.perf_counter() - started) * 1000)
    median = statistics.median(times)
    p90 = statistics.quantiles(times, n=10)[-1]
    verdict = ("达标" if median <= TARGET_MS else "未达标") if target else ""
    print(f"{label:<30} 中位数 {median:7.1f} ms   P90 {p90:7.1f} ms   {verdict}")
    return median


def main() -> None:
    _setup_django()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import setup_test_environment

    from accounts.models import User
    from households.models import Case, Household, Member
    from reports import statistics as figures
    from villages.models import Area

    if not Household.objects.exists():
        call_command("seed_demo", "--households", sys.argv[1] if len(sys.argv) > 1 else "100000")
        with connection.cursor() as cursor:  # as autovacuum would do shortly after the load
            cursor.execute("ANALYZE")
    print(
        f"户 {Household.objects.count()},成员 {Member.objects.count()},对象 {Case.objects.count()};"
        f"PostgreSQL {connection.cursor().connection.info.server_version}"
    )

    setup_test_environment()  # lets the client see the response context, as the test suite does
    user = User.objects.get(username="fupinban")
    client = Client()
    client.force_login(user)
    county = Area.objects.get(level=Area.Level.COUNTY)
    township = Area.objects.get(code="530323101000")  # 丹凤镇, the largest: 32 villages

    def page(url: str):
        def get():
            response = client.get(url)
            assert response.status_code == 200, response.status_code

        return get

    print("页面(含会话、权限、统计、识别进度、图表和模板):")
    county_page = measure("县级统计页 /reports/dashboard/", page("/reports/dashboard/"), target=True)
    measure("乡镇统计页(丹凤镇,32 个村)", page(f"/reports/dashboard/{township.code}/"), target=True)
    print("reports.statistics 本身:")
    measure("figures_by_child(县)", lambda: figures.figures_by_child(county, user=user))
    measure("figures_by_village(县,115 村)", lambda: figures.figures_by_village(county, user=user))
    measure("figures_by_group(县,808 组)", lambda: figures.figures_by_group(county, user=user))
    print("其中两条分组查询(县,按乡镇):")
    params = {"digits": 9, "like": f"{county.scope_prefix}%"}

    def statement(*sqls: str, settings: str = "SET LOCAL jit = off; SET LOCAL work_mem = '32MB'"):
        def run():
            with connection.cursor() as cursor:
                cursor.execute("BEGIN")
                if settings:
                    cursor.execute(settings)
                for sql in sqls:
                    cursor.execute(sql, params)
                    cursor.fetchall()
                cursor.execute("COMMIT")

        return run

    measure("农户与人数(成员按户聚合)", statement(figures._REGISTRY_SQL))
    measure("对象分组(名册×状态×类型×…)", statement(figures._CASES_SQL))
    measure("两条合计,服务器默认设置", statement(figures._REGISTRY_SQL, figures._CASES_SQL, settings=""))
    measure("对照:一条语句(共享 CTE)", statement(ONE_STATEMENT_SQL))
    print(
        f"县级统计页中位数 {county_page:.1f} ms;目标 ≤ {TARGET_MS} ms(按村、按组的统计供导出,在 Celery 中运行)"
    )


if __name__ == "__main__":
    main()
