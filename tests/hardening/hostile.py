"""Hostile and broken spreadsheets, built byte by byte so each one is exactly the attack it names."""

from __future__ import annotations

import struct
import zipfile
from pathlib import Path

CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>'
)
ROOT_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?><Relationships '
    'xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
    'Target="xl/workbook.xml"/></Relationships>'
)
WORKBOOK = (
    '<?xml version="1.0" encoding="UTF-8"?><workbook '
    'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    '<sheets><sheet name="花名册" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?><Relationships '
    'xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" '
    'Target="worksheets/sheet1.xml"/></Relationships>'
)
SHEET_HEAD = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
)


def text_cell(ref: str, text: str) -> str:
    return f'<c r="{ref}" t="inlineStr"><is><t>{text}</t></is></c>'


def header_row() -> str:
    cells = [
        text_cell(f"{col}1", name) for col, name in zip("ABC", ["户编号", "姓名", "证件号码"], strict=True)
    ]
    return f'<row r="1">{"".join(cells)}</row>'


def xlsx(path: Path, rows_xml: str, *, dimension: str | None = None, padding: int = 0) -> Path:
    """A minimal workbook whose first sheet's <sheetData> is `rows_xml`."""
    dim = f'<dimension ref="{dimension}"/>' if dimension else ""
    # Incompressible-looking padding in a comment makes a file of a chosen size (the "36 KB" file).
    pad = f"<!-- {''.join(chr(0x4E00 + (i * 7919) % 20000) for i in range(padding))} -->" if padding else ""
    sheet = f"{SHEET_HEAD}{dim}{pad}<sheetData>{rows_xml}</sheetData></worksheet>"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", CONTENT_TYPES)
        archive.writestr("_rels/.rels", ROOT_RELS)
        archive.writestr("xl/workbook.xml", WORKBOOK)
        archive.writestr("xl/_rels/workbook.xml.rels", WORKBOOK_RELS)
        archive.writestr("xl/worksheets/sheet1.xml", sheet)
    return path


def far_cell(path: Path) -> Path:
    """Issue 13's 36 KB file: a header and one cell at XFD1048576 (the reader would allocate the range)."""
    return xlsx(path, header_row() + f'<row r="1048576">{text_cell("XFD1048576", "x")}</row>', padding=11000)


def zip_bomb(path: Path, *, megabytes: int) -> Path:
    """A real bomb: the sheet XML is `megabytes` MB of whitespace, deflated to about 1/1000 of that."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        archive.writestr("[Content_Types].xml", CONTENT_TYPES)
        archive.writestr("_rels/.rels", ROOT_RELS)
        archive.writestr("xl/workbook.xml", WORKBOOK)
        archive.writestr("xl/_rels/workbook.xml.rels", WORKBOOK_RELS)
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as sheet:
            sheet.write(f"{SHEET_HEAD}<sheetData>{header_row()}".encode())
            blank = b" " * (1 << 20)
            for _ in range(megabytes):
                sheet.write(blank)
            sheet.write(b"</sheetData></worksheet>")
    return path


def lying_bomb(path: Path, *, megabytes: int) -> Path:
    """A bomb whose zip directory lies: the sheet declares 1,000 bytes and inflates to `megabytes` MB."""
    xlsx(path, header_row() + '<row r="2">' + text_cell("A2", " " * (megabytes << 20)) + "</row>")
    data = bytearray(path.read_bytes())
    name = b"xl/worksheets/sheet1.xml"
    for signature, size_at, name_at in ((b"PK\x03\x04", 22, 30), (b"PK\x01\x02", 24, 46)):
        start = 0
        while (start := data.find(signature, start)) >= 0:
            name_length = struct.unpack_from("<H", data, start + (26 if signature == b"PK\x03\x04" else 28))[
                0
            ]
            if data[start + name_at : start + name_at + name_length] == name:
                struct.pack_into("<I", data, start + size_at, 1000)
            start += 4
    path.write_bytes(bytes(data))
    return path


def empty_formatted_rows(path: Path, count: int = 200_000) -> Path:
    """What Excel writes when someone formats whole rows: a header and `count` styled rows with no value."""
    blank = "".join(f'<row r="{i}" s="1" customFormat="1"/>' for i in range(3, count + 3))
    data = f'<row r="2">{text_cell("A2", "530323101201001001")}{text_cell("B2", "张三")}</row>'
    return xlsx(path, header_row() + data + blank)


def formula_cells(path: Path) -> Path:
    row = f'<row r="2">{text_cell("A2", "1")}<c r="B2" t="str"><f>HYPERLINK("http://x","张三")</f><v>张三</v></c></row>'
    return xlsx(path, header_row() + row)


def long_cell(path: Path, characters: int = 1_000_000) -> Path:
    return xlsx(path, header_row() + f'<row r="2">{text_cell("B2", "名" * characters)}</row>')


def encrypted(path: Path) -> Path:
    """The shape of an .xlsx with an opening password: an OLE compound file holding "EncryptedPackage"."""
    name = "EncryptedPackage".encode("utf-16-le")
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504 + name + b"\x00" * 2048)
    return path


def old_xls(path: Path) -> Path:
    path.write_bytes(
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504 + "Workbook".encode("utf-16-le") + b"\x00" * 2048
    )
    return path
