"""The state machine as data: {state: {next state: roles allowed to make the move}}.

Every service that changes an application's state asks `check_move` first; nothing else sets
Application.state. The table is the whole truth: a move absent from it is refused.
"""

from __future__ import annotations

from accounts.guards import Refused
from accounts.models import Role, User
from identification.choices import State

VILLAGE = Role.VILLAGE_CADRE
TOWNSHIP = Role.TOWNSHIP_OFFICIAL
FUPIN = Role.COUNTY_FUPIN
MINZHENG = Role.COUNTY_MINZHENG

BOTH_LOCAL = frozenset({VILLAGE, TOWNSHIP})

TRANSITIONS: dict[State, dict[State, frozenset[Role]]] = {
    State.SUBMITTED: {
        State.RECOMMENDED: frozenset({VILLAGE}),  # 第三步: the 户主会议 votes it onto the list, within quota
        State.REJECTED: frozenset({VILLAGE}),  # 评议未通过
        State.WITHDRAWN: frozenset({VILLAGE}),
    },
    State.RECOMMENDED: {
        State.GROUP_PUBLICIZED: BOTH_LOCAL,  # 第三步 "公示无异议后上报村委会": closing the group notice
        State.SUBMITTED: BOTH_LOCAL,  # an upheld objection, 推倒重来
        State.REJECTED: BOTH_LOCAL,  # an upheld objection
        State.WITHDRAWN: frozenset({VILLAGE}),
    },
    State.GROUP_PUBLICIZED: {
        State.REVIEWED: frozenset({VILLAGE}),  # 第四步: 村委会 with 村民代表 评议
        State.SUBMITTED: BOTH_LOCAL,  # 推倒重来
        State.REJECTED: BOTH_LOCAL,
        State.WITHDRAWN: frozenset({VILLAGE}),
    },
    State.REVIEWED: {
        State.SURVEYED: BOTH_LOCAL,  # 第四步: 入户调查, found eligible for at least one program
        State.REJECTED: BOTH_LOCAL,  # the survey found it eligible for nothing: taken off, quota freed
        State.SUBMITTED: BOTH_LOCAL,  # 推倒重来
        State.WITHDRAWN: frozenset({VILLAGE}),
    },
    State.SURVEYED: {
        State.VILLAGE_PUBLICIZED: BOTH_LOCAL,  # 第四步 "张榜公示,无意见后上报乡(镇)": closing the village notice
        State.SUBMITTED: BOTH_LOCAL,  # an upheld objection, 推倒重来
        State.REJECTED: BOTH_LOCAL,  # an upheld objection; or nothing left to route after the survey
        State.WITHDRAWN: frozenset({VILLAGE}),
    },
    State.VILLAGE_PUBLICIZED: {
        State.VERIFIED: frozenset({TOWNSHIP}),  # 第五步: only on a truthful ≥ 20% sample of each list
        State.SUBMITTED: frozenset({TOWNSHIP}),  # 推倒重来
        State.REJECTED: frozenset({TOWNSHIP}),  # 审核不通过
        State.WITHDRAWN: frozenset({VILLAGE}),
    },
    State.VERIFIED: {
        State.PUBLICIZED: frozenset({TOWNSHIP}),  # 四(二) 公布审核意见: closing the township notice
        State.SUBMITTED: frozenset({TOWNSHIP}),  # an upheld objection: re-评议
        State.REJECTED: frozenset({TOWNSHIP}),  # an upheld objection: rejected
        State.WITHDRAWN: frozenset({VILLAGE}),
    },
    State.PUBLICIZED: {
        State.CONFIRMED: frozenset({FUPIN, MINZHENG}),  # 第六步: the last pending program decision settles it
        State.REJECTED: frozenset({FUPIN, MINZHENG}),
        State.WITHDRAWN: frozenset({VILLAGE}),
    },
    State.CONFIRMED: {},
    State.REJECTED: {},
    State.WITHDRAWN: {},
}


class WorkflowError(Refused):
    """A refused move. `code` says which rule refused it; the message says it in Chinese for the user.

    A ValidationError, so that a view can put it on the form; views may answer code "wrong_role"
    with 403.
    """


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
