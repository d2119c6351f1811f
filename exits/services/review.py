"""An upheld objection to the identification 县级公告 ("转入动态调整复核") lands here, in the queues of cases
to review: for the 扶贫 公告, an exit to 核实 in the village's worklist (source 县级公告异议复核); for the
低保 公告, a 退保 proposal in 民政's queue. Nothing is decided by it: the ordinary procedure runs."""

from __future__ import annotations

from accounts import audit
from accounts.models import User
from exits.models import DibaoProposal, ExitApplication
from exits.services.dibao import dibao_review_after_objection
from households.choices import Program
from households.models import Case
from identification.models import Round


def review_after_county_objection(
    *, household_id: int, program: str, round: Round, actor: User, note: str
) -> ExitApplication | DibaoProposal | None:
    """Called by identification inside the objection's transaction; idempotent."""
    if program == Program.DIBAO:
        return dibao_review_after_objection(
            household_id=household_id, actor=actor, year=round.year, note=note
        )
    case = (
        Case.objects.select_related("household__group")
        .filter(household_id=household_id, program=Program.FUPIN, state__in=Case.OPEN_STATES)
        .first()
    )
    if case is None:
        return None
    open_exit = ExitApplication.objects.filter(case=case).exclude(state__in=["lifted", "withdrawn"]).first()
    if open_exit is not None:
        return open_exit
    exit = ExitApplication.objects.create(
        household=case.household,
        case=case,
        round=round,
        source=ExitApplication.Source.OBJECTION,
        source_note=note[:300],
        created_by=actor,
    )
    audit.record(
        event_type="exit.proposed",
        actor=actor,
        obj=exit,
        area_code=case.household.group.code,
        new={"state": exit.state, "round": round.pk, "source": exit.source},
        reason=note,
    )
    return exit
