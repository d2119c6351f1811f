"""Ledger exports (/reports/) and the statistics dashboard."""

from __future__ import annotations

from tests.access.registry import FORBIDDEN, LOGIN, MISSING, NOT_ALLOWED, OK, REDIRECT, Entry, codes  # noqa: F401


def report(world, role, place):
    return {"pk": place.report.pk}


def township(world, role, place):
    return {"code": place.township.code}


ENTRIES = {
    "reports:coverage": Entry(get=codes(OK), post=codes(OK)),
    "reports:assistance_part": Entry(
        args=township, get=codes(OK, village=MISSING), post=codes(OK, village=MISSING)
    ),
    "reports:list": Entry(get=codes(OK), post=codes(OK)),
    "reports:status": Entry(args=report, get=codes(OK), post=codes(OK)),
    "reports:download": Entry(args=report, get=codes(OK), post=codes(OK)),
    "reports:retry": Entry(args=report, get=codes(NOT_ALLOWED), post=codes(REDIRECT, township=FORBIDDEN)),
    "reports:delete": Entry(args=report, get=codes(NOT_ALLOWED), post=codes(REDIRECT, township=FORBIDDEN)),
    "reports:dashboard": Entry(get=codes(OK), post=codes(OK)),
    "reports:area_dashboard": Entry(
        args=township, get=codes(OK, village=MISSING), post=codes(OK, village=MISSING)
    ),
}
