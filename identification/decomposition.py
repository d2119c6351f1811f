"""规模控制 decomposition (seed 002 第一步 确定规模): the county's control number split over its townships,
each township's share over its villages, each village's over its 村民小组.

Two scopes, one method. A county run (县扶贫办) splits the county's control number over the whole tree.
A township run (乡镇审核员, seed 002 四(一) "各乡镇要测算分解到村到组") splits the quota the county gave the
township over that township's villages and groups; it is refused while the township has none, and
applying it writes the township's villages and groups only. Each run sees only what its scope holds.

The method (因素法). At every level the children of an area share their parent's figure in proportion to

    score(child) = Σ_k  weight_k × indicator_k(child) / Σ_siblings indicator_k

over the four indicators of the annex (乡村人口数, 低收入家庭人口数, 享受低保人数, 已办证残疾人数; county-set
weights in %). An indicator that is 0 for every sibling drops out and the other weights carry the share;
where all are 0 (groups not yet registered) the siblings share equally and the run warns.
Integer figures come from largest-remainder rounding (villages.apportion), so they add up exactly to the
parent's. A figure the county fixes (an override) is kept; its siblings share what is left in the same
proportions as before. The arithmetic is exact (fractions) and siblings are taken in code order, so
the same inputs always give the same figures.

Every run is a `Decomposition` row with its control number, weights, overrides, the indicators it read
(`inputs`, villages.indicators) and its result; `decompose` recomputes the result from those alone.
Applying a run writes the round's quotas in one statement and one audit event, and the sums are
checked as for any quota write (identification.services.rounds.check_quota_sums).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from functools import partial
from typing import Any

from django.db import transaction
from django.utils import timezone

from accounts import audit
from accounts.models import Role, User
from identification.models import Decomposition, Quota, Round
from identification.services._common import _scoped
from identification.services.rounds import check_quota_sums
from identification.transitions import WorkflowError
from jobs import dispatch
from villages.apportion import apportion
from villages.indicators import INDICATORS, LABELS, subtree_indicators
from villages.models import Area

DEFAULT_WEIGHTS = {
    "rural_population": Decimal(40),
    "low_income_population": Decimal(30),
    "dibao_population": Decimal(20),
    "disabled_population": Decimal(10),
}
LEVEL_NAMES = {"county": "县", "township": "乡镇", "village": "行政村", "group": "村民小组"}


class DecompositionError(Exception):
    """The inputs cannot be decomposed; `errors` says why, in Chinese, one message per problem."""

    def __init__(self, errors: list[str]) -> None:
        super().__init__("；".join(errors))
        self.errors = errors


@dataclass(frozen=True)
class Outcome:
    persons: dict[str, int]  # every area below the root
    exact: dict[str, Fraction]  # the unrounded share (an override: its own figure)
    warnings: list[str]  # shares made without data (equal split), to be checked


# --- the pure computation ---------------------------------------------------------------------------


def children_of(inputs: Mapping[str, Mapping[str, Any]]) -> dict[str, list[str]]:
    """{parent code: child codes in code order}."""
    children: dict[str, list[str]] = {}
    for code in sorted(inputs):
        parent = inputs[code]["parent"]
        if parent is not None and parent in inputs:
            children.setdefault(parent, []).append(code)
    return children


def scores(
    inputs: Mapping[str, Mapping[str, Any]], siblings: list[str], weights: Mapping[str, Decimal | int]
) -> dict[str, Fraction]:
    """score(child) = Σ weight × indicator / Σ siblings' indicator, over indicators not 0 for all."""
    totals = {k: sum(int(inputs[c][k]) for c in siblings) for k in INDICATORS}
    used = {k: Fraction(weights[k]) for k in INDICATORS if totals[k] > 0 and weights[k]}
    return {
        c: sum((w * int(inputs[c][k]) / totals[k] for k, w in used.items()), Fraction(0)) for c in siblings
    }


