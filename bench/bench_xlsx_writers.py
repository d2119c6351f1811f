"""Which xlsx writer, and which split, for the whole-county 村有册 (two sheets: 户 and 人).

    .venv/bin/pip install pyexcelerate==0.13.0 rustpy-xlsxwriter==0.8.0   # others: rvgsrust-xlsxwriter xlpp wolfxl …
    .venv/bin/python bench/bench_xlsx_writers.py [--households 100000] [--persons 400000] [--repeat 3]
        [--writers generate,openpyxl,xlsxwriter,...] [--splits marshal,xmlpart,xmlzip] [--single-xml]
    .venv/bin/python bench/bench_xlsx_writers.py --households 2000 --persons 8000 --repeat 1 --check-openpyxl
    .venv/bin/python bench/bench_xlsx_writers.py fetch --pg postgres://postgres@127.0.0.1:5432/postgres

Standalone (no Django). The rows are synthetic but shaped like the register: per township (the demo
county's eight 2012 townships, uneven, the biggest 30 %), 户 rows of 22 columns and 人 rows of 22 columns
with 18-digit ID numbers (valid check digit), 11-digit phones and 19-digit bank accounts that must stay
text, Chinese names, area names and choices, small ints, 2-decimal floats (the export casts numeric to
float8 in SQL), dates as text, causes joined into one text. A fixed seed per (sheet, township) makes the
rows reproducible, so a part can be regenerated anywhere and the result checked row by row.

Each measurement runs in a fresh process, the candidates interleaved round by round (the box is a shared,
noisy 2-core machine: compare within a round), and reports wall seconds and peak RSS (ru_maxrss of the
process and of the pool workers it waited for). "generate" alone is the cost of making the rows, the stand-in
for fetching them from PostgreSQL (`fetch` measures that fetch itself against a TEMP table).

Every file is read back with python-calamine and a sample of rows compared (ID numbers as text, Chinese
text, numbers, blanks); --check-openpyxl also reads every row back with openpyxl (use small sizes).

Splits (8 townships × 2 sheets = 16 parts, biggest first, on a pool of 2 processes, then one join):
  marshal  parts are marshal'd row tuples; the join feeds them to one compiled writer (--join-writer)
  xmlpart  parts are worksheet <row> fragments (inline strings, no r attributes) deflated with a sync flush;
           the join concatenates them into a zip written here (crc32 combined, no recompression)
  xmlzip   parts are plain <row> fragments; the join streams them through zipfile (deflate level 1)
"""

from __future__ import annotations

import argparse
import datetime
import json
import marshal
import os
import random
import resource
import statistics
import struct
import subprocess
import sys
import time
import zlib
from collections.abc import Callable, Iterable, Iterator

SEED = 2012

# The 2012 annex's eight townships (丹凤镇 is today's 丹凤/漾月/大同 街道), share of the county's rows.
TOWNSHIPS = [
    ("530323001", "丹凤镇", 0.30),
    ("530323102", "雄壁镇", 0.15),
    ("530323103", "葵山镇", 0.13),
    ("530323104", "彩云镇", 0.11),
    ("530323105", "竹基镇", 0.10),
    ("530323202", "龙庆彝族壮族乡", 0.08),
    ("530323203", "五龙壮族乡", 0.07),
    ("530323204", "高良壮族苗族瑶族乡", 0.06),
]

HOUSEHOLD_HEADER = [
    "户编号", "县", "乡镇", "行政村", "村民小组", "户主姓名", "户主身份证号", "家庭人口", "联系电话", "开户银行",
    "银行账号", "贫困户属性", "识别标准", "主要致贫原因", "其他致贫原因", "人均纯收入(元)", "耕地面积(亩)",
    "住房面积(㎡)", "是否危房", "识别日期", "脱贫年度", "帮扶责任人",
]  # fmt: skip
PERSON_HEADER = [
    "户编号", "乡镇", "行政村", "村民小组", "姓名", "性别", "身份证号", "与户主关系", "民族", "出生日期", "年龄",
    "文化程度", "在校生状况", "健康状况", "劳动技能", "务工状况", "务工时间(月)", "参加新农合", "参加养老保险",
    "现役军人", "残疾证号", "联系电话",
]  # fmt: skip
SHEETS = [("户", HOUSEHOLD_HEADER), ("人", PERSON_HEADER)]
ID_COLUMN = {"户": 6, "人": 6}  # the 18-digit ID number, which must come back as text

