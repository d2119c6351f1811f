"""Demo households for the demo county: realistic families, incomes and rolls, fast enough for 100,000.

Households are spread over the townships in proportion to their 乡村人口数 (seed 002's annex); a household
is poor with the probability of its township's 贫困发生率 in the annex, and the poor fall into the three
classes of seed 002 四(一). Incomes are for 2011, the year the 2012 identification measured.
"""

from __future__ import annotations

import datetime
import random
from collections import Counter
from dataclasses import dataclass
from decimal import Decimal

from households import choices
from households.bulk import copy_insert
from households.idnumber import build
from households.models import Case, Household, IncomeRecord, Member
from villages.apportion import apportion
from villages.demo import COUNTY_CODE, township_poverty_rate
from villages.models import Area

INCOME_YEAR = 2011
ENTRY_YEAR = 2012
# The round the demo works in (identification's demo): no exit is dated after it.
CURRENT_ROUND_YEAR = 2014
# 师宗县's code before 曲靖地区 became 曲靖市 (1997): numbers issued before then keep it. (530322 and
# 532228 are 陆良县's, new and old.)
OLD_REGION, REGION, REGION_CHANGED = "532227", "530323", 1997
POVERTY_LINE = 2300
DIBAO_LINE = 1400
CHANGE_REASON = "演示数据"

SURNAMES = (
    "李王张刘陈杨赵黄周吴徐孙马朱胡郭何高罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆"
    "汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
)
# Given-name characters by sex, as a county official would expect them on a roll.
GIVEN = {
    "男": "文华建国明军平云林海亮杰强勇志刚辉峰超伟涛斌鹏飞德福贵荣顺发成忠武宝",
    "女": "丽芳红英兰秀珍春玉梅艳凤霞娟琼燕萍桂香丹翠美慧莲菊娥芬",
}
# 师宗县's peoples by township: 龙庆 is 彝族壮族, 五龙 壮族, 高良 壮族苗族瑶族; the rest mostly 汉族.
ETHNICITY_MIX = {
    "龙庆乡": (("汉族", 40), ("彝族", 35), ("壮族", 25)),
    "五龙乡": (("汉族", 35), ("壮族", 65)),
    "高良乡": (("汉族", 30), ("壮族", 40), ("苗族", 15), ("瑶族", 15)),
}
DEFAULT_ETHNICITY = (("汉族", 85), ("彝族", 10), ("回族", 5))
CAUSES = (
    ("因病", 25),
    ("缺资金", 20),
    ("缺技术", 15),
    ("缺劳力", 10),
    ("因残", 8),
    ("因学", 6),
    ("缺土地", 4),
    ("缺水", 4),
    ("交通条件落后", 4),
    ("因灾", 2),
    ("自身发展动力不足", 2),
)


def _pick(rng: random.Random, weighted) -> str:
    values, weights = zip(*weighted, strict=True)
    return rng.choices(values, weights)[0]


@dataclass
class DemoCounts:
    households: int = 0
    members: int = 0
    poor_households: int = 0
    poor_members: int = 0


class _IdNumbers:
    """Unique, valid 身份证号 of one county: a sequence per region code, birth date and gender."""

    def __init__(self, region: str = REGION, old_region: str | None = OLD_REGION) -> None:
        self.used: Counter = Counter()
        self.region, self.old_region = region, old_region

    def next(self, rng: random.Random, birth: datetime.date, gender: str) -> str:
        # A number keeps the county code of its issue: most people born before 1997 still carry 532227.
        # (Only 师宗县's old code is known here; the other demo counties' numbers all carry today's.)
        old = self.old_region and birth.year < REGION_CHANGED and rng.random() < 0.7
        region = self.old_region if old else self.region
        key = (region, birth, gender)
        n = self.used[key]
        self.used[key] += 1
        return build(region, birth, n * 2 + (1 if gender == "男" else 0))


def _birth(rng: random.Random, year: int) -> datetime.date:
    return datetime.date(year, 1, 1) + datetime.timedelta(days=rng.randrange(365))


