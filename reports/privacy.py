"""Which personal data a ledger file shows whole, by kind and by role — and who may download it.

A file is written once, at the level of the person who asked for it (the county's own level for the
nightly standing reports), and that level is stored on the row (`Report.reveals`). Whoever downloads it
later must be allowed at least that level for that kind; otherwise the download is refused (403) and
the page offers to make their own copy. We chose refusing over keeping a file per level: a file per
level would mean writing the county archive up to four times a night for downloads that mostly never
come, and a refusal can't leak by a wrong pick of copy.

The matrix (README.md "台账的个人信息分级" repeats it):

    shown whole           村级录入员  乡镇审核员  县扶贫办  县民政局  系统管理员
    身份证号 (id_number)      ✓          ✓         ✓         ✓         –
    联系电话 (phone)          ✓          ✓         ✓         ✓         –
    银行账号 (bank_account)   –          –         ✓         ✓         –
    健康、残疾 (health)        ✓          ✓         ✓         ✓         –

- 银行账号 is needed only where payments are made: 县扶贫办 (产业扶持资金) and 县民政局 (低保、特困金);
  the village's and the township's registers show its last four digits (issue 13).
- Health and disability (敏感个人信息, 个人信息保护法 art. 28) are needed by those who identify and
  help households; the 系统管理员 manages accounts and areas, not households, so sees none of it and
  only masked numbers.
- The 帮扶整改清单 lists members with 大病 or 慢病 by name: it is made only for roles that see health data.
- 花名册(导入格式) is the county's data-exchange file, re-imported as is: it is made only whole, so
  only for roles that see every number whole (县扶贫办, 县民政局).
- The area forms and the 分解表 hold counts only: no personal data, anyone who sees the area downloads.
- Nothing here is a 公示 printout (identification's notices mask names' numbers on their own page).
"""

from __future__ import annotations

from accounts.models import Role, User
from reports.models import Kind

ID_NUMBER, PHONE, BANK_ACCOUNT, HEALTH = "id_number", "phone", "bank_account", "health"
EVERYTHING = frozenset({ID_NUMBER, PHONE, BANK_ACCOUNT, HEALTH})
NOTHING: frozenset[str] = frozenset()

ROLE_REVEALS: dict[str, frozenset[str]] = {
    Role.VILLAGE_CADRE: frozenset({ID_NUMBER, PHONE, HEALTH}),
    Role.TOWNSHIP_OFFICIAL: frozenset({ID_NUMBER, PHONE, HEALTH}),
    Role.COUNTY_FUPIN: EVERYTHING,
    Role.COUNTY_MINZHENG: EVERYTHING,
    Role.ADMIN: NOTHING,
}
# The nightly standing reports are the county's own files, written at the 县扶贫办's level.
STANDING_REVEALS = ROLE_REVEALS[Role.COUNTY_FUPIN]

# Kinds without personal data: their files carry no level.
COUNTS_ONLY = {Kind.VILLAGE_FORM, Kind.GROUP_FORM, Kind.QUOTA_TABLE}
# Kinds that cannot be made masked: (what they need whole, the refusal).
WHOLE_ONLY = {
    Kind.ROSTER: (
        frozenset({ID_NUMBER, PHONE, BANK_ACCOUNT}),
        "花名册(导入格式)是县级交换数据用的文件,含完整身份证号和银行账号,只有县扶贫办和县民政局可以导出;"
        "请改为导出村有册。",
    ),
    # The 整改清单 names members with 大病 or 慢病 lacking a 健康扶贫 measure: health data (art. 28).
    Kind.COVERAGE: (
        frozenset({HEALTH}),
        "帮扶整改清单列出患大病、慢病的家庭成员,含健康信息,只有乡镇和县扶贫办、县民政局可以导出。",
    ),
}

# Ledger columns (reports.rows headers) and the class of data each holds.
COLUMN_CLASSES = {
    "身份证号": ID_NUMBER,
    "户主身份证号": ID_NUMBER,
    "联系电话": PHONE,
    "银行账号": BANK_ACCOUNT,
    "健康状况": HEALTH,
    "残疾等级": HEALTH,
}


def role_reveals(user: User | None) -> frozenset[str]:
    """What the ledgers show `user` whole; None is the county's own schedule."""
    if user is None:
        return STANDING_REVEALS
    if not user.is_authenticated:
        return NOTHING
    return ROLE_REVEALS.get(user.role, NOTHING)


def file_reveals(kind: str, user: User | None) -> frozenset[str]:
    """The level a file of `kind` asked for by `user` is written at."""
    if kind in COUNTS_ONLY:
        return NOTHING
    return role_reveals(user)


def refusal_to_make(kind: str, user: User | None) -> str | None:
    """Why `user` may not ask for `kind` at all (a Chinese message), or None."""
    if kind in WHOLE_ONLY:
        needed, message = WHOLE_ONLY[kind]
        if not needed <= role_reveals(user):
            return message
    return None


def may_download(user: User, *, kind: str, reveals: frozenset[str] | set[str] | list[str]) -> bool:
    """A file shows no more than the downloader may see of its kind."""
    return set(reveals) <= file_reveals(kind, user)


DOWNLOAD_REFUSED = (
    "该文件按申请人的权限生成,含有您的角色不能查看的完整个人信息(身份证号、电话、银行账号或健康状况),"
    "不能下载。请在本页按您的权限重新生成一份。"
)
