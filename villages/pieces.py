"""One worksheet of a checked .xlsx read in pieces, so that no reader ever holds the whole sheet.

python-calamine 0.9 has no streaming API: it parses a sheet as a whole, and at 400,000 rows × 26 columns
the parsed range and its Python rows hold ≈ 600 MB (900 MB peak) for the 9–10 s the parse lasts, with
nothing for the rest of the import to do meanwhile. Here the worksheet's XML is inflated block by
block and cut between rows; each run of whole rows (`PIECE_BYTES` of XML) becomes a small workbook —
the file's own workbook, relationships, styles and shared strings, and that run of rows under the sheet's
own head, stored without compression — which calamine reads exactly as it reads the file (the cells keep
their own references, so a piece's range starts at the piece's first row and column; dates keep their
styles and the workbook's 1900/1904 base).

Only for worksheets of the usual shape (no namespace prefixes, every cell with its reference first):
villages.guard reads any other sheet whole, as before. The guard has checked every part before the first
piece is made, so the pieces hold nothing the whole file did not.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Callable, Iterator

from python_calamine import CalamineError, CalamineWorkbook

# ≈ 12,000 roster rows of inline strings; the shared strings travel with every piece, so a workbook
# with a large table gets larger pieces (fewer copies of it to parse).
PIECE_BYTES = 16 << 20
SHARED_STRINGS_PIECES = 4

_SHEET_DATA = re.compile(rb"<sheetData\s*>")
_EMPTY_SHEET_DATA = re.compile(rb"<sheetData\s*/>")
_DIMENSION = re.compile(rb"<dimension\b[^>]*/>")
_STUB_SHEET = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData/></worksheet>'
)
BROKEN = "文件已损坏,无法读取,请用 Excel 重新保存为 .xlsx 后上传。"

# (top row, left column) of the piece's first cell, 0-based, and its rows from there
Piece = tuple[int, int, list[list]]


class PieceError(Exception):
    """A piece calamine would not read: the file is broken (villages.guard turns it into SheetRefused)."""


def piece_size(parts: dict[str, bytes]) -> int:
    shared = sum(len(content) for name, content in parts.items() if name.endswith("sharedStrings.xml"))
    return max(PIECE_BYTES, SHARED_STRINGS_PIECES * shared)


def read_pieces(
    blocks: Callable[[], Iterator[tuple[bytes, bool]]],
    *,
    sheet_part: str,
    other_sheets: list[str],
    parts: dict[str, bytes],
    index: int,
) -> Iterator[Piece]:
    """The sheet's rows, piece by piece. `blocks` gives the sheet's XML cut after whole rows (the guard's
    `_blocks`); `parts` the workbook's other parts that calamine reads (not the worksheets)."""
    size = piece_size(parts)
    head: bytes | None = None
    pending = b""  # XML before the rows were found (a head longer than one block)
    run: list[bytes] = []
    run_bytes = 0
    for block, last in blocks():
        if head is None:
            pending += block
            if _EMPTY_SHEET_DATA.search(pending):
                return  # a sheet without rows
            found = _SHEET_DATA.search(pending)
            if found is None:
                continue
            head = _DIMENSION.sub(b"", pending[: found.end()])  # a declared size would be reserved per piece
            block, pending = pending[found.end() :], b""
        if last:
            end = block.find(b"</sheetData")
            block = block[:end] if end >= 0 else block
        run.append(block)
        run_bytes += len(block)
        if run_bytes >= size:
            yield from _piece(head, run, sheet_part, other_sheets, parts, index)
            run, run_bytes = [], 0
    if head is not None and run:
        yield from _piece(head, run, sheet_part, other_sheets, parts, index)


def _piece(
    head: bytes,
    run: list[bytes],
    sheet_part: str,
    other_sheets: list[str],
    parts: dict[str, bytes],
    index: int,
) -> Iterator[Piece]:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as piece:
        for name, content in parts.items():
            piece.writestr(name, content)
        for name in other_sheets:
            piece.writestr(name, _STUB_SHEET)
        piece.writestr(sheet_part, b"".join((head, *run, b"</sheetData></worksheet>")))
    run.clear()
    buffer.seek(0)
    try:
        sheet = CalamineWorkbook.from_filelike(buffer).get_sheet_by_index(index)
        start = sheet.start
        rows = sheet.to_python(skip_empty_area=True) if start is not None else []
    except (CalamineError, OSError, ValueError):
        raise PieceError(BROKEN) from None
    if start is not None and rows:
        yield start[0], start[1], rows
