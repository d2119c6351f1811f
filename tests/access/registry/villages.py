"""The area tree and village profiles (/areas/)."""

from __future__ import annotations

from tests.access.registry import FORBIDDEN, LOGIN, MISSING, NOT_ALLOWED, OK, REDIRECT, Entry, codes  # noqa: F401


def village(world, role, place):
    return {"code": place.village.code}


ENTRIES = {
    "villages:area_list": Entry(get=codes(REDIRECT), post=codes(REDIRECT)),
    "villages:area_detail": Entry(args=village, get=codes(OK), post=codes(OK)),
    "villages:area_edit": Entry(
        args=village, get=codes(FORBIDDEN, admin=OK), post=codes(FORBIDDEN, admin=OK)
    ),
    "villages:profile_edit": Entry(
        args=village, get=codes(OK, minzheng=FORBIDDEN), post=codes(OK, minzheng=FORBIDDEN)
    ),
    "villages:group_create": Entry(
        args=village, get=codes(OK, minzheng=FORBIDDEN), post=codes(OK, minzheng=FORBIDDEN)
    ),
}
