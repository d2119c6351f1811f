"""Hostile values for forms (issue 13, "Hostile input — Forms"): hypothesis strategies of text,
numbers and dates that a careless or hostile user can type or post."""

from __future__ import annotations

import re

from hypothesis import strategies as st

NASTY_TEXT = [
    "",
    " ",
    "\x00",
    "张\x00三",
    "x" * 10_000,
    "王" * 10_000,
    "\u202e三张\u202c",  # right-to-left override
    "\u200b\u200f",  # zero-width space, RTL mark
    "<script>alert('xss')</script>",
    '"><img src=x onerror=alert(1)>',
    "</textarea><svg onload=alert(1)>",
    "{{ 7*7 }}{% debug %}",
    '=HYPERLINK("http://example.com","点此")',
    "+1+1",
    "-2+3",
    "@SUM(A1:A9)",
    "\t=1",
    "\r\n=1",
    "'; DROP TABLE households_household; --",
    "𠀀𠀁𪚥",  # outside the Basic Multilingual Plane
    "🙂👨‍👩‍👧",
    "%s%n%x",
    "../../etc/passwd",
]

NASTY_NUMBERS = [
    "",
    " ",
    "-1",
    "-0",
    "0",
    "1e308",
    "1E-400",
    "NaN",
    "nan",
    "Infinity",
    "-inf",
    "99999999999999999999999999",
    "12345678.999",
    "0.001",
    "１２",  # full-width digits
    "١٢",  # Arabic-Indic digits
    "1,000",
    "0x1F",
    "1_000",
    "2147483648",
    "-9223372036854775809",
]

NASTY_DATES = [
    "",
    "0001-01-01",
    "9999-12-31",
    "2012-02-30",
    "2012-13-01",
    "0000-00-00",
    "2099-01-01",
    "1899-12-31",
    "2012-9-3",
    "today",
    "2012-09-03T25:00",
    "-2012-01-01",
]

text = st.one_of(st.sampled_from(NASTY_TEXT), st.text(max_size=300))
numbers = st.one_of(
    st.sampled_from(NASTY_NUMBERS),
    st.integers(min_value=-(10**20), max_value=10**20).map(str),
    st.decimals(allow_nan=True, allow_infinity=True).map(str),
)
dates = st.one_of(st.sampled_from(NASTY_DATES), st.dates().map(lambda d: d.isoformat()))

TAG = re.compile(r"<[a-zA-Z/!]")


def markup_in(values) -> list[str]:
    """The values that would be live markup if a page printed them unescaped."""
    return [v for v in values if isinstance(v, str) and len(v) >= 8 and TAG.search(v)]


def hostile(valid: dict, kinds: dict) -> st.SearchStrategy[dict]:
    """A valid submission with one to three of its fields replaced by hostile values: each example
    isolates a few bad inputs, so a crash points at its field, and many examples still save — which
    is what lets the tests check that saved text is shown escaped."""
    names = sorted(kinds)
    return st.lists(st.sampled_from(names), min_size=1, max_size=3, unique=True).flatmap(
        lambda chosen: st.fixed_dictionaries({name: kinds[name] for name in chosen}).map(
            lambda bad: {**valid, **bad}
        )
    )