SURNAMES = (
    "王王王李李李张张张刘刘陈陈杨杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董潘袁蔡蒋余于杜叶程"
    "魏苏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武"
)
GIVEN = (
    "国建华明文志永成海平云兰芳秀英丽春梅红金荣德富贵林山福伟娟琼玉琴凤珍光荣发顺祥学勇军兴俊强丽萍艳霞桂仙"
)
VILLAGE_SYLLABLES = "大小新老上下中河山箐龙凤塘冲坝营寨村田湾岩松竹桃李马牛羊鸡水石沙白黑红黄青高矮长"
CAUSES = ["因病", "因残", "因学", "因灾", "缺土地", "缺水", "缺技术", "缺劳力", "缺资金", "交通条件落后", "自身发展动力不足"]  # fmt: skip
ATTRIBUTES = ["一般贫困户"] * 6 + ["低保贫困户"] * 3 + ["特困供养贫困户"]
RELATIONS = ["之子", "之女", "配偶", "之孙子", "之孙女", "之父", "之母", "之儿媳", "之女婿", "其他"]
ETHNICITIES = ["汉族"] * 7 + ["彝族", "壮族", "苗族", "瑶族"]
EDUCATION = ["文盲或半文盲", "小学", "小学", "初中", "初中", "高中", "大专及以上"]
SCHOOL = ["非在校生"] * 8 + ["小学", "初中", "高中", "中职"]
HEALTH = ["健康"] * 7 + ["长期慢性病", "患有大病", "残疾"]
SKILL = ["普通劳动力"] * 5 + ["技能劳动力", "丧失劳动力", "无劳动力"]
WORK = ["", "", "乡(镇)内务工", "乡(镇)外县内务工", "县外省内务工", "省外务工"]
BANKS = ["师宗县农村信用合作联社", "中国邮政储蓄银行师宗县支行", "中国农业银行师宗县支行"]
ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
ID_CHECK = "10X98765432"
CN_NUM = "一二三四五六七八九十"


# --------------------------------------------------------------------------------------------- rows


def township_sizes(total: int) -> list[int]:
    sizes = [int(total * share) for _, _, share in TOWNSHIPS]
    sizes[0] += total - sum(sizes)
    return sizes


def _name(rnd: Callable[[], float]) -> str:
    s = SURNAMES[int(rnd() * len(SURNAMES))]
    g = GIVEN[int(rnd() * len(GIVEN))]
    return s + g + GIVEN[int(rnd() * len(GIVEN))] if rnd() < 0.7 else s + g


def _id_number(birth: datetime.date, seq: int) -> str:
    body = f"530323{birth:%Y%m%d}{seq % 1000:03d}"
    return body + ID_CHECK[sum(int(c) * w for c, w in zip(body, ID_WEIGHTS, strict=True)) % 11]


def _villages(t: int) -> list[tuple[str, str, list[str]]]:
    """(village code, name, group names) of a township, the same for both sheets."""
    rng = random.Random(SEED * 1000 + t)
    code = TOWNSHIPS[t][0]
    out = []
    for v in range(rng.randint(10, 18)):
        name = "".join(rng.choice(VILLAGE_SYLLABLES) for _ in range(2)) + "村委会"
        groups = [
            f"第{CN_NUM[g]}村民小组" if g < 10 else f"第十{CN_NUM[g - 10]}村民小组"
            for g in range(rng.randint(4, 12))
        ]
        out.append((f"{code}{v + 1:03d}", name, groups))
    return out


