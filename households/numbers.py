"""户编号 and 人编号: their format, and the next free one for a 村民小组 or a household.

The system's own 户编号 is the 15-digit 村民小组 code and a 4-digit serial (530323101001001 + 0007), its
人编号 the 户编号 and a 2-digit serial; a household imported from the national roster keeps the
national 户编号 and 人编号, which must be digits of a plausible length (a "12" typed by hand is
refused). Both are unique: 户编号 by Household.number, 人编号 by member_person_number_unique.
"""

from __future__ import annotations

import re

from django.db.models import Max

from households.models import Household
from villages.models import Area

HOUSEHOLD_SERIAL_DIGITS = 4
PERSON_SERIAL_DIGITS = 2
# At least a 村民小组 code (15 digits), at most what the national system's numbers reach.
HOUSEHOLD_NUMBER = re.compile(r"\d{15,22}")


def household_number_error(number: str) -> str | None:
    """None for a well-formed 户编号, else the Chinese reason."""
    if not HOUSEHOLD_NUMBER.fullmatch(number):
        return f"户编号“{number}”格式不对:应为15至22位数字(系统生成的为村民小组代码加4位序号)"
    return None


def person_number_error(number: str, household_number: str) -> str | None:
    """A 人编号 is its household's 户编号 followed by a 2-digit serial."""
    serial = number.removeprefix(household_number)
    if serial == number or not (len(serial) == PERSON_SERIAL_DIGITS and serial.isdigit()):
        return f"人编号“{number}”格式不对:应为户编号{household_number}后加2位序号"
    return None


def next_household_number(group: Area) -> str:
    """The group's code and the serial after the highest in use. The caller holds the group row locked
    (select_for_update) so that two cadres registering at once do not draw the same serial."""
    prefix = group.code
    width = len(prefix) + HOUSEHOLD_SERIAL_DIGITS
    taken = (
        Household.objects.filter(number__startswith=prefix, number__regex=rf"^\d{{{width}}}$")
        .aggregate(top=Max("number"))
        .get("top")
    )
    serial = int(taken[len(prefix) :]) + 1 if taken else 1
    if serial >= 10**HOUSEHOLD_SERIAL_DIGITS:
        raise ValueError(f"村民小组{group.name}的户编号序号已用完")
    return f"{prefix}{serial:0{HOUSEHOLD_SERIAL_DIGITS}d}"


def person_numbers(household_number: str, taken: set[str], count: int) -> list[str]:
    """`count` new 人编号 for a household: the lowest serials not in `taken`."""
    numbers: list[str] = []
    serial = 0
    while len(numbers) < count:
        serial += 1
        if serial >= 10**PERSON_SERIAL_DIGITS:
            raise ValueError(f"户编号{household_number}的人编号序号已用完")
        number = f"{household_number}{serial:0{PERSON_SERIAL_DIGITS}d}"
        if number not in taken:
            numbers.append(number)
    return numbers
