"""帮扶 at county scale: the helper's phone page and the county 整改清单 (issue 11's two targets).

    createdb -h 127.0.0.1 -U postgres jiandang_bench_a
    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/jiandang_bench_a DEBUG=1
    .venv/bin/python manage.py migrate
    .venv/bin/python manage.py seed_demo --households 100000     # households, round, and assistance.demo
    .venv/bin/python bench/bench_assistance.py

The 帮扶 is the demo county's (assistance.demo): ~7,000 helpers, a pairing for ~97% of the households on the
扶贫 roll, this year's plans and measures, visits, loans, work teams in the 贫困村, and the breaches that give
the 整改清单 its lines. Each page is requested 30 times with django.test.Client after one warm-up request —
the phone pages as the demo helper `bangfu`, the county pages as `fupinban` (who sees all 100,000
households) — and the script prints the median and the 90th percentile; the county export runs 3 times
(reports.exports.run, as the Celery task does).
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from pathlib import Path

REQUESTS = 30
PHONE_TARGET_MS = 200
COVERAGE_TARGET_MS = 5000


def _setup_django() -> None:
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")
    import django

    django.setup()


def measure(label: str, call, *, target: float | None = None, times: int = REQUESTS) -> float:
    """Median of `times` calls after one warm-up; with a target, say whether it is met."""
    call()
    samples = []
    for _ in range(times):
        started = time.perf_counter()
        call()
        samples.append((time.perf_counter() - started) * 1000)
    median = statistics.median(samples)
    p90 = statistics.quantiles(samples, n=10)[-1] if len(samples) >= 2 else median
    verdict = ("达标" if median <= target else "未达标") if target else ""
    print(f"{label:<34} 中位数 {median:8.1f} ms   P90 {p90:8.1f} ms   {verdict}")
    return median


def main() -> None:
    _setup_django()
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.test.utils import setup_test_environment

    from accounts.models import User
    from assistance import coverage
    from assistance.models import Helper, Measure, Pairing, Visit
    from households.models import Household
    from reports import exports
    from reports import statistics as figures
    from reports.models import Kind, Report
    from villages.models import Area

    print(
        f"户 {Household.objects.count()},帮扶责任人 {Helper.objects.count()},在结对 "
        f"{Pairing.objects.filter(ended_on__isnull=True).count()},措施 {Measure.objects.count()},"
        f"走访 {Visit.objects.count()};PostgreSQL {connection.cursor().connection.info.server_version}"
    )
    setup_test_environment()
    settings.ALLOWED_HOSTS = ["*"]

    def page(client: Client, url: str):
        def get():
            response = client.get(url)
            assert response.status_code == 200, (url, response.status_code)

        return get

    helper_user = User.objects.get(username="bangfu")
    phone = Client()
    phone.force_login(helper_user)
    first = Household.objects.visible_to(helper_user).order_by("pk").first()
    print("帮扶责任人手机页(bangfu,3 户):")
    mine = measure("我的帮扶户 /assistance/mine/", page(phone, "/assistance/mine/"), target=PHONE_TARGET_MS)
    measure(
        "一户的帮扶页(走访、措施)", page(phone, f"/assistance/households/{first.pk}/"), target=PHONE_TARGET_MS
    )

    county_user = User.objects.get(username="fupinban")
    desk = Client()
    desk.force_login(county_user)
    county = Area.objects.get(level=Area.Level.COUNTY)
    print("县级整改清单(fupinban,全县):")
    page_ms = measure(
        "整改清单页 /assistance/coverage/",
        page(desk, "/assistance/coverage/"),
        target=COVERAGE_TARGET_MS,
        times=5,
    )
    measure(
        "整改清单页,一类明细(未走访)",
        page(desk, "/assistance/coverage/?check=not_visited"),
        target=COVERAGE_TARGET_MS,
        times=5,
    )
    measure("统计页的帮扶部分(htmx)", page(desk, f"/assistance/dashboard/{county.code}/"), times=5)
    measure("coverage.totals(县)", lambda: coverage.totals(county.scope_prefix), times=5)
    measure("coverage.counts(县,按乡镇)", lambda: coverage.counts(county.scope_prefix, digits=9), times=5)
    measure(
        "statistics.assistance_figures(县)",
        lambda: figures.assistance_figures(county, user=county_user),
        times=5,
    )
    for check in coverage.CHECKS:
        measure(
            f"  {check.title}"[:30], lambda check=check: coverage.lines(county.scope_prefix, check), times=3
        )

    def export():
        report = Report.objects.create(kind=Kind.COVERAGE, area=county, user=county_user)
        exports.run(report.pk, inline=True)
        report.refresh_from_db()
        assert report.status == "done", report.message
        export.rows = report.rows
        exports.delete(report)

    export_ms = measure("整改清单导出(xlsx,全部行)", export, target=COVERAGE_TARGET_MS, times=3)
    print(f"导出行数 {export.rows}")
    print(
        f"手机页中位数 {mine:.1f} ms(目标 ≤ {PHONE_TARGET_MS} ms);县级整改清单页 {page_ms:.0f} ms、"
        f"导出 {export_ms:.0f} ms(目标 ≤ {COVERAGE_TARGET_MS} ms)"
    )


if __name__ == "__main__":
    main()
