"""The county's standing reports, regenerated every night by Celery beat.

Each night makes a fresh row per standing report; once it is done, the previous night's copy goes
(reports.exports.supersede), so the county always has one current copy of each.
"""

from __future__ import annotations

from identification.models import Round
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
    county = Area.objects.filter(level=Area.Level.COUNTY).order_by("code").first()
    if county is None:
        return []
    current_round = Round.objects.order_by("-year", "-id").first()
    made = []
    for kind in STANDING_KINDS:
        if kind == Kind.QUOTA_TABLE and current_round is None:
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