def decompose(
    *,
    inputs: Mapping[str, Mapping[str, Any]],
    root: str,
    control: int,
    weights: Mapping[str, Decimal | int],
    overrides: Mapping[str, int],
) -> Outcome:
    """The whole tree below `root`, level by level. Raises DecompositionError listing every problem
    (a branch in error is not decomposed further; the others are, so that all problems show at once)."""
    errors: list[str] = []
    warnings: list[str] = []
    for code, persons in sorted(overrides.items()):
        if code not in inputs:
            errors.append(f"指定数中的区划代码 {code} 不存在,或不在本县。")
        elif code == root:
            errors.append(
                "县控制指标在“县控制指标”一栏填写,不能在指定数中指定。"
                if inputs[code]["level"] == Area.Level.COUNTY
                else f"{_name(inputs, code)}的乡镇指标是本次分解的总数,不能在指定数中指定。"
            )
        elif not isinstance(persons, int) or isinstance(persons, bool) or persons < 0:
            errors.append(f"{_name(inputs, code)}的指定数须为非负整数。")
    if errors:
        raise DecompositionError(errors)
    if sum(Fraction(weights[k]) for k in INDICATORS) <= 0:
        raise DecompositionError(["四项指标的权重不能全为 0。"])

    children = children_of(inputs)
    persons: dict[str, int] = {root: control}
    exact: dict[str, Fraction] = {root: Fraction(control)}
    parents = [root]
    while parents:
        next_parents: list[str] = []
        for parent in parents:
            kids = children.get(parent, [])
            if not kids:
                continue
            figure = persons[parent]
            name = _name(inputs, parent)
            fixed = [k for k in kids if k in overrides]
            free = [k for k in kids if k not in overrides]
            fixed_sum = sum(overrides[k] for k in fixed)
            level = LEVEL_NAMES[inputs[kids[0]]["level"]]
            if fixed_sum > figure:
                listed = "、".join(f"{_name(inputs, k)} {overrides[k]}" for k in fixed)
                errors.append(
                    f"{name}的指标为 {figure} 人,其下{level}的指定数合计 {fixed_sum} 人({listed}),"
                    f"超出 {fixed_sum - figure} 人。"
                )
                continue
            if not free and fixed_sum != figure:
                errors.append(
                    f"{name}下的 {len(kids)} 个{level}已全部指定,合计 {fixed_sum} 人,"
                    f"与{name}的指标 {figure} 人不符(相差 {figure - fixed_sum} 人)。"
                )
                continue
            left = figure - fixed_sum
            share = scores(inputs, kids, weights)
            free_scores = [share[k] for k in free]
            if left and not any(free_scores):
                # No data below (e.g. groups not yet registered): an equal split keeps the tree whole;
                # the run says so, and the county can fix the figures.
                free_scores = [Fraction(1)] * len(free)
                share = {k: Fraction(1) for k in free}
                if len(free) > 1:
                    warnings.append(
                        f"{name}下未指定的 {len(free)} 个{level}在所用指标上均为 0,"
                        f"其 {left} 人按平均分配;请录入指标或指定其人数。"
                    )
            shares = apportion(left, free_scores) if free else []
            total_score = sum(free_scores, Fraction(0))
            for k, n in zip(free, shares, strict=True):
                persons[k] = n
                exact[k] = left * share[k] / total_score if total_score else Fraction(0)
            for k in fixed:
                persons[k] = exact[k] = overrides[k]
            next_parents.extend(kids)
        parents = next_parents
    if errors:
        raise DecompositionError(errors)
    del persons[root], exact[root]
    return Outcome(persons=persons, exact={k: Fraction(v) for k, v in exact.items()}, warnings=warnings)


def root_of(inputs: Mapping[str, Mapping[str, Any]]) -> str:
    """The area decomposed (the county, or the township of a township run): the one area of the
    inputs without a parent among them."""
    return next(code for code, item in inputs.items() if item["parent"] not in inputs)


def _name(inputs: Mapping[str, Mapping[str, Any]], code: str) -> str:
    return inputs[code]["name"] if code in inputs else code


# --- reads -----------------------------------------------------------------------------------------


# Who runs a decomposition of their own area: the county's 扶贫办 for the county, a township's official
# for the township. Others with a county account (民政局, administrators) read the county's runs.
CHANGE_ROLES = {Area.Level.COUNTY: Role.COUNTY_FUPIN, Area.Level.TOWNSHIP: Role.TOWNSHIP_OFFICIAL}


def can_view(user: User) -> bool:
    """County and township accounts see the runs of their area; a village's figures come from above."""
    return bool(user.is_authenticated and user.area_id and user.area.level in CHANGE_ROLES)


def can_change(user: User) -> bool:
    return can_view(user) and user.role == CHANGE_ROLES[user.area.level]


def decompositions_for(user: User):
    """The runs whose scope lies inside the user's area: the county sees every run, a township its own."""
    if not can_view(user):
        return Decomposition.objects.none()
    return Decomposition.objects.visible_to(user).select_related("round", "scope", "created_by", "applied_by")


