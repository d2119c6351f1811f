"""Writing ledger workbooks: sheets of a title row, a header row and streamed rows, in constant memory.

The writer is rustpy-xlsxwriter (Python bindings of the Rust rust_xlsxwriter): it pulls the rows from a
generator and writes them in constant memory, 6–8× faster than openpyxl or xlsxwriter on the county
register (bench/README.md, "xlsx writers"), which no pure-Python writer could make in the 60 s target.
Codes such as 户编号 and 身份证号 arrive as strings and stay text cells, so they keep every digit.
Text starting with = + - @ (or a tab/CR) is written with a leading apostrophe (villages.sheets.safe_text),
so no spreadsheet ever takes a name for a formula.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import rustpy_xlsxwriter

from villages.sheets import FORMULA_TRIGGERS, safe_text

TRIGGERS = frozenset(FORMULA_TRIGGERS)

PROGRESS_EVERY = 5000
EMPTY = "(无)"


@dataclass
class Sheet:
    name: str  # at most 31 characters, no []:*?/\
    headers: Sequence[str]  # unique within the sheet
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
    sheets = list(sheets)
    counted = [0]
    entries, options = [], _Options()
    for sheet in sheets:
        if len(set(sheet.headers)) != len(sheet.headers):
            raise ValueError(f"duplicate headers in sheet {sheet.name}")
        options.add(sheet)
        entries.append((sheet.name, _records(sheet, counted, progress)))
    rustpy_xlsxwriter.write_worksheets(entries, str(path), **options.as_kwargs())
    return counted[0]


def _records(sheet: Sheet, counted: list[int], progress: Progress | None) -> Iterator[dict]:
    """The rows as the dicts the writer takes; an empty sheet still shows its headers, over one (无) row."""
    headers = list(sheet.headers)
    batch = 0
    empty = True
    for row in sheet.rows:
        empty = False
        # Text that a spreadsheet would take for a formula gets its apostrophe (villages.sheets.safe_text);
        # the test on the first character keeps this cheap on 400,000 rows.
        yield {
            header: safe_text(value) if value.__class__ is str and value[:1] in TRIGGERS else value
            for header, value in zip(headers, row, strict=True)
        }
        batch += 1
        if batch == PROGRESS_EVERY:
            counted[0] += batch
            if progress:
                progress.add(batch)
            batch = 0
    counted[0] += batch
    if progress:
        progress.add(batch)
    if empty:
        yield {header: EMPTY if i == 0 else "" for i, header in enumerate(headers)}


class _Options:
    """The per-sheet settings, keyed by sheet name as write_worksheets wants them."""

    def __init__(self) -> None:
        self.header_row: dict[str, int] = {}
        self.merge_ranges: dict[str, list] = {}
        self.column_widths: dict[str, list[float]] = {}
        self.freeze_panes: dict[str, dict[str, int]] = {}
        self.row_formats: dict[str, dict[int, rustpy_xlsxwriter.Format]] = {}
        self.title_format = rustpy_xlsxwriter.Format().set_bold().set_font_size(14).set_align("center")
        self.bold = rustpy_xlsxwriter.Format().set_bold()

    def add(self, sheet: Sheet) -> None:
        first_data_row = 1
        if sheet.title:
            last_column = max(len(sheet.headers) - 1, 0)
            title = safe_text(sheet.title)
            self.merge_ranges[sheet.name] = [(0, 0, 0, last_column, title, self.title_format)]
            self.header_row[sheet.name] = 1
            first_data_row = 2
        self.freeze_panes[sheet.name] = {"row": first_data_row, "col": 0}
        if sheet.widths:
            self.column_widths[sheet.name] = [float(w) for w in sheet.widths]
        if sheet.bold_last:
            sheet.rows = list(sheet.rows)  # small summary sheets only
            self.row_formats[sheet.name] = {first_data_row + len(sheet.rows) - 1: self.bold}

    def as_kwargs(self) -> dict:
        return {
            "bold_headers": True,
            "header_row": self.header_row,
            "merge_ranges": self.merge_ranges,
            "column_widths": self.column_widths,
            "freeze_panes": self.freeze_panes,
            "row_formats": self.row_formats,
        }
