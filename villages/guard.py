"""The one guarded way to open a sheet someone uploaded: the 花名册, the quota sheet, the indicator sheet.

Everything a hostile or broken file could do to the reader is refused *before* the reader loads it, with
a Chinese message that says what to do (`SheetRefused`):

- the file's size (zero bytes, or more than the caller's cap);
- what it is, from its first bytes, not its name: an .xlsx is a zip; an OLE file is an old .xls or an
  .xlsx protected by a password (Excel stores those as an OLE file holding an "EncryptedPackage");
  text in UTF-8 or GBK/GB18030 named .csv is read as CSV (the national system exports .xls/.xlsx/.csv);
  text named anything else (a CSV renamed .xlsx) is refused, with the way out;
- a zip bomb: the uncompressed sizes come from the zip's central directory and are capped before any
  member is inflated; the inflating that follows is bounded by those declared sizes (zipfile stops at
  them and checks the CRC), so a lying directory is a broken file, not an allocation;
- the sheets' real extent: a streaming pass over each worksheet's XML (in 1 MB chunks) finds the highest
  row and column that hold a value, by the cells' own references (the declared <dimension> is ignored:
  calamine sizes its range by the cells, and a dimension can lie either way). python-calamine allocates rows × columns for the whole used range,
  so a 36 KB file with one cell at XFD1048576 would ask for 17 billion cells and abort the process;
  empty formatted rows (Excel writes 200,000 of them when a user formats whole rows) hold no value and
  cost nothing, so they are not counted;
- formula cells are refused, naming the first cells: an imported value must be what the file shows, not
  what a formula computed in someone's Excel (seed-free choice, README "表格文件的安全读取");
- a cell longer than Excel's own limit (32,767 characters), and DTDs/entities (an XML bomb).

.xls (BIFF) is refused with the way out (另存为 .xlsx): calamine reads it into a dense range whose size
the file's records declare, and checking those records would mean a second BIFF parser.

`open_workbook` returns the sheets as `Table`s — the same shape for xlsx and CSV — which the importer and
villages.sheets read; nothing else in the project opens an uploaded sheet.
"""

from __future__ import annotations

import csv
import io
import itertools
import re
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from python_calamine import CalamineError, CalamineWorkbook

from villages.pieces import Piece, PieceError, read_pieces

EXCEL_CELL_LIMIT = 32_767  # characters in one cell, Excel's own limit
CELL_TOO_LONG = f"文件中有单元格内容超过 Excel 的上限({EXCEL_CELL_LIMIT:,} 字),系统未读取。请检查该文件。"
CHUNK = 1 << 20

ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ENCRYPTED_PACKAGE = "EncryptedPackage".encode("utf-16-le")


@dataclass(frozen=True)
class Limits:
    """What one kind of upload may hold. `max_cells` bounds the reader's dense range (rows × columns)."""

    max_bytes: int
    max_uncompressed: int
    max_rows: int
    max_columns: int
    max_cells: int

    @property
    def max_mb(self) -> int:
        return self.max_bytes // (1 << 20)


# The 花名册: a county's 100,000 households are about 400,000 rows of 27–90 columns; the caps leave room
# and keep calamine's range under ~1 GB (32 bytes a cell).
ROSTER = Limits(
    max_bytes=100 << 20,
    max_uncompressed=1536 << 20,
    max_rows=600_000,
    max_columns=160,
    max_cells=30_000_000,
)
# Quota and indicator sheets: one row per area of a county (a few thousand at most). Small enough that
# reading them stays in the request: about a second at the cap (10,000 rows × 20 columns, measured in
# tests/hardening/test_hostile_sheets.py); a row only reaches the database if its area exists, so the
# writes are bounded by the county's areas, not by the file.
AREA_SHEET = Limits(
    max_bytes=5 << 20,
    max_uncompressed=50 << 20,
    max_rows=10_000,
    max_columns=40,
    max_cells=200_000,
)


