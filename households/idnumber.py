"""居民身份证号码 (GB 11643-1999): normalising, checking and reading the 18-digit number.

python-stdnum's check-digit helper is used; its `cn.ric.validate` is not, because it rejects region
codes it does not know, and real numbers keep the code of the office that issued them (someone born
in 1950 may carry 530323, a code created in 1997). The check digit and the birth date are strict;
the region code is not checked here.
"""

from __future__ import annotations

import datetime
import re
import unicodedata
from dataclasses import dataclass

from stdnum.cn.ric import calc_check_digit

ID_PATTERN = re.compile(r"^\d{17}[\dX]$")


class InvalidIdNumber(ValueError):
    """The message is Chinese and names what is wrong, for forms and import reports alike."""


@dataclass(frozen=True)
class IdInfo:
    number: str
    birth_date: datetime.date
    gender: str  # "男" or "女"


def normalize(raw: object) -> str:
    """Full-width digits and spaces, lower-case x, surrounding blanks: what real spreadsheets hold."""
    if isinstance(raw, float):
        # Excel keeps 15 significant digits: an 18-digit number stored as a number has lost some.
        raise InvalidIdNumber("身份证号以数字格式保存,末几位已丢失,请将该列设为文本后重新填写")
    text = unicodedata.normalize("NFKC", str(raw or ""))
    return re.sub(r"\s+", "", text).upper()


def parse(raw: object, *, today: datetime.date | None = None) -> IdInfo:
    number = normalize(raw)
    if not number:
        raise InvalidIdNumber("身份证号不能为空")
    if len(number) != 18:
        raise InvalidIdNumber(f"身份证号应为18位,实为{len(number)}位")
    if not ID_PATTERN.match(number):
        raise InvalidIdNumber("身份证号前17位应为数字,末位为数字或X")
    try:
        birth_date = datetime.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        raise InvalidIdNumber(f"身份证号中的出生日期{number[6:14]}不存在") from None
    today = today or datetime.date.today()
    if birth_date > today or birth_date.year < 1890:
        raise InvalidIdNumber(f"身份证号中的出生日期{birth_date:%Y-%m-%d}不合理")
    if calc_check_digit(number) != number[-1]:
        raise InvalidIdNumber("身份证号校验位错误")
    return IdInfo(number=number, birth_date=birth_date, gender="男" if int(number[16]) % 2 else "女")


def mask(number: str) -> str:
    """530323********1234: region and last four only, as on a 公示 list."""
    if not number:
        return ""
    if len(number) <= 10:
        return "*" * len(number)
    return number[:6] + "*" * (len(number) - 10) + number[-4:]


def build(region: str, birth_date: datetime.date, sequence: int) -> str:
    """A well-formed number: 6-digit region, birth date, 3-digit sequence (odd = 男), check digit."""
    body = f"{region}{birth_date:%Y%m%d}{sequence % 1000:03d}"
    return body + calc_check_digit(body + "0")


# GB/T 2260 province-level codes (and 71 台湾, 81 香港, 82 澳门, whose residents may hold a 居住证 number).
PROVINCE_CODES = frozenset(
    "11 12 13 14 15 21 22 23 31 32 33 34 35 36 37 41 42 43 44 45 46 50 51 52 53 54 61 62 63 64 65 71 81 82".split()
)
# 残疾人证号 (GB/T 26341 and 中国残联): the holder's 18-digit ID number, the category, then the grade.
DISABILITY_CATEGORIES = {
    "1": "视力残疾",
    "2": "听力残疾",
    "3": "言语残疾",
    "4": "肢体残疾",
    "5": "智力残疾",
    "6": "精神残疾",
    "7": "多重残疾",
}
DISABILITY_GRADES = {"1": "一级", "2": "二级", "3": "三级", "4": "四级"}
FIRST_GENERATION = re.compile(r"^\d{15}$")
CERTIFICATE = re.compile(r"^\d{17}[\dX][1-7][1-4]$")


@dataclass(frozen=True)
class IdCell:
    """What a roster's 公民身份号码 cell held when it was not a plain 18-digit number."""

    number: str  # the 18-digit ID number
    converted_from: str = ""  # the 15-digit number it was converted from
    certificate: str = ""  # the 20-digit 残疾人证号
    grade: str = ""  # 一级…四级, from the certificate's last digit

    @property
    def category(self) -> str:
        return DISABILITY_CATEGORIES.get(self.certificate[18:19], "")


def from_first_generation(number: str) -> str:
    """A first-generation 15-digit number (1984–2004) as 18 digits: 19 before the 2-digit year, and a
    check digit. Those numbers were issued to people born in the 1900s, hence always 19."""
    body = f"{number[:6]}19{number[6:15]}"
    return body + calc_check_digit(body + "0")


def read_cell(text: str) -> str | IdCell:
    """An 18-digit number as it is; a 15-digit one converted; a 20-digit 残疾人证号 split."""
    if FIRST_GENERATION.match(text):
        return IdCell(number=from_first_generation(text), converted_from=text)
    if CERTIFICATE.match(text):
        return IdCell(number=text[:18], certificate=text, grade=DISABILITY_GRADES[text[19]])
    return text


def known_province(number: str) -> bool:
    return number[:2] in PROVINCE_CODES
