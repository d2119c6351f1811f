"""脱贫退出 and 退保/纳入 for the demo county, after the households, the round and 帮扶 (seed_demo):

- the 2015年动态调整 standards (扶贫标准 2855 元, 农村低保标准 2280 元 — demo figures), as a round closed to
  identification (the identification demo works in its 2014 round);
- in 山龙村 (the demo village cadre's), a few households on the 扶贫 roll with 2014 and 2013 incomes above the
  line and the 三保障 met: most walk the whole procedure through the services (入户核实, 评议, 签字, 村内公示,
  乡镇审核, 县审批, 公告) and are 已脱贫 in 2015; one stops at the 村内公示, waiting for the township;
- 2014 incomes for some 低保 households above the 低保标准 and some households off the rolls below it, and
  民政's proposals computed from them, waiting for its decision.

Unlike the bulk-loaded registry, these are user moves: they go through the services and leave their trail.
"""

from __future__ import annotations

import datetime
import random
from dataclasses import dataclass
from decimal import Decimal

from accounts import clock
from accounts.models import User
from exits import checklist, services
from exits.models import ExitApplication, ExitState
from exits.services._common import COUNTY_KIND, VILLAGE_KIND
from households.choices import SchoolStatus
from households.models import Case, Household, IncomeRecord
from identification.models import Round
from villages.models import Area

VILLAGE = "530323101201"  # 丹凤镇 山龙村民委员会
COMPLETED = 4
MEETS = {
    "FOOD": {"answer": True, "evidence": "家中存粮够吃一年,每周有肉"},
    "CLOTHING": {"answer": True, "evidence": "四季衣被齐全"},
}


@dataclass
class DemoExits:
    round: Round
    lifted: int
    in_notice: int
    proposals: dict


def _meets_registry(household: Household) -> None:
    """Make a demo household meet the 三保障 in the registry (its 2015 situation after 帮扶)."""
    Household.objects.filter(pk=household.pk).update(
        dangerous_house=False, dangerous_house_grade="", drinking_water_safe=True
    )
    household.members.update(basic_medical_insurance=True)
    low, high = checklist.SCHOOL_AGE
    for member in household.members.all():
        age = checklist.age_on(member.birth_date, datetime.date(2015, 9, 1))
        if low <= age <= high and member.school_status == SchoolStatus.NONE:
            member.school_status = SchoolStatus.PRIMARY if age <= 12 else SchoolStatus.JUNIOR
            member.save(update_fields=["school_status"])


def _income(household: Household, year: int, per_capita: int, *, dibao_benefit: int = 0) -> None:
    persons = household.members.count() or 1
    IncomeRecord.objects.update_or_create(
        household=household,
        year=year,
        defaults={
            "persons": persons,
            "wage_income": Decimal(per_capita * persons),
            "dibao_benefit": Decimal(dibao_benefit * persons),
        },
    )


def _publish(kind: str, area: Area, actor: User, exits: list, day: datetime.date):
    return services.exit_notice_publish(
        kind=kind,
        area=area,
        actor=actor,
        exits=exits,
        starts_on=day,
        ends_on=day + datetime.timedelta(days=7),
        issuing_body=f"{area.name}{'村民委员会' if kind == VILLAGE_KIND else '扶贫开发领导小组办公室'}",
        complaint_phone="0874-5612317",
    )


def create_demo_exits(rng: random.Random) -> DemoExits:
    round = Round.objects.create(
        year=2015,
        name="2015年动态调整",
        kind=Round.Kind.DYNAMIC,
        poverty_line=Decimal("2855"),
        dibao_line=Decimal("2280"),
        closed=True,
    )
    cadre = User.objects.get(username="cungan")
    township = User.objects.get(username="xiangzhen")
    fupin = User.objects.get(username="fupinban")
    minzheng = User.objects.get(username="minzheng")
    village = Area.objects.get(code=VILLAGE)
    rolled = list(
        Household.objects.filter(
            group__code__startswith=village.scope_prefix, cases__program="fupin", cases__state="active"
        )
        .exclude(cases__program="dibao")
        .order_by("number")
        .distinct()[: COMPLETED + 1]
    )
    for household in rolled:
        _meets_registry(household)
        _income(household, 2013, rng.randint(3000, 3600))
        _income(household, 2014, rng.randint(3400, 4800))

    exits = []
    with clock.moved_to(datetime.date(2015, 10, 12)):
        for household in rolled:
            exit = services.exit_propose(household=household, round=round, actor=cadre)
            services.exit_survey_record(exit=exit, actor=cadre, surveyed_on=clock.today(), answers=MEETS)
            services.exit_review(
                exit=exit,
                actor=cadre,
                reviewed_on=clock.today(),
                attendees="村党总支书记、村委会主任、驻村工作队队长(第一书记)",
                note="收入稳定,两不愁三保障均已达到",
            )
            services.exit_agree(exit=exit, actor=cadre, agreed_on=clock.today(), signer="户主")
            exits.append(exit)
    # A small demo county may have few rolled households in 山龙村: the last one waits at the 公示.
    completed, waiting = (exits[:-1], exits[-1:]) if len(exits) > 1 else (exits, [])
    if completed:
        with clock.moved_to(datetime.date(2015, 10, 12)):
            notice = _publish(VILLAGE_KIND, village, cadre, completed, clock.today())
            for exit in completed:
                services.exit_verify(exit=exit, actor=township, opinion="入户抽查属实,同意退出")
        with clock.moved_to(datetime.date(2015, 10, 20)):
            services.notice_close(notice=notice, actor=cadre)
            for exit in completed:
                services.exit_approve(exit=exit, actor=fupin, opinion="经审核,同意退出")
            announcement = _publish(COUNTY_KIND, village.parent.parent, fupin, completed, clock.today())
        with clock.moved_to(datetime.date(2015, 10, 28)):
            services.notice_close(notice=announcement, actor=fupin)
    if waiting:
        with clock.moved_to(datetime.date(2015, 11, 2)):
            _publish(VILLAGE_KIND, village, cadre, waiting, clock.today())

    # 低保: some 低保 households of 丹凤镇 now above the standard without their 低保金, some households off
    # every roll below it.
    danfeng = village.parent
    dibao = list(
        Household.objects.filter(
            group__code__startswith=danfeng.scope_prefix, cases__program="dibao", cases__state="active"
        ).order_by("number")[:6]
    )
    for i, household in enumerate(dibao):
        _income(household, 2014, 2600 if i % 2 == 0 else 1800, dibao_benefit=900)
    off_roll = list(
        Household.objects.filter(group__code__startswith=danfeng.scope_prefix)
        .exclude(cases__state__in=Case.OPEN_STATES)
        .order_by("number")[:3]
    )
    for household in off_roll:
        _income(household, 2014, 1900)
    proposals = services.dibao_proposals_compute(actor=minzheng, round=round)
    lifted = ExitApplication.objects.filter(pk__in=[e.pk for e in completed], state=ExitState.LIFTED).count()
    return DemoExits(round=round, lifted=lifted, in_notice=len(waiting), proposals=proposals)
