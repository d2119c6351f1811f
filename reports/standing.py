"""Each county's standing reports, regenerated every night by Celery beat.

Each night makes a fresh row per county and standing report; once it is done, the previous night's copy
goes (reports.exports.supersede), so every county of the database (one, or a prefecture's) always has one
current copy of each. The quota table is made where the current round gave the county quotas.
"""

from __future__ import annotations

from identification.models import Quota, Round
from reports.models import Kind
from reports.services import request_report
from villages.models import Area

STANDING_KINDS = (
    Kind.COUNTY_ARCHIVE,
    Kind.VILLAGE_REGISTER,
    Kind.VILLAGE_FORM,
    Kind.GROUP_FORM,
    Kind.QUOTA_TABLE,
)


def regenerate() -> list[int]:
    current_round = Round.objects.order_by("-year", "-id").first()
    made = []
    for county in Area.objects.filter(level=Area.Level.COUNTY).order_by("code"):
        with_quotas = (
            current_round is not None
            and Quota.objects.filter(round=current_round, area__code__startswith=county.scope_prefix).exists()
        )
        for kind in STANDING_KINDS:
            if kind == Kind.QUOTA_TABLE and not with_quotas:
                continue
            report = request_report(
                user=None,
                kind=kind,
                area=county,
                round=current_round if kind == Kind.QUOTA_TABLE else None,
                standing=True,
            )
            made.append(report.pk)
    return made
