"""Small 花名册 files for the import tests, written with openpyxl as a county clerk's Excel would."""

from __future__ import annotations

import datetime
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


# The national 花名册's columns, as the 全国扶贫开发信息系统 exports them (the ID column holds a 20-digit
# 残疾人证号 for some disabled people).
NATIONAL_HEADERS = [
    "县", "乡", "行政村", "自然村", "户编号", "人编号", "姓名", "公民身份号码或残疾人证号", "人数", "与户主关系",
    "民族", "文化程度", "在校生状况", "健康状况", "劳动技能", "务工状况", "务工时间(月)", "参加新农合",
    "参加新农保", "参加大病医疗", "贫困户属性", "主要致贫原因", "其他致贫原因", "其他致贫原因说明", "识别标准",
    "是否军烈属", "是否独生子女户", "是否双女户", "危房户", "饮水安全", "是否通生活用电", "是否通生产用电",
    "林果面积", "联系电话",
]  # fmt: skip

# Every spelling issue 10 names, cycled through the roster: (township, village, group) as clerks write them.
AREA_SPELLINGS = [
    ("丹凤镇", "山龙村", "大寨组"),
    ("丹凤", "山龙", "大寨"),
    ("丹凤街道", "山龙村民委员会", "大寨村民小组"),
    ("丹凤镇", "山龙村委会", "小寨"),
    ("丹凤", "法杂", "新村"),  # 新村组: a group whose own name ends in 村
    ("雄壁", "雨柱村", "坡头组"),
]
SPOUSES = ["配偶", "妻子", "妻"]
CHILDREN = ["之子", "儿子", "长子", "次子", "子", "女", "女儿", "长女", "次女", "之女"]
ELDERS = ["母亲", "母", "之母", "父亲", "之父"]
OTHERS = ["孙子", "孙女", "儿媳", "儿媳妇", "女婿", "外孙", "兄弟姐妹", "弟弟"]
WORK = [
    "乡镇内务工",
    "乡镇外县内务工",
    "省内务工",
    "县外省内务工",
    "省外务工",
    "外省务工",
    "无",
    "乡(镇)内务工",
]
HEALTH = ["健康", "良好", "长期慢性病", "慢性病", "患有大病", "大病"]
LABOUR = ["普通劳动力", "普通", "技能劳动力", "技能", "丧失劳动力", "无劳动力"]
EDUCATION = ["小学", "初中", "高中", "中专", "文盲", "半文盲", "文盲或半文盲", "大专"]
ATTRIBUTES = ["一般贫困户", "一般户", "低保贫困户", "低保户", "特困供养贫困户", "五保贫困户", "五保户"]
CAUSES = ["因病", "因病致贫", "因残", "因学", "缺劳动力", "缺劳力", "缺技术", "交通落后", "缺资金", "其他"]
YES = ["是", "有", "√", "Y", "1", "TRUE"]
NO = ["否", "无", "×", "N", "0", "FALSE"]
STANDARDS = ["国家标准", "市定标准", "省定标准", "国标", "市定"]


def national_roster(count: int) -> list[dict]:
    """`count` households in the national layout, every variant of issue 10 among them: code-list
    spellings, yes/no spellings, area names with and without suffixes (differing between the rows of
    one household), 15-digit and 20-digit ID cells, 残疾 without a grade, 人编号 given or left blank,
    致贫原因 其他 with its note, the national form's added fields."""
    rows: list[dict] = []
    seq = 0
    for h in range(count):
        number = f"530323101201{h:07d}"
        township, village, group = AREA_SPELLINGS[h % len(AREA_SPELLINGS)]
        full_township = "丹凤镇" if township.startswith("丹凤") else f"{township.removesuffix('镇')}镇"
        size = 1 + h % 5
        cause = CAUSES[h % len(CAUSES)]
        shared = {
            "县": "师宗县" if h % 2 else "师宗",
            "户编号": number,
            "人数": size,
            "贫困户属性": ATTRIBUTES[h % len(ATTRIBUTES)],
            "主要致贫原因": cause,
            "其他致贫原因": "缺技术、缺资金" if h % 3 == 0 and cause not in ("缺技术", "缺资金") else None,
            "其他致贫原因说明": "子女外出失联" if cause == "其他" else None,
            "识别标准": STANDARDS[h % len(STANDARDS)],
            "是否军烈属": (YES if h % 17 == 0 else NO)[h % 6],
            "是否独生子女户": (YES if size == 3 else NO)[h % 6],
            "是否双女户": NO[(h + 1) % 6],
            "危房户": (YES if h % 4 == 0 else NO)[h % 6],
            "饮水安全": YES[(h + 2) % 6],
            "是否通生活用电": YES[h % 6],
            "是否通生产用电": (YES if h % 3 else NO)[h % 6],
            "林果面积": (h % 7) * 0.5 if h % 2 else None,
            "联系电话": f"138{h:08d}",
        }
        relations = ["户主", SPOUSES[h % 3]]
        relations += [CHILDREN[(h + i) % len(CHILDREN)] for i in range(2)]
        relations += [ELDERS[h // 5 % len(ELDERS)] if h % 2 else OTHERS[h // 5 % len(OTHERS)]]
        for i in range(size):
            seq += 1
            gender = (
                "女"
                if relations[i]
                in ("配偶", "妻子", "妻", "女", "女儿", "长女", "次女", "之女", "母亲", "母", "之母", "孙女")
                else "男"
            )  # noqa: E501
            born = datetime.date(1950 + (seq * 7) % 50, 1 + seq % 12, 1 + seq % 28)
            id_number = id_number_for(seq, born=born, gender=gender)
            health = HEALTH[seq % len(HEALTH)]
            id_cell: str = id_number
            if seq % 23 == 0:
                id_cell = id_number[:6] + id_number[8:17]  # a first-generation 15-digit number
            elif seq % 29 == 0:
                id_cell, health = f"{id_number}4{1 + seq % 4}", None  # 残疾人证号: 肢体, grade 1-4
            elif seq % 31 == 0:
                health = "残疾"  # and no grade: the roster has no column for it
            # The rows of one household may spell its areas differently: 丹凤 on one, 丹凤镇 on the next.
            names = (township, village, group) if i % 2 == 0 else (full_township, village, group)
            rows.append(
                {
                    **shared,
                    "乡": names[0],
                    "行政村": names[1],
                    "自然村": names[2],
                    "人编号": f"{number}{i + 1:02d}" if h % 4 else None,  # blank: generated
                    "姓名": f"成员{seq}",
                    "公民身份号码或残疾人证号": id_cell,
                    "与户主关系": relations[i],
                    "民族": ["汉族", "汉", "彝族", "彝", "布依族", "苗"][seq % 6],
                    "文化程度": EDUCATION[seq % len(EDUCATION)],
                    "在校生状况": ["非在校生", "不在校", "小学", "初中生", "学前"][seq % 5],
                    "健康状况": health,
                    "劳动技能": LABOUR[seq % len(LABOUR)],
                    "务工状况": WORK[seq % len(WORK)],
                    "务工时间(月)": seq % 13 if seq % 3 else None,
                    "参加新农合": YES[seq % 6],
                    "参加新农保": (YES if seq % 2 else NO)[seq % 6],
                    "参加大病医疗": NO[seq % 6],
                }
            )
    return rows