def household_rows(t: int, n: int) -> Iterator[tuple]:
    rng = random.Random(SEED * 10 + t)
    rnd = rng.random
    county_name, township = "师宗县", TOWNSHIPS[t][1]
    villages = _villages(t)
    base = datetime.date(1930, 1, 1)
    for i in range(n):
        vcode, vname, groups = villages[i * len(villages) // n]
        birth = base + datetime.timedelta(days=int(rnd() * 25000))
        causes = "、".join(CAUSES[int(rnd() * len(CAUSES))] for _ in range(int(rnd() * 3)))
        found = datetime.date(2014, 3, 1) + datetime.timedelta(days=int(rnd() * 700))
        yield (
            f"{vcode}{i:05d}",
            county_name,
            township,
            vname,
            groups[int(rnd() * len(groups))],
            _name(rnd),
            _id_number(birth, i),
            1 + int(rnd() * 6),
            f"1{int(rnd() * 10**10):010d}" if rnd() < 0.8 else None,
            BANKS[int(rnd() * 3)],
            f"62{int(rnd() * 10**17):017d}",
            ATTRIBUTES[int(rnd() * len(ATTRIBUTES))],
            "国家标准",
            CAUSES[int(rnd() * len(CAUSES))],
            causes,
            round(800 + rnd() * 3000, 2),
            round(rnd() * 12, 1),
            round(20 + rnd() * 120, 1),
            "是" if rnd() < 0.15 else "否",
            found.isoformat(),
            (2016 + int(rnd() * 5)) if rnd() < 0.6 else None,
            _name(rnd),
        )


def person_rows(t: int, n: int, households: int) -> Iterator[tuple]:
    rng = random.Random(SEED * 100 + t)
    rnd = rng.random
    township = TOWNSHIPS[t][1]
    villages = _villages(t)
    base = datetime.date(1925, 1, 1)
    for i in range(n):
        h = i * households // max(n, 1)
        vcode, vname, groups = villages[h * len(villages) // max(households, 1)]
        birth = base + datetime.timedelta(days=int(rnd() * 33000))
        age = 2025 - birth.year
        head = i == 0 or (i - 1) * households // n != h
        working = age >= 18 and rnd() < 0.5
        yield (
            f"{vcode}{h:05d}",
            township,
            vname,
            groups[int(rnd() * len(groups))],
            _name(rnd),
            "男" if rnd() < 0.51 else "女",
            _id_number(birth, i),
            "户主" if head else RELATIONS[int(rnd() * len(RELATIONS))],
            ETHNICITIES[int(rnd() * len(ETHNICITIES))],
            birth.isoformat(),
            age,
            EDUCATION[int(rnd() * len(EDUCATION))],
            SCHOOL[int(rnd() * len(SCHOOL))] if age < 25 else "非在校生",
            HEALTH[int(rnd() * len(HEALTH))],
            SKILL[int(rnd() * len(SKILL))],
            WORK[2 + int(rnd() * 4)] if working else "",
            int(rnd() * 12) if working else 0,
            "是" if rnd() < 0.97 else "否",
            "是" if rnd() < 0.8 else "否",
            "否",
            f"5303231{int(rnd() * 10**12):012d}" if rnd() < 0.05 else None,
            f"1{int(rnd() * 10**10):010d}" if head and rnd() < 0.8 else None,
        )


def part_rows(sheet: str, t: int, households: int, persons: int) -> Iterator[tuple]:
    """The rows of one township in one sheet (one part of the split)."""
    hh = township_sizes(households)[t]
    if sheet == "户":
        return household_rows(t, hh)
    return person_rows(t, township_sizes(persons)[t], hh)


def sheet_rows(sheet: str, households: int, persons: int) -> Iterator[tuple]:
    """The rows of one sheet, township by township, as one SELECT … ORDER BY 户编号 would give them."""
    for t in range(len(TOWNSHIPS)):
        yield from part_rows(sheet, t, households, persons)


def workbook_sheets(households: int, persons: int) -> list[tuple[str, list[str], Iterable[tuple]]]:
    return [(name, header, sheet_rows(name, households, persons)) for name, header in SHEETS]


# ------------------------------------------------------------------------------------------ writers
# Each takes (path, [(sheet name, header, rows)]) and streams the rows as they come where it can.


def write_generate_only(path: str, sheets) -> None:
    for _, _, rows in sheets:
        for _ in rows:
            pass


def write_openpyxl(path: str, sheets) -> None:
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    for name, header, rows in sheets:
        ws = wb.create_sheet(name)
        ws.append(header)
        for row in rows:
            ws.append(row)
    wb.save(path)


def write_xlsxwriter(path: str, sheets) -> None:
    import xlsxwriter

    wb = xlsxwriter.Workbook(path, {"constant_memory": True})
    for name, header, rows in sheets:
        ws = wb.add_worksheet(name)
        ws.write_row(0, 0, header)
        for r, row in enumerate(rows, 1):
            ws.write_row(r, 0, row)
    wb.close()


def write_pyexcelerate(path: str, sheets) -> None:
    from pyexcelerate import Workbook

    wb = Workbook()
    for name, header, rows in sheets:
        # pyexcelerate takes a whole 2-D list per sheet: no streaming.
        wb.new_sheet(name, data=[header, *rows])
    wb.save(path)


def write_rustpy(path: str, sheets) -> None:
    from rustpy_xlsxwriter import write_worksheets

    def records(header: list[str], rows: Iterable[tuple]) -> Iterator[dict]:
        for row in rows:
            yield dict(zip(header, row, strict=True))

    # Rows must be dicts keyed by header; a generator is consumed lazily (constant-memory mode).
    write_worksheets([(name, records(header, rows)) for name, header, rows in sheets], path)


def write_rvgsrust(path: str, sheets) -> None:
    from rvgsrust_xlsxwriter import Workbook

    wb = Workbook(path)
    for name, header, rows in sheets:
        ws = wb.add_worksheet(name, constant_memory=True)
        ws.write_row(0, 0, header)
        r, chunk = 1, []
        for row in rows:  # write_rows takes a list of lists, not an iterator: feed it chunks
            chunk.append(list(row))
            if len(chunk) == 5000:
                ws.write_rows(r, 0, chunk)
                r, chunk = r + len(chunk), []
        ws.write_rows(r, 0, chunk)
    wb.close()


def write_xlpp(path: str, sheets) -> None:
    import xlpp

    wb = xlpp.StreamingWorkbookWriter(path)
    for name, header, rows in sheets:
        ws = wb.add_worksheet(name)
        ws.append(header)
        for row in rows:
            ws.append(list(row))
    wb.close()


def write_excelize(path: str, sheets) -> None:
    import excelize

    f = excelize.new_file()
    for k, (name, header, rows) in enumerate(sheets):
        if k == 0:
            f.set_sheet_name("Sheet1", name)
        else:
            f.new_sheet(name)
        sw = f.new_stream_writer(name)
        sw.set_row("A1", list(header))
        for r, row in enumerate(rows, 2):
            sw.set_row(f"A{r}", list(row))
        sw.flush()
    f.save_as(path)
    f.close()


def write_wolfxl(path: str, sheets) -> None:
    from wolfxl import Workbook

    wb = Workbook(write_only=True)
    for name, header, rows in sheets:
        ws = wb.create_sheet(name)
        ws.append(header)
        for row in rows:
            ws.append(row)
    wb.save(path)


def write_fastxlsx(path: str, sheets) -> None:
    import fastxlsx

    wb = fastxlsx.WriteOnlyWorkbook()
    for name, header, rows in sheets:
        ws = wb.create_sheet(name)
        ws.write_row((0, 0), header)
        for r, row in enumerate(rows, 1):
            ws.write_row((r, 0), list(row))
    wb.save(path)


WRITERS: dict[str, Callable] = {
    "generate": write_generate_only,
    "openpyxl": write_openpyxl,
    "xlsxwriter": write_xlsxwriter,
    "pyexcelerate": write_pyexcelerate,
    "rustpy": write_rustpy,
    "rvgsrust": write_rvgsrust,
    "xlpp": write_xlpp,
    "excelize": write_excelize,
    "wolfxl": write_wolfxl,
    "fastxlsx": write_fastxlsx,
}

# ------------------------------------------------------------------------- split: parts, then join


def _pool_run(task: Callable, jobs: list[tuple], processes: int = 2) -> list:
    import multiprocessing

    with multiprocessing.get_context("fork").Pool(processes) as pool:
        out = pool.starmap(task, jobs, chunksize=1)
        pool.close()
        pool.join()
    return out


def _part_jobs(households: int, persons: int, parts_dir: str) -> list[tuple]:
    """Biggest parts first, so that the pool's two processes end together."""
    jobs = [(s, t, households, persons, parts_dir) for s, _ in SHEETS for t in range(len(TOWNSHIPS))]
    size = {"户": township_sizes(households), "人": township_sizes(persons)}
    return sorted(jobs, key=lambda j: -size[j[0]][j[1]])


def _part_path(parts_dir: str, sheet: str, t: int, ext: str) -> str:
    return os.path.join(parts_dir, f"{'hu' if sheet == '户' else 'ren'}-{t}.{ext}")


# (a) marshal parts, one compiled writer joins.


def marshal_part(sheet: str, t: int, households: int, persons: int, parts_dir: str) -> int:
    n = 0
    with open(_part_path(parts_dir, sheet, t, "marshal"), "wb") as f:
        chunk: list[tuple] = []
        for row in part_rows(sheet, t, households, persons):
            chunk.append(row)
            if len(chunk) == 5000:
                marshal.dump(chunk, f)
                n += len(chunk)
                chunk = []
        marshal.dump(chunk, f)
        n += len(chunk)
    return n


def _marshal_rows(path: str) -> Iterator[tuple]:
    with open(path, "rb") as f:
        while True:
            chunk = marshal.load(f)
            yield from chunk
            if len(chunk) < 5000:
                return


def split_marshal(path: str, households: int, persons: int, parts_dir: str, join_writer: str) -> dict:
    t0 = time.perf_counter()
    _pool_run(marshal_part, _part_jobs(households, persons, parts_dir))
    t1 = time.perf_counter()

    def rows(sheet: str) -> Iterator[tuple]:
        for t in range(len(TOWNSHIPS)):
            yield from _marshal_rows(_part_path(parts_dir, sheet, t, "marshal"))

    WRITERS[join_writer](path, [(name, header, rows(name)) for name, header in SHEETS])
    return {"parts_s": round(t1 - t0, 2), "join_s": round(time.perf_counter() - t1, 2)}


# (b) worksheet XML fragments: inline strings, no r attributes (rows and cells follow one another).

_XML_ESCAPE = str.maketrans(
    {"&": "&amp;", "<": "&lt;", ">": "&gt;"} | {c: None for c in range(32) if c not in (9, 10, 13)}
)


def _cell(v) -> str:
    if v is None:
        return "<c/>"
    if isinstance(v, str):
        v = v.translate(_XML_ESCAPE)
        space = ' xml:space="preserve"' if v[:1].isspace() or v[-1:].isspace() else ""
        return f'<c t="inlineStr"><is><t{space}>{v}</t></is></c>'
    if isinstance(v, bool):
        return f'<c t="b"><v>{int(v)}</v></c>'
    return f"<c><v>{v!r}</v></c>"


def rows_xml(rows: Iterable[tuple]) -> Iterator[str]:
    cell = _cell
    for row in rows:
        yield "<row>" + "".join([cell(v) for v in row]) + "</row>"


SHEET_HEAD = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
)
SHEET_TAIL = "</sheetData></worksheet>"


def xml_part(sheet: str, t: int, households: int, persons: int, parts_dir: str, deflate: bool = True) -> dict:
    """Write one part; with deflate, as raw deflate blocks ending on a sync flush (concatenable)."""
    comp = zlib.compressobj(6, zlib.DEFLATED, -15) if deflate else None
    crc = size = 0
    with open(_part_path(parts_dir, sheet, t, "xml.deflate" if deflate else "xml"), "wb") as f:
        buf: list[str] = []
        for i, x in enumerate(rows_xml(part_rows(sheet, t, households, persons)), 1):
            buf.append(x)
            if i % 2000 == 0:
                data = "".join(buf).encode()
                buf = []
                crc, size = zlib.crc32(data, crc), size + len(data)
                f.write(comp.compress(data) if comp else data)
        data = "".join(buf).encode()
        crc, size = zlib.crc32(data, crc), size + len(data)
        f.write(comp.compress(data) + comp.flush(zlib.Z_SYNC_FLUSH) if comp else data)
    return {"sheet": sheet, "t": t, "crc": crc, "size": size}


def xml_part_plain(sheet: str, t: int, households: int, persons: int, parts_dir: str) -> dict:
    return xml_part(sheet, t, households, persons, parts_dir, deflate=False)


def _package_files(sheet_names: list[str]) -> list[tuple[str, str]]:
    """The parts of a minimal SpreadsheetML package, worksheets excluded."""
    ns = "http://schemas.openxmlformats.org"
    sheets_ct = "".join(
        f'<Override PartName="/xl/worksheets/sheet{i}.xml" '
        f'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
        for i in range(1, len(sheet_names) + 1)
    )
    sheet_list = "".join(
        f'<sheet name="{n}" sheetId="{i}" r:id="rId{i}"/>' for i, n in enumerate(sheet_names, 1)
    )
    sheet_rels = "".join(
        f'<Relationship Id="rId{i}" Type="{ns}/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet{i}.xml"/>'
        for i in range(1, len(sheet_names) + 1)
    )
    k = len(sheet_names) + 1
    head = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    return [
        (
            "[Content_Types].xml",
            f'{head}<Types xmlns="{ns}/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
            '<Override PartName="/xl/styles.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
            f"{sheets_ct}</Types>",
        ),
        (
            "_rels/.rels",
            f'{head}<Relationships xmlns="{ns}/package/2006/relationships">'
            f'<Relationship Id="rId1" Type="{ns}/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>'
            "</Relationships>",
        ),
        (
            "xl/workbook.xml",
            f'{head}<workbook xmlns="{ns}/spreadsheetml/2006/main" xmlns:r="{ns}/officeDocument/2006/relationships">'
            f"<sheets>{sheet_list}</sheets></workbook>",
        ),
        (
            "xl/_rels/workbook.xml.rels",
            f'{head}<Relationships xmlns="{ns}/package/2006/relationships">{sheet_rels}'
            f'<Relationship Id="rId{k}" Type="{ns}/officeDocument/2006/relationships/styles" Target="styles.xml"/>'
            "</Relationships>",
        ),
        (
            "xl/styles.xml",
            f'{head}<styleSheet xmlns="{ns}/spreadsheetml/2006/main">'
            '<fonts count="1"><font><sz val="11"/><name val="宋体"/></font></fonts>'
            '<fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill></fills>'
            '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
            '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
            '<cellXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/></cellXfs>'
            '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
            "</styleSheet>",
        ),
    ]


def _gf2_times(mat: list[int], vec: int) -> int:
    s, i = 0, 0
    while vec:
        if vec & 1:
            s ^= mat[i]
        vec >>= 1
        i += 1
    return s


def crc32_combine(crc1: int, crc2: int, len2: int) -> int:
    """zlib's crc32_combine (not exposed by Python's zlib): CRC of A+B from CRC(A), CRC(B), len(B)."""
    if len2 <= 0:
        return crc1
    odd = [0xEDB88320] + [1 << i for i in range(31)]
    even = [_gf2_times(odd, odd[i]) for i in range(32)]
    odd = [_gf2_times(even, even[i]) for i in range(32)]
    while True:
        even = [_gf2_times(odd, odd[i]) for i in range(32)]
        if len2 & 1:
            crc1 = _gf2_times(even, crc1)
        len2 >>= 1
        if not len2:
            break
        odd = [_gf2_times(even, even[i]) for i in range(32)]
        if len2 & 1:
            crc1 = _gf2_times(odd, crc1)
        len2 >>= 1
        if not len2:
            break
    return crc1 ^ crc2


class _RawZip:
    """Just enough of a zip writer to store members whose deflate stream is already made (no zip64)."""

    def __init__(self, path: str) -> None:
        self.f = open(path, "wb")  # noqa: SIM115
        self.entries: list[tuple[str, int, int, int, int]] = []

    def add(self, name: str, crc: int, size: int, compressed: int, chunks: Iterable[bytes]) -> None:
        assert size < 0xFFFFFFFF and compressed < 0xFFFFFFFF, "zip64 not written here"
        offset, raw = self.f.tell(), name.encode()
        # version 20, flag 0x800 (UTF-8 names), deflate, time/date of 1980-01-01
        self.f.write(
            struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0x800, 8, 0, 0x21, crc, compressed, size, len(raw), 0)
        )
        self.f.write(raw)
        written = 0
        for c in chunks:
            self.f.write(c)
            written += len(c)
        assert written == compressed
        self.entries.append((name, crc, size, compressed, offset))

    def add_bytes(self, name: str, data: bytes) -> None:
        comp = zlib.compressobj(6, zlib.DEFLATED, -15)
        body = comp.compress(data) + comp.flush()
        self.add(name, zlib.crc32(data), len(data), len(body), [body])

    def close(self) -> None:
        start = self.f.tell()
        for name, crc, size, compressed, offset in self.entries:
            raw = name.encode()
            self.f.write(
                struct.pack(
                    "<IHHHHHHIIIHHHHHII",
                    0x02014B50,
                    20,
                    20,
                    0x800,
                    8,
                    0,
                    0x21,
                    crc,
                    compressed,
                    size,
                    len(raw),
                    0,
                    0,
                    0,
                    0,
                    0,
                    offset,
                )
            )
            self.f.write(raw)
        end = self.f.tell()
        n = len(self.entries)
        self.f.write(struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, n, n, end - start, start, 0))
        self.f.close()


