"""Every write of the identification workflow: one plain function per move, one module per step.

Each takes the acting user and keyword-only arguments, runs in `transaction.atomic`, re-reads the rows
it changes through the scoped managers with `SELECT … FOR UPDATE` (so an object outside the actor's
area is "not found", exactly like a missing one, and two officials never act on the same row at once),
asks identification.transitions whether the move is allowed for the actor's role, and writes an
AuditEvent. Refusals are WorkflowError with a Chinese message saying what is wrong.

Views, imports, commands and tests all come through here: `from identification import services`
then `services.application_submit(...)`.
"""

from identification.services._common import INCOME_FIELDS, NOTICE_ROLES, NotInScope, today
from identification.services.applications import (
    application_offer_dibao,
    application_reject,
    application_send_back,
    application_submit,
    application_withdraw,
)
from identification.services.decisions import (
    DecisionOutcome,
    application_decide,
    county_confirm_bulk,
    referral_decide,
)
from identification.services.meetings import (
    RankedOutcome,
    VoteInput,
    application_recommend,
    application_review,
    meeting_recommend_ranked,
    meeting_record,
)
from identification.services.notices import (
    notice_close,
    notice_kind_of,
    notice_publish,
    objection_handle,
    objection_record,
    publishable,
)
from identification.services.rounds import (
    check_quota_sums,
    quota_area_refusal,
    quota_set,
    quotas_set,
    round_close,
    round_create,
    round_set_control_number,
)
from identification.services.spot_checks import spot_check_draw, spot_check_record, village_verify
from identification.services.surveys import application_survey

__all__ = [
    "INCOME_FIELDS",
    "NOTICE_ROLES",
    "DecisionOutcome",
    "NotInScope",
    "RankedOutcome",
    "VoteInput",
    "application_decide",
    "application_offer_dibao",
    "application_recommend",
    "application_reject",
    "application_review",
    "application_send_back",
    "application_submit",
    "application_survey",
    "application_withdraw",
    "check_quota_sums",
    "county_confirm_bulk",
    "meeting_recommend_ranked",
    "meeting_record",
    "notice_close",
    "notice_kind_of",
    "notice_publish",
    "objection_handle",
    "objection_record",
    "publishable",
    "quota_area_refusal",
    "quota_set",
    "quotas_set",
    "referral_decide",
    "round_close",
    "round_create",
    "round_set_control_number",
    "spot_check_draw",
    "spot_check_record",
    "today",
    "village_verify",
]
