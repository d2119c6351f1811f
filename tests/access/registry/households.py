"""The registry (/households/) and the 花名册 import."""

from __future__ import annotations

from tests.access.registry import FORBIDDEN, LOGIN, MISSING, NOT_ALLOWED, OK, REDIRECT, Entry, codes  # noqa: F401


def household(world, role, place):
    return {"pk": place.household.pk}


def income(world, role, place):
    return {"pk": place.household.pk, "year": place.income.year}


def change_kind(world, role, place):
    return {"pk": place.household.pk, "kind": "remove_member"}


def change(world, role, place):
    return {"pk": place.change_request.pk}


def change_move(move):
    return lambda world, role, place: {"pk": place.change_request.pk, "move": move}


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
    # households.changes: the village files, the township decides, everyone in the area reads.
    "households:change_start": Entry(
        args=household, get=codes(FORBIDDEN, village=OK), post=codes(FORBIDDEN, village=OK)
    ),
    "households:change_create": Entry(
        args=change_kind, get=codes(FORBIDDEN, village=OK), post=codes(FORBIDDEN, village=OK)
    ),
    "households:change_list": Entry(get=codes(OK), post=codes(OK)),
    "households:change_detail": Entry(args=change, get=codes(OK), post=codes(OK)),
    "households:change_decide": Entry(
        args=change_move("approve"), get=codes(NOT_ALLOWED), post=codes(FORBIDDEN, township=REDIRECT)
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
