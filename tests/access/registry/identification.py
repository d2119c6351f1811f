"""贫困识别 (/identification/): applications, meetings, samples, notices, objections, county decisions,
rounds, quotas and their decomposition. The views are being reworked: the coordinator adapts these
entries on merge."""

from __future__ import annotations

from tests.access.registry import FORBIDDEN, LOGIN, MISSING, NOT_ALLOWED, OK, REDIRECT, Entry, codes  # noqa: F401


def application(world, role, place):
    return {"pk": place.application.pk}


def action(name):
    return lambda world, role, place: {"pk": place.application.pk, "action": name}


def meeting(world, role, place):
    return {"pk": place.meeting.pk}


def meeting_new(world, role, place):
    return {"kind": "group", "code": place.group.code}


def village(world, role, place):
    return {"code": place.village.code}


def spot_check(world, role, place):
    return {"pk": place.spot_check.pk}


def notice(world, role, place):
    return {"pk": place.notice.pk}


def notice_new(world, role, place):
    return {"level": "group", "code": place.group.code}


def objection(world, role, place):
    return {"pk": place.objection.pk}


def county_wide(get):
    """Rounds and decompositions are county-wide: inside for everyone, with nothing outside."""
    return lambda world, role, place: get(world) if place is world.home else None


# Moves refused to a role by a redirect with a message (the service's WorkflowError) rather than a 403:
# the sweep checks that these requests write nothing. Reported to the coordinator, whose rework of the
# identification views may turn them into 403s (then move the roles to FORBIDDEN and drop no_write).
LOCAL = frozenset({"village", "township"})
COUNTY = frozenset({"fupin", "minzheng", "admin"})
ALL = LOCAL | COUNTY

round_ = county_wide(lambda w: {"pk": w.round.pk})
decomposition = county_wide(lambda w: {"pk": w.decomposition.pk})


def ranking_run(world, role, place):
    """poorvillages: the ranking run of the place's county."""
    return {"pk": world.ranking_runs[place.village.code[:6]].pk}


