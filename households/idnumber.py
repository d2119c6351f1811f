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