def applied_decomposition(round: Round, area: Area | None = None) -> Decomposition | None:
    """The run whose figures were last written to the quotas of `area`'s children: the latest applied
    run whose scope is `area` or above it (the county's, or the township's own). Without `area`, the
    county's."""
    runs = Decomposition.objects.filter(round=round, applied=True)
    if area is None:
        runs = runs.filter(scope__level=Area.Level.COUNTY)
    else:
        runs = runs.filter(scope__code__in=[a.code for a in area.ancestors()] + [area.code])
    return runs.order_by("-applied_at", "-id").first()


def township_quota(round: Round, township: Area) -> int | None:
    """The figure a township run splits: the township's quota as the county gave it."""
    return Quota.objects.filter(round=round, area=township).values_list("persons", flat=True).first()


def read_inputs(round: Round, root: Area) -> dict[str, dict[str, Any]]:
    """The indicators of `root` (the county, or a township) and every area under it, as stored."""
    indicators = subtree_indicators(root, poverty_line=round.poverty_line, income_year=round.income_year)
    return {code: item.as_json() for code, item in indicators.items()}


@dataclass
class LevelRow:
    code: str
    name: str
    level: str
    values: list[int]  # the four indicators
    typed: list[bool]  # per indicator: typed on the area (else counted from the registry)
    exact: str  # the unrounded share, 2 decimals
    persons: int | None
    override: int | None
    has_children: bool

    @property
    def cells(self) -> list[tuple[int, bool]]:
        return list(zip(self.values, self.typed, strict=True))


def level_rows(decomposition: Decomposition, parent: str) -> tuple[LevelRow | None, list[LevelRow]]:
    """The parent's row and its children's, from the run's stored inputs and result."""
    inputs = decomposition.inputs
    if parent not in inputs:
        return None, []
    children = children_of(inputs)

    def row(code: str) -> LevelRow:
        item = inputs[code]
        exact = decomposition.exact.get(code)
        if item["parent"] not in inputs:  # the root: the figure split
            persons = decomposition.control_number
            exact = str(persons)
        else:
            persons = decomposition.result.get(code)
        return LevelRow(
            code=code,
            name=item["name"],
            level=item["level"],
            values=[int(item[k]) for k in INDICATORS],
            typed=[k in item["typed"] for k in INDICATORS],
            exact=_two_places(exact) if exact is not None else "",
            persons=persons,
            override=decomposition.overrides.get(code),
            has_children=bool(children.get(code)),
        )

    return row(parent), [row(c) for c in children.get(parent, [])]


def _two_places(value: str) -> str:
    return str(Decimal(value).quantize(Decimal("0.01")))


def trail(decomposition: Decomposition, code: str) -> list[tuple[str, str]]:
    """(code, name) from the county down to `code`, for the breadcrumbs of the result page."""
    inputs, result = decomposition.inputs, []
    while code in inputs:
        result.append((code, inputs[code]["name"]))
        code = inputs[code]["parent"]
    return result[::-1]


# --- writes ----------------------------------------------------------------------------------------


def _require_change(actor: User, what: str) -> None:
    if not can_change(actor):
        raise WorkflowError(
            f"{what}由县扶贫办(全县)或乡镇审核员(本乡镇)办理,您的角色是{actor.get_role_display() or '未分配'}。",
            code="wrong_role",
        )


def _require_open_round(round: Round) -> None:
    if Round.objects.filter(pk=round.pk, closed=True).exists():
        raise WorkflowError(f"识别批次“{round.name}”已关闭,不能再作任何修改。", code="round_closed")


def check_weights(weights: Mapping[str, Decimal]) -> None:
    if any(Decimal(weights[k]) < 0 for k in INDICATORS):
        raise WorkflowError("权重不能为负数。", code="invalid")
    total = sum(Decimal(weights[k]) for k in INDICATORS)
    if total != 100:
        raise WorkflowError(f"四项指标的权重之和须为 100%,现为 {total.normalize():f}%。", code="invalid")


