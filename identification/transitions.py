"""The state machine as data: {state: {next state: roles allowed to make the move}}.

Every service that changes an application's state asks `check_move` first; nothing else sets
Application.state. The table is the whole truth: a move absent from it is refused.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError

from accounts.models import Role, User
from identification.choices import State

VILLAGE = Role.VILLAGE_CADRE
TOWNSHIP = Role.TOWNSHIP_OFFICIAL
FUPIN = Role.COUNTY_FUPIN
MINZHENG = Role.COUNTY_MINZHENG

TRANSITIONS: dict[State, dict[State, frozenset[Role]]] = {
    State.SUBMITTED: {
        State.RECOMMENDED: frozenset({VILLAGE}),  # 村民小组户主会议 votes it onto the list
        State.REJECTED: frozenset({VILLAGE}),  # 评议未通过
        State.WITHDRAWN: frozenset({VILLAGE}),
    },
    State.RECOMMENDED: {
        State.REVIEWED: frozenset({VILLAGE}),  # 村委会 with 党员和群众代表
        State.SUBMITTED: frozenset({VILLAGE, TOWNSHIP}),  # back to the group; 推倒重来
        State.REJECTED: frozenset({VILLAGE}),
        State.WITHDRAWN: frozenset({VILLAGE}),
    },
    State.REVIEWED: {
        State.SURVEYED: frozenset({VILLAGE, TOWNSHIP}),  # 入户调查 by village and township staff
        State.SUBMITTED: frozenset({TOWNSHIP}),  # 推倒重来
        State.REJECTED: frozenset({VILLAGE, TOWNSHIP}),
        State.WITHDRAWN: frozenset({VILLAGE}),
    },
    State.SURVEYED: {
        State.VERIFIED: frozenset({TOWNSHIP}),  # only after a truthful ≥20% sample of the village
        State.SUBMITTED: frozenset({TOWNSHIP}),  # 推倒重来
        State.REJECTED: frozenset({TOWNSHIP}),
        State.WITHDRAWN: frozenset({VILLAGE}),
    },
    State.VERIFIED: {
        State.PUBLICIZED: frozenset({TOWNSHIP}),  # closing the township notice completes 三级公示
        State.SUBMITTED: frozenset({VILLAGE, TOWNSHIP}),  # an upheld objection: re-评议
        State.REJECTED: frozenset({TOWNSHIP}),  # an upheld objection: rejected
        State.WITHDRAWN: frozenset({VILLAGE}),
    },
    State.PUBLICIZED: {
        State.CONFIRMED: frozenset({FUPIN, MINZHENG}),  # the last pending program decision settles it
        State.REJECTED: frozenset({FUPIN, MINZHENG}),
        State.WITHDRAWN: frozenset({VILLAGE}),
    },
    State.CONFIRMED: {},
    State.REJECTED: {},
    State.WITHDRAWN: {},
}


class WorkflowError(ValidationError):
    """A refused move. `code` says which rule refused it; the message says it in Chinese for the user.

    A ValidationError, so that a view can put it on the form; views may answer code "wrong_role"
    with 403.
    """

    def __init__(self, message: str, code: str) -> None:
        super().__init__(message, code=code)

    def __str__(self) -> str:
        return self.message


def allowed_roles(current: str, target: str) -> frozenset[Role]:
    return TRANSITIONS[State(current)].get(State(target), frozenset())


def next_states(current: str, user: User) -> list[State]:
    """The moves `user` may make from `current`: what a screen offers as buttons."""
    return [target for target, roles in TRANSITIONS[State(current)].items() if user.role in roles]


def check_move(current: str, target: str, actor: User) -> None:
    """Refuse a move that is not in the table, or not for the actor's role."""
    roles = allowed_roles(current, target)
    if not roles:
        raise WorkflowError(
            f"当前状态为“{State(current).label}”,不能变更为“{State(target).label}”。", code="wrong_state"
        )
    if actor.role not in roles:
        names = "、".join(str(Role(r).label) for r in sorted(roles))
        raise WorkflowError(
            f"“{State(current).label}”→“{State(target).label}”只能由{names}办理,"
            f"您的角色是{actor.get_role_display() or '未分配'}。",
            code="wrong_role",
        )
