"""Small 花名册 files for the import tests, written with openpyxl as a county clerk's Excel would."""

from __future__ import annotations

from pathlib import Path

from openpyxl import Workbook

from tests.factories import id_number_for

# 户编号 as the national system writes them: digits, a 村民小组 code and a serial.
H1, H2, H3, H4 = (f"530323101001001{serial:04d}" for serial in range(1, 5))

HEADERS = [
    "县", "乡", "行政村", "自然村", "户编号", "人编号", "姓名", "证件号码", "人数", "与户主关系", "民族",
    "健康状况", "参加大病医疗", "贫困户属性", "主要致贫原因", "危房户", "人均纯收入", "联系电话",
]  # fmt: skip


def person(number: str, seq: int, relation: str = "户主", *, persons: int = 2, **values) -> dict:
    row = {
        "县": "师宗县",
        "乡": "丹凤镇",
        "行政村": "山龙村",
        "自然村": "大寨组",
        "户编号": number,
        "姓名": f"成员{seq}",
        "证件号码": id_number_for(seq),
        "人数": persons,
        "与户主关系": relation,
        "民族": "汉族",
        "健康状况": "健康",
        "参加大病医疗": "是",
        "贫困户属性": "一般贫困户",
        "主要致贫原因": "因病",
        "危房户": "否",
        "人均纯收入": 2100.5,
        "联系电话": "13800001111",
    }
    row.update(values)
    return row


def family(number: str, first_seq: int, size: int = 2, **values) -> list[dict]:
    relations = ["户主", "配偶", "之子", "之女", "之子"]
    return [person(number, first_seq + i, relations[i], persons=size, **values) for i in range(size)]


def write_roster(
    path: Path, rows: list[dict | None], *, headers: list[str] | None = None, title: bool = True
) -> Path:
    """None in `rows` is a blank row. With `title`, a merged title row sits above the header row."""
    headers = headers or HEADERS
    book = Workbook()
    sheet = book.active
    if title:
        sheet.append(["师宗县建档立卡贫困人口花名册"])
        sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(headers))
    sheet.append(headers)
    for row in rows:
        sheet.append([] if row is None else [row.get(h) for h in headers])
    book.save(path)
    return path