def _header_xml(header: list[str]) -> str:
    return next(rows_xml([tuple(header)]))


def join_xml_parts(path: str, parts: list[dict], parts_dir: str) -> None:
    """Concatenate the deflated fragments of each sheet into one zip member; nothing is recompressed."""
    z = _RawZip(path)
    for name, data in _package_files([s for s, _ in SHEETS]):
        z.add_bytes(name, data.encode())
    for i, (sheet, header) in enumerate(SHEETS, 1):
        head = (SHEET_HEAD + _header_xml(header)).encode()
        tail = SHEET_TAIL.encode()
        c_head = zlib.compressobj(6, zlib.DEFLATED, -15)
        head_z = c_head.compress(head) + c_head.flush(zlib.Z_SYNC_FLUSH)
        c_tail = zlib.compressobj(6, zlib.DEFLATED, -15)
        tail_z = c_tail.compress(tail) + c_tail.flush(zlib.Z_FINISH)
        mine = sorted((p for p in parts if p["sheet"] == sheet), key=lambda p: p["t"])
        files = [_part_path(parts_dir, sheet, p["t"], "xml.deflate") for p in mine]
        crc, size = zlib.crc32(head), len(head)
        for p in mine:
            crc, size = crc32_combine(crc, p["crc"], p["size"]), size + p["size"]
        crc, size = crc32_combine(crc, zlib.crc32(tail), len(tail)), size + len(tail)
        compressed = len(head_z) + sum(os.path.getsize(f) for f in files) + len(tail_z)

        def chunks(files=files, head_z=head_z, tail_z=tail_z) -> Iterator[bytes]:
            yield head_z
            for fn in files:
                with open(fn, "rb") as f:
                    while block := f.read(1 << 20):
                        yield block
            yield tail_z

        z.add(f"xl/worksheets/sheet{i}.xml", crc, size, compressed, chunks())
    z.close()


