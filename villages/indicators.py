"""The four base indicators of the 贫困人口分解表 (seed 002's annex) for every area under a root.

乡村人口数, 低收入家庭人口数, 享受低保人数 and 已办证残疾人数 are typed by the county on `Area` (the
townships of the demo county carry the annex's figures) or imported from a sheet in the annex's layout.
Where an area has no typed figure it is counted from the registry, in one grouped query over the
whole subtree (400,000 members in well under a second, bench/README.md):

- 乡村人口数: the members of the households of the area;
- 低收入家庭人口数: members of households whose latest income record up to the round's income year
  has a 年人均纯收入 below the round's 扶贫标准;
- 享受低保人数: members of households with an open 低保 case;
- 已办证残疾人数: members with a 残疾证号.

A typed figure wins over the count, indicator by indicator; villages and townships without one add
up what is below them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import connection, transaction
from openpyxl.utils import get_column_letter

from accounts import audit
from accounts.models import Role, User
from villages import sheets
from villages.guard import SheetRefused
from villages.models import Area
from villages.names import area_key
from villages.sheets import SheetError

INDICATORS = ("rural_population", "low_income_population", "dibao_population", "disabled_population")
LABELS = {
    "rural_population": "乡村人口数",
    "low_income_population": "低收入家庭人口数",
    "dibao_population": "享受低保人数",
    "disabled_population": "已办证残疾人数",
}
LEVEL_ORDER = ("county", "township", "village", "group")


@dataclass
class AreaIndicators:
    """One area's four figures, and which of them were typed (the rest come from the registry)."""

    code: str
    name: str
    level: str
    parent: str | None  # parent's code
    values: dict[str, int]
    typed: frozenset[str] = frozenset()

    def as_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "level": self.level,
            "parent": self.parent,
            **self.values,
            "typed": sorted(self.typed),
        }


def registry_counts(root: Area, *, poverty_line: Decimal, income_year: int) -> dict[int, tuple[int, ...]]:
    """{group id: (rural, low income, dibao, disabled)} counted from the registry under `root`.

    Members are first reduced to one row per household (persons, disabled), so that the joins with
    the latest income record and the open 低保 cases run on 100,000 households, not 400,000 members.
    """
    from households.models import Case, Household, IncomeRecord, Member

    net = " + ".join(
        f"i.{name}"
        for name in ("wage_income", "business_income", "property_income", *IncomeRecord.TRANSFER_FIELDS)
    )
    sql = f"""
        SELECT h.group_id,
               sum(p.persons)::int,
               coalesce(sum(p.persons) FILTER (WHERE l.per_capita < %(line)s), 0)::int,
               coalesce(sum(p.persons) FILTER (WHERE d.household_id IS NOT NULL), 0)::int,
               sum(p.disabled)::int
        FROM {Household._meta.db_table} h
        JOIN {Area._meta.db_table} g ON g.id = h.group_id
        JOIN (
            SELECT m.household_id,
                   count(*) AS persons,
                   count(*) FILTER (WHERE m.disability_certificate <> '') AS disabled
            FROM {Member._meta.db_table} m
            WHERE m.removed_at IS NULL
            GROUP BY m.household_id
        ) p ON p.household_id = h.id
        LEFT JOIN (
            SELECT DISTINCT ON (i.household_id) i.household_id,
                   round(({net} - i.business_expense) / i.persons, 2) AS per_capita
            FROM {IncomeRecord._meta.db_table} i
            WHERE i.year <= %(year)s
            ORDER BY i.household_id, i.year DESC
        ) l ON l.household_id = h.id
        LEFT JOIN (
            SELECT DISTINCT c.household_id
            FROM {Case._meta.db_table} c
            WHERE c.program = 'dibao' AND c.state = ANY(%(open)s)
        ) d ON d.household_id = h.id
        WHERE g.code LIKE %(prefix)s
        GROUP BY h.group_id
    """
    params = {
        "prefix": root.scope_prefix + "%",
        "year": income_year,
        "line": poverty_line,
        "open": [str(s) for s in Case.OPEN_STATES],
    }
    with transaction.atomic(), connection.cursor() as cursor:
        # When the planner's estimates run high (fresh tables before ANALYZE; a CTE form of this query
        # always), PostgreSQL JIT-compiles it: ≈ 0.8 s of compiling for 0.5 s of work (bench/README.md).
        # Off for this query only, restored after it (set_config(…, true) lasts to the transaction's end).
        cursor.execute("SELECT current_setting('jit'), set_config('jit', 'off', true)")
        (jit, _) = cursor.fetchone()
        cursor.execute(sql, params)
        rows = cursor.fetchall()
        cursor.execute("SELECT set_config('jit', %s, true)", [jit])
    return {row[0]: tuple(row[1:]) for row in rows}


