"""Print the figures of one bench/rush/run.sh run (or several, side by side) from locust's CSV files.

.venv/bin/python bench/rush/summary.py .artifacts/rush/before .artifacts/rush/after
"""

from __future__ import annotations

import csv
import sys
from pathlib import Path


def aggregated(path: Path) -> dict[str, str]:
    with path.open(encoding="utf-8") as handle:
        return next(row for row in csv.DictReader(handle) if row["Name"] == "Aggregated")


def figures(folder: Path) -> dict[str, str]:
    c8, c32, u300 = (aggregated(folder / f"{run}_stats.csv") for run in ("c8", "c32", "u300"))
    return {
        "req/s at 8 concurrent": f"{float(c8['Requests/s']):.1f}",
        "req/s at 32 concurrent": f"{float(c32['Requests/s']):.1f}",
        "300 users, 10 s think: p50 ms": u300["50%"],
        "300 users, 10 s think: p95 ms": u300["95%"],
        "300 users: req/s": f"{float(u300['Requests/s']):.1f}",
        "errors (8 / 32 / 300)": f"{c8['Failure Count']} / {c32['Failure Count']} / {u300['Failure Count']}",
        "requests (8 / 32 / 300)": f"{c8['Request Count']} / {c32['Request Count']} / {u300['Request Count']}",
    }


def main(folders: list[Path]) -> None:
    columns = [figures(folder) for folder in folders]
    print("| figure | " + " | ".join(folder.name for folder in folders) + " |")
    print("| --- |" + " ---: |" * len(folders))
    for key in columns[0]:
        print(f"| {key} | " + " | ".join(column[key] for column in columns) + " |")


if __name__ == "__main__":
    main([Path(arg) for arg in sys.argv[1:]])
