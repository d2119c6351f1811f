"""Opening the uploaded file and finding its header row: the one place that touches the file's format."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from households.importer.columns import COLUMNS, NATIONAL_COLUMNS, REQUIRED, Column, RowError, clean_header
from villages.guard import ROSTER, SheetRefused, open_workbook

HEADER_SCAN_ROWS = 10


@dataclass
class Sheet:
    header_row: int  # 0-based index
    columns: dict[int, Column]
    headers: dict[str, tuple[int, str]]  # column key → (index, header as spelled)
    unknown: list[str]
    total_rows: int
    rows: Iterator[list]


def open_sheet(path: Path | str) -> tuple[Sheet | None, list[RowError]]:
    """Find the header row and map its columns; errors name missing or repeated columns."""
    # villages.guard refuses what would hurt the reader (zip bombs, huge ranges, formulas, .xls, …)
    # before it loads anything, and reads CSV the same way.
    try:
        sheet = open_workbook(path, limits=ROSTER).first()
    except SheetRefused as refused:
        return None, [RowError(1, "文件", "", refused.message)]
    rows = sheet.iter_rows()
    first_row, first_col = sheet.start or (0, 0)
    found: tuple[int, list] | None = None
    for index, row in zip(range(HEADER_SCAN_ROWS), rows, strict=False):
        # The real export puts a merged title row (one cell) above the header row.
        if sum(1 for cell in row if clean_header(cell) in COLUMNS) >= 3:
            found = (index, row)
            break
    if found is None:
        return None, [RowError(1, "表头", "", "前10行中找不到表头行(应包含“户编号”“姓名”“证件号码”等列)")]
    index, header = found
    index += first_row
    columns: dict[int, Column] = {}
    headers: dict[str, tuple[int, str]] = {}
    unknown: list[str] = []
    errors: list[RowError] = []
    for col, cell in enumerate(header):
        name = clean_header(cell)
        if not name:
            continue
        column = COLUMNS.get(name)
        if column is None:
            unknown.append(str(cell).strip())
            continue
        if column.key in headers:
            errors.append(
                RowError(index + 1, str(cell), "", f"与“{headers[column.key][1]}”是同一列,只能出现一次", col)
            )
            continue
        columns[col] = column
        headers[column.key] = (col, str(cell).strip())
    for key in REQUIRED:
        if key not in headers:
            label = NATIONAL_COLUMNS[key][0]
            errors.append(RowError(index + 1, label, "", f"缺少必填列“{label}”"))
    columns = {col + first_col: column for col, column in columns.items()}
    headers = {key: (col + first_col, spelled) for key, (col, spelled) in headers.items()}
    for error in errors:
        error.col = None if error.col is None else error.col + first_col
    padded = ([""] * first_col + row for row in rows) if first_col else rows
    return Sheet(index, columns, headers, unknown, sheet.height, padded), errors
