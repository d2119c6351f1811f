"""Writing ledger workbooks: sheets of a title row, a header row and streamed rows, in constant memory.

xlsxwriter in constant_memory mode writes each row to disk as it comes, so a 400,000-row sheet costs no
more memory than a 10-row one (bench/README.md compares the writers we measured). Codes such as 户编号
and 身份证号 arrive as strings and stay text cells, so they keep every digit.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import xlsxwriter

PROGRESS_EVERY = 5000


@dataclass
class Sheet:
    name: str  # at most 31 characters, no []:*?/\
    headers: Sequence[str]
    rows: Iterable[Sequence[object]]
    widths: Sequence[int] = ()
    title: str = ""  # a merged row above the headers, as on the printed forms
    bold_last: bool = False  # a 合计 row


@dataclass
class Progress:
    """Counts rows across sheets and reports a percentage between `start` and `end`."""

    expected: int
    report: Callable[[int], None] = field(default=lambda percent: None)
    start: int = 0
    end: int = 100
    done: int = 0

    def add(self, rows: int) -> None:
        self.done += rows
        if self.expected:
            share = min(self.done / self.expected, 1)
            self.report(self.start + int((self.end - self.start) * share))


def write_workbook(path: Path | str, sheets: Iterable[Sheet], progress: Progress | None = None) -> int:
    """Write the sheets in order; returns the number of data rows written."""
    book = xlsxwriter.Workbook(str(path), {"constant_memory": True, "strings_to_numbers": False})
    header_format = book.add_format({"bold": True, "border": 1, "align": "center", "valign": "vcenter",
                                     "text_wrap": True, "bg_color": "#EEF2F6"})  # fmt: skip
    title_format = book.add_format({"bold": True, "font_size": 14, "align": "center"})
    bold = book.add_format({"bold": True})
    written = 0
    for sheet in sheets:
        worksheet = book.add_worksheet(sheet.name)
        row = 0
        if sheet.title:
            worksheet.merge_range(0, 0, 0, max(len(sheet.headers) - 1, 0), sheet.title, title_format)
            row = 1
        worksheet.write_row(row, 0, sheet.headers, header_format)
        worksheet.freeze_panes(row + 1, 0)
        for column, width in enumerate(sheet.widths):
            worksheet.set_column(column, column, width)
        rows = sheet.rows
        if sheet.bold_last:  # small summary sheets only
            *rows, last = list(sheet.rows) or [None]
        batch = 0
        for values in rows:
            row += 1
            worksheet.write_row(row, 0, values)
            batch += 1
            if batch == PROGRESS_EVERY:
                written += batch
                if progress:
                    progress.add(batch)
                batch = 0
        if sheet.bold_last and last is not None:
            row += 1
            worksheet.write_row(row, 0, last, bold)
            batch += 1
        written += batch
        if progress:
            progress.add(batch)
    book.close()
    return written
