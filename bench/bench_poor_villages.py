"""贫困村识别 scoring at county scale: every 行政村 and 村民小组 of the demo county, 100,000 households.

    createdb -h 127.0.0.1 -U postgres jiandang_bench_pv
    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/jiandang_bench_pv DEBUG=1
    .venv/bin/python manage.py migrate
    .venv/bin/python manage.py seed_demo --households 100000     # a re-run reuses it
    .venv/bin/python bench/bench_poor_villages.py

Each measurement creates a run and scores it with the task's own body (identification.poor_villages.
services.run: the INSERT … SELECT and the summary), RUNS times after one warm-up, and prints the median and
the spread; target ≤ 5 s (issue 12). Beside it, the villages' figures read the way the brief forbids — a set
of ORM queries per village (groups left out, so a lower bound) — timed once, to show the ratio. Runs are deleted afterwards.
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from pathlib import Path

RUNS = int(sys.argv[1]) if len(sys.argv) > 1 else 7
RUNS_NAIVE = 1
TARGET_S = 5.0


def _setup_django() -> None:
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")
    import django

    django.setup()


def timed(call, runs: int, *, warm: bool = True) -> list[float]:
    if warm:
        call()
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        call()
        times.append(time.perf_counter() - started)
    return times


def main() -> None:
    _setup_django()
    from django.db.models import Count, Q, Sum

    from accounts.models import User
    from households.models import Household, IncomeRecord, Member
    from identification.poor_villages import services
    from identification.poor_villages.models import RankingRun
    from villages.models import Area, AreaProfile

    fupin = User.objects.get(username="fupinban")
    county = fupin.area
    households = Household.objects.filter(group__code__startswith=county.scope_prefix).count()
    members = Member.objects.filter(household__group__code__startswith=county.scope_prefix).count()
    units = Area.objects.filter(code__startswith=county.scope_prefix, level__in=["village", "group"]).count()
    print(f"县 {county.name}:{households:,} 户 {members:,} 人,{units:,} 个行政村和村民小组")
    made = []

    def score() -> None:
        run = RankingRun.objects.create(
            county=county,
            year=2012,
            income_year=2011,
            weights=services.weights_snapshot(county),
            created_by=fupin,
        )
        made.append(run.pk)
        services.run(run_id=run.pk)

    def per_area() -> None:
        """The forbidden shape: a handful of queries per village (persons, 扶贫 persons, incomes, profile);
        only the figures of the 115 villages, not the groups, and no scoring: a lower bound of its cost."""
        for area in Area.objects.filter(code__startswith=county.scope_prefix, level="village"):
            people = Member.objects.filter(household__group__code__startswith=area.code)
            people.aggregate(
                n=Count("id"),
                fupin=Count(
                    "id", filter=Q(household__cases__program="fupin", household__cases__state="active")
                ),
            )
            IncomeRecord.objects.filter(household__group__code__startswith=area.code, year=2011).aggregate(
                persons=Sum("persons")
            )
            AreaProfile.objects.filter(area=area).first()

    try:
        fast = timed(score, RUNS)
        median = statistics.median(fast)
        verdict = "达标" if median <= TARGET_S else "未达标"
        print(
            f"集合式打分(INSERT…SELECT)  中位数 {median:6.2f} s   最快 {min(fast):6.2f} s   最慢 {max(fast):6.2f} s   {verdict}"
        )
        slow = timed(per_area, RUNS_NAIVE, warm=False)
        naive = statistics.median(slow)
        print(
            f"逐村查询(仅行政村、仅读数据)  中位数 {naive:6.2f} s   最快 {min(slow):6.2f} s   最慢 {max(slow):6.2f} s"
        )
        print(f"比值:逐村 ÷ 集合式 = {naive / median:.1f}×")
    finally:
        RankingRun.objects.filter(pk__in=made).delete()


if __name__ == "__main__":
    main()
