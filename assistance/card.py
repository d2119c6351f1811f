"""The 帮扶 sections of the 户卡 (the national 贫困户登记表's 帮扶责任人 and 帮扶措施 parts, with visits and
小额信贷): built once, shown by the page and the print layout, written by the .xlsx copy.

households.card calls `card_assistance` and `write_sections`; nothing here knows the card's own layout.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from assistance import selectors
from households.models import Household
from households.privacy import mask_phone

MEASURE_HEADERS = [
    "年度",
    "措施类别",
    "措施内容",
    "受益成员",
    "金额(元)",
    "资金来源",
    "开始日期",
    "状态",
    "成效",
]
LOAN_HEADERS = [
    "贷款银行",
    "金额(元)",
    "放贷日期",
    "到期日期",
    "用途",
    "贴息利率(%)",
    "贴息金额(元)",
    "风险补偿金(元)",
    "状态",
]
VISITS_SHOWN = 5


@dataclass
class CardAssistance:
    helpers: list[list[str]] = field(default_factory=list)
    plans: list[str] = field(default_factory=list)
    paths: list[str] = field(default_factory=list)
    measures: list[list[str]] = field(default_factory=list)
    visits: list[list[str]] = field(default_factory=list)
    ratings: list[str] = field(default_factory=list)
    loans: list[list[str]] = field(default_factory=list)
    measure_headers: list[str] = field(default_factory=lambda: list(MEASURE_HEADERS))
    loan_headers: list[str] = field(default_factory=lambda: list(LOAN_HEADERS))


def _date(value) -> str:
    return f"{value:%Y-%m-%d}" if value else "—"


def card_assistance(household: Household, *, reveal: bool) -> CardAssistance:
    """`household` comes from a scoped selector (the card's own); `reveal` as the card's."""
    info = selectors.household_assistance(household, visits=VISITS_SHOWN)
    # The current helper first, then the earlier ones, as the form lists them.
    pairings = sorted(info.pairings, key=lambda p: (p.ended_on is not None, -p.started_on.toordinal()))
    return CardAssistance(
        helpers=[
            [
                p.helper.name,
                p.helper.unit.name,
                p.helper.position or "—",
                (p.helper.phone if reveal else mask_phone(p.helper.phone)) or "—",
                _date(p.started_on),
                _date(p.ended_on),
            ]
            for p in pairings
        ],
        plans=[
            f"{plan.year}年计划{plan.target_year}年脱贫" + (f",发展意愿:{plan.wishes}" if plan.wishes else "")
            for plan in info.plans
        ],
        paths=info.paths,
        measures=[
            [
                str(plan.year),
                m.category,
                m.content,
                m.member.name if m.member else "全户",
                f"{m.amount:,.2f}",
                m.funding_source,
                _date(m.started_on),
                m.status,
                m.effect or "—",
            ]
            for plan in info.plans
            for m in plan.measures.all()
        ],
        visits=[[_date(v.visited_on), v.helper.name, v.content] for v in info.visits],
        ratings=[f"{r.grade} 额度{r.credit_line:,.2f}元({_date(r.rated_on)})" for r in info.ratings],
        loans=[
            [
                loan.bank,
                f"{loan.amount:,.2f}",
                _date(loan.issued_on),
                _date(loan.due_on),
                loan.purpose,
                str(loan.subsidy_rate),
                f"{loan.subsidy_amount:,.2f}",
                f"{loan.risk_compensation:,.2f}",
                loan.display_status(),
            ]
            for loan in info.loans
        ],
    )


def write_sections(card: CardAssistance, put: Callable[..., None], heading: Callable[[str], None]) -> None:
    """The same sections into the card's workbook, with the card's own `put` (a row) and `heading`."""
    heading("帮扶责任人")
    put(["姓名", "帮扶单位", "职务", "联系电话", "结对日期", "解除日期"], bold=True)
    for row in card.helpers or [["尚未安排帮扶责任人"]]:
        put(row)
    heading("帮扶计划与措施" + (f"({'、'.join(card.paths)})" if card.paths else ""))
    for line in card.plans:
        put([line])
    put(card.measure_headers, bold=True)
    for row in card.measures:
        put(row)
    heading("走访记录")
    put(["走访日期", "帮扶责任人", "走访内容"], bold=True)
    for row in card.visits:
        put(row)
    heading("扶贫小额信贷")
    if card.ratings:
        put(["评级授信", *card.ratings])
    put(card.loan_headers, bold=True)
    for row in card.loans:
        put(row)
