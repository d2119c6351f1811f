"""/exits/: the village's worklist, an exit's page and steps, the queues, the notices, 民政's 退保/纳入 queue.

The moves are POSTed with nothing filled in: the form refuses (a message and a redirect, or the page again)
and nothing is written. Who may make each move is tested in tests/exits.
"""

from __future__ import annotations

from tests.access.registry import FORBIDDEN, LOGIN, MISSING, NOT_ALLOWED, OK, REDIRECT, Entry, codes  # noqa: F401

ALL = frozenset({"village", "township", "fupin", "minzheng", "admin"})


def of(attribute):
    return lambda world, role, place: {"pk": getattr(place, attribute).pk}


def household(world, role, place):
    return {"pk": place.household.pk}


def village_page(name):
    """`name` for the place's village (?area=): a village outside the user's area is a 404."""
    from django.urls import reverse

    return lambda world, role, place: f"{reverse(name)}?area={place.village.code}"


def step(name):
    return lambda world, role, place: {"pk": place.exit.pk, "step": name}


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

ENTRIES: dict[str, Entry] = {
    "exits:index": Entry(get=codes(REDIRECT), post=codes(REDIRECT)),
    "exits:worklist": Entry(get=codes(OK), post=codes(OK)),
    "exits:adjustment": Entry(url=village_page("exits:adjustment"), get=codes(OK), post=codes(NOT_ALLOWED)),
    # The sweep's household is not on the 扶贫 roll: the village cadre is refused with a message; the
    # other roles may not propose at all.
    "exits:propose": Entry(
        args=household,
        get=codes(NOT_ALLOWED),
        post=codes(FORBIDDEN, village=REDIRECT),
        no_write=ALL,
    ),
    "exits:queue": Entry(get=codes(OK), post=codes(OK)),
    # The village cadre publishes the 村内公示 and the 扶贫办 the 公告: their empty form is shown again.
    "exits:notices": Entry(get=codes(OK), post=codes(REDIRECT, village=OK, fupin=OK), no_write=ALL),
    "exits:exit": Entry(args=of("exit"), get=codes(OK), post=codes(OK)),
    # The sweep's exit has no signed form: a 404 inside as outside.
    "exits:signed_form": Entry(args=of("exit"), get=codes(MISSING), post=codes(MISSING)),
    # 不予退出 with no reason: the village cadre gets the form back, the others cannot withdraw a draft.
    "exits:step": Entry(
        args=step("withdraw"), get=codes(NOT_ALLOWED), post=codes(REDIRECT, village=OK), no_write=ALL
    ),
    # Computing proposals writes them (village, township, 民政); 扶贫办 and the administrator are refused.
    "exits:dibao": Entry(get=codes(OK), post=codes(REDIRECT, fupin=FORBIDDEN, admin=FORBIDDEN)),
    "exits:dibao_decide": Entry(
        args=of("dibao_proposal"), get=codes(NOT_ALLOWED), post=codes(REDIRECT), no_write=ALL
    ),
    **VILLAGE_EXITS,
}
