"""Every write of the exits app. Views, commands, the demo and tests call these functions.

Each move takes the acting user, asks exits.transitions whether the move is allowed for the actor's role,
fetches the row through the actor's scope with a lock, and writes an audit event (痕迹管理).
"""

from exits.services.dibao import dibao_proposal_decide, dibao_proposals_compute
from exits.services.household_exit import (
    exit_agree,
    exit_approve,
    exit_propose,
    exit_review,
    exit_send_back,
    exit_survey_record,
    exit_verify,
    exit_withdraw,
)
from exits.services.notices import exit_notice_publish, notice_close, objection_handle, objection_record
from exits.services.review import review_after_county_objection

__all__ = [
    "dibao_proposal_decide",
    "dibao_proposals_compute",
    "exit_agree",
    "exit_approve",
    "exit_notice_publish",
    "exit_propose",
    "exit_review",
    "exit_send_back",
    "exit_survey_record",
    "exit_verify",
    "exit_withdraw",
    "notice_close",
    "objection_handle",
    "objection_record",
    "review_after_county_objection",
]