@transaction.atomic
def decomposition_create(
    *,
    round: Round,
    actor: User,
    control_number: int | None,
    weights: Mapping[str, Decimal],
    overrides: Mapping[str, int] | None = None,
    note: str = "",
    based_on: Decomposition | None = None,
) -> Decomposition:
    """A new run, queued: the Celery task reads the indicators and computes it after the commit.

    `based_on`: an earlier run of the round whose inputs are reused (a re-run with edited overrides),
    so that the two differ only in what the county changed.

    The run's scope is the actor's area. A county run splits `control_number` (the county's). A
    township run splits the township's quota: `control_number` may be left None, and is refused when it
    is not that quota (the county gives the township its figure; the township does not choose it)."""
    _require_change(actor, "规模分解测算")
    _require_open_round(round)
    scope = actor.area
    if scope.level == Area.Level.TOWNSHIP:
        quota = township_quota(round, scope)
        if quota is None:
            raise WorkflowError(
                f"县里尚未下达“{scope.name}”的规模控制指标,乡镇暂不能分解到村到组。", code="no_quota"
            )
        if control_number is not None and control_number != quota:
            raise WorkflowError(
                f"乡镇分解的总数须为县下达的“{scope.name}”指标 {quota:,} 人,不是 {control_number:,} 人"
                "(指标已调整时请按新指标重新测算)。",
                code="invalid",
            )
        control_number = quota
    if control_number is None or control_number <= 0:
        raise WorkflowError("县控制指标须为正整数。", code="invalid")
    check_weights(weights)
    overrides = dict(overrides or {})
    known = dict(Area.objects.visible_to(actor).filter(code__in=list(overrides)).values_list("code", "level"))
    unknown = sorted(code for code in overrides if code not in known)
    if unknown:
        raise WorkflowError(
            f"指定数中的区划代码不存在或不在您的管辖区域内:{'、'.join(unknown)}。", code="invalid"
        )
    if scope.code in known:
        raise WorkflowError(
            f"“{scope.name}”的总数是本次分解的总数({control_number:,} 人),不能在指定数中指定。",
            code="invalid",
        )
    if any(n < 0 for n in overrides.values()):
        raise WorkflowError("指定数不能为负数。", code="invalid")
    if based_on is not None and (based_on.round_id != round.pk or based_on.scope_id != scope.pk):
        raise WorkflowError("只能依据同一识别批次、同一范围的测算重新分解。", code="invalid")
    decomposition = Decomposition.objects.create(
        round=round,
        scope=scope,
        control_number=control_number,
        overrides=overrides,
        note=note,
        based_on=based_on,
        inputs=based_on.inputs if based_on is not None else {},
        created_by=actor,
        **{field: Decimal(weights[name]) for name, field in Decomposition.WEIGHT_FIELDS.items()},
    )
    audit.record(
        event_type="decomposition.created",
        actor=actor,
        obj=decomposition,
        area_code=scope.code,
        new={
            "scope": scope.code,
            "control_number": control_number,
            "weights": {k: str(v) for k, v in decomposition.weights.items()},
            "overrides": overrides,
            "based_on": based_on.pk if based_on is not None else None,
        },
        reason=note,
    )
    enqueue(decomposition)
    return decomposition


def enqueue(decomposition: Decomposition) -> None:
    """After the commit, with the task id chosen here so that the row names it before the task runs.

    With the queue down (config.queue) the new run is taken back — the row and its audit event — and
    QueueUnavailable reaches the page, which says 任务队列暂不可用 at once instead of leaving a run queued
    forever."""
    from identification.tasks import run_decomposition

    dispatch.submit(decomposition, run_decomposition, undo=partial(_forget, decomposition))


def _forget(decomposition: Decomposition) -> None:
    audit.forget(decomposition)
    Decomposition.objects.filter(pk=decomposition.pk).delete()


def run(*, decomposition_id: int) -> Decomposition:
    """Compute one run (the Celery task's body). Idempotent: a finished run is left as it is, and a run
    interrupted after reading its inputs is recomputed from those same inputs."""
    decomposition = Decomposition.claim(
        decomposition_id, Decomposition.objects.select_related("round", "scope")
    )
    if decomposition is None:  # finished, or a redelivered message while a worker is still at it
        return Decomposition.objects.get(pk=decomposition_id)
    decomposition.step(5)
    try:
        if not decomposition.inputs:
            decomposition.inputs = read_inputs(decomposition.round, decomposition.scope)
            Decomposition.objects.filter(pk=decomposition.pk).update(inputs=decomposition.inputs)
            decomposition.step(60)
        outcome = decompose(
            inputs=decomposition.inputs,
            root=root_of(decomposition.inputs),
            control=decomposition.control_number,
            weights=decomposition.weights,
            overrides=decomposition.overrides,
        )
    except DecompositionError as error:
        decomposition.fail(f"发现 {len(error.errors)} 处问题,未能分解。", errors=error.errors, progress=100)
    except Exception:
        decomposition.fail("测算过程中出错,可以重新测算;仍然出错请联系系统管理员。")
        raise
    else:
        decomposition.finish(
            f"已分解到 {len(outcome.persons)} 个乡镇、行政村和村民小组。",
            result=outcome.persons,
            exact={k: f"{float(v):.4f}" for k, v in outcome.exact.items()},
            warnings=outcome.warnings,
        )
    decomposition.refresh_from_db()
    return decomposition


