"""How fresh each area's data is: version numbers that cached counts and dashboards put in their keys.

A change to an area's data (an audited event, a household saved, an import) moves two kinds of number:
`up` for the area and each area above it (a village's new household changes its township's and its
county's figures), and `down` for the area itself (a county-wide change — a round, the county's quota —
changes what every area below shows). An area's version is its own `up` with the `down` of itself and
of each area above it: a change in one village leaves the cached figures of every other village and
township standing, the deadline rush's many small writes included.

The numbers live in the shared cache (Redis in production: every web process and worker sees the same).
They start at 1 when missing (cache flushed or evicted), which can only make a cached entry unreachable,
never serve stale figures: keys also carry a time limit (their callers' timeout).
"""

from __future__ import annotations

from collections.abc import Iterable

from django.core.cache import cache
from django.db import transaction

# The household list's counts already used this key (households.services); it now has one per area.
KEY = "households:counts-version"
# Digits of the 统计用区划代码 that name the province, the 市, the county, township, village and 村民小组.
LEVELS = (2, 4, 6, 9, 12, 15)


def scope_of(code: str) -> str:
    """The significant digits of a code: "530323101000" → "530323101" (as Area.scope_prefix)."""
    if len(code) == 12:
        for digits in LEVELS[:4]:
            if code[digits:] == "0" * (12 - digits):
                return code[:digits]
    return code


def prefixes(code: str) -> list[str]:
    """ "530323101000" → ["", "53", "5303", "530323", "530323101"]: the root, the areas above, the area."""
    scope = scope_of(code)
    return ["", *(scope[:digits] for digits in LEVELS if digits <= len(scope))]


def _bump(key: str) -> None:
    try:
        cache.incr(key)
    except ValueError:
        cache.set(key, 2, timeout=None)  # a missing number counts as 1, so a write moves it


def changed(codes: Iterable[str]) -> None:
    """Move the versions of the areas of `codes` (and of everything above them) on; now."""
    ups: set[str] = set()
    downs: set[str] = set()
    for code in codes:
        chain = prefixes(code or "")
        ups.update(chain)
        downs.add(chain[-1])
    for prefix in sorted(ups):
        _bump(f"{KEY}:up:{prefix}")
    for prefix in sorted(downs):
        _bump(f"{KEY}:down:{prefix}")


def changed_on_commit(codes: Iterable[str]) -> None:
    """Move them once the caller's transaction commits (at once outside one): a reader between the write
    and the commit would otherwise cache the old figures under the new version."""
    codes = list(codes)
    transaction.on_commit(lambda: changed(codes))


def version(prefix: str) -> str:
    """The version of the area with this scope prefix ("" for the whole database), for a cache key."""
    chain = prefixes(prefix)
    keys = [f"{KEY}:up:{chain[-1]}", *(f"{KEY}:down:{p}" for p in chain)]
    found = cache.get_many(keys)
    return ".".join(str(found.get(key, 1)) for key in keys)


def root_version() -> int:
    """Moves on with every change anywhere."""
    return cache.get(f"{KEY}:up:", 1)
