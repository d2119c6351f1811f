"""The marked-up copy of an uploaded file that shows where each error is."""

from __future__ import annotations

import datetime
from pathlib import Path

from households.importer.columns import RowError
from villages.guard import ROSTER, open_workbook
from villages.sheets import safe_text

REASON_HEADER = "错误说明"


def write_error_workbook(
    *, source: Path | str, errors: list[RowError], target: Path | str, header_row: int = 0
) -> None:
    """A copy of the uploaded sheet with the wrong cells in red and a 错误说明 column, headed as such on
    the header row (`header_row`, as Excel numbers it; 0 when the file had none that was found)."""
    import xlsxwriter

    by_row: dict[int, list[RowError]] = {}
    for error in errors:
        by_row.setdefault(error.row, []).append(error)
    sheet = open_workbook(source, limits=ROSTER).first()  # it passed the guard when it was imported
    book = xlsxwriter.Workbook(str(target), {"constant_memory": True, "strings_to_numbers": False})
    out = book.add_worksheet("花名册(错误标注)")
    red = book.add_format({"bg_color": "#FFC7CE", "font_color": "#9C0006"})
    note = book.add_format({"font_color": "#9C0006", "text_wrap": False})
    bold = book.add_format({"bold": True, "font_color": "#9C0006"})
    first_row, first_col = sheet.start or (0, 0)
    width = first_col + sheet.width
    for offset, cells in enumerate(sheet.iter_rows()):
        index = first_row + offset
        row_errors = by_row.get(index + 1, [])
        marked = {e.col for e in row_errors if e.col is not None}
        for col, value in enumerate(cells, first_col):
            style = red if col in marked else None
            if isinstance(value, bool):
                out.write_boolean(index, col, value, style)
            elif isinstance(value, int | float):
                out.write_number(index, col, value, style)
            elif isinstance(value, datetime.date | datetime.datetime):
                out.write_string(index, col, value.strftime("%Y-%m-%d"), style)
            elif value not in (None, "") or style:
                out.write_string(index, col, safe_text(str(value or "")), style)
        reasons = ";".join(f"{e.column}:{e.reason}" for e in row_errors)
        if index + 1 == header_row:
            out.write_string(index, width, f"{REASON_HEADER}({reasons})" if reasons else REASON_HEADER, bold)
        elif reasons:
            out.write_string(index, width, safe_text(reasons), note)
    book.close()