ENTRIES = {
    # The sweep's applications were nominated: no scan, a 404 inside as outside.
    "identification:application_scan": Entry(args=application, get=codes(MISSING), post=codes(MISSING)),
    # Only the township offers 低保 (the others are refused by the service: a message, nothing written).
    "identification:offer_dibao": Entry(
        args=application, get=codes(NOT_ALLOWED), post=codes(REDIRECT), no_write=ALL
    ),
    # 县扶贫办 decides, 县民政局 and the administrator read; a POST without a referral is a 404.
    "identification:referrals": Entry(
        get=codes(OK, village=FORBIDDEN, township=FORBIDDEN),
        post=codes(MISSING, village=FORBIDDEN, township=FORBIDDEN),
    ),
    "identification:index": Entry(get=codes(REDIRECT), post=codes(REDIRECT)),
    "identification:applications": Entry(get=codes(OK), post=codes(OK)),
    "identification:application_create": Entry(
        get=codes(FORBIDDEN, village=OK), post=codes(FORBIDDEN, village=OK)
    ),
    "identification:application": Entry(args=application, get=codes(OK), post=codes(OK)),
    "identification:survey": Entry(
        args=application,
        get=codes(FORBIDDEN, village=OK, township=OK),
        post=codes(FORBIDDEN, village=OK, township=OK),
    ),
    "identification:decide": Entry(
        args=application, get=codes(NOT_ALLOWED), post=codes(REDIRECT), no_write=LOCAL | {"admin"}
    ),
    "identification:application_action": Entry(
        args=action("withdraw"), get=codes(NOT_ALLOWED), post=codes(REDIRECT), no_write=ALL - {"village"}
    ),
    "identification:meeting_create": Entry(
        args=meeting_new, get=codes(FORBIDDEN, village=OK), post=codes(FORBIDDEN, village=OK)
    ),
    "identification:meeting": Entry(args=meeting, get=codes(OK), post=codes(OK)),
    "identification:township_queue": Entry(get=codes(MISSING, township=OK), post=codes(MISSING, township=OK)),
    "identification:township_sample": Entry(
        args=village, get=codes(OK), post=codes(REDIRECT), no_write=ALL - {"township"}
    ),
    "identification:spot_check_record": Entry(
        args=spot_check, get=codes(NOT_ALLOWED), post=codes(REDIRECT), no_write=ALL - {"township"}
    ),
    "identification:village_verify": Entry(
        args=spot_check, get=codes(NOT_ALLOWED), post=codes(FORBIDDEN, township=REDIRECT)
    ),
    "identification:notices": Entry(get=codes(OK), post=codes(OK)),
    "identification:notice_create": Entry(
        args=notice_new,
        get=codes(FORBIDDEN, village=OK, township=OK),
        post=codes(FORBIDDEN, village=OK, township=OK),
    ),
    "identification:county_progress": Entry(
        get=codes(OK, village=FORBIDDEN, township=FORBIDDEN),
        post=codes(OK, village=FORBIDDEN, township=FORBIDDEN),
    ),
    # Each bureau draws its own sample; the administrator is refused.
    "identification:county_sample": Entry(
        get=codes(OK, village=FORBIDDEN, township=FORBIDDEN, admin=FORBIDDEN),
        post=codes(REDIRECT, village=FORBIDDEN, township=FORBIDDEN, admin=FORBIDDEN),
    ),
    "identification:county_confirm": Entry(
        get=codes(FORBIDDEN, fupin=OK, minzheng=OK), post=codes(FORBIDDEN, fupin=OK, minzheng=OK)
    ),
    "identification:announcement": Entry(get=codes(OK), post=codes(OK)),
    "identification:rounds": Entry(get=codes(OK), post=codes(FORBIDDEN, fupin=OK)),
    "identification:round_close": Entry(
        args=round_, get=codes(NOT_ALLOWED), post=codes(FORBIDDEN, fupin=REDIRECT)
    ),
    "identification:quotas": Entry(args=round_, get=codes(OK), post=codes(OK)),
    # The township imports its villages' and groups' quotas, and runs its own decomposition (四(一)).
    "identification:quota_import": Entry(
        args=round_, get=codes(NOT_ALLOWED), post=codes(FORBIDDEN, fupin=OK, township=OK)
    ),
    "identification:decompositions": Entry(
        args=round_, get=codes(OK, village=FORBIDDEN), post=codes(FORBIDDEN, fupin=OK, township=OK)
    ),
    "identification:decomposition_indicators": Entry(
        args=round_, get=codes(NOT_ALLOWED), post=codes(FORBIDDEN, fupin=REDIRECT)
    ),
    "identification:decomposition_indicator_import": Entry(
        args=round_, get=codes(NOT_ALLOWED), post=codes(FORBIDDEN, fupin=OK)
    ),
    "identification:decomposition": Entry(
        args=decomposition,
        get=codes(OK, village=FORBIDDEN, township=MISSING),
        post=codes(OK, village=FORBIDDEN, township=MISSING),
    ),
    "identification:decomposition_status": Entry(
        args=decomposition,
        get=codes(OK, village=FORBIDDEN, township=MISSING),
        post=codes(OK, village=FORBIDDEN, township=MISSING),
    ),
    "identification:decomposition_rerun": Entry(
        args=decomposition, get=codes(NOT_ALLOWED), post=codes(FORBIDDEN, fupin=MISSING, township=MISSING)
    ),
    "identification:decomposition_apply": Entry(
        args=decomposition, get=codes(NOT_ALLOWED), post=codes(FORBIDDEN, fupin=REDIRECT, township=MISSING)
    ),
    "identification:quota_table": Entry(args=round_, get=codes(OK), post=codes(OK)),
    # 深度贫困 (jobs helper): every area reads its ranking; only 县扶贫办 sets the criteria and confirms
    # (the sweep's round has no criteria: confirming is refused with a message and writes nothing).
    "identification:deep_poverty": Entry(args=round_, get=codes(OK), post=codes(NOT_ALLOWED)),
    "identification:deep_poverty_criteria": Entry(
        args=round_, get=codes(FORBIDDEN, fupin=OK), post=codes(FORBIDDEN, fupin=OK)
    ),
    "identification:deep_poverty_confirm": Entry(
        args=round_,
        get=codes(NOT_ALLOWED),
        post=codes(FORBIDDEN, fupin=REDIRECT),
        no_write=frozenset({"fupin"}),
    ),
    "identification:quota_table_xlsx": Entry(args=round_, get=codes(OK), post=codes(OK)),
    # --- poorvillages: 贫困村识别 (county accounts only; 县扶贫办 writes) ---
    "identification:poor_village_runs": Entry(
        get=codes(OK, village=FORBIDDEN, township=FORBIDDEN), post=codes(FORBIDDEN, fupin=OK)
    ),
    "identification:poor_village_settings": Entry(
        get=codes(OK, village=FORBIDDEN, township=FORBIDDEN), post=codes(FORBIDDEN, fupin=OK)
    ),
    "identification:poor_village_run": Entry(
        args=ranking_run,
        get=codes(OK, village=FORBIDDEN, township=FORBIDDEN),
        post=codes(OK, village=FORBIDDEN, township=FORBIDDEN),
    ),
    "identification:poor_village_run_status": Entry(
        args=ranking_run,
        get=codes(OK, village=FORBIDDEN, township=FORBIDDEN),
        post=codes(OK, village=FORBIDDEN, township=FORBIDDEN),
    ),
    # Nothing ticked (mark) / a finished run (retry): refused by the service with a message, nothing written.
    "identification:poor_village_mark": Entry(
        args=ranking_run,
        get=codes(NOT_ALLOWED),
        post=codes(FORBIDDEN, fupin=REDIRECT),
        no_write=frozenset({"fupin"}),
    ),
    "identification:poor_village_retry": Entry(
        args=ranking_run,
        get=codes(NOT_ALLOWED),
        post=codes(FORBIDDEN, fupin=REDIRECT),
        no_write=frozenset({"fupin"}),
    ),
}
