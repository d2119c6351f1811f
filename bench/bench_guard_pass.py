"""The guard's quick pass over a roster's sheet XML: this checkout's villages.guard against another's.

    .venv/bin/python bench/bench_guard_pass.py OTHER_CHECKOUT [ROSTER=/tmp/roster-100000.xlsx] [MB=40]

Runs `_check_texts`, the formula test, `_unusual` and `_bound` over each 1 MB block of the first MB
megabytes of the first worksheet, the other checkout's guard and this one alternating, three rounds, in
one process (no database); prints each round's seconds and the medians.
"""

from __future__ import annotations

import importlib.util
import statistics
import sys
import time
import zipfile
from pathlib import Path

HERE = Path(__file__).resolve().parent.parent


def guard_of(root: Path):
    name = f"guard_{len(sys.modules)}"
    spec = importlib.util.spec_from_file_location(name, root / "villages" / "guard.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    sys.path.insert(0, str(root))  # its own villages.pieces, where it has one
    try:
        spec.loader.exec_module(module)
    finally:
        sys.path.pop(0)
    return module


def main() -> None:
    other = Path(sys.argv[1])
    roster = sys.argv[2] if len(sys.argv) > 2 else "/tmp/roster-100000.xlsx"
    megabytes = int(sys.argv[3]) if len(sys.argv) > 3 else 40
    guards = {"other": guard_of(other), "this": guard_of(HERE)}
    with zipfile.ZipFile(roster) as archive, archive.open("xl/worksheets/sheet1.xml") as part:
        data = part.read(megabytes << 20)
    blocks = [data[at : at + (1 << 20)] for at in range(0, len(data), 1 << 20)]
    seconds: dict[str, list[float]] = {name: [] for name in guards}
    for _ in range(3):
        for name, guard in guards.items():
            started = time.perf_counter()
            for block in blocks:
                guard._check_texts(block)
                _ = b"<f" in block
                guard._unusual(block)
                guard._bound(block, guard._Extent(formulas=[]))
            seconds[name].append(time.perf_counter() - started)
    for name, runs in seconds.items():
        print(f"{name}: median {statistics.median(runs):.2f} s ({', '.join(f'{r:.2f}' for r in runs)})")


if __name__ == "__main__":
    main()
