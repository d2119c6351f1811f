"""Sign-in pages and the home page."""

from __future__ import annotations

from tests.access.registry import FORBIDDEN, LOGIN, MISSING, NOT_ALLOWED, OK, REDIRECT, Entry, codes  # noqa: F401

ENTRIES = {
    "home": Entry(get=codes(OK), post=codes(OK)),
    "login": Entry(get=codes(OK), post=codes(OK)),
    # Logout by POST only; the sweep restores the session after it.
    "logout": Entry(get=codes(NOT_ALLOWED), post=codes(LOGIN), may_write=frozenset({"axes_accesslog"})),
}
