"""Benchmark of the 花名册 import (issue 3, "Performance"): 100,000 households in ≤ 60 s, ≤ 1.5 GB.

    createdb -h 127.0.0.1 -U postgres jiandang_bench
    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/jiandang_bench DEBUG=1
    .venv/bin/python manage.py migrate && .venv/bin/python manage.py seed_demo --households 0
    .venv/bin/python bench/bench_import.py [HOUSEHOLDS=100000] [--repeat 1] [--slice 5000] [--no-iie]
        [--baseline DIR] [--import-only]

It generates the roster (bench/roster.py, cached in /tmp), empties the registry tables of the bench
database (it refuses a database whose name lacks "bench"), then measures, each in a fresh process
so that peak RSS (ru_maxrss) belongs to one run: the dry run, the import into an empty registry,
the re-import of the same file (idempotent: nothing written), and, on a slice of the first
`--slice` households, our pipeline against django-import-export's default row-by-row import
(households.resources, history written by django-simple-history's signals).

Each run reports its phases from the import's progress points (read, with the checks and writes of
the batches made meanwhile; the last batch; index rebuild; commit; ANALYZE), the load average when it
started, and the peak RSS of the importing process and of its reading process.
`--baseline DIR` measures another checkout of the project (e.g. `git archive <commit> | tar -x -C DIR`)
interleaved with this one, run for run, with this script and virtualenv, on the same database — or, when
the schemas differ, on the one BENCH_BASELINE_DATABASE_URL names (migrated by that checkout).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

# The checkout measured: this one, or the --baseline one in that run's child process.
ROOT = Path(os.environ.get("BENCH_IMPORT_ROOT") or Path(__file__).resolve().parent.parent)
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))


def _setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")
    import django

    django.setup()


def _truncate() -> None:
    from django.db import connection

    if "bench" not in connection.settings_dict["NAME"]:
        sys.exit("拒绝清空:数据库名中没有 bench(请用专门的基准测试数据库)。")
    with connection.cursor() as cursor:
        cursor.execute(
            "TRUNCATE households_member, households_household, households_historicalmember, "
            "households_historicalhousehold, households_incomerecord, households_case, households_historicalcase CASCADE"
        )


def _importer_user():
    from accounts.models import Role, User

    return User.objects.select_related("area").filter(role=Role.COUNTY_FUPIN).order_by("pk").first()


# Progress points of households.importer: 50 = the last row read (the batches before it checked and
# written meanwhile), 70 = the last batch checked and written, 95 = indexes rebuilt, 97 = committed
# (before ANALYZE), 100 = done.
PHASES = (("read", 50), ("check", 70), ("write", 95), ("commit", 97), ("analyze", 100))


def phase_pipeline(path: str, dry_run: bool) -> dict:
    from households.importer import import_roster

    reached: dict[int, float] = {}

    def progress(percent: int) -> None:
        reached.setdefault(percent, time.perf_counter())

    started = time.perf_counter()
    # The demo round's 识别年度 (seed_demo): the year is always given, never read from the clock.
    result = import_roster(path=path, user=_importer_user(), dry_run=dry_run, year=2014, progress=progress)
    finished = time.perf_counter()
    if result.errors:
        sys.exit(f"导入出错:{[e.as_dict() for e in result.errors[:5]]}")
    phases: dict[str, float] = {}
    last, last_name = started, None
    for name, percent in PHASES:
        at = next((reached[p] for p in sorted(reached) if p >= percent), None)
        if at is not None and at >= last:
            phases[name], last, last_name = at - last, at, name
    if last_name:  # what follows the last progress point (returning the result) belongs to its phase
        phases[last_name] += finished - last
    return {"seconds": finished - started, "counts": result.counts, "phases": phases}


def phase_iie(path: str) -> dict:
    """django-import-export, default settings (row by row, one transaction), same rows as our import."""
    import tablib
    from python_calamine import CalamineWorkbook

    from households.importer import AreaMatcher, open_sheet
    from households.resources import HouseholdResource, MemberResource

    started = time.perf_counter()
    sheet, _ = open_sheet(path)
    sheet.close()  # only the header is wanted here: the reader thread stops
    index = {key: col for key, (col, _) in sheet.headers.items()}
    matcher = AreaMatcher(_importer_user())
    households = tablib.Dataset(
        headers=["户编号", "村民小组ID", "attribute", "main_cause", "dangerous_house", "drinking_water_safe",
                 "drinking_water_difficult", "phone"]
    )  # fmt: skip
    members = tablib.Dataset(
        headers=["户编号", "name", "id_number", "gender", "birth_date", "relation", "ethnicity", "education",
                 "school_status", "health", "labour", "work_status", "work_months", "serious_illness_insurance"]
    )  # fmt: skip
    seen = set()
    for row in CalamineWorkbook.from_path(path).get_sheet_by_index(0).iter_rows():
        number = row[index["h.number"]]
        if not number or number == "户编号" or not str(number).isdigit():
            continue
        yes = {"是": True, "否": False}
        if number not in seen:
            seen.add(number)
            group, _ = matcher.group(row[index["a.township"]], row[index["a.village"]], row[index["a.group"]])
            households.append(
                [number, group.id, row[index["h.attribute"]], row[index["h.main_cause"]],
                 yes[row[index["h.dangerous_house"]]], yes[row[index["h.drinking_water_safe"]]],
                 yes[row[index["h.drinking_water_difficult"]]], row[index["h.phone"]]]
            )  # fmt: skip
        id_number = row[index["m.id_number"]]
        members.append(
            [number, row[index["m.name"]], id_number, "男" if int(id_number[16]) % 2 else "女",
             f"{id_number[6:10]}-{id_number[10:12]}-{id_number[12:14]}", row[index["m.relation"]],
             row[index["m.ethnicity"]], row[index["m.education"]], row[index["m.school_status"]],
             row[index["m.health"]], row[index["m.labour"]], row[index["m.work_status"]],
             int(row[index["m.work_months"]]) if row[index["m.work_months"]] != "" else None,
             yes[row[index["m.serious_illness_insurance"]]]]
        )  # fmt: skip
    for resource_class, dataset in ((HouseholdResource, households), (MemberResource, members)):
        result = resource_class().import_data(dataset, dry_run=False, raise_errors=True)
        assert not result.has_errors()
    return {"seconds": time.perf_counter() - started, "rows": len(households) + len(members)}


def _child(args: list[str], root: Path = ROOT) -> dict:
    env = {**os.environ, "PYTHONUNBUFFERED": "1", "BENCH_IMPORT_ROOT": str(root)}
    if root != ROOT and os.environ.get("BENCH_BASELINE_DATABASE_URL"):
        # A baseline whose schema differs (fields added since) runs on its own, migrated, database.
        env["DATABASE_URL"] = os.environ["BENCH_BASELINE_DATABASE_URL"]
    load = os.getloadavg()[0]
    out = subprocess.run(
        [sys.executable, str(Path(__file__).resolve()), "--child", *args],
        capture_output=True,
        text=True,
        env=env,
        check=False,
        cwd=root,
    )
    if out.returncode:
        sys.exit(out.stderr[-3000:])
    return {"load": load, **json.loads(out.stdout.strip().splitlines()[-1])}


def run_child(args: argparse.Namespace) -> None:
    _setup()
    if args.phase == "truncate":
        _truncate()
        result: dict = {}
    elif args.phase == "iie":
        result = phase_iie(args.file)
    else:
        result = phase_pipeline(args.file, dry_run=args.phase == "dry")
    result["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    # The importer's reading process (households.importer.process), where there is one.
    result["peak_rss_reader_mb"] = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(json.dumps(result))


def _roster(households: int) -> Path:
    path = Path(f"/tmp/roster-{households}.xlsx")
    if not path.exists():
        from roster import demo_groups, write_roster

        started = time.perf_counter()
        persons = write_roster(path, households=households, groups=demo_groups())
        print(f"生成花名册 {households} 户 {persons} 人:{time.perf_counter() - started:.1f} 秒", flush=True)
    return path


def _line(label: str, runs: list[dict]) -> dict:
    seconds = statistics.median(r["seconds"] for r in runs)
    rss = max(r["peak_rss_mb"] for r in runs)
    reader = max(r.get("peak_rss_reader_mb", 0) for r in runs)
    all_runs = ", ".join(f"{r['seconds']:.1f}" for r in runs)
    loads = ", ".join(f"{r['load']:.1f}" for r in runs if "load" in r)
    print(
        f"{label:<34} 中位数 {seconds:7.1f} 秒 (各次 {all_runs};负载 {loads})  峰值内存 {rss:6.0f} MB"
        f"(读取进程 {reader:.0f} MB)",
        flush=True,
    )
    with_phases = [r["phases"] for r in runs if r.get("phases")]
    if with_phases:
        parts = [
            f"{name} {statistics.median(p.get(name, 0.0) for p in with_phases):.1f}"
            for name, _ in PHASES
            if any(name in p for p in with_phases)
        ]
        print(f"{'':<34} 各阶段中位数(秒):{',  '.join(parts)}", flush=True)
    return {"seconds": seconds, "rss": rss}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("households", nargs="?", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--slice", type=int, default=5000)
    parser.add_argument("--no-iie", action="store_true")
    parser.add_argument("--baseline", type=Path, help="another checkout, measured interleaved with this one")
    parser.add_argument("--import-only", action="store_true", help="only the import into an empty registry")
    parser.add_argument("--child", action="store_true")
    parser.add_argument("--phase")
    parser.add_argument("--file")
    args = parser.parse_args()
    if args.child:
        run_child(args)
        return
    _setup()
    path = str(_roster(args.households))
    trees = {"本版本": ROOT}
    if args.baseline:
        trees = {f"基线 {args.baseline}": args.baseline.resolve(), **trees}
    runs = {name: {"dry": [], "real": [], "again": []} for name in trees}
    for _ in range(args.repeat):
        for name, root in trees.items():  # interleaved: the baseline, then this checkout, each round
            _child(["--phase", "truncate"], root)
            if not args.import_only:
                runs[name]["dry"].append(_child(["--phase", "dry", "--file", path], root))
            runs[name]["real"].append(_child(["--phase", "real", "--file", path], root))
            if not args.import_only:
                runs[name]["again"].append(_child(["--phase", "real", "--file", path], root))
    for name, measured in runs.items():
        counts = measured["real"][0]["counts"]
        print(f"{name} — 花名册:{args.households} 户 {counts['rows']} 人")
        _line("导入(空库)", measured["real"])
        if not args.import_only:
            _line("预检(dry run)", measured["dry"])
            _line("重复导入(不写入)", measured["again"])
            assert measured["again"][0]["counts"]["members_created"] == 0
            assert measured["again"][0]["counts"]["members_updated"] == 0
    if args.no_iie:
        return
    slice_path = str(_roster(args.slice))
    ours, theirs = [], []
    for _ in range(args.repeat):
        _child(["--phase", "truncate"])
        ours.append(_child(["--phase", "real", "--file", slice_path]))
        _child(["--phase", "truncate"])
        theirs.append(_child(["--phase", "iie", "--file", slice_path]))
    a = _line(f"本管道,{args.slice} 户切片", ours)
    b = _line(f"django-import-export 逐行,{args.slice} 户", theirs)
    rows = theirs[0]["rows"]
    print(
        f"django-import-export:{rows / b['seconds']:.0f} 行/秒;本管道快 {b['seconds'] / a['seconds']:.1f} 倍"
    )
    _child(["--phase", "truncate"])


if __name__ == "__main__":
    main()
