"""The request's state machine as data, with the roles per move (as identification.transitions)."""

from __future__ import annotations

from django.core.exceptions import ValidationError

from accounts.models import Role, User
from households.changes.models import State

TRANSITIONS: dict[State, dict[State, frozenset[Role]]] = {
    # Maker–checker: the village enters, the township decides; the village may take back its own.
    State.PENDING: {
        State.APPROVED: frozenset({Role.TOWNSHIP_OFFICIAL}),
        State.REJECTED: frozenset({Role.TOWNSHIP_OFFICIAL}),
        State.WITHDRAWN: frozenset({Role.VILLAGE_CADRE}),
    },
    State.APPROVED: {},
    State.REJECTED: {},
    State.WITHDRAWN: {},
}

# Who files a request: the 村级录入员, for a household of their own village.
FILERS = frozenset({Role.VILLAGE_CADRE})


def next_states(current: str, user: User) -> list[State]:
    return [target for target, roles in TRANSITIONS[State(current)].items() if user.role in roles]


def check_move(current: str, target: str, actor: User) -> None:
    roles = TRANSITIONS[State(current)].get(State(target), frozenset())
    if not roles:
        raise ValidationError(
            f"该申请当前为“{State(current).label}”,不能再{_VERBS[State(target)]}。", code="wrong_state"
        )
    if actor.role not in roles:
        names = "、".join(str(Role(r).label) for r in sorted(roles))
        raise ValidationError(
            f"户情变更申请只能由{names}{_VERBS[State(target)]},您的角色是{actor.get_role_display() or '未分配'}。",
            code="wrong_role",
        )


def check_filer(actor: User) -> None:
    if actor.role not in FILERS:
        raise ValidationError(
            f"户情变更由村级录入员申请、乡镇审核员审核,您的角色是{actor.get_role_display() or '未分配'}。",
            code="wrong_role",
        )


_VERBS = {State.APPROVED: "批准", State.REJECTED: "驳回", State.WITHDRAWN: "撤回", State.PENDING: "提交"}