def subtree_indicators(root: Area, *, poverty_line: Decimal, income_year: int) -> dict[str, AreaIndicators]:
    """{code: AreaIndicators} for `root` and every area under it: typed figures where present, else
    the registry's counts summed up the tree. Two queries."""
    counts = registry_counts(root, poverty_line=poverty_line, income_year=income_year)
    areas = list(
        Area.objects.filter(code__startswith=root.scope_prefix).values(
            "id", "code", "name", "level", "parent__code", *INDICATORS
        )
    )
    zero = (0,) * len(INDICATORS)
    computed: dict[str, list[int]] = {}
    by_level: dict[str, list[dict]] = {level: [] for level in LEVEL_ORDER}
    for area in areas:
        by_level[area["level"]].append(area)
    result: dict[str, AreaIndicators] = {}
    # Bottom-up: a group's count is the registry's; an area above adds up its children's final figures.
    for level in reversed(LEVEL_ORDER):
        for area in by_level[level]:
            code = area["code"]
            if level == Area.Level.GROUP:
                counted = list(counts.get(area["id"], zero))
            else:
                counted = computed.get(code, [0] * len(INDICATORS))
            typed = frozenset(name for name in INDICATORS if area[name] is not None)
            values = {name: area[name] if name in typed else counted[i] for i, name in enumerate(INDICATORS)}
            result[code] = AreaIndicators(
                code=code,
                name=area["name"],
                level=level,
                parent=area["parent__code"],
                values=values,
                typed=typed,
            )
            parent = area["parent__code"]
            if parent is not None and code != root.code:
                sums = computed.setdefault(parent, [0] * len(INDICATORS))
                for i, name in enumerate(INDICATORS):
                    sums[i] += values[name]
    return result


# --- typed figures ---------------------------------------------------------------------------------


def _require_county_fupin(actor: User) -> None:
    if actor.role != Role.COUNTY_FUPIN or actor.area is None or actor.area.level != Area.Level.COUNTY:
        raise PermissionDenied(
            f"录入或导入分解基础指标只能由县扶贫办办理,您的角色是{actor.get_role_display() or '未分配'}。"
        )


@transaction.atomic
def indicators_set(*, actor: User, values: Mapping[int, Mapping[str, int | None]], reason: str = "") -> int:
    """Type the indicators of some areas ({area id: {indicator: persons or None}}); None clears a figure,
    which is then counted from the registry again. Only changed areas are written, each with an audit
    event. Returns the number of areas changed."""
    _require_county_fupin(actor)
    areas = list(Area.objects.visible_to(actor).select_for_update().filter(pk__in=list(values)))
    if len(areas) != len(values):
        raise PermissionDenied("有区划不存在,或不在您的管辖区域内。")
    changed, events = [], []
    for area in areas:
        new = {name: values[area.pk].get(name, getattr(area, name)) for name in INDICATORS}
        old = {name: getattr(area, name) for name in INDICATORS}
        if any(v is not None and v < 0 for v in new.values()):
            raise ValueError("指标不能为负数。")
        diff = [name for name in INDICATORS if new[name] != old[name]]
        if not diff:
            continue
        for name in diff:
            setattr(area, name, new[name])
        changed.append(area)
        events.append(
            audit.event(
                event_type="area.indicators_set",
                actor=actor,
                obj=area,
                area_code=area.code,
                old={n: old[n] for n in diff},
                new={n: new[n] for n in diff},
                reason=reason,
            )
        )
    if changed:
        Area.objects.bulk_update(changed, list(INDICATORS))
        audit.record_many(events)
    return len(changed)


# --- import from a sheet in the annex's layout -----------------------------------------------------

IMPORT_REASON = "导入分解基础指标表"
NAME = "乡镇名"
# Keys after villages.sheets.header_text: no spaces, half-width brackets.
HEADERS = {NAME: NAME, "乡镇": NAME, "乡(镇)": NAME, "乡镇(街道)": NAME, **{v: k for k, v in LABELS.items()}}
TOTAL_NAMES = {"合计", "总计"}


