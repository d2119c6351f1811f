"""/monitoring/: the township's warning queue and decisions, 突发 events, 监测对象 and 风险消除, runs and
settings. Moves are POSTed empty: the form refuses and nothing is written. Who may make each move is
tested in tests/monitoring."""

from __future__ import annotations

from tests.access.registry import FORBIDDEN, LOGIN, MISSING, NOT_ALLOWED, OK, REDIRECT, Entry, codes  # noqa: F401

ALL = frozenset({"village", "township", "fupin", "minzheng", "admin"})


def of(attribute):
    return lambda world, role, place: {"pk": getattr(place, attribute).pk}


def household(world, role, place):
    return {"pk": place.household.pk}


def village(world, role, place):
    return {"code": place.village.code}


def run(world, role, place):
    return {"pk": world.monitoring_run.pk}


COUNTY_ONLY = codes(FORBIDDEN, fupin=OK, minzheng=OK, admin=OK)
POST_ONLY = dict(get=codes(NOT_ALLOWED), post=codes(OK), no_write=ALL)

ENTRIES = {
    "monitoring:index": Entry(get=codes(REDIRECT), post=codes(REDIRECT)),
    "monitoring:warnings": Entry(get=codes(OK), post=codes(OK)),
    "monitoring:warning": Entry(args=of("warning"), get=codes(OK), post=codes(OK)),
    "monitoring:warning_verify": Entry(args=of("warning"), **POST_ONLY),
    "monitoring:warning_decide": Entry(args=of("warning"), **POST_ONLY),
    # Only a village cadre files the application, and only for a referred warning (the sweep's is pending).
    "monitoring:warning_apply": Entry(
        args=of("warning"), get=codes(FORBIDDEN, village=REDIRECT), post=codes(FORBIDDEN, village=REDIRECT)
    ),
    "monitoring:events": Entry(get=codes(OK), post=codes(OK)),
    "monitoring:event_create": Entry(args=household, get=codes(OK), post=codes(OK), no_write=ALL),
    "monitoring:monitored": Entry(get=codes(OK), post=codes(OK)),
    "monitoring:monitored_detail": Entry(args=of("monitored"), get=codes(OK), post=codes(OK)),
    "monitoring:monitored_verify": Entry(args=of("monitored"), **POST_ONLY),
    "monitoring:monitored_review": Entry(args=of("monitored"), **POST_ONLY),
    "monitoring:monitored_approve": Entry(args=of("monitored"), **POST_ONLY),
    "monitoring:risk_notice": Entry(
        args=village,
        get=codes(FORBIDDEN, village=OK, township=OK),
        post=codes(FORBIDDEN, village=OK, township=OK),
        no_write=ALL,
    ),
    "monitoring:announcement": Entry(
        get=codes(FORBIDDEN, fupin=OK, minzheng=OK, admin=OK),
        post=codes(FORBIDDEN, fupin=OK),
        no_write=ALL,
    ),
    # Runs cover the county: one run, read by the county roles whichever place is asked.
    "monitoring:runs": Entry(get=COUNTY_ONLY, post=codes(FORBIDDEN, fupin=REDIRECT, admin=REDIRECT)),
    "monitoring:run": Entry(args=run, get=COUNTY_ONLY, post=COUNTY_ONLY, outside=COUNTY_ONLY),
    "monitoring:settings": Entry(get=COUNTY_ONLY, post=COUNTY_ONLY, no_write=ALL),
}
