"""Sign-in pages and the home page."""

from __future__ import annotations

from tests.access.registry import FORBIDDEN, LOGIN, MISSING, NOT_ALLOWED, OK, REDIRECT, Entry, codes  # noqa: F401

PERMANENT = 301  # a permanent redirect (the favicon to its static file)


def _once(path):
    """An unnamed pattern without an object: asked once per role (nothing lies outside)."""
    return lambda world, role, place: path if place is world.home else None


ENTRIES = {
    "favicon.ico": Entry(url=_once("/favicon.ico"), get=codes(PERMANENT), post=codes(PERMANENT)),
    "admin/login/": Entry(url=_once("/admin/login/"), get=codes(LOGIN), post=codes(LOGIN)),
    # The user's own security page: every signed-in user, about their own account only.
    "security": Entry(get=codes(OK), post=codes(OK)),
    # New recovery codes are for enrolled accounts (the county roles come enrolled in the sweep's world).
    "recovery_codes": Entry(get=codes(NOT_ALLOWED), post=codes(OK, village=REDIRECT, township=REDIRECT)),
    "two_factor_disable": Entry(get=codes(NOT_ALLOWED), post=codes(REDIRECT)),
    # The enrolment page makes the (unconfirmed) device whose secret its QR code shows.
    "two_factor_setup": Entry(get=codes(OK), post=codes(OK), may_write=frozenset({"otp_totp_totpdevice"})),
    # Already verified (tests.auth.VerifiedClient): the code page sends the user on.
    "two_factor_verify": Entry(get=codes(REDIRECT), post=codes(REDIRECT)),
    "home": Entry(get=codes(OK), post=codes(OK)),
    "login": Entry(get=codes(OK), post=codes(OK)),
    # Logout by POST only; the sweep restores the session after it.
    "logout": Entry(get=codes(NOT_ALLOWED), post=codes(LOGIN), may_write=frozenset({"axes_accesslog"})),
}
