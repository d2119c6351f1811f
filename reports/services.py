"""Asking for an export: which kinds fit which area, who may ask, and enqueueing the task."""

from __future__ import annotations

from functools import partial

from django.db import transaction

from accounts.models import User
from accounts.scoping import scope_prefix
from households.models import Household
from identification.models import Round
from jobs import dispatch
from reports import privacy
from reports.exports import ExportError
from reports.models import Kind, Report
from villages.models import Area

COUNTY, TOWNSHIP, VILLAGE = Area.Level.COUNTY, Area.Level.TOWNSHIP, Area.Level.VILLAGE

# The area levels each kind can be asked for (a township's 村有册 holds all its villages, and so on).
LEVELS: dict[str, tuple[str, ...]] = {
    Kind.HOUSEHOLD_CARD: (VILLAGE,),  # a village's cards as a zip, or one household's card
    Kind.VILLAGE_REGISTER: (VILLAGE, TOWNSHIP, COUNTY),
    Kind.TOWNSHIP_BOOK: (TOWNSHIP,),
    Kind.COUNTY_ARCHIVE: (COUNTY,),
    Kind.ROSTER: (VILLAGE, TOWNSHIP, COUNTY),
    Kind.VILLAGE_FORM: (TOWNSHIP, COUNTY),
    Kind.GROUP_FORM: (VILLAGE, TOWNSHIP, COUNTY),
    Kind.QUOTA_TABLE: (TOWNSHIP, COUNTY),
    Kind.COVERAGE: (TOWNSHIP, COUNTY),
}
NEEDS_ROUND = {Kind.QUOTA_TABLE}
LEVEL_NAMES = dict(Area.Level.choices)


def kinds_for_level(level: str) -> list[str]:
    return [kind for kind, levels in LEVELS.items() if level in levels]


def check_request(
    *, kind: str, area: Area, round: Round | None = None, household: Household | None = None
) -> None:
    """Raise ExportError (Chinese) when the kind cannot be made for that area/round/household."""
    if kind not in LEVELS:
        raise ExportError(f"未知的台账类型“{kind}”。")
    if household is not None:
        if kind != Kind.HOUSEHOLD_CARD:
            raise ExportError("只有户卡可以按单户导出。")
        if not household.group.code.startswith(area.scope_prefix):
            raise ExportError("该户不在所选区划内。")
    elif area.level not in LEVELS[kind]:
        allowed = "、".join(str(LEVEL_NAMES[level]) for level in LEVELS[kind])
        raise ExportError(
            f"{Kind(kind).label}只能按{allowed}导出,“{area.name}”是{area.get_level_display()}。"
        )
    if kind in NEEDS_ROUND and round is None:
        raise ExportError(f"{Kind(kind).label}需要选择识别批次。")


def request_report(
    *,
    user: User | None,
    kind: str,
    area: Area,
    round: Round | None = None,
    household: Household | None = None,
    standing: bool = False,
) -> Report:
    """Create the report row and enqueue its task after commit. `user` None = the county's own schedule."""
    check_request(kind=kind, area=area, round=round, household=household)
    if refusal := privacy.refusal_to_make(kind, user):
        raise ExportError(refusal)
    if user is not None:
        prefix = scope_prefix(user)
        if prefix is None or not area.code.startswith(prefix):
            raise ExportError("所选区划不在您的管辖范围内。")
    with transaction.atomic():
        report = Report.objects.create(
            kind=kind,
            area=area,
            round=round,
            household=household,
            user=user,
            standing=standing,
            reveals=sorted(privacy.file_reveals(kind, user)),
        )
        # Queue down: the row goes again, nothing is left "排队中".
        dispatch.submit(report, _task(), undo=partial(Report.objects.filter(pk=report.pk).delete))
    return report


def retry(report: Report) -> None:
    """A failed report back to the queue (jobs.dispatch); with the queue down it stays failed, as it was,
    and the retry button with it."""
    if not dispatch.retry(report, _task()):
        raise ExportError("只有失败的报表可以重试。")


def _task():
    from reports.tasks import run_report

    return run_report