def _name(rng: random.Random, gender: str, surname: str | None = None) -> str:
    return (surname or rng.choice(SURNAMES)) + "".join(
        rng.choice(GIVEN[gender]) for _ in range(rng.choice((1, 2, 2)))
    )


def _family(rng: random.Random, ids: _IdNumbers, ethnicity: str) -> list[Member]:
    """A head, often a spouse, children and sometimes a parent; ages and relations consistent."""
    head_gender = "男" if rng.random() < 0.85 else "女"
    head_year = rng.randint(1935, 1990)
    surname = rng.choice(SURNAMES)
    people = [(choices.Relation.HEAD, head_gender, head_year, surname)]
    if rng.random() < 0.85:
        people.append(
            (
                choices.Relation.SPOUSE,
                "女" if head_gender == "男" else "男",
                head_year + rng.randint(-4, 6),
                None,
            )
        )
    for _ in range(rng.choice((0, 1, 1, 2, 2, 2, 3, 4))):
        year = head_year + rng.randint(20, 38)
        if year > 2011:
            continue
        son = rng.random() < 0.52
        people.append(
            (choices.Relation.SON if son else choices.Relation.DAUGHTER, "男" if son else "女", year, surname)
        )
    if head_year > 1960 and rng.random() < 0.2:
        father = rng.random() < 0.4
        people.append(
            (
                choices.Relation.FATHER if father else choices.Relation.MOTHER,
                "男" if father else "女",
                head_year - rng.randint(22, 32),
                surname if father else None,
            )
        )
    members = []
    for relation, gender, year, family_name in people:
        birth = _birth(rng, min(year, 2011))
        age = INCOME_YEAR - birth.year
        health = _pick(rng, (("健康", 80), ("长期慢性病", 10), ("患有大病", 4), ("残疾", 6)))
        if age >= 65 or health in ("患有大病", "残疾"):
            labour = _pick(rng, (("丧失劳动力", 60), ("无劳动力", 40)))
        elif age < 16:
            labour = "无劳动力"
        else:
            labour = _pick(rng, (("普通劳动力", 80), ("技能劳动力", 20)))
        school = _school(rng, age)
        # Pupils and students live at school, not away at work.
        working = school == "非在校生" and labour in ("普通劳动力", "技能劳动力") and rng.random() < 0.45
        id_number = ids.next(rng, birth, gender)
        members.append(
            Member(
                person_number=f"{len(members) + 1:02d}",  # prefixed with the 户编号 once it is known
                name=_name(rng, gender, family_name),
                id_number=id_number,
                gender=gender,
                birth_date=birth,
                relation=relation,
                ethnicity=ethnicity,
                education=_education(rng, age, school),
                school_status=school,
                health=health,
                disability_grade=rng.choice(("一级", "二级", "三级", "四级")) if health == "残疾" else "",
                disability_certificate=_certificate(rng, id_number) if health == "残疾" else "",
                labour=labour,
                work_status=_pick(rng, (("乡(镇)外县内务工", 30), ("县外省内务工", 40), ("省外务工", 30)))
                if working
                else "",
                work_months=rng.randint(3, 12) if working else None,
                basic_medical_insurance=rng.random() < 0.95,
                serious_illness_insurance=rng.random() < 0.6,
                pension_insurance=age >= 16 and rng.random() < 0.7,
            )
        )
    return members


def _certificate(rng: random.Random, id_number: str) -> str:
    """The 20-digit 残疾人证号: the holder's ID number, the category (1-7) and the grade (1-4)."""
    return f"{id_number}{rng.randint(1, 7)}{rng.randint(1, 4)}"


# The school a child is at, by age (in the income year); older teenagers may have left school.
SCHOOL_BY_AGE = ((3, "非在校生"), (6, "学前教育"), (12, "小学"), (15, "初中"), (18, "高中"))
# 文化程度 of someone at school: the level they are at.
EDUCATION_AT_SCHOOL = {
    "学前教育": "学龄前儿童",
    "小学": "小学",
    "初中": "初中",
    "高中": "高中",
    "中职": "高中",
    "高职": "大专及以上",
    "大专": "大专及以上",
    "本科及以上": "大专及以上",
}