class SheetRefused(Exception):
    """The file is not read; `message` (Chinese) says why and what to do."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass
class Table:
    """One sheet, as calamine's sheet shows it: `start` is (row, column) of its first cell, 0-based;
    `iter_rows()` gives lists of values (str, float, int, bool, date) from there."""

    name: str
    start: tuple[int, int]
    height: int
    width: int
    rows: Callable[[], Iterator[list]]
    # Set where the sheet is read in pieces (villages.pieces); then `start` is (0, 0) and `height` the
    # last row the guard saw, and only `iter_pieces()` reads it.
    pieces: Callable[[], Iterator[Piece]] | None = None

    def iter_rows(self) -> Iterator[list]:
        return self.rows()

    def iter_pieces(self, rows_per_piece: int = 5000) -> Iterator[Piece]:
        """The sheet as (top row, left column, rows) runs: calamine's pieces, or the whole sheet's rows
        in runs of `rows_per_piece` (CSV, a sheet of an unusual shape)."""
        if self.pieces is not None:
            yield from self.pieces()
            return
        top, left = self.start
        rows = self.iter_rows()
        while run := list(itertools.islice(rows, rows_per_piece)):
            yield top, left, run
            top += len(run)


class Workbook:
    """The sheets of a file that passed the checks; each sheet is loaded when first asked for."""

    def __init__(self, names: list[str], load: Callable[[int], Table]) -> None:
        self.names = names
        self._load = load
        self._loaded: dict[int, Table] = {}

    def sheet(self, index: int) -> Table:
        if index not in self._loaded:
            self._loaded[index] = self._load(index)
        return self._loaded[index]

    def first(self) -> Table:
        return self.sheet(0)

    @property
    def tables(self) -> Iterator[Table]:
        return (self.sheet(index) for index in range(len(self.names)))


Source = Path | str | IO[bytes]


def open_workbook(source: Source, *, limits: Limits, in_pieces: bool = False) -> Workbook:
    """The sheets of an uploaded file, or SheetRefused. `source` is a path or a binary file object
    (a Django upload): a file object is read as a whole only after its size passed the cap.

    `in_pieces`: the first sheet of an .xlsx is read piece by piece (`Table.iter_pieces`, villages.pieces)
    where its XML has the usual shape, so that the reader's memory is bounded by a piece."""
    data, path = _bytes_or_path(source, limits)
    head = data[:8] if data is not None else _head(path)
    if not head:
        raise SheetRefused("文件是空的(0 字节),请重新选择文件。")
    if head.startswith(ZIP_MAGIC):
        return _open_xlsx(data, path, limits, in_pieces=in_pieces)
    if head.startswith(OLE_MAGIC):
        raw = data if data is not None else path.read_bytes()
        if ENCRYPTED_PACKAGE in raw:
            raise SheetRefused(
                "文件设有打开密码,系统无法读取。请在 Excel 中取消密码(文件→信息→保护工作簿)后重新上传。"
            )
        raise SheetRefused("这是旧版 Excel(.xls)文件,请在 Excel 中“另存为”Excel 工作簿(.xlsx)后重新上传。")
    name = str(path) if path is not None else str(getattr(source, "name", "") or "")
    if not name.lower().endswith(".csv"):
        # A text file renamed .xlsx is a mistake to name, not a CSV to guess at.
        raise SheetRefused(
            "无法读取该文件:内容不是 Excel 工作簿。请用 Excel 打开后“另存为”.xlsx;若是 CSV 文件,请保留 .csv 扩展名上传。"
        )
    raw = data if data is not None else path.read_bytes()
    return _open_csv(raw, limits)


def _bytes_or_path(source: Source, limits: Limits) -> tuple[bytes | None, Path | None]:
    too_big = f"文件超过 {limits.max_mb} MB 上限,请检查是否选错了文件,或分成几个文件上传。"
    if isinstance(source, str | Path):
        path = Path(source)
        if path.stat().st_size > limits.max_bytes:
            raise SheetRefused(too_big)
        return None, path
    size = getattr(source, "size", None)  # what Django knows of the upload, before reading it
    if size is not None and size > limits.max_bytes:
        raise SheetRefused(too_big)
    if hasattr(source, "seek"):
        source.seek(0)
    data = source.read(limits.max_bytes + 1)
    if len(data) > limits.max_bytes:
        raise SheetRefused(too_big)
    return data, None


