"""The ledgers at county scale: the whole-county 村有册 and the 县电子档案, 100,000 households.

    createdb -h 127.0.0.1 -U postgres jiandang_ledgerbench
    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/jiandang_ledgerbench DEBUG=1
    .venv/bin/python manage.py migrate && .venv/bin/python manage.py seed_demo --households 100000
    .venv/bin/python bench/bench_ledgers.py [--repeat 3] [--all-on-rolls] [--archive] [--redis URL]

Each export runs as `manage.py export_ledger` in a fresh process, so wall time and peak RSS (ru_maxrss of
that process) are what cron or a worker would see. `--all-on-rolls` first puts every household without a
case on the 扶贫 roll (the register then holds all 100,000 households and ~356,000 persons: the issue's
worst case). `--archive` also times the county archive twice, side by side: its parts one after another
in one process (the command), and as a Celery chord on a worker with two processes (needs `--redis`).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGET_S, TARGET_MB = 60, 500


def _setup_django() -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")
    import django

    django.setup()


def _measure(args: list[str], env: dict) -> tuple[float, float]:
    """Wall seconds and peak RSS (MB) of one child process."""
    started = time.monotonic()
    child = subprocess.Popen(args, cwd=ROOT, env=env, stdout=subprocess.DEVNULL)
    _, status, usage = os.wait4(child.pid, 0)
    if status:
        raise SystemExit(f"{' '.join(args)} 失败(退出码 {status})")
    return time.monotonic() - started, usage.ru_maxrss / 1024


def put_everyone_on_the_rolls() -> int:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            """INSERT INTO households_case (household_id, program, entered_year, state, note)
               SELECT h.id, 'fupin', 2012, 'active', '' FROM households_household h
               WHERE NOT EXISTS (SELECT 1 FROM households_case c WHERE c.household_id = h.id)"""
        )
        added = cursor.rowcount
        cursor.execute("ANALYZE households_case")
    return added


def register_counts() -> tuple[int, int]:
    from reports.rows import count

    return count("530323")


def export(kind: str, out: Path, env: dict) -> tuple[float, float]:
    manage = [sys.executable, "manage.py", "export_ledger", kind, "--area", "530323", "--out", str(out)]
    return _measure(manage, env)


def archive_on_workers(redis_url: str, env: dict) -> tuple[float, float]:  # RSS: not measured (nan)
    """The county archive through the real broker: a worker with two processes takes the parts."""
    from jobs.dispatch import submit
    from reports.models import Kind, Report, Status
    from reports.privacy import EVERYTHING
    from reports.tasks import run_report

    env = {**env, "REDIS_URL": redis_url}
    worker = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "config", "worker", "--concurrency", "2", "--without-gossip",
         "--without-mingle", "-l", "WARNING"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        time.sleep(5)  # let the worker connect
        from villages.models import Area

        report = Report.objects.create(
            kind=Kind.COUNTY_ARCHIVE, area=Area.objects.get(code="530323000000"), reveals=sorted(EVERYTHING)
        )
        started = time.monotonic()
        submit(report, run_report, undo=report.delete)  # outside a transaction: sent at once
        while True:
            report.refresh_from_db()
            if report.status in (Status.DONE, Status.FAILED):
                break
            time.sleep(0.2)
        took = time.monotonic() - started
        if report.status != Status.DONE:
            raise SystemExit(f"县电子档案失败:{report.message}")
        return took, float("nan")
    finally:
        worker.terminate()
        worker.wait(30)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--all-on-rolls", action="store_true")
    parser.add_argument("--archive", action="store_true")
    parser.add_argument("--redis", default="")
    options = parser.parse_args()
    if options.redis:  # this process enqueues the chord's first task on the real broker
        os.environ["REDIS_URL"] = options.redis
    _setup_django()
    if options.all_on_rolls:
        print(f"已将 {put_everyone_on_the_rolls()} 户加入扶贫名册(最坏情况:全部农户在册)")
    households, persons = register_counts()
    print(f"全县村有册:{households} 户、{persons} 人(两个工作表共 {households + persons} 行)")

    env = {**os.environ, "DEBUG": "1", "MEDIA_ROOT": tempfile.mkdtemp(prefix="ledgerbench-")}
    env.pop("REDIS_URL", None)
    out = Path(env["MEDIA_ROOT"]) / "out"
    results: dict[str, list[tuple[float, float]]] = {
        "村有册": [],
        "县电子档案(命令,逐个部分)": [],
        "县电子档案(chord,2进程)": [],
    }
    for round_ in range(options.repeat):
        results["村有册"].append(export("village-register", out, env))
        if options.archive:
            results["县电子档案(命令,逐个部分)"].append(export("county-archive", out, env))
            if options.redis:
                results["县电子档案(chord,2进程)"].append(archive_on_workers(options.redis, env))
        load = os.getloadavg()[0]
        print(
            f"第 {round_ + 1} 轮:"
            + ";".join(f"{k} {v[-1][0]:.1f} 秒" for k, v in results.items() if v)
            + f"(负载 {load:.1f})"
        )
    for name, runs in results.items():
        if not runs:
            continue
        wall = statistics.median(r[0] for r in runs)
        rss = max(r[1] for r in runs)
        print(
            f"{name}:中位数 {wall:.1f} 秒(各轮 {', '.join(f'{r[0]:.1f}' for r in runs)}),峰值内存 {rss:.0f} MB"
        )
    best = statistics.median(r[0] for r in results["村有册"])
    print(f"目标:村有册 ≤ {TARGET_S} 秒、≤ {TARGET_MB} MB — {'达到' if best <= TARGET_S else '未达到'}")


if __name__ == "__main__":
    main()