def _school(rng: random.Random, age: int) -> str:
    for upper, status in SCHOOL_BY_AGE:
        if age < upper:
            if status == "高中" and rng.random() < 0.35:
                return _pick(rng, (("中职", 50), ("非在校生", 50)))
            return status
    if age < 22 and rng.random() < 0.15:
        return _pick(rng, (("高职", 30), ("大专", 40), ("本科及以上", 30)))
    return "非在校生"


def _education(rng: random.Random, age: int, school: str) -> str:
    """文化程度 that agrees with age and schooling: the level a pupil is at; for the others, at most
    what their age allows (初中 at 15, 高中 at 18, 大专及以上 from 21)."""
    if school != "非在校生":
        return EDUCATION_AT_SCHOOL[school]
    if age < 6:
        return "学龄前儿童"
    if age < 15:
        return "小学"
    if age < 18:
        return "初中"
    if age >= 60:
        return _pick(rng, (("文盲或半文盲", 55), ("小学", 40), ("初中", 5)))
    levels = [("文盲或半文盲", 8), ("小学", 40), ("初中", 40), ("高中", 9)]
    return _pick(rng, levels + ([("大专及以上", 3)] if age >= 21 else []))


def _income(
    rng: random.Random, household: Household, persons: int, per_capita: int, dibao: bool, tekun: bool
):
    net = Decimal(per_capita * persons)
    transfer = (net * Decimal("0.3")).quantize(Decimal("1"))
    rest = net - transfer
    record = IncomeRecord(household=household, year=INCOME_YEAR, persons=persons)
    record.wage_income = (rest * Decimal("0.5")).quantize(Decimal("1"))
    record.business_income = (rest * Decimal("0.6")).quantize(Decimal("1"))
    record.business_expense = (rest * Decimal("0.15")).quantize(Decimal("1"))
    record.property_income = rest - record.wage_income - record.business_income + record.business_expense
    benefit = "tekun_benefit" if tekun else "dibao_benefit" if dibao else "other_transfer"
    setattr(record, benefit, (transfer * Decimal("0.7")).quantize(Decimal("1")))
    record.ecological_compensation = transfer - getattr(record, benefit)
    return record


def create_demo_households(rng: random.Random, count: int, *, county: Area | None = None) -> DemoCounts:
    """Insert `count` households of `county` (default: the demo county, 师宗县) with members, 2011 incomes
    and cases; history rows in bulk too. Townships get households in proportion to their 乡村人口数 (the
    annex's, for 师宗县). Written one township at a time, so memory holds one township's families, not
    the county's (a prefecture's 1,000,000 households stream through: `seed_demo --counties`)."""
    county = county or Area.objects.get(code=COUNTY_CODE)
    townships = list(Area.objects.filter(level=Area.Level.TOWNSHIP, parent=county).order_by("code"))
    groups_by_township: dict[int, list[Area]] = {t.pk: [] for t in townships}
    groups = Area.objects.filter(level=Area.Level.GROUP, code__startswith=county.scope_prefix)
    for group in groups.select_related("parent").order_by("code"):
        groups_by_township[group.parent.parent_id].append(group)
    shares = apportion(count, [t.rural_population or 1 for t in townships])

    region = county.code[:6]
    ids = _IdNumbers(region, OLD_REGION if region == REGION else None)
    counts = DemoCounts()
    for township, share in zip(townships, shares, strict=True):
        families = _township_families(rng, ids, county, township, groups_by_township[township.pk], share)
        _write_families(rng, families, counts)
    return counts