def _head(path: Path) -> bytes:
    with path.open("rb") as handle:
        return handle.read(8)


# ------------------------------------------------------------------------------------------------ xlsx

_SHEET_ENTRY = re.compile(rb"<(?:\w+:)?sheet\b[^>]*?\br:id=\"([^\"]+)\"")
_REL = re.compile(rb"<Relationship\b[^>]*>")
_ATTR = re.compile(rb"(\w+)=\"([^\"]*)\"")
# Worksheet XML may carry a namespace prefix (<x:row>, <x:c>); every pattern allows one.
# A row: self-closing (empty, first alternative, so it never swallows the next row), or with its
# content up to its end tag. One match per row, not per cell.
_ROW = re.compile(rb"<(?:\w+:)?row\b([^>]*?)/>|<(?:\w+:)?row\b([^>]*)>(.*?)</(?:\w+:)?row>", re.S)
_ROW_END_BEFORE = re.compile(rb"</(?:\w+:)?$")
_ROW_NUMBER = re.compile(rb"\br=\"(\d+)\"")
_FILLED_CELL_REF = re.compile(rb"<(?:\w+:)?c\b[^>]*?\br=\"([A-Z]+)(\d+)\"[^>]*(?<!/)>")
_OPEN_CELL = re.compile(rb"<(?:\w+:)?c(?:\s[^>]*)?(?<!/)>")
_FORMULA = re.compile(
    rb"<(?:\w+:)?c\b[^>]*?\br=\"([A-Z]+\d+)\"[^>]*(?<!/)>(?:(?!</(?:\w+:)?c>).)*?<(?:\w+:)?f[\s>/]", re.S
)
# The quick pass: only the usual shape (no prefix, r="…" first), searched with literal prefixes.
_ANY_FORMULA = re.compile(rb"<(?:\w+:)?f[\s>/]")
_CELL_ROW = re.compile(rb'<c r="[A-Z]{1,3}(\d+)')
_ROW_TAG = re.compile(rb'<row r="(\d+)"')
_PAST_Z = re.compile(rb'<c r="[A-Z]{2}')
_ODD_CELL = re.compile(rb'<c(?:[>/]|\s(?!r="))')  # a cell whose first attribute is not its reference
_TWO_LETTERS = re.compile(rb'<c r="([A-Z]{2})\d')
_THREE_LETTERS = re.compile(rb'<c r="[A-Z]{3}')
_HAS_VALUE = re.compile(rb"<(?:\w+:)?(?:v|is)[\s>]")
_LONG_TEXT = re.compile(rb">([^<]{%d,})<" % (EXCEL_CELL_LIMIT + 1))
_DTD = re.compile(rb"<!DOCTYPE|<!ENTITY")