def join_xml_zipfile(path: str, parts_dir: str, level: int = 1) -> None:
    """Stream plain fragments through the standard library's zipfile (compresses here, on one core)."""
    import shutil
    import zipfile

    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=level) as z:
        for name, data in _package_files([s for s, _ in SHEETS]):
            z.writestr(name, data)
        for i, (sheet, header) in enumerate(SHEETS, 1):
            with z.open(f"xl/worksheets/sheet{i}.xml", "w", force_zip64=True) as out:
                out.write((SHEET_HEAD + _header_xml(header)).encode())
                for t in range(len(TOWNSHIPS)):
                    with open(_part_path(parts_dir, sheet, t, "xml"), "rb") as f:
                        shutil.copyfileobj(f, out, 1 << 20)
                out.write(SHEET_TAIL.encode())


def split_xmlpart(path: str, households: int, persons: int, parts_dir: str, join_writer: str) -> dict:
    t0 = time.perf_counter()
    parts = _pool_run(xml_part, _part_jobs(households, persons, parts_dir))
    t1 = time.perf_counter()
    join_xml_parts(path, parts, parts_dir)
    return {"parts_s": round(t1 - t0, 2), "join_s": round(time.perf_counter() - t1, 2)}


def split_xmlzip(path: str, households: int, persons: int, parts_dir: str, join_writer: str) -> dict:
    t0 = time.perf_counter()
    _pool_run(xml_part_plain, _part_jobs(households, persons, parts_dir))
    t1 = time.perf_counter()
    join_xml_zipfile(path, parts_dir)
    return {"parts_s": round(t1 - t0, 2), "join_s": round(time.perf_counter() - t1, 2)}


