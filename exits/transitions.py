"""The exit procedure as data: {state: {next state: roles allowed to make the move}}.

Seed 004 "从严组织扶贫对象退出验收"; the procedure: 村两委 with the 驻村工作队 评议 → the household's
agreement (签字) → 村内公示 → 乡镇审核 → 县审批 (扶贫办) → 公告. Every service asks `check_move` first;
nothing else sets ExitApplication.state.
"""

from __future__ import annotations

from accounts.models import Role, User
from exits.models import ExitState
from identification.transitions import WorkflowError

VILLAGE = Role.VILLAGE_CADRE
TOWNSHIP = Role.TOWNSHIP_OFFICIAL
FUPIN = Role.COUNTY_FUPIN
LOCAL = frozenset({VILLAGE, TOWNSHIP})

TRANSITIONS: dict[ExitState, dict[ExitState, frozenset[Role]]] = {
    ExitState.DRAFT: {
        ExitState.REVIEWED: frozenset({VILLAGE}),  # 村两委 with the 驻村工作队 评议, the standard met
        ExitState.WITHDRAWN: frozenset({VILLAGE}),
    },
    ExitState.REVIEWED: {
        ExitState.AGREED: frozenset({VILLAGE}),  # 拟退出贫困户认可: 签字 recorded
        ExitState.DRAFT: frozenset({VILLAGE}),  # the household does not agree yet: re-核实
        ExitState.WITHDRAWN: frozenset({VILLAGE}),
    },
    ExitState.AGREED: {
        ExitState.PUBLICIZED: frozenset({VILLAGE}),  # listed on the 村内公示
        ExitState.WITHDRAWN: frozenset({VILLAGE}),
    },
    ExitState.PUBLICIZED: {
        ExitState.VERIFIED: frozenset({TOWNSHIP}),  # 乡镇审核
        ExitState.DRAFT: LOCAL,  # 退回 (or an upheld objection on the 公示)
        ExitState.WITHDRAWN: LOCAL,  # 审核不通过 (or an upheld objection)
    },
    ExitState.VERIFIED: {
        ExitState.APPROVED: frozenset({FUPIN}),  # 县审批
        ExitState.DRAFT: frozenset({FUPIN}),  # 退回重新核实
        ExitState.WITHDRAWN: frozenset({FUPIN}),
    },
    ExitState.APPROVED: {
        ExitState.LIFTED: frozenset({FUPIN}),  # the 公告 closes: the 扶贫 case is 已脱贫
        ExitState.DRAFT: frozenset({FUPIN}),  # an upheld objection on the 公告
    },
    ExitState.LIFTED: {},
    ExitState.WITHDRAWN: {},
}


def next_states(current: str, user: User) -> list[ExitState]:
    return [target for target, roles in TRANSITIONS[ExitState(current)].items() if user.role in roles]


def check_move(current: str, target: str, actor: User) -> None:
    """Refuse a move that is not in the table, or not for the actor's role."""
    roles = TRANSITIONS[ExitState(current)].get(ExitState(target), frozenset())
    if not roles:
        raise WorkflowError(
            f"当前状态为“{ExitState(current).label}”,不能变更为“{ExitState(target).label}”。",
            code="wrong_state",
        )
    if actor.role not in roles:
        names = "、".join(str(Role(r).label) for r in sorted(roles))
        raise WorkflowError(
            f"“{ExitState(current).label}”→“{ExitState(target).label}”只能由{names}办理,"
            f"您的角色是{actor.get_role_display() or '未分配'}。",
            code="wrong_role",
        )