def _open_xlsx(data: bytes | None, path: Path | None, limits: Limits, *, in_pieces: bool) -> Workbook:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data) if data is not None else path)
    except (zipfile.BadZipFile, OSError, ValueError):
        raise SheetRefused("文件已损坏或不是 Excel 文件,请用 Excel 重新保存为 .xlsx 后上传。") from None
    with archive:
        infos = {info.filename: info for info in archive.infolist()}
        declared = sum(info.file_size for info in infos.values())
        if len(infos) > 10_000 or declared > limits.max_uncompressed:
            raise SheetRefused(
                f"文件解压后超过 {limits.max_uncompressed >> 20} MB 上限(可能是“压缩炸弹”),系统未读取。"
                "请只保留需要导入的工作表和数据后重新上传。"
            )
        if any(info.flag_bits & 0x1 for info in infos.values()):
            raise SheetRefused("文件设有密码,系统无法读取。请在 Excel 中取消密码后重新上传。")
        if "xl/workbook.xml" not in infos:
            raise SheetRefused("文件不是 Excel 工作簿(.xlsx),请用 Excel 另存为 .xlsx 后上传。")
        sheet_paths = _sheet_paths(archive)
        if not sheet_paths:
            raise SheetRefused("工作簿中没有工作表。")
        usual: dict[str, tuple[bool, int]] = {}  # sheet part → (usual shape, last row seen)
        for part in ("xl/sharedStrings.xml", *sheet_paths):
            if part in infos:
                usual[part] = _scan_part(archive, part, limits, is_sheet=part != "xl/sharedStrings.xml")
        first = sheet_paths[0]
        if in_pieces and usual.get(first, (False, 0))[0]:
            # Every part but the worksheets (and pictures) goes into each piece: calamine reads them.
            parts = {
                name: archive.read(name)
                for name in infos
                if name not in sheet_paths and not name.startswith("xl/media/") and not name.endswith("/")
            }
    # Every part passed: the reader may load it now.
    broken = "文件已损坏,无法读取,请用 Excel 重新保存为 .xlsx 后上传。"
    try:
        book = (
            CalamineWorkbook.from_filelike(io.BytesIO(data))
            if data is not None
            else CalamineWorkbook.from_path(str(path))
        )
    except (CalamineError, OSError, ValueError):
        raise SheetRefused(broken) from None

    def load(index: int) -> Table:
        if index == 0 and in_pieces and usual.get(first, (False, 0))[0]:
            return _table_in_pieces(
                book.sheet_names[0], data, path, first, sheet_paths, parts, usual[first][1]
            )
        try:
            sheet = book.get_sheet_by_index(index)
        except (CalamineError, OSError, ValueError):
            raise SheetRefused(broken) from None
        start = sheet.start or (0, 0)

        def rows() -> Iterator[list]:
            # python-calamine 0.9's iter_rows starts at row 0, not at `start` (its columns do start
            # there): the empty rows above the first value would shift every row number by start's row.
            return itertools.islice(sheet.iter_rows(), start[0], None)

        return Table(book.sheet_names[index], start, sheet.height, sheet.width, rows)

    return Workbook(list(book.sheet_names), load)


def _table_in_pieces(
    name: str,
    data: bytes | None,
    path: Path | None,
    part: str,
    sheet_paths: list[str],
    parts: dict[str, bytes],
    last_row: int,
) -> Table:
    def blocks() -> Iterator[tuple[bytes, bool]]:
        with zipfile.ZipFile(io.BytesIO(data) if data is not None else path) as archive:
            yield from _blocks(archive, part, is_sheet=True)

    def pieces() -> Iterator[Piece]:
        try:
            yield from read_pieces(
                blocks, sheet_part=part, other_sheets=sheet_paths[1:], parts=parts, index=0
            )
        except PieceError as error:
            raise SheetRefused(str(error)) from None

    def whole() -> Iterator[list]:
        raise TypeError("a sheet read in pieces has only iter_pieces()")

    return Table(name, (0, 0), last_row, 0, whole, pieces)


def _sheet_paths(archive: zipfile.ZipFile) -> list[str]:
    """The worksheets' parts in the workbook's order (the order calamine indexes them)."""
    workbook = _small_part(archive, "xl/workbook.xml")
    rels = _small_part(archive, "xl/_rels/workbook.xml.rels")
    targets: dict[bytes, str] = {}
    for match in _REL.finditer(rels):
        attrs = dict(_ATTR.findall(match.group(0)))
        target = attrs.get(b"Target", b"").decode("utf-8", "replace")
        target = target.lstrip("/") if target.startswith("/") else f"xl/{target}"
        targets[attrs.get(b"Id", b"")] = target
    return [targets[rid] for rid in _SHEET_ENTRY.findall(workbook) if rid in targets]


def _small_part(archive: zipfile.ZipFile, name: str) -> bytes:
    try:
        info = archive.getinfo(name)
    except KeyError:
        return b""
    if info.file_size > 4 << 20:
        raise SheetRefused("工作簿结构异常(目录部分过大),系统未读取。")
    return archive.read(name)


