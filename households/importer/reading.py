"""The data rows of a sheet, converted and grouped by 户编号 into household drafts."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from households import choices
from households.idnumber import IdCell, known_province, mask
from households.importer.cells import converter, is_blank
from households.importer.columns import Progress, RowError
from households.importer.sheet import Sheet
from villages.names import area_key


@dataclass
class MemberDraft:
    row: int
    values: dict[str, object]


@dataclass
class HouseholdDraft:
    number: str
    row: int  # first row
    values: dict[str, object] = field(default_factory=dict)
    value_rows: dict[str, int] = field(default_factory=dict)
    members: list[MemberDraft] = field(default_factory=list)
    group_id: int | None = None


# Per household and not stored: 人数 and 人均纯收入 are checked, 脱贫属性 keeps a lifted household off the
# 扶贫 roll its 贫困户属性 would otherwise open. Other "x." columns are unused.
SHARED_EXTRAS = ("x.persons", "x.per_capita_income", "x.lifted")
LIFTED = "已脱贫"


def _shared_name(key: str) -> str:
    """The name of a household-level value in HouseholdDraft.values: "phone", "area.group", "persons"."""
    target, name = key.split(".", 1)
    return f"area.{name}" if target == "a" else name


def _shared_key(name: str) -> str:
    if name.startswith("area."):
        return f"a.{name[5:]}"
    return f"x.{name}" if f"x.{name}" in SHARED_EXTRAS else f"h.{name}"


# Rows per batch of households checked and written while the reader goes on (≈ a piece of the sheet).
BATCH_ROWS = 10_000


class Scattered(Exception):
    """The file ties two batches together (a household's rows apart, a person moving between households
    of different batches): the import starts again and takes the whole file as one batch."""


class Batches:
    """Convert every data row and group by 户编号, handing over whole households in batches.

    A batch closes every `BATCH_ROWS` rows, keeping back the household of the last row (its next rows
    may follow); a household number seen again after its batch was handed over raises Scattered.
    `whole` hands over one batch, at the end. Yields (households, whether they are the whole file);
    counts `rows` (persons) and `blank` rows as it goes.

    `warnings` receives what was accepted but should be looked at: a 15-digit ID number converted, a
    20-digit 残疾人证号 read, a province code no table knows."""

    def __init__(
        self,
        sheet: Sheet,
        errors: list[RowError],
        progress: Progress,
        warnings: list[RowError],
        *,
        whole: bool = False,
    ) -> None:
        self.sheet = sheet
        self.errors = errors
        self.progress = progress
        self.warnings = warnings
        self.whole = whole
        self.rows = 0
        self.blank = 0

    def __iter__(self) -> Iterator[tuple[dict[str, HouseholdDraft], bool]]:
        sheet, errors, warnings = self.sheet, self.errors, self.warnings
        id_col, id_header = sheet.headers.get("m.id_number", (None, ""))
        # (index, key, member field or None, household-level name or None, converter)
        plan = [
            (
                col,
                column.key,
                column.field if column.target == "m" else None,
                None if column.target == "m" else _shared_name(column.key),
                converter(column),
            )
            for col, column in sheet.columns.items()
            if column.target != "x" or column.key in SHARED_EXTRAS
        ]
        header_of = {key: spelled for key, (_, spelled) in sheet.headers.items()}
        required = [
            (key, _shared_name(key) if key[0] != "m" else key[2:], key[0] == "m")
            for key in (
                "h.number",
                "m.name",
                "m.id_number",
                "m.relation",
                "a.township",
                "a.village",
                "a.group",
            )
        ]
        households: dict[str, HouseholdDraft] = {}
        handed_over: set[str] = set()
        last_number = ""
        batch_end = BATCH_ROWS
        step = max(sheet.total_rows // 20, 1000)
        for offset, row in enumerate(sheet.rows):
            excel_row = sheet.header_row + offset + 2
            if offset % step == 0:
                self.progress(5 + 45 * offset // max(sheet.total_rows, 1))
            if offset >= batch_end and not self.whole:
                batch_end = offset + BATCH_ROWS
                # The last household may go on in the next rows: it waits for the next batch.
                held = households.pop(last_number, None)
                if households:
                    handed_over.update(households)
                    yield households, False
                households = {last_number: held} if held is not None else {}
            if not any(row) or all(is_blank(cell) for cell in row):
                self.blank += 1
                continue
            member_values: dict[str, object] = {}
            shared: dict[str, object] = {}
            failed: set[str] = set()
            width = len(row)
            for col, key, member_field, shared_name, convert in plan:
                raw = row[col] if col < width else None
                if raw is None or raw == "" or (raw.__class__ is str and raw.isspace()):
                    continue
                try:
                    value = convert(raw)
                except ValueError as error:
                    errors.append(RowError(excel_row, header_of[key], _shown_raw(raw, key), str(error), col))
                    failed.add(key)
                    continue
                if member_field is not None:
                    member_values[member_field] = value
                else:
                    shared[shared_name] = value
            id_value = member_values.get("id_number")
            if id_value is not None:
                if id_value.__class__ is IdCell:
                    id_value = _unpack_id_cell(
                        id_value, member_values, excel_row, id_col, id_header, warnings
                    )
                if not known_province(id_value):
                    warnings.append(
                        RowError(
                            excel_row,
                            id_header,
                            mask(id_value),
                            f"身份证号前两位“{id_value[:2]}”不是已知的省级行政区划代码,请核对",
                            id_col,
                        )
                    )
            for key, name, is_member in required:
                if not (member_values.get(name) if is_member else shared.get(name)) and key not in failed:
                    errors.append(
                        RowError(
                            excel_row,
                            header_of[key],
                            "",
                            f"“{header_of[key]}”不能为空",
                            sheet.headers[key][0],
                        )
                    )
                    failed.add(key)
            number = shared.pop("number", "")
            if not number:
                continue
            self.rows += 1
            draft = households.get(number)
            if draft is None:
                if number in handed_over:
                    raise Scattered(number)
                draft = households[number] = HouseholdDraft(number=number, row=excel_row, values=shared)
                draft.value_rows = dict.fromkeys(shared, excel_row)
            elif shared != draft.values:
                # Every row of a household repeats its fields: they must agree (blank cells excepted).
                _merge_shared(draft, shared, excel_row, errors, sheet)
            if failed:
                member_values["_invalid"] = True
            draft.members.append(MemberDraft(excel_row, member_values))
            last_number = number
        self.progress(50)
        if households:
            yield households, not handed_over


def _unpack_id_cell(
    cell: IdCell, member_values: dict, excel_row: int, col: int | None, header: str, warnings: list[RowError]
) -> str:
    member_values["id_number"] = cell.number
    if cell.converted_from:
        warnings.append(
            RowError(
                excel_row,
                header,
                mask(cell.converted_from),
                f"第一代15位身份证号,已补“19”和校验位升为18位(现尾号{cell.number[-4:]})",
                col,
            )
        )
    else:
        # The certificate says the person is disabled, of which category and grade; the columns of
        # the file, where it has them, still decide (and households.validation checks they agree).
        member_values.setdefault("health", choices.Health.DISABLED)
        member_values.setdefault("disability_certificate", cell.certificate)
        member_values.setdefault("disability_grade", cell.grade)
        warnings.append(
            RowError(
                excel_row,
                header,
                mask(cell.certificate),
                f"20位残疾人证号:身份证号取前18位,{cell.category}、残疾等级“{cell.grade}”已一并导入",
                col,
            )
        )
    return cell.number


def _merge_shared(
    draft: HouseholdDraft, shared: dict, excel_row: int, errors: list[RowError], sheet: Sheet
) -> None:
    for name, value in shared.items():
        if name not in draft.values:
            draft.values[name] = value
            draft.value_rows[name] = excel_row
        elif draft.values[name] != value and not _same_area(name, draft.values[name], value):
            key = _shared_key(name)
            header = sheet.headers[key][1]
            errors.append(
                RowError(
                    excel_row,
                    header,
                    shown(value),
                    f"同一户(户编号{draft.number})各行的“{header}”不一致:"
                    f"第{draft.value_rows[name]}行为“{shown(draft.values[name])}”",
                    sheet.headers[key][0],
                )
            )


def _same_area(name: str, first: object, other: object) -> bool:
    """丹凤 and 丹凤镇 on two rows of one household name one township: the AreaMatcher's reading."""
    if not name.startswith("area."):
        return False
    township = name == "area.township"
    return area_key(str(first), township=township) == area_key(str(other), township=township)


def shown(value: object) -> str:
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, list):
        return "、".join(value)
    return str(value)


def _shown_raw(raw: object, key: str) -> str:
    """A wrong cell as the report shows it: ID numbers masked, even when stored as a number."""
    if key == "m.id_number":
        return mask(str(int(raw)) if isinstance(raw, float) else re.sub(r"\s+", "", str(raw)))
    text = str(raw)
    # The report (and the job row that keeps it) shows the start of an overlong cell, not all of it.
    return text if len(text) <= 200 else f"{text[:50]}…(共{len(text)}个字符)"
