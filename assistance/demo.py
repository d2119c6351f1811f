"""帮扶 for the demo county, after the households and the identification round (seed_demo):

units of every level, helpers (three households each, seed 004), pairings for almost every household on the
扶贫 roll, work teams with their 第一书记 and the "五个一" in the 贫困村, this year's 一户一策 plans and
measures suited to each household (its 致贫原因, students, patients, 危房), visits, 评级授信 and loans — and a
few breaches of the rules, so that every line of the 整改清单 has something to show: households without a
helper, plan, measure or visit, a helper above the limit, helpers who are not 在编, a 贫困村 without a
第一书记, students and patients without aid, 危房 without 危房改造, overdue loans.

Written with COPY (households.bulk.copy_insert), like the households themselves: the demo is a starting
state, not a sequence of user moves, so it writes no audit events. One helper account (`bangfu`) is paired
with three households of 山龙村, where the village cadre `cungan` works.
"""

from __future__ import annotations

import datetime
import random
from dataclasses import dataclass
from decimal import Decimal

from django.contrib.auth.hashers import make_password
from django.utils import timezone

from accounts.demo import DEMO_PASSWORD
from accounts.models import Role, User
from assistance import choices
from assistance.models import (
    Attendance,
    CreditRating,
    Helper,
    Loan,
    Measure,
    Pairing,
    Plan,
    TeamMember,
    Unit,
    VillageAssistance,
    Visit,
    WorkTeam,
    add_months,
)
from households.bulk import copy_insert
from households.models import Member
from villages.models import Area, AreaProfile

HELPER_USERNAME = "bangfu"
HELPER_VILLAGE = "530323101201"  # 丹凤镇 山龙村民委员会, the demo village cadre's
SURNAMES = (
    "王李张刘陈杨赵黄周吴徐孙朱马胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程魏苏吕丁任卢沈"
)
GIVEN = "建国华明丽军伟芳勇静强磊洋艳杰涛超娟秀英玉兰志刚永红文斌海平春梅云龙凤"

UNITS = [
    ("云南省扶贫开发办公室", "省直"),
    ("云南省农业厅", "省直"),
    ("曲靖市财政局", "市直"),
    ("曲靖市人力资源和社会保障局", "市直"),
    ("曲靖市住房和城乡建设局", "市直"),
    ("师宗县扶贫开发办公室", "县直"),
    ("师宗县农业局", "县直"),
    ("师宗县教育局", "县直"),
    ("师宗县卫生局", "县直"),
    ("师宗县民政局", "县直"),
    ("师宗县林业局", "县直"),
    ("师宗县交通运输局", "县直"),
    ("师宗县农村信用合作联社", "县直"),
    ("师宗县人民医院", "县直"),
    ("师宗县第一中学", "县直"),
    ("云南某煤业有限公司", "企业"),
    ("师宗某农业开发有限公司", "企业"),
]
POSITIONS = ["科员", "副科长", "科长", "副主任", "主任", "副局长", "干事", "专技人员"]

# Measures that answer each 致贫原因 (category, content, amount range in 元, funding source).
BY_CAUSE: dict[str, list[tuple[str, str, tuple[int, int], str]]] = {
    "因病": [
        ("家庭医生签约", "家庭医生签约服务", (0, 0), "行业部门"),
        ("医保代缴", "城乡居民医保个人缴费代缴", (180, 220), "财政专项"),
    ],
    "因残": [
        ("低保兜底", "纳入农村低保", (1800, 3600), "财政专项"),
        ("公益岗位", "村级保洁员公益岗位", (3600, 6000), "财政专项"),
    ],
    "因学": [("雨露计划", "雨露计划职业教育补助", (1500, 3000), "财政专项")],
    "因灾": [("危房改造", "农村危房改造补助", (8000, 20000), "财政专项")],
    "缺土地": [
        ("外出务工", "劳务输出到省外务工", (0, 0), "自筹"),
        ("技能培训", "电焊工技能培训", (0, 1200), "行业部门"),
    ],
    "缺水": [("种植", "小水窖及烤烟种植", (2000, 5000), "财政专项")],
    "缺技术": [
        ("技能培训", "种养殖实用技术培训", (0, 800), "行业部门"),
        ("养殖", "生猪养殖", (3000, 8000), "财政专项"),
    ],
    "缺劳力": [
        ("资产收益", "光伏扶贫电站收益分红", (1000, 3000), "财政专项"),
        ("低保兜底", "纳入农村低保", (1800, 3600), "财政专项"),
    ],
    "缺资金": [
        ("小额信贷", "扶贫小额信贷贴息", (1500, 2500), "信贷"),
        ("养殖", "能繁母牛养殖", (5000, 12000), "信贷"),
    ],
    "交通条件落后": [("易地扶贫搬迁", "易地扶贫搬迁集中安置", (20000, 60000), "财政专项")],
    "自身发展动力不足": [
        ("公益岗位", "生态护林员", (8000, 10000), "财政专项"),
        ("其他产业", "中药材种植", (1000, 3000), "社会帮扶"),
    ],
    "": [("种植", "烤烟种植", (1000, 4000), "财政专项")],
}
EDUCATION_BY_SCHOOL = {
    "学前教育": "学前教育资助",
    "小学": "义务教育资助",
    "初中": "义务教育资助",
    "高中": "高中教育资助",
    "中职": "中职教育资助",
    "高职": "雨露计划",
    "大专": "高校资助",
    "本科及以上": "高校资助",
}