def _township_families(
    rng: random.Random, ids: _IdNumbers, county: Area, township: Area, groups: list[Area], share: int
) -> list[tuple[Household, list[Member], dict]]:
    """`share` households of a township, with their members and what their rolls will be."""
    rate = township_poverty_rate(township.code[:9]) / 100
    mix = ETHNICITY_MIX.get(township.name, DEFAULT_ETHNICITY)
    serial: Counter = Counter()
    families: list[tuple[Household, list[Member], dict]] = []
    for _ in range(share):
        group = rng.choice(groups)
        serial[group.code] += 1
        members = _family(rng, ids, _pick(rng, mix))
        children = [m for m in members if m.relation in (choices.Relation.SON, choices.Relation.DAUGHTER)]
        poor = rng.random() < rate
        household = Household(
            number=f"{group.code}{serial[group.code]:04d}",
            group=group,
            address=f"{group.parent.name.removesuffix('村民委员会').removesuffix('社区居民委员会')}村{group.name}",
            phone=f"1{rng.choice('358')}{rng.randrange(10**9):09d}" if rng.random() < 0.7 else "",
            bank_name=f"{county.name}农村信用合作联社" if poor else "",
            bank_account=f"6224{rng.randrange(10**15):015d}" if poor else "",
            arable_land=Decimal(rng.randint(5, 80)) / 10,
            forest_land=Decimal(rng.randint(0, 100)) / 10,
            orchard_land=Decimal(rng.randint(0, 20)) / 10,
            has_electricity=rng.random() < 0.97,
            has_production_electricity=rng.random() < 0.6,
            military_martyr_family=rng.random() < 0.01,
            # As the national form reads them: one child; exactly two children, both daughters.
            only_child_household=len(children) == 1,
            two_daughters_household=[m.relation for m in children] == [choices.Relation.DAUGHTER] * 2,
            has_broadcast_tv=rng.random() < 0.85,
            road_distance_km=Decimal(rng.randint(0, 50)) / 10,
            road_type=_pick(rng, (("泥土路", 45), ("砂石路", 30), ("水泥路", 25))),
            housing_area=Decimal(rng.randint(30, 180)),
            drinking_water_safe=rng.random() < 0.7,
            drinking_water_difficult=rng.random() < 0.25,
            fuel=_pick(rng, (("柴草", 55), ("煤炭", 30), ("电", 10), ("沼气", 5))),
            in_cooperative=rng.random() < 0.1,
            has_sanitary_toilet=rng.random() < 0.3,
        )
        household.irrigated_land = (household.arable_land * Decimal(rng.randint(0, 60)) / 100).quantize(
            Decimal("0.1")
        )
        household.dangerous_house = poor and rng.random() < 0.3
        household.dangerous_house_grade = rng.choice(("C级", "D级")) if household.dangerous_house else ""
        plan = {"poor": poor}
        if poor:
            able = any(m.labour in ("普通劳动力", "技能劳动力") for m in members)
            kind = rng.random()
            if kind < 0.05 and len(members) <= 2:
                plan.update(
                    attribute="特困供养贫困户", poverty_class=1, tekun=True, pc=rng.randint(500, 1300)
                )
            elif kind < 0.32:
                plan.update(
                    attribute="低保贫困户",
                    poverty_class=2 if able else 1,
                    dibao=True,
                    pc=rng.randint(600, DIBAO_LINE - 50),
                )
            else:
                plan.update(
                    attribute="一般贫困户", poverty_class=3, pc=rng.randint(DIBAO_LINE, POVERTY_LINE - 50)
                )
            household.attribute = plan["attribute"]
            household.main_cause = _pick(rng, CAUSES)
            others = {_pick(rng, CAUSES) for _ in range(rng.choice((0, 0, 1, 2)))} - {household.main_cause}
            household.other_causes = sorted(others)
            household.deep_poverty = plan["pc"] < 1000 and rng.random() < 0.5
        else:
            plan["pc"] = rng.randint(POVERTY_LINE + 100, 9000)
        household.area_code, household.persons = group.code, len(members)  # as the triggers set them
        families.append((household, members, plan))
    return families


