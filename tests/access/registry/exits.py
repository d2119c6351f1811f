"""/exits/: see the app's views."""

from __future__ import annotations

from tests.access.registry import FORBIDDEN, LOGIN, MISSING, NOT_ALLOWED, OK, REDIRECT, Entry, codes  # noqa: F401

# --- poorvillages: 贫困村退出 ---------------------------------------------------------------------------


def village(world, role, place):
    return {"code": place.village.code}


def village_exit(world, role, place):
    return {"pk": world.village_exits[place.village.code].pk}


TOWNSHIP = frozenset({"township"})
FUPIN = frozenset({"fupin"})

VILLAGE_EXITS: dict[str, Entry] = {
    # The report of one's own area: everyone with an area.
    "exits:village_exits": Entry(get=codes(OK), post=codes(OK)),
    "exits:village_exits_xlsx": Entry(get=codes(OK), post=codes(OK)),
    "exits:village_exit_settings": Entry(
        get=codes(OK, village=FORBIDDEN, township=FORBIDDEN), post=codes(FORBIDDEN, fupin=OK)
    ),
    # An empty form / a village with an exit under way: refused with a message, nothing written.
    "exits:village_exit_publish": Entry(
        get=codes(NOT_ALLOWED), post=codes(FORBIDDEN, township=REDIRECT), no_write=TOWNSHIP
    ),
    "exits:village_exit_propose": Entry(
        args=village, get=codes(NOT_ALLOWED), post=codes(FORBIDDEN, township=REDIRECT), no_write=TOWNSHIP
    ),
    "exits:village_exit": Entry(args=village_exit, get=codes(OK), post=codes(OK)),
    "exits:village_exit_decide": Entry(
        args=village_exit, get=codes(NOT_ALLOWED), post=codes(FORBIDDEN, fupin=REDIRECT), no_write=FUPIN
    ),
}

ENTRIES: dict[str, Entry] = {**VILLAGE_EXITS}
