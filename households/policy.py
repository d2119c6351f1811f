"""脱贫不脱政策: how a case's state reads to people, in one place.

A household lifted out of poverty keeps its helpers and measures through the county's transition period
(assistance.CountySettings.transition_ends_on; empty: not yet ended). Within it the 扶贫 case reads
已脱贫(享受政策), after it 已脱贫. Every screen and sheet that shows a case's state asks `case_label`.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from accounts import clock
from assistance.services import settings_for
from households.choices import CaseState
from households.models import Case

IN_POLICY = "已脱贫(享受政策)"


def transition_ends_on(area_code: str) -> datetime.date | None:
    return settings_for(area_code).transition_ends_on


def in_transition(case: Case, ends_on: datetime.date | None, today: datetime.date | None = None) -> bool:
    if case.state != CaseState.LIFTED:
        return False
    return ends_on is None or (today or clock.today()) <= ends_on


def case_label(case: Case, ends_on: datetime.date | None, today: datetime.date | None = None) -> str:
    return IN_POLICY if in_transition(case, ends_on, today) else case.get_state_display()


def label_cases(cases: Iterable[Case], area_code: str) -> list[Case]:
    """Set `state_label` (and `in_policy`) on each case of households in one county, for templates."""
    cases = list(cases)
    # The county's setting is read only where a lifted case needs it (a list of open cases costs nothing).
    ends_on = transition_ends_on(area_code) if any(c.state == CaseState.LIFTED for c in cases) else None
    today = clock.today()
    for case in cases:
        case.in_policy = in_transition(case, ends_on, today)
        case.state_label = IN_POLICY if case.in_policy else case.get_state_display()
    return cases
