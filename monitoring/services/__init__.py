"""Every write of 防返贫监测, one module per concern: `events` (突发 events, county settings), `warnings`
(核实 and decisions), `risk` (风险消除), `runs` (the nightly run, the check on entry). Keyword-only, in
`transaction.atomic`, rows locked through the scoped managers, an audit event per change; refusals are
MonitoringError (a ValidationError with a code; "wrong_role" becomes a 403 in accounts.actions.attempt).
"""

from monitoring.services._common import MonitoringError, NotInScope
from monitoring.services.events import event_record, settings_for, settings_save
from monitoring.services.risk import (
    publishable,
    risk_announce,
    risk_approve,
    risk_notice_publish,
    risk_review,
    risk_verify,
)
from monitoring.services.runs import check_households, run_create, run_execute
from monitoring.services.warnings import (
    default_kind,
    warning_apply,
    warning_dismiss,
    warning_monitor,
    warning_refer,
    warning_verify,
)

__all__ = [
    "MonitoringError",
    "NotInScope",
    "check_households",
    "default_kind",
    "event_record",
    "publishable",
    "risk_announce",
    "risk_approve",
    "risk_notice_publish",
    "risk_review",
    "risk_verify",
    "run_create",
    "run_execute",
    "settings_for",
    "settings_save",
    "warning_apply",
    "warning_dismiss",
    "warning_monitor",
    "warning_refer",
    "warning_verify",
]