def single_xml(path: str, households: int, persons: int) -> None:
    """The XML-fragment writer in one process, no pool: what the split saves."""
    import zipfile

    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=6) as z:
        for name, data in _package_files([s for s, _ in SHEETS]):
            z.writestr(name, data)
        for i, (sheet, header) in enumerate(SHEETS, 1):
            with z.open(f"xl/worksheets/sheet{i}.xml", "w", force_zip64=True) as out:
                out.write((SHEET_HEAD + _header_xml(header)).encode())
                buf: list[str] = []
                for k, x in enumerate(rows_xml(sheet_rows(sheet, households, persons)), 1):
                    buf.append(x)
                    if k % 2000 == 0:
                        out.write("".join(buf).encode())
                        buf = []
                out.write(("".join(buf) + SHEET_TAIL).encode())


SPLITS = {"marshal": split_marshal, "xmlpart": split_xmlpart, "xmlzip": split_xmlzip}

# ------------------------------------------------------------------------------ run, check, report


def _peak_rss_mb() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    kids = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return round(max(own, kids) / 1024, 1)


def child(kind: str, name: str, out: str, households: int, persons: int, join_writer: str) -> None:
    import gc
    import shutil
    import tempfile

    gc.disable()  # millions of tuples, no cycles (as the import does)
    extra: dict = {}
    t0 = time.perf_counter()
    if kind == "writer":
        WRITERS[name](out, workbook_sheets(households, persons))
    elif kind == "single":
        single_xml(out, households, persons)
    else:
        parts_dir = tempfile.mkdtemp(prefix="xlsxparts-", dir="/tmp")
        try:
            extra = SPLITS[name](out, households, persons, parts_dir, join_writer)
        finally:
            shutil.rmtree(parts_dir, ignore_errors=True)
    wall = time.perf_counter() - t0
    print(json.dumps({"wall": round(wall, 2), "rss_mb": _peak_rss_mb(), **extra}))


