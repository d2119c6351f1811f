"""The 公示 component's own pages (/notices/): a notice, its print, closing it, handling an objection."""

from __future__ import annotations

from tests.access.registry import FORBIDDEN, LOGIN, MISSING, NOT_ALLOWED, OK, REDIRECT, Entry, codes  # noqa: F401


def notice(world, role, place):
    return {"pk": place.notice.pk}


def objection(world, role, place):
    return {"pk": place.objection.pk}


LOCAL = frozenset({"village", "township"})
COUNTY = frozenset({"fupin", "minzheng", "admin"})

ENTRIES = {
    # Read by everyone whose area holds the notice; the POST (an objection with nothing typed) writes nothing.
    "notices:notice": Entry(args=notice, get=codes(OK), post=codes(OK), no_write=LOCAL | COUNTY),
    "notices:notice_print": Entry(args=notice, get=codes(OK), post=codes(OK)),
    # A group notice is closed by the village or the township (the period is not over: refused, nothing
    # written); the county's roles may not close it.
    "notices:notice_close": Entry(
        args=notice,
        get=codes(NOT_ALLOWED),
        post=codes(FORBIDDEN, village=REDIRECT, township=REDIRECT),
        no_write=LOCAL,
    ),  # fmt: skip
    # An empty handling form is refused with a message, for every role: nothing written.
    "notices:objection_handle": Entry(
        args=objection, get=codes(NOT_ALLOWED), post=codes(REDIRECT), no_write=LOCAL | COUNTY
    ),
}
