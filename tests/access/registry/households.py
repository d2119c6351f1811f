"""The registry (/households/) and the 花名册 import."""

from __future__ import annotations

from tests.access.registry import FORBIDDEN, LOGIN, MISSING, NOT_ALLOWED, OK, REDIRECT, Entry, codes  # noqa: F401


def household(world, role, place):
    return {"pk": place.household.pk}


def income(world, role, place):
    return {"pk": place.household.pk, "year": place.income.year}


def import_job(world, role, place):
    # Jobs are the uploader's own: "outside" is a job someone else uploaded.
    return {"pk": place.import_jobs[role].pk}


ENTRIES = {
    "households:list": Entry(get=codes(OK), post=codes(OK)),
    "households:facets": Entry(get=codes(NOT_ALLOWED), post=codes(OK)),
    "households:create": Entry(
        get=codes(OK, minzheng=FORBIDDEN, admin=FORBIDDEN),
        post=codes(OK, minzheng=FORBIDDEN, admin=FORBIDDEN),
    ),
    "households:check_id": Entry(get=codes(NOT_ALLOWED), post=codes(OK)),
    "households:detail": Entry(args=household, get=codes(OK), post=codes(OK)),
    "households:edit": Entry(
        args=household,
        get=codes(OK, minzheng=FORBIDDEN, admin=FORBIDDEN),
        post=codes(OK, minzheng=FORBIDDEN, admin=FORBIDDEN),
    ),
    "households:print": Entry(args=household, get=codes(OK), post=codes(OK)),
    "households:card_xlsx": Entry(args=household, get=codes(OK), post=codes(OK)),
    "households:income_create": Entry(
        args=household,
        get=codes(OK, minzheng=FORBIDDEN, admin=FORBIDDEN),
        post=codes(OK, minzheng=FORBIDDEN, admin=FORBIDDEN),
    ),
    "households:income_edit": Entry(
        args=income,
        get=codes(OK, minzheng=FORBIDDEN, admin=FORBIDDEN),
        post=codes(OK, minzheng=FORBIDDEN, admin=FORBIDDEN),
    ),
    "households:import_upload": Entry(
        get=codes(FORBIDDEN, fupin=OK, admin=OK), post=codes(FORBIDDEN, fupin=OK, admin=OK)
    ),
    "households:import_job": Entry(
        args=import_job, get=codes(MISSING, fupin=OK, admin=OK), post=codes(MISSING, fupin=OK, admin=OK)
    ),
    "households:import_status": Entry(
        args=import_job, get=codes(MISSING, fupin=OK, admin=OK), post=codes(MISSING, fupin=OK, admin=OK)
    ),
    "households:import_confirm": Entry(
        args=import_job, get=codes(NOT_ALLOWED), post=codes(MISSING, fupin=REDIRECT, admin=REDIRECT)
    ),
    "households:import_error_file": Entry(
        args=import_job, get=codes(MISSING, fupin=OK, admin=OK), post=codes(MISSING, fupin=OK, admin=OK)
    ),
}
