"""One cell → one typed value: full-width digits, numbers stored as text, code-list spellings."""

from __future__ import annotations

import datetime
import re
import unicodedata
from collections.abc import Callable
from decimal import Decimal, InvalidOperation

from households.idnumber import IdCell, InvalidIdNumber, read_cell
from households.idnumber import normalize as normalize_id
from households.importer.columns import CODE_FIELDS, Column
from households.spellings import CODE_LISTS, national_value, yes_no

CAUSE_SEPARATORS = re.compile(r"[、,;/\s]+")


def _text(raw: object) -> str:
    if raw.__class__ is str:
        return (raw if raw.isascii() else unicodedata.normalize("NFKC", raw)).strip()
    if isinstance(raw, float):
        if raw.is_integer() and abs(raw) < 1e15:
            return str(int(raw))
        if raw.is_integer():
            raise ValueError("以数字格式保存的长数字,末几位已丢失,请将该列设为文本后重新填写")
        return str(raw)
    if isinstance(raw, datetime.datetime | datetime.date):
        return raw.strftime("%Y-%m-%d")
    text = str(raw)
    if not text.isascii():
        text = unicodedata.normalize("NFKC", text)
    return text.strip()


def _code(raw: object) -> str:
    return "".join(_text(raw).split())


def _choice(raw: object, column: Column) -> str:
    """The national value of a code-list cell, from any spelling households.spellings knows."""
    value = _code(raw)
    if column.field in CODE_LISTS:
        return national_value(column.field, value)
    if value not in column.choices:
        raise ValueError(f"“{value}”不是有效的{column.label},有效值为:{'、'.join(sorted(column.choices))}")
    return value


def _bool(raw: object) -> bool:
    if isinstance(raw, bool):
        return raw
    if isinstance(raw, int | float) and raw in (0, 1):
        return bool(raw)
    return yes_no(_code(raw))


def _int(raw: object) -> int:
    if isinstance(raw, float):
        if not raw.is_integer():
            raise ValueError(f"“{raw}”应为整数")
        return int(raw)
    if isinstance(raw, int):
        return raw
    value = _code(raw)
    if not value.isdigit():
        raise ValueError(f"“{value}”应为整数")
    return int(value)


def _decimal(raw: object) -> Decimal:
    try:
        value = Decimal(str(raw) if isinstance(raw, float | int) else _code(raw))
    except InvalidOperation:
        raise ValueError(f"“{_text(raw)}”应为数字") from None
    if not value.is_finite():
        raise ValueError(f"“{_text(raw)}”应为数字")
    return value.quantize(Decimal("0.01"))


def _date(raw: object) -> datetime.date:
    if isinstance(raw, datetime.datetime):
        return raw.date()
    if isinstance(raw, datetime.date):
        return raw
    value = _code(raw)
    match = re.fullmatch(r"(\d{4})[-/.年]?(\d{1,2})[-/.月]?(\d{1,2})日?", value)
    try:
        if match:
            return datetime.date(*(int(g) for g in match.groups()))
    except ValueError:
        pass
    raise ValueError(f"“{value}”不是有效日期(例如 1980-05-01)")


def _causes(raw: object, column: Column) -> list[str]:
    values = []
    for text in CAUSE_SEPARATORS.split(_text(raw)):
        if text and (value := national_value("other_causes", text)) not in values:
            values.append(value)
    return values


def _id_number(raw: object) -> str | IdCell:
    """The 18-digit number; an IdCell for a 15-digit number (converted) or a 20-digit 残疾人证号."""
    if isinstance(raw, float) and raw.is_integer() and 10**14 <= raw < 10**15:
        return read_cell(str(int(raw)))  # 15 digits survive Excel's number format; 18 do not
    if raw.__class__ is str and raw.isascii() and raw.isalnum():
        text = raw.upper()  # what normalize_id makes of it, without NFKC and a regex on 400,000 cells
    else:
        try:
            text = normalize_id(raw)
        except InvalidIdNumber as error:
            raise ValueError(str(error)) from None
    return text if len(text) == 18 else read_cell(text)


def max_length(column: Column) -> int | None:
    """The database's limit for a text column of the household or member (None: no limit, or not text)."""
    from django.core.exceptions import FieldDoesNotExist
    from django.db import models

    from households.models import Household, Member

    model = {"h": Household, "m": Member}.get(column.target)
    if model is None:
        return None
    try:
        field = model._meta.get_field(column.field)
    except FieldDoesNotExist:  # a column without a model field of that name has no limit here
        return None
    return field.max_length if isinstance(field, models.CharField) else None


def _bounded(convert: Callable[[object], object], limit: int) -> Callable[[object], object]:
    """A text longer than its column is refused on its cell (a 5,000,000-character 姓名 once passed the
    preview and failed the write with a 500); the message gives the lengths, not the text."""

    def run(raw: object) -> object:
        value = convert(raw)
        if isinstance(value, str) and len(value) > limit:
            raise ValueError(f"内容过长:共{len(value)}个字符,最多{limit}个")
        return value

    return run


def converter(column: Column) -> Callable[[object], object]:
    convert = _unbounded_converter(column)
    limit = max_length(column) if column.key != "m.id_number" else None
    return _bounded(convert, limit) if limit else convert


def _unbounded_converter(column: Column) -> Callable[[object], object]:
    if column.key == "m.id_number":
        return _id_number
    if column.key in CODE_FIELDS:
        return _code
    if column.target == "a":
        return _memoized(_code)
    convert = {
        "choice": lambda raw: _choice(raw, column),
        "causes": lambda raw: _causes(raw, column),
        "bool": _bool,
        "int": _int,
        "decimal": _decimal,
        "date": _date,
    }.get(column.kind, _text)
    return convert if convert in (_text, _date) else _memoized(convert)


def _memoized(convert: Callable[[object], object]) -> Callable[[object], object]:
    """Code lists, 是/否 and area names repeat on every row: convert each distinct cell once."""
    cache: dict[object, object] = {}

    def run(raw: object) -> object:
        try:
            return cache[raw]
        except KeyError:
            value = cache[raw] = convert(raw)
            return value

    return run


def is_blank(raw: object) -> bool:
    return raw is None or (isinstance(raw, str) and not raw.strip())
