"""Ledger exports (/reports/) and the statistics dashboard."""

from __future__ import annotations

from tests.access.registry import FORBIDDEN, LOGIN, MISSING, NOT_ALLOWED, OK, REDIRECT, Entry, codes  # noqa: F401


def report(world, role, place):
    return {"pk": place.report.pk}


def township(world, role, place):
    return {"code": place.township.code}


def of_village(name):
    """The URL of `name` for the place's village (?area=): a village outside is a 404 like a missing one."""
    from django.urls import reverse

    return lambda world, role, place: f"{reverse(name)}?area={place.village.code}"


ENTRIES = {
    "reports:coverage": Entry(get=codes(OK), post=codes(OK)),
    "reports:assistance_part": Entry(
        args=township, get=codes(OK, village=MISSING), post=codes(OK, village=MISSING)
    ),
    "reports:dynamics_part": Entry(
        args=township, get=codes(OK, village=MISSING), post=codes(OK, village=MISSING)
    ),
    "reports:year_over_year": Entry(
        url=of_village("reports:year_over_year"), get=codes(OK), post=codes(NOT_ALLOWED)
    ),
    "reports:year_over_year_export": Entry(
        url=of_village("reports:year_over_year_export"), get=codes(OK), post=codes(NOT_ALLOWED)
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