@transaction.atomic
def decomposition_apply(*, decomposition: Decomposition, actor: User) -> int:
    """Write the run's figures as the round's quotas (one upsert, one audit event with every changed
    figure old and new). Returns the number of quotas created or changed.

    A county run also sets the round's 县控制指标 to its control number. A township run writes the
    township's villages and groups only, and is refused when the township's quota is no longer the
    figure it split. Either way the sums are checked before the transaction commits."""
    _require_change(actor, "下达规模控制指标")
    decomposition = _scoped(
        Decomposition.objects.select_related("round", "scope"), actor, decomposition.pk, "该规模分解"
    )
    _require_open_round(decomposition.round)
    # The round's row first, as every quota write takes it (services.rounds._lock_round).
    round = Round.objects.select_for_update().get(pk=decomposition.round_id)
    scope = decomposition.scope
    if scope != actor.area:
        raise WorkflowError(f"这是“{scope.name}”的分解,只能由其本级下达。", code="wrong_role")
    if decomposition.status != Decomposition.Status.DONE:
        raise WorkflowError("只有测算完成的分解结果才能下达。", code="wrong_state")
    old_control = round.control_number
    if scope.level == Area.Level.TOWNSHIP:
        quota = township_quota(round, scope)
        if quota != decomposition.control_number:
            now = f"{quota:,} 人" if quota is not None else "未下达"
            raise WorkflowError(
                f"“{scope.name}”的乡镇指标已由 {decomposition.control_number:,} 人调整为{now},"
                "本次分解不能下达,请按新指标重新测算。",
                code="stale",
            )
    else:
        round.control_number = decomposition.control_number
        round.save(update_fields=["control_number"])
    areas = dict(
        Area.objects.visible_to(actor).filter(code__in=list(decomposition.result)).values_list("code", "id")
    )
    if len(areas) != len(decomposition.result):
        raise WorkflowError("分解结果中有区划已不存在,请重新测算后再下达。", code="stale")
    existing = {
        area_id: persons
        for area_id, persons in Quota.objects.select_for_update()
        .filter(round=round, area_id__in=list(areas.values()))
        .values_list("area_id", "persons")
    }
    old, new, rows = {}, {}, []
    for code, persons in sorted(decomposition.result.items()):
        area_id = areas[code]
        if existing.get(area_id) == persons:
            continue
        if area_id in existing:
            old[code] = existing[area_id]
        new[code] = persons
        rows.append(Quota(round=round, area_id=area_id, persons=persons))
    # Read after the round's lock: an official who applied the same run a moment ago has committed, and
    # applying it again changes nothing — no second event for a change that did not happen.
    if not rows and Decomposition.objects.filter(pk=decomposition.pk, applied=True).exists():
        return 0
    # A run's result holds only areas strictly inside its scope, so a township run cannot touch the
    # township's own figure; the check below still guards every sum around what it writes.
    Quota.objects.bulk_create(
        rows,
        batch_size=2000,
        update_conflicts=True,
        unique_fields=["round", "area"],
        update_fields=["persons", "updated_at"],
    )
    check_quota_sums(round=round, changed=[scope.code, *decomposition.result])
    decomposition.applied = True
    decomposition.applied_by = actor
    decomposition.applied_at = timezone.now()
    decomposition.save(update_fields=["applied", "applied_by", "applied_at"])
    audit.record(
        event_type="quota.decomposition_applied",
        actor=actor,
        obj=decomposition,
        area_code=scope.code,
        old={"persons": old, "control_number": old_control},
        new={
            "persons": new,
            "decomposition": decomposition.pk,
            "scope": scope.code,
            "control_number": decomposition.control_number,
        },
        reason=f"按规模分解 #{decomposition.pk} 下达",
    )
    return len(rows)


def indicator_labels() -> list[str]:
    return [LABELS[k] for k in INDICATORS]