def _write_families(rng: random.Random, families: list, counts: DemoCounts) -> None:
    copy_insert([household for household, _members, _plan in families], reason=CHANGE_REASON)
    members, incomes, cases = [], [], []
    for household, family, plan in families:
        for member in family:
            member.household = household
            member.person_number = household.number + member.person_number
        members.extend(family)
        incomes.append(
            _income(
                rng, household, len(family), plan["pc"], plan.get("dibao", False), plan.get("tekun", False)
            )
        )
        counts.households += 1
        counts.members += len(family)
        if not plan["poor"]:
            continue
        counts.poor_households += 1
        counts.poor_members += len(family)
        fate = rng.random()
        state, left = (
            ("lifted", rng.randint(ENTRY_YEAR + 1, CURRENT_ROUND_YEAR))
            if fate < 0.08
            else ("returned", None)
            if fate < 0.09
            else ("active", None)
        )
        cases.append(
            Case(
                household=household,
                program="fupin",
                entered_year=ENTRY_YEAR,
                state=state,
                left_year=left,
                poverty_class=plan["poverty_class"],
            )
        )
        if plan.get("dibao"):
            cases.append(
                Case(
                    household=household,
                    program="dibao",
                    entered_year=ENTRY_YEAR,
                    poverty_class=plan["poverty_class"],
                )
            )
        if plan.get("tekun"):
            cases.append(Case(household=household, program="tekun", entered_year=ENTRY_YEAR, poverty_class=1))
    for rows in (members, incomes, cases):
        copy_insert(rows, reason=CHANGE_REASON)


# 山龙村 (丹凤镇), where the demo's 村级录入员 cungan works and 乡镇审核员 xiangzhen decides.
CHANGES_VILLAGE = "530323101201"


def create_demo_change_requests(rng: random.Random) -> int:
    """A few household changes in 山龙村, through the services as the demo users would make them: a 减少成员
    (死亡) approved, a 新增成员 (出生) and a 变更户主 waiting in 丹凤镇's queue. Returns how many."""
    from accounts.models import User
    from households.changes import services as changes

    cadre, official = User.objects.get(username="cungan"), User.objects.get(username="xiangzhen")
    households = list(
        Household.objects.filter(group__code__startswith=CHANGES_VILLAGE)
        .order_by("number")
        .prefetch_related("members")[:60]
    )
    families = [h for h in households if len(h.members.all()) >= 2]
    if len(families) < 3:
        return 0
    first, second, third = rng.sample(families, 3)

    elder = min((m for m in first.members.all() if not m.is_head), key=lambda m: m.birth_date)
    death = changes.change_file(
        actor=cadre,
        household=first,
        kind="remove_member",
        reason=choices.RemovalReason.DEATH,
        note=f"{elder.name}于{CURRENT_ROUND_YEAR}年2月病故,附死亡证明。",
        payload={"member_id": elder.pk},
    )
    changes.change_approve(actor=official, change=death, reason="经核实,死亡证明齐全。")

    born = datetime.date(CURRENT_ROUND_YEAR, 3, 15)
    number = next(
        build(REGION, born, s)
        for s in range(rng.randrange(100, 800), 999)
        if not Member.everyone.filter(id_number=build(REGION, born, s)).exists()
    )
    gender = "男" if int(number[16]) % 2 else "女"
    head = next(m for m in second.members.all() if m.is_head)
    changes.change_file(
        actor=cadre,
        household=second,
        kind="add_member",
        reason=choices.AdditionReason.BIRTH,
        note="新生儿,已办理出生登记和户口。",
        payload={
            "member": {
                "name": _name(rng, gender, head.name[0]),
                "id_number": number,
                "gender": gender,
                "birth_date": born.isoformat(),
                "relation": "之孙子" if gender == "男" else "之孙女",
                "ethnicity": head.ethnicity,
                "education": choices.Education.PRESCHOOL,
                "school_status": choices.SchoolStatus.NONE,
                "health": choices.Health.HEALTHY,
            }
        },
    )

    successor = next(m for m in third.members.all() if not m.is_head)
    old_head = next(m for m in third.members.all() if m.is_head)
    # The old head's relation to the new one: a parent when a child takes over, else 其他.
    parent = "之父" if old_head.gender == "男" else "之母"
    changes.change_file(
        actor=cadre,
        household=third,
        kind="change_head",
        note="原户主年老,家庭事务由子女主持。",
        payload={
            "new_head_id": successor.pk,
            "old_head_relation": parent if successor.relation in ("之子", "之女") else choices.Relation.OTHER,
        },
    )
    return 3