def _chunks(archive: zipfile.ZipFile, name: str) -> Iterator[bytes]:
    """The part inflated chunk by chunk; zipfile never yields more than the declared size."""
    try:
        with archive.open(name) as handle:
            while chunk := handle.read(CHUNK):
                yield chunk
    except (zipfile.BadZipFile, OSError, EOFError, ValueError):
        raise SheetRefused("文件已损坏(压缩数据与目录不符),请用 Excel 重新保存为 .xlsx 后上传。") from None


@dataclass
class _Extent:
    rows: int = 0
    columns: int = 0
    row: int = 0  # the last row seen, for rows without an r attribute
    formulas: list[str] | None = None
    formula_count: int = 0


def _scan_part(archive: zipfile.ZipFile, name: str, limits: Limits, *, is_sheet: bool) -> tuple[bool, int]:
    """Streaming passes over one part: XML bombs, over-long cells and, in a worksheet, formulas and the
    extent. The first pass is cheap — C-level searches over each 1 MB chunk, no work per row or cell —
    and gives an upper bound of the extent (a row with only formatted empty cells counts). Only when
    that bound is over a cap, or the XML is of an unusual shape (namespace prefixes, cells without a
    reference first), a second, exact pass looks at every row; it refuses only what is really too big.
    Returns whether the part has the usual shape, and the last row any cell names."""
    quick = _Extent(formulas=[])
    unusual = False
    for index, (block, _) in enumerate(_blocks(archive, name, is_sheet=is_sheet)):
        if index == 0 and _DTD.search(block[:4096]):
            raise SheetRefused("文件含有不允许的 XML 声明(DTD),系统未读取。")
        _check_texts(block)
        if not is_sheet:
            continue
        if b"<f" in block:  # one scan; the regex then names the formula cells, if any
            _collect_formulas(block, quick)
        unusual = unusual or _unusual(block)
        _bound(block, quick)
    if not is_sheet:
        return False, 0
    _refuse_formulas(quick)
    if not unusual and _within(quick, limits):
        return True, quick.rows
    exact = _Extent(formulas=[])
    for block, last in _blocks(archive, name, is_sheet=True):
        if _ANY_FORMULA.search(block):
            _collect_formulas(block, exact)
        _measure(block + b"</row>" if last else block, exact, limits)  # an unclosed last row counts
    _refuse_formulas(exact)
    return not unusual, exact.rows


def _refuse_formulas(extent: _Extent) -> None:
    if extent.formula_count:
        cells = "、".join(extent.formulas)
        more = f"等 {extent.formula_count} 个单元格" if extent.formula_count > len(extent.formulas) else ""
        raise SheetRefused(
            f"表中 {cells}{more}是公式。导入只接受数值和文字:请在 Excel 中复制这些列,"
            "“选择性粘贴→数值”后保存,再上传。"
        )


def _blocks(archive: zipfile.ZipFile, name: str, *, is_sheet: bool) -> Iterator[tuple[bytes, bool]]:
    """The part in blocks that cut nothing in two: after the last whole row (a worksheet) or before
    the last tag (other parts). The last block, flagged True, is what no end tag closed."""
    carry = b""
    for chunk in _chunks(archive, name):
        buffer = carry + chunk
        if len(buffer) > 64 << 20:  # one row (or one text) longer than 64 MB: nothing real looks so
            raise SheetRefused(CELL_TOO_LONG)
        cut = _after_last_row(buffer) if is_sheet else max(buffer.rfind(b"<"), 0)
        if cut:
            yield buffer[:cut], False
        carry = buffer[cut:]
    if carry:
        yield carry, True


def _unusual(block: bytes) -> bool:
    """Namespace prefixes, or cells whose reference is not their first attribute (or is missing)."""
    if b":row" in block or b":c " in block or b":c>" in block:
        return True
    return _ODD_CELL.search(block) is not None  # one pass, where counting four spellings took four