def _expected(households: int, persons: int) -> dict[str, list[tuple]]:
    return {name: list(sheet_rows(name, households, persons)) for name, _ in SHEETS}


def _same(expected, got) -> bool:
    if expected is None or expected == "":
        return got in (None, "")  # a blank and an empty text are the same to a reader
    if isinstance(expected, str):
        return isinstance(got, str) and got == expected
    return isinstance(got, int | float) and not isinstance(got, bool) and abs(float(got) - expected) < 1e-9


def verify(path: str, households: int, persons: int, full_openpyxl: bool) -> dict:
    """Read back with python-calamine (sample of rows) and, if asked, every row with openpyxl."""
    from python_calamine import CalamineWorkbook

    result: dict = {}
    expected = _expected(households, persons)
    wb = CalamineWorkbook.from_path(path)
    problems: list[str] = []
    for name, header in SHEETS:
        rows = wb.get_sheet_by_name(name).to_python(skip_empty_area=False)
        exp = expected[name]
        if [str(h) for h in rows[0]] != header:
            problems.append(f"{name}: header {rows[0][:3]}…")
        if len(rows) != len(exp) + 1:
            problems.append(f"{name}: {len(rows) - 1} rows, expected {len(exp)}")
        step = max(1, len(exp) // 1000)
        for i in [*range(0, len(exp), step), len(exp) - 1]:
            if i >= len(rows) - 1:
                break
            got = list(rows[i + 1]) + [""] * (len(header) - len(rows[i + 1]))
            bad = [(header[c], exp[i][c], got[c]) for c in range(len(header)) if not _same(exp[i][c], got[c])]
            if bad:
                problems.append(f"{name} row {i + 2}: {bad[:3]}")
                break
        ids = [rows[i + 1][ID_COLUMN[name]] for i in range(0, min(len(exp), len(rows) - 1), step)]
        result[f"{name}_id_text"] = all(isinstance(v, str) and len(v) == 18 for v in ids)
        del rows
    result["calamine"] = "ok" if not problems else "; ".join(problems)[:300]
    if full_openpyxl:
        from openpyxl import load_workbook

        owb = load_workbook(path, read_only=True)
        problems = []
        for name, header in SHEETS:
            exp = expected[name]
            n = 0
            for i, row in enumerate(owb[name].iter_rows(values_only=True)):
                if i == 0:
                    if list(row) != header:
                        problems.append(f"{name}: header")
                    continue
                n += 1
                row = list(row) + [None] * (len(header) - len(row))
                if (
                    not problems
                    and n <= len(exp)
                    and not all(_same(e, g) for e, g in zip(exp[n - 1], row, strict=False))
                ):
                    problems.append(f"{name} row {i + 1}: {exp[n - 1]} != {row}")
            if n != len(exp):
                problems.append(f"{name}: {n} rows, expected {len(exp)}")
        owb.close()
        result["openpyxl"] = "ok" if not problems else "; ".join(problems)[:300]
    return result


def _run(args: list[str]) -> dict:
    proc = subprocess.run([sys.executable, __file__, *args], capture_output=True, text=True)
    if proc.returncode != 0:
        return {"error": (proc.stderr.strip().splitlines() or ["?"])[-1][:300]}
    return json.loads(proc.stdout.strip().splitlines()[-1])


def fetch(dsn: str, households: int, persons: int) -> None:
    """Time a server-side-cursor fetch of the two sheets' rows from a TEMP table (psycopg 3)."""
    import psycopg

    def load(cur, table: str, header: list[str], rows: Iterable[tuple]) -> None:
        sample = next(iter(part_rows("户" if table == "hu" else "人", 0, 10, 40)))
        types = [
            "bigint" if isinstance(v, int) else "float8" if isinstance(v, float) else "text" for v in sample
        ]
        if table == "hu":
            types[20] = "int"  # 脱贫年度, None in the sample row
        cols = ", ".join(f"c{i} {t}" for i, t in enumerate(types))
        cur.execute(f"CREATE TEMP TABLE {table} ({cols})")
        with cur.copy(f"COPY {table} FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)

    with psycopg.connect(dsn) as conn:
        with conn.cursor() as cur:
            t0 = time.perf_counter()
            load(cur, "hu", HOUSEHOLD_HEADER, sheet_rows("户", households, persons))
            load(cur, "ren", PERSON_HEADER, sheet_rows("人", households, persons))
            cur.execute("ANALYZE hu; ANALYZE ren")
            print(f"loaded {households} + {persons} rows in {time.perf_counter() - t0:.1f} s", flush=True)
        for rnd in range(3):
            t0 = time.perf_counter()
            n = 0
            for table in ("hu", "ren"):
                with conn.cursor(name=f"c_{table}_{rnd}") as cur:
                    cur.itersize = 5000
                    cur.execute(f"SELECT * FROM {table} ORDER BY c0")
                    for _ in cur:
                        n += 1
            print(
                f"fetch round {rnd + 1}: {n} rows in {time.perf_counter() - t0:.1f} s, peak RSS {_peak_rss_mb()} MB"
            )


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("mode", nargs="?", default="bench", choices=["bench", "fetch", "_child", "_verify"])
    p.add_argument("--households", type=int, default=100_000)
    p.add_argument("--persons", type=int, default=400_000)
    p.add_argument("--repeat", type=int, default=3)
    p.add_argument(
        "--writers", default="generate,openpyxl,xlsxwriter,pyexcelerate,rustpy", help=", ".join(WRITERS)
    )
    p.add_argument("--splits", default="marshal,xmlpart,xmlzip")
    p.add_argument("--single-xml", action="store_true", help="also the XML-fragment writer in one process")
    p.add_argument("--join-writer", default="rustpy", help="the writer that joins the marshal parts")
    p.add_argument("--check-openpyxl", action="store_true")
    p.add_argument("--out", default="/tmp/xlsxbench")
    p.add_argument("--pg", help="PostgreSQL DSN, for the fetch mode")
    p.add_argument("--kind")
    p.add_argument("--name")
    p.add_argument("--file")
    a = p.parse_args()

    if a.mode == "_child":
        child(a.kind, a.name, a.file, a.households, a.persons, a.join_writer)
        return
    if a.mode == "_verify":
        print(json.dumps(verify(a.file, a.households, a.persons, a.check_openpyxl)))
        return
    if a.mode == "fetch":
        fetch(a.pg, a.households, a.persons)
        return

    os.makedirs(a.out, exist_ok=True)
    sizes = ["--households", str(a.households), "--persons", str(a.persons)]
    cases = [("writer", w) for w in a.writers.split(",") if w]
    cases += [("split", s) for s in a.splits.split(",") if s]
    if a.single_xml:
        cases.append(("single", "xml"))
    label = {("split", "marshal"): f"split marshal → {a.join_writer}"}
    results: dict[tuple, list[dict]] = {c: [] for c in cases}
    print(
        f"{a.households} households + {a.persons} persons, {a.repeat} rounds, load {os.getloadavg()[0]:.2f}",
        flush=True,
    )
    for rnd in range(a.repeat):
        for kind, name in cases:
            out = os.path.join(a.out, f"{kind}-{name}.xlsx")
            if os.path.exists(out):
                os.remove(out)
            r = _run(
                [
                    "_child",
                    "--kind",
                    kind,
                    "--name",
                    name,
                    "--file",
                    out,
                    "--join-writer",
                    a.join_writer,
                    *sizes,
                ]
            )
            r["load"] = round(os.getloadavg()[0], 2)
            if kind != "writer" or name != "generate":
                r["size_mb"] = round(os.path.getsize(out) / 2**20, 1) if os.path.exists(out) else None
            results[(kind, name)].append(r)
            print(f"round {rnd + 1} {label.get((kind, name), name)}: {r}", flush=True)
    print("\nchecks (read back):", flush=True)
    checks = {}
    for kind, name in cases:
        out = os.path.join(a.out, f"{kind}-{name}.xlsx")
        if os.path.exists(out):
            extra = ["--check-openpyxl"] if a.check_openpyxl else []
            checks[(kind, name)] = _run(["_verify", "--file", out, *sizes, *extra])
            print(f"  {label.get((kind, name), name)}: {checks[(kind, name)]}", flush=True)
    base = [r["wall"] for r in results.get(("writer", "openpyxl"), []) if "wall" in r]
    base_med = statistics.median(base) if base else None
    print("\n| writer / design | wall median (runs) | × vs openpyxl | peak RSS | file |")
    print("| --- | --- | ---: | ---: | ---: |")
    for case in cases:
        ok = [r for r in results[case] if "wall" in r]
        if not ok:
            print(f"| {label.get(case, case[1])} | failed: {results[case][0].get('error')} | | | |")
            continue
        walls = [r["wall"] for r in ok]
        med = statistics.median(walls)
        ratio = f"{base_med / med:.1f}×" if base_med else ""
        phases = ""
        if "parts_s" in ok[0]:
            phases = f"; parts {statistics.median(r['parts_s'] for r in ok):.1f} s + join {statistics.median(r['join_s'] for r in ok):.1f} s"
        rss = max(r["rss_mb"] for r in ok)
        size = ok[0].get("size_mb")
        print(
            f"| {label.get(case, case[1])} | {med:.1f} s ({', '.join(f'{w:.1f}' for w in walls)}){phases} | {ratio} | "
            f"{rss:.0f} MB | {'' if size is None else f'{size:.0f} MB'} |"
        )


if __name__ == "__main__":
    main()