@dataclass
class IndicatorImportResult:
    errors: list[SheetError] = field(default_factory=list)
    count: int = 0  # townships in the sheet
    changed: int = 0  # townships whose figures changed

    @property
    def ok(self) -> bool:
        return not self.errors


def import_indicators(*, actor: User, file) -> IndicatorImportResult:
    """The four indicators per township from an .xlsx in the annex's layout (乡镇名 and the four
    columns; 规模控制识别贫困人口数, 贫困发生率 and 备注 are ignored). Every row is checked first: one
    error and nothing is written. A 合计 row, where present, must equal the sum of the rows."""
    _require_county_fupin(actor)
    try:
        rows, header = sheets.read_table(file, HEADERS, {NAME, *INDICATORS})
    except SheetRefused as refused:
        return _fail(getattr(file, "name", ""), refused.message)
    if header is None:
        names = "、".join([NAME, *LABELS.values()])
        return _fail("", f"前 {sheets.HEADER_SCAN_ROWS} 行中找不到表头:须有“{names}”五列。")
    header_row, columns = header
    good, errors = _validate(rows, header_row, columns, actor)
    if errors:
        return IndicatorImportResult(errors=errors)
    if not good:
        return _fail("", "表中没有乡镇数据行。")
    changed = indicators_set(actor=actor, values=good, reason=IMPORT_REASON)
    return IndicatorImportResult(count=len(good), changed=changed)


def _fail(value: str, reason: str) -> IndicatorImportResult:
    return IndicatorImportResult(errors=[SheetError(None, "", value, reason)])


def _validate(rows, header_row: int, columns: dict[str, int], actor: User):
    def cell(values: tuple, key: str) -> Any:
        index = columns[key]
        return values[index] if index < len(values) else None

    def column(key: str) -> str:
        return f"{get_column_letter(columns[key] + 1)}({LABELS.get(key, key)})"

    townships = {
        area_key(a.name, township=True): a
        for a in Area.objects.visible_to(actor).filter(level=Area.Level.TOWNSHIP, parent=actor.area)
    }
    errors: list[SheetError] = []
    good: dict[int, dict[str, int]] = {}
    seen: dict[int, int] = {}
    sums = dict.fromkeys(INDICATORS, 0)
    total_row: tuple[int, tuple] | None = None
    for number, values in rows:
        if number <= header_row:
            continue
        name = sheets.text(cell(values, NAME))
        if not name and not any(sheets.text(cell(values, k)) for k in INDICATORS):
            continue
        if name.replace(" ", "") in TOTAL_NAMES:
            total_row = (number, values)
            continue
        row_errors: list[SheetError] = []
        township = None
        if not name:
            row_errors.append(SheetError(number, column(NAME), "", "乡镇名为空。"))
        else:
            township = townships.get(area_key(name, township=True))
            if township is None:
                row_errors.append(
                    SheetError(number, column(NAME), name, "本县没有这个乡镇(或不在您的管辖区域内)。")
                )
            elif township.pk in seen:
                row_errors.append(
                    SheetError(
                        number,
                        column(NAME),
                        name,
                        f"与第 {seen[township.pk]} 行是同一乡镇,每个乡镇只能出现一次。",
                    )
                )
                township = None
            else:
                seen[township.pk] = number
        figures: dict[str, int] = {}
        for key in INDICATORS:
            raw = cell(values, key)
            parsed = sheets.persons(raw, LABELS[key])
            if isinstance(parsed, str):
                row_errors.append(SheetError(number, column(key), sheets.text(raw), parsed))
            else:
                figures[key] = parsed
        if not row_errors and figures["rural_population"] < max(figures.values()):
            row_errors.append(
                SheetError(
                    number,
                    column("rural_population"),
                    str(figures["rural_population"]),
                    "乡村人口数不能小于其他三项指标中的任何一项。",
                )
            )
        errors.extend(row_errors)
        if not row_errors and township is not None:
            good[township.pk] = figures
            for key in INDICATORS:
                sums[key] += figures[key]
    if total_row is not None and not errors:
        number, values = total_row
        for key in INDICATORS:
            raw = cell(values, key)
            if sheets.text(raw) == "":
                continue
            parsed = sheets.persons(raw, LABELS[key])
            if isinstance(parsed, str):
                errors.append(SheetError(number, column(key), sheets.text(raw), parsed))
            elif parsed != sums[key]:
                errors.append(
                    SheetError(
                        number, column(key), sheets.text(raw), f"合计行与各乡镇之和 {sums[key]} 不符。"
                    )
                )
    return good, errors