def _bound(block: bytes, extent: _Extent) -> None:
    """The highest row and column any cell reference names, C-level only. Cell references, not the
    rows' r attributes: calamine places a cell by its own reference (<row r="1"><c r="A1048576">
    is row 1,048,576), so that is what sizes its range."""
    extent.rows = max(extent.rows, _highest_row(block))
    if _PAST_Z.search(block) is None:  # the usual roster: columns A–Z, one search instead of two
        if b'<c r="' in block:
            extent.columns = max(extent.columns, 26)
    elif _THREE_LETTERS.search(block):
        extent.columns = max(extent.columns, 703)  # past ZZ: past every cap
    elif wide := _TWO_LETTERS.findall(block):
        extent.columns = max(extent.columns, _column_number(max(wide)))  # same length: max() is numeric


def _highest_row(block: bytes) -> int:
    """The highest row any cell reference names. Cheaply where the cells sit in rows numbered in the
    usual way: the highest row's r, once one search found no cell reference past it (10 million
    cells: one match attempt each instead of one number each); otherwise every reference's number."""
    tags = _ROW_TAG.findall(block)
    if tags:
        highest = max(map(int, tags))
        if _row_past(highest).search(block) is None:
            return highest
    numbers = _CELL_ROW.findall(block)
    return max(map(int, numbers)) if numbers else 0


def _row_past(row: int) -> re.Pattern[bytes]:
    """A cell reference whose row number is greater than `row`: more digits, or as many digits and a
    greater digit after a common start."""
    digits = str(row).encode()
    width = len(digits)
    greater = [rb"[1-9]\d{%d,}" % width]
    for at in range(width):
        if digits[at] < ord("9"):
            greater.append(digits[:at] + b"[%c-9]" % (digits[at] + 1) + rb"\d{%d}" % (width - at - 1))
    return re.compile(rb'<c r="[A-Z]{1,3}0*(?:' + b"|".join(greater) + rb')"')


def _within(extent: _Extent, limits: Limits) -> bool:
    return (
        extent.rows <= limits.max_rows
        and extent.columns <= limits.max_columns
        and extent.rows * extent.columns <= limits.max_cells
    )


def _collect_formulas(block: bytes, extent: _Extent) -> None:
    for ref in _FORMULA.findall(block):
        extent.formula_count += 1
        if len(extent.formulas) < 5:
            extent.formulas.append(ref.decode())


def _check_texts(block: bytes) -> None:
    """Text longer than Excel allows in a cell: bytes first (cheap), then characters where it matters."""
    if len(block) <= EXCEL_CELL_LIMIT:
        return
    for match in _LONG_TEXT.finditer(block):
        text = match.group(1)
        if len(text) > EXCEL_CELL_LIMIT * 4 or len(text.decode("utf-8", "replace")) > EXCEL_CELL_LIMIT:
            raise SheetRefused(CELL_TOO_LONG)


def _after_last_row(buffer: bytes) -> int:
    """The offset just after the last row end tag (</row> or </x:row>) in `buffer`, or 0."""
    end = len(buffer)
    while (at := buffer.rfind(b"row>", 0, end)) >= 0:
        if _ROW_END_BEFORE.search(buffer, max(0, at - 40), at):
            return at + len(b"row>")
        end = at
    return 0


def _measure(block: bytes, extent: _Extent, limits: Limits) -> None:
    for match in _ROW.finditer(block):
        empty_attrs, attrs, content = match.groups()
        number = _ROW_NUMBER.search(attrs if empty_attrs is None else empty_attrs)
        extent.row = int(number.group(1)) if number else extent.row + 1
        if empty_attrs is not None or not _HAS_VALUE.search(content):
            continue  # an empty (formatted) row: calamine skips it, so does the count
        last_row, width = _row_extent(content, extent.row)
        extent.rows = max(extent.rows, last_row)
        extent.columns = max(extent.columns, width)
        if extent.rows > limits.max_rows:
            raise SheetRefused(
                f"表格有数据的行达到第 {extent.rows:,} 行,超过上限 {limits.max_rows:,} 行,系统未读取。"
                "请删除多余的行,或分成几个文件上传。"
            )
        if extent.columns > limits.max_columns:
            raise SheetRefused(
                f"表格有数据的列达到第 {extent.columns:,} 列,超过上限 {limits.max_columns} 列,系统未读取。"
                "请删除多余的列后上传。"
            )
        if extent.rows * extent.columns > limits.max_cells:
            raise SheetRefused(
                f"表格范围({extent.rows:,} 行 × {extent.columns} 列)超过上限 {limits.max_cells:,} 个单元格,"
                "系统未读取。请删除多余的行列,或分成几个文件上传。"
            )


