"""Small sheets keyed by area — the round's quotas, the townships' base indicators — read all or nothing,
with every error as (row, column, value, reason) in Chinese. The 花名册 has its own reader
(households.importer); both open the file through villages.guard, which refuses a hostile file before
anything loads it. These sheets are capped at guard.AREA_SHEET (20,000 rows × 60 columns, 5 MB): read
in well under a second, so they stay in the request.

`safe_text` is the other direction: every workbook we write passes its text cells through it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from villages.guard import AREA_SHEET, open_workbook

HEADER_SCAN_ROWS = 10  # a title and notes may sit above the header row


@dataclass(frozen=True)
class SheetError:
    row: int | None  # Excel row number; None for the file as a whole
    column: str  # "B(乡村人口数)", or "" for the file or the row as a whole
    value: str
    reason: str


Rows = list[tuple[int, tuple]]  # (Excel row number, cell values)


def read_table(
    file, headers: dict[str, str], required: set[str]
) -> tuple[Rows, tuple[int, dict[str, int]] | None]:
    """All rows of the first sheet whose first rows hold a header with the `required` keys, and that header
    as (row number, {key: column index}). `headers` maps each accepted spelling to its key.

    Raises villages.guard.SheetRefused (its message is for the user) for a file it will not read."""
    book = open_workbook(file, limits=AREA_SHEET)
    first: Rows | None = None
    for sheet in book.tables:
        top, left = sheet.start
        rows = [
            (number, (None,) * left + tuple(values))
            for number, values in enumerate(sheet.iter_rows(), start=top + 1)
        ]
        first = rows if first is None else first
        for number, values in rows[:HEADER_SCAN_ROWS]:
            columns: dict[str, int] = {}
            for index, value in enumerate(values):
                key = headers.get(header_text(value, headers))
                if key and key not in columns:
                    columns[key] = index
            if required <= set(columns):
                return rows, (number, columns)
    return first or [], None


def header_text(value: Any, headers: dict[str, str]) -> str:
    """A header cell as written, without spaces; a unit in brackets goes unless the header is known with it
    (乡村人口数(人) → 乡村人口数)."""
    text = re.sub(r"\s", "", str(value)) if value is not None else ""
    text = text.replace("(", "(").replace(")", ")")
    return text if text in headers else re.sub(r"\([^)]*\)$", "", text)


def text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def persons(value: Any, label: str) -> int | str:
    """A count of persons, or the reason (Chinese, naming `label`) it is not one."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return f"{label}为空。"
    if isinstance(value, bool):
        return f"{label}须为非负整数。"
    if isinstance(value, float):
        if not value.is_integer():
            return f"{label}须为整数。"
        value = int(value)
    if isinstance(value, str):
        digits = value.strip().replace(",", "").replace(",", "")
        if re.fullmatch(r"-\d+", digits):
            return f"{label}不能为负数。"
        if not re.fullmatch(r"\d+", digits):
            return f"{label}须为非负整数。"
        value = int(digits)
    if not isinstance(value, int):
        return f"{label}须为非负整数。"
    if value < 0:
        return f"{label}不能为负数。"
    return value


# A text cell starting with one of these is read as a formula when a user edits the cell or opens the
# data as CSV ("formula injection", OWASP CSV Injection): "=HYPERLINK(…)" in a name, "@SUM(…)", "+cmd|…".
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")


def safe_text(value: Any) -> Any:
    """A text cell's value, written so no spreadsheet takes it for a formula: a leading apostrophe, as
    OWASP recommends and as Excel itself shows typed text. Numbers written as text ("-3.5") are left
    alone (they cannot be formulas), and so is everything that is not a str."""
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS) and not _NUMBER.fullmatch(value):
        return "'" + value
    return value
