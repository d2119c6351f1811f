"""Rounds and quotas: the county's standards and 规模控制 (seed 002 第一步 确定规模, 四(一)).

Quota control. Seed 002 四(一): "各乡镇要测算分解到村到组" — the county gives each township its figure, and
the township (or the county for it) splits it over villages and groups. However the figures are written
(one by one, from a sheet, or by applying a decomposition), they may never add up above their parent:
the townships above the round's 县控制指标, a township's villages or groups above the township's quota, a
village's groups above the village's. `check_quota_sums` is that rule, and every writer calls it inside
its transaction after writing, so a refused figure leaves nothing written.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from decimal import Decimal

from django.db import transaction

from accounts import audit
from accounts.models import Role, User
from identification.models import (
    Quota,
    Round,
)
from identification.services._common import (
    _area_in_scope,
    _require_open_round,
    _require_role,
)
from identification.transitions import WorkflowError
from villages.models import Area

QUOTA_ROLES = frozenset({Role.COUNTY_FUPIN, Role.TOWNSHIP_OFFICIAL})
# Area.code: 6 digits county, 9 township, 12 village, 15 group (a group is its village's code + 3).
_PREFIX = {Area.Level.COUNTY: 6, Area.Level.TOWNSHIP: 9, Area.Level.VILLAGE: 12}
_CHILDREN_WORD = {Area.Level.TOWNSHIP: "各乡镇", Area.Level.VILLAGE: "各村", Area.Level.GROUP: "各村民小组"}
_FIGURE_WORD = {
    Area.Level.COUNTY: "县控制指标",
    Area.Level.TOWNSHIP: "乡镇指标",
    Area.Level.VILLAGE: "村指标",
}
_LEVEL_DEPTH = {Area.Level.COUNTY: 0, Area.Level.TOWNSHIP: 1, Area.Level.VILLAGE: 2, Area.Level.GROUP: 3}


def _ancestor_codes(code: str, level: str) -> list[str]:
    """The codes of the areas above `code`, from the codes alone (县/乡镇/村 codes are 12 digits)."""
    return [
        code[:n].ljust(12, "0")
        for level_above, n in _PREFIX.items()
        if _LEVEL_DEPTH[level_above] < _LEVEL_DEPTH[level]
    ]


def _persons(n: int) -> str:
    return f"{n:,}"


def check_quota_sums(*, round: Round, changed: Iterable[str]) -> None:
    """Refuse when, after the writes of this transaction, the quotas at some level inside an area add
    up above that area's figure (its quota, or the round's 县控制指标 for the county), and a changed
    area (code) is that area or one of the figures summed. Every such sum is named with its figures.

    Checked against every area above, not only the parent: a township without a quota yet does not
    let its villages' figures escape the county's control number. One query over the round's quotas.
    """
    changed = set(changed)
    rows = list(Quota.objects.filter(round=round).values_list("area__code", "area__level", "persons"))
    figure: dict[str, int] = {code: persons for code, _level, persons in rows}
    county = Area.objects.filter(level=Area.Level.COUNTY).values_list("code", "name").first()
    if county is not None and round.control_number is not None:
        figure[county[0]] = round.control_number
    sums: dict[tuple[str, str], int] = defaultdict(int)
    touched: set[tuple[str, str]] = set()
    for code, level, persons in rows:
        for above in _ancestor_codes(code, level):
            sums[above, level] += persons
            if code in changed:
                touched.add((above, level))
    problems = [
        (above, level, total)
        for (above, level), total in sums.items()
        if above in figure and total > figure[above] and (above in changed or (above, level) in touched)
    ]
    if not problems:
        return
    names = dict(Area.objects.filter(code__in={p[0] for p in problems}).values_list("code", "name"))
    messages = []
    for above, level, total in sorted(problems, key=lambda p: (p[0], _LEVEL_DEPTH[p[1]])):
        word = _FIGURE_WORD[_level_of(above)]
        messages.append(
            f"{names.get(above, above)}{_CHILDREN_WORD[level]}指标合计 {_persons(total)} 人,"
            f"超过{word} {_persons(figure[above])} 人"
        )
    raise WorkflowError("；".join(messages) + "。未作任何修改。", code="over_parent_quota")


def _level_of(code: str) -> str:
    """县/乡镇/村 from a 12-digit code's trailing zeros (areas above a group only)."""
    if code[6:] == "000000":
        return Area.Level.COUNTY
    if code[9:] == "000":
        return Area.Level.TOWNSHIP
    return Area.Level.VILLAGE


def quota_area_refusal(actor: User, area: Area) -> str | None:
    """Why `actor` may not set `area`'s quota, or None. The county sets any township's, village's or
    group's; a township (seed 002 四(一) "各乡镇要测算分解到村到组") sets its own villages' and groups',
    never its own figure, which the county gives it."""
    if area.level == Area.Level.COUNTY:
        return "规模控制指标下达到乡镇、行政村或村民小组,不能下达到县(县控制指标在识别批次中设定)。"
    if actor.role == Role.TOWNSHIP_OFFICIAL and area.level == Area.Level.TOWNSHIP:
        return f"“{area.name}”的乡镇指标由县扶贫办下达,乡镇只能分解到所辖行政村和村民小组。"
    return None


