"""Opening the uploaded file and finding its header row: the one place that touches the file's format."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from households.importer.columns import COLUMNS, NATIONAL_COLUMNS, REQUIRED, Column, RowError, clean_header
from households.importer.feed import PieceFeed, rows_of
from villages.guard import ROSTER, SheetRefused, open_workbook

HEADER_SCAN_ROWS = 10


@dataclass
class Sheet:
    header_row: int  # 0-based index
    columns: dict[int, Column]
    headers: dict[str, tuple[int, str]]  # column key → (index, header as spelled)
    unknown: list[str]
    total_rows: int
    rows: Iterator[list]  # from the reader thread: raises what the reader raised (SheetRefused, …)
    close: Callable[[], None] = field(default=lambda: None)  # stops the reader; always called


def open_sheet(path: Path | str) -> tuple[Sheet | None, list[RowError]]:
    """Find the header row and map its columns; errors name missing or repeated columns.

    The rows are read by a thread (households.importer.feed) while the caller takes them: the caller
    must call `Sheet.close()` when done, whatever happened."""
    # villages.guard refuses what would hurt the reader (zip bombs, huge ranges, formulas, .xls, …)
    # before it loads anything, and reads CSV the same way.
    try:
        table = open_workbook(path, limits=ROSTER, in_pieces=True).first()
    except SheetRefused as refused:
        return None, [RowError(1, "文件", "", refused.message)]
    feed = PieceFeed(table.iter_pieces())
    try:
        return _map_header(table.height, feed)
    except BaseException:
        feed.close()
        raise


def _map_header(height: int, feed: PieceFeed) -> tuple[Sheet | None, list[RowError]]:
    pieces = iter(feed)
    try:
        first_piece = next(pieces, None)
    except SheetRefused as refused:
        feed.close()
        return None, [RowError(1, "文件", "", refused.message)]
    # Rows come at their own columns (from A); the first is the sheet's first row with a value.
    first_row = first_piece[0] if first_piece is not None else 0
    rows = rows_of(itertools.chain([first_piece] if first_piece is not None else [], pieces))
    found: tuple[int, list] | None = None
    for index, row in zip(range(HEADER_SCAN_ROWS), rows, strict=False):
        # The real export puts a merged title row (one cell) above the header row.
        if sum(1 for cell in row if clean_header(cell) in COLUMNS) >= 3:
            found = (index, row)
            break
    if found is None:
        feed.close()
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
    if errors:
        feed.close()
    return Sheet(index, columns, headers, unknown, height, rows, feed.close), errors
