"""Reading exported workbooks back, as the county's users (and the import) would."""

from __future__ import annotations

import io
import zipfile

from python_calamine import CalamineWorkbook


def sheets(data: bytes) -> dict[str, list[list]]:
    """Sheet name → rows (title row and header row included)."""
    book = CalamineWorkbook.from_filelike(io.BytesIO(data))
    return {name: book.get_sheet_by_name(name).to_python() for name in book.sheet_names}


def table(rows: list[list], *, header_row: int = 1) -> list[dict]:
    """The data rows as dicts keyed by the header (row `header_row`, 0-based)."""
    headers = rows[header_row]
    return [dict(zip(headers, row, strict=False)) for row in rows[header_row + 1 :]]


def zip_names(data: bytes) -> list[str]:
    return sorted(zipfile.ZipFile(io.BytesIO(data)).namelist())


def zip_member(data: bytes, name: str) -> bytes:
    return zipfile.ZipFile(io.BytesIO(data)).read(name)
