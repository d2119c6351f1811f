"""Area names as people write them: 山龙村民委员会, 山龙村 and 山龙 are one village; 龙庆彝族壮族乡 and 龙庆乡 one
township. `area_key` reduces a name to the part that identifies it, for every import that matches names."""

from __future__ import annotations

import re
import unicodedata

from households.choices import Ethnicity

# A 村民小组's own name may end in 村 (南村组, written 南村 too): the group's suffix goes first, then
# the others, so 南村组, 南村 and 南 all come to 南 and 大寨村民小组, 大寨组 and 大寨 to 大寨.
GROUP_SUFFIXES = ("村民小组", "小组", "组")
AREA_SUFFIXES = (
    "社区居民委员会", "村民委员会", "居民委员会", "街道办事处", "村委会", "社区", "街道",
    "镇", "乡", "村", "县",
)  # fmt: skip
# 彝族, 壮族, 苗族…: longest first, so 布依族 is not read as 依族 after 布.
ETHNIC_NAMES = sorted((e for e in Ethnicity.values if e.endswith("族")), key=len, reverse=True)


def area_key(name: str, *, township: bool = False) -> str:
    """山龙村民委员会, 山龙村 and 山龙 → 山龙; 南村组 and 南村 → 南; for a township also 龙庆彝族壮族乡 and
    龙庆乡 → 龙庆. Siblings that come to one key are told apart by their full names (the importers try
    the exact name first and otherwise ask for it).

    Ethnic titles are stripped name by name from the end: a pattern such as "(..族)+" would swallow the
    place name too (龙庆彝族 is itself "three characters and 族").
    """
    key = re.sub(r"\s+", "", unicodedata.normalize("NFKC", name))
    # Until nothing more comes off: 新村村民委员会 → 新村 → 新, as 新村 → 新.
    stripped = None
    while stripped != key:
        stripped = key
        for suffix in (*GROUP_SUFFIXES, *AREA_SUFFIXES):
            if key.endswith(suffix) and len(key) > len(suffix):
                key = key[: -len(suffix)]
                break
    if township:
        key = key.removesuffix("自治")
        while title := next((e for e in ETHNIC_NAMES if key.endswith(e) and len(key) > len(e)), None):
            key = key[: -len(title)]
    return key