@dataclass(frozen=True)
class DemoAssistance:
    helpers: int
    pairings: int
    plans: int
    measures: int
    visits: int
    loans: int
    teams: int


def _name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2, 2))))


def _phone(rng: random.Random) -> str:
    return f"1{rng.choice('3589')}{rng.randrange(10**9):09d}"


def _day(rng: random.Random, start: datetime.date, end: datetime.date) -> datetime.date:
    return start + datetime.timedelta(days=rng.randrange(max(1, (end - start).days + 1)))


def create_demo_assistance(rng: random.Random, *, today: datetime.date | None = None) -> DemoAssistance:
    today = today or timezone.localdate()
    year_start = datetime.date(today.year, 1, 1)
    county = Area.objects.get(level=Area.Level.COUNTY)
    townships = list(Area.objects.filter(level=Area.Level.TOWNSHIP).order_by("code"))

    units = [Unit(name=name, level=level, area=county) for name, level in UNITS]
    units += [Unit(name=f"{t.name}人民政府", level="乡镇", area=t) for t in townships]
    units += [Unit(name=f"{t.name}某村委会", level="村级", area=t) for t in townships[:1]]
    copy_insert(units)
    cadre_units = [u for u in units if u.level in choices.CADRE_LEVELS]
    enterprises = [u for u in units if u.level == "企业"]
    village_unit = next(u for u in units if u.level == "村级")

    # The households on the open 扶贫 roll, in code order (the helper account's village first), with what the
    # measures depend on: cause, 危房, students and patients.
    rows = list(
        Member.objects.filter(
            household__cases__program="fupin", household__cases__state__in=["active", "returned"]
        )
        .order_by("household__group__code", "household_id", "id")
        .values_list(
            "household_id",
            "household__group__code",
            "household__main_cause",
            "household__dangerous_house",
            "id",
            "school_status",
            "health",
        )
    )
    households: dict[int, dict] = {}
    for hid, code, cause, dangerous, mid, school, health in rows:
        h = households.setdefault(
            hid, {"code": code, "cause": cause, "dangerous": bool(dangerous), "students": [], "patients": []}
        )
        if school and school != "非在校生":
            h["students"].append((mid, school))
        if health in ("患有大病", "长期慢性病"):
            h["patients"].append((mid, health))
    ordered = sorted(
        households,
        key=lambda hid: (
            not households[hid]["code"].startswith(HELPER_VILLAGE),
            households[hid]["code"],
            hid,
        ),
    )

    # Helpers: three households each; ~3% of households left without one (整改: 没有帮扶责任人).
    paired = [hid for hid in ordered[3:] if rng.random() > 0.03]
    paired = ordered[:3] + paired
    helpers: list[Helper] = []
    for _ in range((len(paired) + 2) // 3):
        roll = rng.random()
        unit = rng.choice(enterprises) if roll < 0.04 else rng.choice(cadre_units)
        helpers.append(
            Helper(
                name=_name(rng),
                unit=unit,
                position=rng.choice(POSITIONS),
                is_cadre=unit.level != "企业" and rng.random() > 0.01,  # a few 非在编 (整改)
                is_manager=unit.level == "企业" and rng.random() > 0.2,
                phone=_phone(rng),
                area=unit.area,
            )
        )
    if helpers:
        # A 村级 helper (整改: 不符合条件).
        helpers[-1].unit, helpers[-1].area = village_unit, village_unit.area
    # The demo helper's login (accounts.demo makes it with the other demo accounts) is the first helper.
    user = User.objects.filter(username=HELPER_USERNAME).first()
    if user is None:
        user = User(username=HELPER_USERNAME, last_name="周建华", role=Role.HELPER)
        user.password = make_password(DEMO_PASSWORD)
        user.save()
    if helpers:
        helpers[0].user, helpers[0].name = user, user.get_full_name() or user.username
    copy_insert(helpers)

    pairings: list[Pairing] = []
    for index, hid in enumerate(paired):
        started = _day(rng, datetime.date(2015, 10, 1), datetime.date(2016, 6, 30))
        pairings.append(Pairing(helper=helpers[index // 3], household_id=hid, started_on=started))
    # A helper with a fourth household (整改: 超过上限), taken from the households left without one.
    unpaired = [hid for hid in ordered if hid not in set(paired)]
    if unpaired and len(helpers) > 2:
        pairings.append(
            Pairing(helper=helpers[1], household_id=unpaired.pop(), started_on=datetime.date(2017, 3, 1))
        )
    # Some reassignments over time: the earlier helper's pairing ended with its reason.
    history = []
    for pairing in (
        rng.sample(pairings[3:], k=min(len(pairings) - 3, len(pairings) // 20)) if len(pairings) > 3 else []
    ):
        earlier = rng.choice(helpers)
        ended = pairing.started_on
        history.append(
            Pairing(
                helper=earlier,
                household_id=pairing.household_id,
                started_on=datetime.date(2015, 1, 5),
                ended_on=ended,
                end_reason=rng.choice(["调整帮扶责任人", "帮扶责任人调离"]),
            )
        )
    copy_insert(pairings + history)
    helper_of = {p.household_id: p.helper for p in pairings}

    # 一户一策 of this year (and last year's for most), with measures.
    plans: list[Plan] = []
    measures: list[Measure] = []
    for hid in ordered:
        if rng.random() < 0.04:
            continue  # 整改: 没有本年度帮扶计划
        info = households[hid]
        target = today.year + rng.choice((0, 0, 1, 1, 2))
        plan = Plan(
            household_id=hid,
            year=today.year,
            target_year=target,
            wishes=rng.choice(
                ["发展养殖", "外出务工", "种植烤烟", "希望子女完成学业", "改善住房", "治病", ""]
            ),
        )
        plans.append(plan)
        if rng.random() < 0.6:
            plans.append(
                Plan(
                    household_id=hid,
                    year=today.year - 1,
                    target_year=max(today.year - 1, target),
                    wishes=plan.wishes,
                )
            )
        if rng.random() < 0.03:
            continue  # 整改: 有计划无措施
        chosen = list(BY_CAUSE.get(info["cause"], BY_CAUSE[""]))
        picks = rng.sample(chosen, k=rng.randint(1, len(chosen)))
        items = [(category, content, amounts, source, None) for category, content, amounts, source in picks]
        for mid, school in info["students"]:
            if rng.random() < 0.92:  # the rest: 应助未助
                items.append(
                    (
                        EDUCATION_BY_SCHOOL.get(school, "义务教育资助"),
                        f"{school}学生资助",
                        (500, 3000),
                        "财政专项",
                        mid,
                    )
                )
        for mid, health in info["patients"]:
            if rng.random() < 0.9:
                category = "大病救治" if health == "患有大病" else "慢病签约"
                items.append(
                    (
                        category,
                        f"{health}{category}",
                        (0, 20000) if category == "大病救治" else (0, 0),
                        "行业部门",
                        mid,
                    )
                )
        if info["dangerous"] and rng.random() < 0.85:
            items.append(("危房改造", "农村危房改造补助", (8000, 20000), "财政专项", None))
        for category, content, (low, high), source, member_id in items:
            started = _day(
                rng, year_start, max(year_start, min(today, year_start + datetime.timedelta(days=120)))
            )
            status = rng.choices(["计划", "实施中", "已完成"], weights=[2, 5, 3])[0]
            measures.append(
                Measure(
                    plan=plan,
                    household_id=hid,
                    category=category,
                    member_id=member_id,
                    content=content,
                    amount=Decimal(rng.randint(low, high)),
                    funding_source=source,
                    started_on=started,
                    ended_on=today if status == "已完成" else None,
                    status=status,
                    effect="已落实" if status == "已完成" else "",
                )
            )
    copy_insert(plans)
    for measure in measures:
        measure.plan_id = measure.plan.pk
    copy_insert(measures)

    # Visits this year for ~93% of paired households (整改: 本年度未走访 for the rest), and some last year.
    visits: list[Visit] = []
    for hid, helper in helper_of.items():
        if rng.random() < 0.93:
            for _ in range(rng.randint(1, 3)):
                visits.append(
                    Visit(
                        helper=helper,
                        household_id=hid,
                        visited_on=_day(rng, year_start, today),
                        content=rng.choice(
                            [
                                "入户走访,了解生产生活情况",
                                "宣讲扶贫政策",
                                "核实收入",
                                "查看养殖情况",
                                "帮助联系务工",
                            ]
                        ),
                    )
                )
        if rng.random() < 0.5:
            visits.append(
                Visit(
                    helper=helper,
                    household_id=hid,
                    visited_on=_day(
                        rng, datetime.date(today.year - 1, 1, 1), datetime.date(today.year - 1, 12, 31)
                    ),
                    content="入户走访",
                )
            )
    # bulk_create, not COPY: the photo column is a FileField, whose value households.bulk cannot copy as is.
    Visit.objects.bulk_create(visits, batch_size=5000)

    # 评级授信 and loans: a third rated, most of them borrowing; some past due (整改: 逾期).
    ratings: list[CreditRating] = []
    loans: list[Loan] = []
    for hid in ordered:
        if rng.random() > 0.35:
            continue
        rated = _day(rng, datetime.date(2016, 1, 1), datetime.date(2017, 12, 31))
        grade = rng.choices(["AAA", "AA", "A", "B", "不予授信"], weights=[2, 4, 4, 1, 1])[0]
        line = Decimal(0 if grade == "不予授信" else 50000 if grade in ("AAA", "AA") else 30000)
        ratings.append(CreditRating(household_id=hid, grade=grade, credit_line=line, rated_on=rated))
        if line and rng.random() < 0.75:
            overdue = rng.random() < 0.03
            issued = _day(
                rng,
                today - datetime.timedelta(days=40 * 30 if overdue else 900),
                today - datetime.timedelta(days=30),
            )
            issued = max(issued, rated)
            term = rng.choice((12, 24, 36))
            due = add_months(issued, term)
            repaid = due < today and not overdue
            amount = Decimal(rng.choice((10000, 20000, 30000, 50000))).min(line)
            loans.append(
                Loan(
                    household_id=hid,
                    bank=rng.choice(
                        ["师宗县农村信用合作联社", "中国农业银行师宗支行", "中国邮政储蓄银行师宗支行"]
                    ),
                    amount=amount,
                    issued_on=issued,
                    term_months=term,
                    due_on=due,
                    purpose=rng.choice(["养殖", "种植", "加工", "入股合作社"]),
                    subsidy_rate=Decimal("4.35"),
                    subsidy_amount=(amount * Decimal("0.0435") * term / 12).quantize(Decimal("0.01")),
                    risk_compensation=Decimal(rng.choice((0, 500, 1000))),
                    status="已还" if repaid else "正常",
                    repaid_on=due if repaid else None,
                )
            )
    copy_insert(ratings)
    copy_insert(loans)

    teams = _work_teams(rng, units, cadre_units, today)
    return DemoAssistance(
        helpers=len(helpers),
        pairings=len(pairings),
        plans=len(plans),
        measures=len(measures),
        visits=len(visits),
        loans=len(loans),
        teams=teams,
    )


def _work_teams(rng: random.Random, units: list[Unit], cadre_units: list[Unit], today: datetime.date) -> int:
    """A team with a 第一书记 in every 贫困村, and its "五个一"; the first one lacks its 第一书记 (整改)."""
    poor = list(
        Area.objects.filter(
            level=Area.Level.VILLAGE,
            code__in=AreaProfile.objects.filter(is_poor_village=True).values("area__code"),
        ).order_by("code")
    )
    teams, members, contacts = [], [], []
    for village in poor:
        unit = rng.choice(cadre_units)
        teams.append(
            WorkTeam(village=village, unit=unit, started_on=datetime.date(2015, rng.randint(8, 10), 1))
        )
        contacts.append(
            VillageAssistance(
                village=village,
                liaison_leader=f"{_name(rng)}(副县长)" if rng.random() < 0.5 else f"{_name(rng)}(县委常委)",
                unit=unit,
                agronomist="" if rng.random() < 0.05 else _name(rng),
            )
        )
    copy_insert(teams)
    copy_insert(contacts)
    for index, team in enumerate(teams):
        joined = team.started_on
        members.append(
            TeamMember(
                team=team,
                name=_name(rng),
                role="队长",
                is_first_secretary=index != 0,
                unit=team.unit,
                phone=_phone(rng),
                joined_on=joined,
            )
        )
        members.append(
            TeamMember(
                team=team,
                name=_name(rng),
                role="副队长",
                unit=rng.choice(cadre_units),
                phone=_phone(rng),
                joined_on=joined,
            )
        )
        members.append(
            TeamMember(
                team=team,
                name=_name(rng),
                role="扶贫专干",
                unit=team.unit,
                phone=_phone(rng),
                joined_on=joined,
            )
        )
    copy_insert(members)
    attendance = []
    first = today.replace(day=1)
    months = [add_months(first, -n) for n in range(1, 4)]
    for member in members:
        for month in months:
            leave = rng.choice((0, 0, 1, 2))
            attendance.append(
                Attendance(member=member, month=month, days_present=rng.randint(18, 24), days_leave=leave)
            )
    copy_insert(attendance)
    return len(teams)
