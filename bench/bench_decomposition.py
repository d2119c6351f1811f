"""规模分解 at county scale: 100,000 households / ~360,000 persons, down to 808 村民小组 (issue 5: ≤ 5 s).

    createdb -h 127.0.0.1 -U postgres jiandang_bench_q
    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/jiandang_bench_q DEBUG=1
    .venv/bin/python manage.py migrate && .venv/bin/python manage.py seed_demo --households 100000
    .venv/bin/python bench/bench_decomposition.py [RUNS=5]

The data is seed_demo's county at 100,000 households (members, 2011 incomes, 扶贫/低保/特困 cases), so the
indicators are counted from a realistic registry. After ANALYZE (as autovacuum would), each step runs
RUNS times and the medians are printed:

- indicators: villages.indicators.subtree_indicators over the whole county (the grouped query);
- decompose: the pure computation of all 931 townships, villages and groups from stored inputs;
- run: a whole run as the county starts it — decomposition_create, then (eager Celery, as without
  REDIS_URL) the task reading the indicators, computing and storing the result — the issue's target;
- apply: writing the run's 931 quotas and the audit event (rolled back after each measure);
- table: the county's 贫困人口分解表 (rows) and its xlsx;
- pages: the runs of the round, a run's result (townships; 丹凤镇's villages), the 分解表, as 县扶贫办.

It refuses a database whose name lacks "bench": it writes a round, runs and quotas of its own.
"""

from __future__ import annotations

import io
import os
import statistics
import sys
import time
from decimal import Decimal
from pathlib import Path

TARGET_S = 5.0
BENCH_ROUND = "规模分解基准批次"


def _setup_django() -> None:
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")
    import django

    django.setup()


def _timed(runs: int, step) -> tuple[float, list[float], object]:
    times, value = [], None
    for _ in range(runs):
        t0 = time.perf_counter()
        value = step()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), times, value


def main(runs: int) -> None:
    _setup_django()
    from django.conf import settings
    from django.db import connection, transaction

    from accounts.models import User
    from households.models import Household, Member
    from identification import decomposition as service
    from identification.models import Quota, Round
    from identification.quota_table import quota_table, write_quota_table
    from villages.indicators import subtree_indicators
    from villages.models import Area

    if "bench" not in settings.DATABASES["default"]["NAME"]:
        raise SystemExit("只在名称含 bench 的数据库上运行(本脚本会写入基准批次、测算和指标)。")
    households, members = Household.objects.count(), Member.objects.count()
    if households < 100_000:
        raise SystemExit(f"台账只有 {households} 户:先运行 seed_demo --households 100000。")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    fupin = User.objects.get(username="fupinban")
    county = fupin.area
    round, _ = Round.objects.get_or_create(
        name=BENCH_ROUND, defaults={"year": 2013, "poverty_line": Decimal(2736), "dibao_line": Decimal(1800)}
    )
    groups = Area.objects.filter(level=Area.Level.GROUP).count()
    print(f"台账 {households} 户 {members} 人,{groups} 个村民小组;每项 {runs} 次,取中位数。")
    results: dict[str, tuple[float, list[float]]] = {}

    median, times, figures = _timed(
        runs,
        lambda: subtree_indicators(county, poverty_line=round.poverty_line, income_year=round.income_year),
    )
    results["indicators (registry, whole county)"] = (median, times)
    inputs = {code: item.as_json() for code, item in figures.items()}

    def compute():
        return service.decompose(
            inputs=inputs,
            root=county.code,
            control=112_800,
            weights=service.DEFAULT_WEIGHTS,
            overrides={"530323101000": 22_207},
        )

    median, times, outcome = _timed(runs, compute)
    results["decompose (pure, 931 areas)"] = (median, times)
    assert sum(outcome.persons[c] for c in service.children_of(inputs)[county.code]) == 112_800

    def whole_run():
        run = service.decomposition_create(
            round=round,
            actor=fupin,
            control_number=112_800,
            weights=service.DEFAULT_WEIGHTS,
            overrides={"530323101000": 22_207},
            note="基准测试",
        )
        run.refresh_from_db()
        assert run.status == "done", (run.status, run.errors, run.message)
        return run

    assert settings.CELERY_TASK_ALWAYS_EAGER, "不设 REDIS_URL 运行:任务在本进程内执行,才能计时。"
    median, times, run = _timed(runs, whole_run)
    results["run: create + task (indicators, compute, store)"] = (median, times)
    assert len(run.result) == len(inputs) - 1

    apply_times, changed = [], 0
    for _ in range(runs):
        with transaction.atomic():
            # From a round without quotas, so that every figure is written; all rolled back.
            Quota.objects.filter(round=round).delete()
            t0 = time.perf_counter()
            changed = service.decomposition_apply(decomposition=run, actor=fupin)
            apply_times.append(time.perf_counter() - t0)
            transaction.set_rollback(True)
    results[f"apply ({changed} quotas + audit, rolled back)"] = (statistics.median(apply_times), apply_times)

    service.decomposition_apply(decomposition=run, actor=fupin)  # kept, so the table reads the run
    median, times, table = _timed(runs, lambda: quota_table(round, county))
    results["分解表 rows (county, applied run)"] = (median, times)
    median, times, _ = _timed(runs, lambda: write_quota_table(round, county, io.BytesIO()))
    results["分解表 xlsx (county)"] = (median, times)

    from django.test import Client
    from django.urls import reverse

    client = Client(HTTP_HOST="localhost")  # an ALLOWED_HOSTS name under DEBUG
    client.force_login(fupin)
    pages = {
        "page: runs of the round": reverse("identification:decompositions", args=[round.pk]),
        "page: a run, townships": reverse("identification:decomposition", args=[run.pk]),
        "page: a run, 丹凤镇's 32 villages": reverse("identification:decomposition", args=[run.pk])
        + "?area=530323101000",
        "page: 分解表 (county)": reverse("identification:quota_table", args=[round.pk]),
    }
    for label, url in pages.items():
        client.get(url)  # warm the template cache

        def get(url=url):
            response = client.get(url)
            assert response.status_code == 200, response.status_code

        median, times, _ = _timed(runs, get)
        results[label] = (median, times)

    width = max(len(k) for k in results)
    for label, (median, times) in results.items():
        runs_text = ", ".join(f"{t:.3f}" for t in times)
        print(f"  {label:<{width}}  {median:7.3f} s   ({runs_text})")
    whole = results["run: create + task (indicators, compute, store)"][0]
    verdict = "达标" if whole <= TARGET_S else "未达标"
    print(f"整次分解(到村民小组)中位数 {whole:.2f} 秒,目标 ≤ {TARGET_S:.0f} 秒:{verdict}。")
    print(f"丹凤镇(指定){run.result['530323101000']} 人;分解表合计 {table.total.quota} 人。")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 5)