def _lock_round(round: Round) -> Round:
    """Every quota write of a round takes the round's row first: two officials writing figures of the
    same parent at once queue here, so neither can slip past the sum the other is checking."""
    _require_open_round(round)
    return Round.objects.select_for_update().get(pk=round.pk)


@transaction.atomic
def round_create(
    *,
    actor: User,
    year: int,
    name: str,
    poverty_line: Decimal,
    dibao_line: Decimal,
    kind: str = Round.Kind.FRESH,
    control_number: int | None = None,
    notice_days: int = 7,
    township_sample_rate: Decimal | None = None,
    county_sample_rate: Decimal | None = None,
) -> Round:
    _require_role(actor, {Role.COUNTY_FUPIN}, "设立识别批次")
    if kind not in Round.Kind.values:
        raise WorkflowError("批次类型须为“贫困识别”或“动态调整”。", code="invalid")
    if control_number is not None and control_number <= 0:
        raise WorkflowError("县控制指标须为正整数。", code="invalid")
    round = Round(
        year=year,
        name=name,
        kind=kind,
        control_number=control_number,
        poverty_line=poverty_line,
        dibao_line=dibao_line,
        notice_days=notice_days,
    )
    if township_sample_rate is not None:
        round.township_sample_rate = township_sample_rate
    if county_sample_rate is not None:
        round.county_sample_rate = county_sample_rate
    if Decimal(round.township_sample_rate) < Decimal("0.20"):
        raise WorkflowError("乡镇抽查比例不得低于20%。", code="rate_too_low")
    if Decimal(round.county_sample_rate) < Decimal("0.05"):
        raise WorkflowError("县级抽查比例不得低于5%。", code="rate_too_low")
    round.save()
    audit.record(
        event_type="round.created",
        actor=actor,
        obj=round,
        area_code=actor.area.code,
        new={
            "year": year,
            "kind": kind,
            "control_number": control_number,
            "poverty_line": str(poverty_line),
            "dibao_line": str(dibao_line),
            "notice_days": notice_days,
            "township_sample_rate": str(round.township_sample_rate),
            "county_sample_rate": str(round.county_sample_rate),
        },
    )
    return round


@transaction.atomic
def round_set_control_number(*, round: Round, actor: User, control_number: int, reason: str = "") -> Round:
    """Set or change the 县控制指标; refused below what the townships already hold."""
    _require_role(actor, {Role.COUNTY_FUPIN}, "设定县控制指标")
    round = _lock_round(round)
    if control_number <= 0:
        raise WorkflowError("县控制指标须为正整数。", code="invalid")
    old = round.control_number
    round.control_number = control_number
    round.save(update_fields=["control_number"])
    check_quota_sums(round=round, changed=[actor.area.code])
    audit.record(
        event_type="round.control_number_set",
        actor=actor,
        obj=round,
        area_code=actor.area.code,
        old={"control_number": old},
        new={"control_number": control_number},
        reason=reason,
    )
    return round


@transaction.atomic
def round_close(*, round: Round, actor: User, reason: str = "") -> Round:
    _require_role(actor, {Role.COUNTY_FUPIN}, "关闭识别批次")
    round = Round.objects.select_for_update().get(pk=round.pk)
    _require_open_round(round)
    round.closed = True
    round.save(update_fields=["closed"])
    audit.record(
        event_type="round.closed",
        actor=actor,
        obj=round,
        area_code=actor.area.code,
        old={"closed": False},
        new={"closed": True},
        reason=reason,
    )
    return round


@transaction.atomic
def quota_set(*, round: Round, area: Area, persons: int, actor: User, reason: str = "") -> Quota:
    """Set or change one township's, village's or group's 规模控制 (the county; a township for its own
    villages and groups), refused when it makes any sum go above its parent's figure."""
    return quotas_set(round=round, figures=[(area, persons)], actor=actor, reason=reason)[0]


@transaction.atomic
def quotas_set(
    *, round: Round, figures: Sequence[tuple[Area, int]], actor: User, reason: str = ""
) -> list[Quota]:
    """Several figures at once (a quota sheet): each audited, the sums checked once all are written,
    so that a sheet moving persons from one village to another is judged on its result."""
    _require_role(actor, QUOTA_ROLES, "下达或调整规模控制指标")
    round = _lock_round(round)
    quotas = []
    for area, persons in figures:
        area = _area_in_scope(actor, area)
        refusal = quota_area_refusal(actor, area)
        if refusal:
            raise WorkflowError(refusal, code="wrong_area_level")
        if persons < 0:
            raise WorkflowError("规模控制人数不能为负数。", code="invalid")
        quota = Quota.objects.select_for_update().filter(round=round, area=area).first()
        old = {"persons": quota.persons} if quota else {}
        if quota is None:
            quota = Quota(round=round, area=area, persons=persons)
        quota.persons = persons
        quota.save()
        audit.record(
            event_type="quota.set",
            actor=actor,
            obj=quota,
            area_code=area.code,
            old=old,
            new={"persons": persons},
            reason=reason,
        )
        quotas.append(quota)
    check_quota_sums(round=round, changed=[q.area.code for q in quotas])
    return quotas


# --- 第二步: 申报 -------------------------------------------------------------------------------------
