"""帮扶 (/assistance/): helpers and pairings, a household's plan, measures, visits and loans, the village's
work team, the county's settings."""

from __future__ import annotations

from tests.access.registry import FORBIDDEN, LOGIN, MISSING, NOT_ALLOWED, OK, REDIRECT, Entry, codes  # noqa: F401


def household(world, role, place):
    return {"pk": place.household.pk}


def of(attribute):
    return lambda world, role, place: {"pk": getattr(place, attribute).pk}


def village(world, role, place):
    return {"code": place.village.code}


ALL = frozenset({"village", "township", "fupin", "minzheng", "admin"})

# The moves are POSTed with nothing filled in: every role gets the form's refusal as a message and a
# redirect, and nothing is written (no_write). Who may make each move is tested in tests/assistance.
ENTRIES = {
    "assistance:index": Entry(get=codes(REDIRECT), post=codes(REDIRECT)),
    # A 帮扶责任人's own page: no helper record behind these accounts.
    "assistance:mine": Entry(get=codes(MISSING), post=codes(MISSING)),
    "assistance:household": Entry(args=household, get=codes(OK), post=codes(OK), no_write=ALL),
    "assistance:visit_create": Entry(
        args=household, get=codes(NOT_ALLOWED), post=codes(REDIRECT), no_write=ALL
    ),
    "assistance:plan_save": Entry(args=household, get=codes(NOT_ALLOWED), post=codes(REDIRECT), no_write=ALL),
    "assistance:measure_create": Entry(
        args=household, get=codes(NOT_ALLOWED), post=codes(REDIRECT), no_write=ALL
    ),
    "assistance:pair": Entry(args=household, get=codes(NOT_ALLOWED), post=codes(REDIRECT), no_write=ALL),
    "assistance:credit_create": Entry(
        args=household, get=codes(NOT_ALLOWED), post=codes(REDIRECT), no_write=ALL
    ),
    "assistance:loan_create": Entry(
        args=household, get=codes(NOT_ALLOWED), post=codes(REDIRECT), no_write=ALL
    ),
    # The sweep's visits have no photo: a 404 inside as outside.
    "assistance:visit_photo": Entry(args=of("visit"), get=codes(MISSING), post=codes(MISSING)),
    "assistance:measure_progress": Entry(
        args=of("measure"), get=codes(NOT_ALLOWED), post=codes(REDIRECT), no_write=ALL
    ),
    "assistance:unpair": Entry(
        args=of("pairing"), get=codes(NOT_ALLOWED), post=codes(REDIRECT), no_write=ALL
    ),
    "assistance:loan_update": Entry(
        args=of("loan"), get=codes(NOT_ALLOWED), post=codes(REDIRECT), no_write=ALL
    ),
    "assistance:helpers": Entry(get=codes(OK), post=codes(OK), no_write=ALL),
    # Helpers are a pool (a village pairs the helpers of its township and county); the pairings shown are
    # scoped. So the neighbouring village's township helper is no secret to a village cadre; another
    # township's or county's is a 404.
    "assistance:helper": Entry(
        args=of("helper"),
        get=codes(OK),
        post=codes(OK),
        outside=codes(MISSING, village=OK),
        no_write=ALL,
    ),
    # Pairing from a sheet: the county 扶贫办, the township and the administrator.
    "assistance:bulk_assign": Entry(
        get=codes(OK, village=MISSING, minzheng=MISSING), post=codes(OK, village=MISSING, minzheng=MISSING)
    ),
    "assistance:village": Entry(args=village, get=codes(OK), post=codes(MISSING)),
    "assistance:settings": Entry(
        get=codes(MISSING, fupin=OK, admin=OK), post=codes(MISSING, fupin=OK, admin=OK), no_write=ALL
    ),
}