def _row_extent(content: bytes, row: int) -> tuple[int, int]:
    """The highest row and column the cells of one row hold a value in. A cell's own reference places
    it (whatever the row's r says); cells without one follow the cell before, from column A of `row`.
    Self-closing cells (<c r="Z9" s="1"/>, formatted but empty) are left out, as calamine leaves them."""
    refs = _FILLED_CELL_REF.findall(content)
    cells = len(_OPEN_CELL.findall(content))  # cells that can hold a value (not self-closing)
    if not refs:
        return row, max(cells, 0)
    letters = [ref[0] for ref in refs]
    longest = len(max(letters, key=len))
    widest = max(letters) if longest == 1 else max(x for x in letters if len(x) == longest)
    last_row = max(row, max(int(ref[1]) for ref in refs))
    # Cells without a reference continue from the one before: at most one column each past the widest.
    return last_row, _column_number(widest) + max(cells - len(refs), 0)


def _column_number(letters: bytes) -> int:
    number = 0
    for letter in letters:
        number = number * 26 + letter - 64
    return number


# ------------------------------------------------------------------------------------------------- csv


def _open_csv(raw: bytes, limits: Limits) -> Workbook:
    """Text in UTF-8 (with or without BOM) or GB18030 (a superset of GBK), comma- or tab-separated.

    The rows are counted in a first pass and read again, row by row, when the importer walks them:
    only the file's bytes stay in memory."""
    if b"\x00" in raw[:4096]:
        raise SheetRefused("文件不是 Excel(.xlsx)或 CSV 表格,请用 Excel 另存为 .xlsx 后上传。")
    encoding = None
    for candidate in ("utf-8-sig", "gb18030"):
        try:
            sample = raw.decode(candidate)[:8192]
        except UnicodeDecodeError:
            continue
        encoding = candidate
        break
    if encoding is None:
        raise SheetRefused(
            "无法识别文件的文字编码(只支持 UTF-8 和 GBK 的 CSV),请用 Excel 另存为 .xlsx 后上传。"
        )
    try:
        dialect: type[csv.Dialect] | csv.Dialect = csv.Sniffer().sniff(sample, delimiters=",\t;")
    except csv.Error:
        dialect = csv.excel

    def reader() -> Iterator[list[str]]:
        text = io.TextIOWrapper(io.BytesIO(raw), encoding=encoding, newline="")
        return csv.reader(text, dialect)

    height = width = 0
    try:
        for number, row in enumerate(reader(), start=1):
            if any(cell.strip() for cell in row):
                height = number
                width = max(width, len(row))
            if height > limits.max_rows:
                raise SheetRefused(f"表格超过上限 {limits.max_rows:,} 行,系统未读取。请分成几个文件上传。")
            if width > limits.max_columns:
                raise SheetRefused(f"表格有 {width} 列,超过上限 {limits.max_columns} 列,系统未读取。")
            if any(len(cell) > EXCEL_CELL_LIMIT for cell in row):
                raise SheetRefused(CELL_TOO_LONG)
    except csv.Error as error:
        if "field larger" in str(error):  # the csv module's own cap (128 KB a field) speaks first
            raise SheetRefused(CELL_TOO_LONG) from None
        raise SheetRefused("CSV 文件格式有误(如引号不成对),请用 Excel 另存为 .xlsx 后上传。") from None

    def rows() -> Iterator[list]:
        for _, row in zip(range(height), reader(), strict=False):
            yield row + [""] * (width - len(row))

    return Workbook(["CSV"], lambda index: Table("CSV", (0, 0), height, width, rows))


__all__ = ["AREA_SHEET", "ROSTER", "Limits", "SheetRefused", "Table", "Workbook", "open_workbook"]
