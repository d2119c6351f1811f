"""The demo's current round: 2013年动态调整 (扶贫标准 2736 元, the national line of 2013; 农村低保标准
1800 元), with quotas and applications in every state, all built through identification.services.

The work of five weeks is replayed in seconds: the services' calendar (`identification.clock`) is moved
along a timeline that ends today, so that closed notices lie in the past and the running ones run now.
Applications come from 丹凤镇 (the demo township official's), drawn from households not yet on a roll,
so that each demo account finds work waiting:

- cungan (山龙村): groups waiting for the 户主会议, the 村委会评议 and the survey, a group notice running
  with an open objection;
- xiangzhen (丹凤镇): villages waiting for the township sample, a failed sample that sent a group back
  (推倒重来), running notices and objections;
- fupinban / minzheng: publicized applications covered by the county sample, waiting for their decision
  (cross applications already confirmed for 扶贫 wait for 民政).
"""

from __future__ import annotations

import contextlib
import datetime
import random
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib.auth.hashers import make_password
from django.db.models import Count
from django.utils import timezone

from accounts import clock
from accounts.models import Role, User
from households.models import Household, Member
from identification import rules, services
from identification.choices import MeetingKind, NoticeLevel, ObjectionOutcome, Origin, SpotCheckLevel, State
from identification.models import Application, Round
from villages.apportion import apportion
from villages.demo import read_annex
from villages.models import Area

ROUND_NAME = "2013年动态调整"
POVERTY_LINE = Decimal("2736")
DIBAO_LINE = Decimal("1800")
TOWNSHIP_CODE = "530323101000"  # 丹凤镇, the demo township official's
DEMO_VILLAGE_CODE = "530323101201"  # 山龙村民委员会, the demo village cadre's
PHONE = "0874-5212345"
NO = dict.fromkeys(rules.SURVEY_QUESTIONS, False)
NOMINATION_REASONS = (
    "户主年老不识字,由村民小组提名",
    "户主患病卧床,无法书写申请",
    "家中无人识字,经组长入户了解后提名",
)
SURVEYORS = (("李明", "王芳"), ("张丽", "赵刚"), ("杨华", "陈军"))

# How far each 村民小组's applications go. 山龙村 takes the first four in order, so that the demo cadre
# has each kind of village work; the other villages cycle through the whole list.
SHANLONG_STAGES = ("submitted", "recommended", "reviewed", "notice", "publicized", "confirmed")
STAGES = (
    "publicized",
    "surveyed",
    "confirmed",
    "reviewed",
    "submitted",
    "publicized",
    "notice",
    "recommended",
    "confirmed",
)
ORDER = ("submitted", "recommended", "reviewed", "surveyed", "notice", "publicized", "confirmed")


@dataclass
class DemoRound:
    round: Round
    applications: int = 0
    by_state: dict[str, int] = field(default_factory=dict)


def _reaches(stage: str, step: str) -> bool:
    return ORDER.index(stage) >= ORDER.index(step)


def _village_cadres(villages: list[Area]) -> dict[int, User]:
    """The demo cadre for 山龙村; a staff account without a usable password for each other village,
    which the county administrator can open by setting one."""
    cadres = {u.area_id: u for u in User.objects.filter(role=Role.VILLAGE_CADRE, area__in=villages)}
    missing = [v for v in villages if v.pk not in cadres]
    created = User.objects.bulk_create(
        User(
            username=f"cun{v.code[-6:]}",
            last_name=f"{v.name.removesuffix('村民委员会').removesuffix('社区居民委员会')}录入员",
            role=Role.VILLAGE_CADRE,
            area=v,
            password=make_password(None),
        )
        for v in missing
    )
    cadres.update({u.area_id: u for u in created})
    return cadres


def _set_quotas(round: Round, actor: User, needs: dict[int, int]) -> None:
    """规模控制: the annex's 规模控制识别贫困人口数 scaled to the demo's population and apportioned down by
    persons; a group whose recommended applicants need more (`needs`: group id → persons) is raised by
    the county, and its village and township with it, as 县扶贫办 does on request."""
    annex = {row["乡镇名"]: row for row in read_annex()}
    persons_by_group = dict(
        Member.objects.values("household__group_id")
        .annotate(n=Count("id"))
        .values_list("household__group_id", "n")
    )
    areas = list(Area.objects.exclude(level=Area.Level.COUNTY).order_by("code"))
    children = defaultdict(list)
    for area in areas:
        children[area.parent_id].append(area)
    persons: dict[int, int] = {}
    for area in reversed(areas):  # groups before their villages, villages before their townships
        persons[area.pk] = persons_by_group.get(area.pk, 0) + sum(persons[c.pk] for c in children[area.pk])
    townships = [a for a in areas if a.level == Area.Level.TOWNSHIP]
    annex_quota = sum(int(r["规模控制识别贫困人口数"]) for r in annex.values())
    annex_rural = sum(int(r["乡村人口数"]) for r in annex.values())
    total = round_half(annex_quota * sum(persons[t.pk] for t in townships), annex_rural)
    weights = [int(annex[t.name]["规模控制识别贫困人口数"]) for t in townships]
    quotas = dict(zip((t.pk for t in townships), apportion(total, weights), strict=True))
    for area in areas:  # parents come before children in code order
        kids = children[area.pk]
        weights = [persons[k.pk] for k in kids]
        if kids and sum(weights):
            quotas.update(zip((k.pk for k in kids), apportion(quotas[area.pk], weights), strict=True))
    raised = {pk for pk, n in needs.items() if n > quotas.get(pk, 0)}
    for pk in raised:
        quotas[pk] = needs[pk]
    for area in reversed(areas):
        if children[area.pk]:
            quotas[area.pk] = max(quotas.get(area.pk, 0), sum(quotas.get(k.pk, 0) for k in children[area.pk]))
    for area in areas:
        services.quota_set(
            round=round,
            area=area,
            persons=quotas.get(area.pk, 0),
            actor=actor,
            reason="按2012年规模控制比例下达"
            + (";申报户人口超出比例,县扶贫办调增" if area.pk in raised else ""),
        )


def round_half(numerator: int, denominator: int) -> int:
    return (2 * numerator + denominator) // (2 * denominator)


class _Demo:
    def __init__(self, rng: random.Random, round: Round, start: datetime.date) -> None:
        self.rng, self.round, self.start = rng, round, start
        self.township = Area.objects.get(code=TOWNSHIP_CODE)
        self.official = User.objects.get(role=Role.TOWNSHIP_OFFICIAL, area=self.township)
        self.fupin = User.objects.get(username="fupinban")
        self.minzheng = User.objects.get(username="minzheng")
        self.villages = list(Area.objects.filter(parent=self.township).order_by("code"))
        self.cadres = _village_cadres(self.villages)
        self.stage: dict[int, str] = {}  # application id → how far it goes

    def day(self, n: int) -> contextlib.AbstractContextManager:
        return clock.moved_to(self.start + datetime.timedelta(days=n))

    def date(self, n: int) -> datetime.date:
        return self.start + datetime.timedelta(days=n)

    def cadre(self, area: Area) -> User:
        return self.cadres[area.parent_id if area.level == Area.Level.GROUP else area.pk]

    # 申报 ------------------------------------------------------------------------------------------
    def submit(self) -> dict[int, list[Application]]:
        """1–2 households per group, from those not on any roll; returns the applications by group."""
        on_rolls = Household.objects.filter(cases__isnull=False)
        households = (
            Household.objects.filter(group__code__startswith=self.township.scope_prefix)
            .exclude(pk__in=on_rolls)
            .select_related("group")
            .order_by("number")
        )
        by_group: dict[int, list[Household]] = defaultdict(list)
        for h in households:
            by_group[h.group_id].append(h)
        groups = Area.objects.filter(level=Area.Level.GROUP, parent__in=self.villages).order_by("code")
        village_index = {v.pk: i for i, v in enumerate(self.villages)}
        applications: dict[int, list[Application]] = {}
        with self.day(0):
            for group in groups.select_related("parent"):
                candidates = by_group.get(group.pk, [])
                if not candidates:
                    continue
                position = int(group.code[-3:]) - 1
                if group.parent.code == DEMO_VILLAGE_CODE:
                    stage = SHANLONG_STAGES[position % len(SHANLONG_STAGES)]
                else:
                    stage = STAGES[(village_index[group.parent_id] + position) % len(STAGES)]
                chosen = self.rng.sample(candidates, min(len(candidates), self.rng.choice((1, 2, 2))))
                apps = []
                for household in chosen:
                    program = self.rng.choices(("fupin", "dibao", "both"), (60, 15, 25))[0]
                    # Nominations only: a 户主申请 needs a scan of the signed form, which a demo has not.
                    apps.append(
                        services.application_submit(
                            round=self.round,
                            household=household,
                            actor=self.cadre(group),
                            wants_fupin=program in ("fupin", "both"),
                            wants_dibao=program in ("dibao", "both"),
                            origin=Origin.NOMINATED,
                            nomination_reason=self.rng.choice(NOMINATION_REASONS),
                        )
                    )
                    self.stage[apps[-1].pk] = stage
                applications[group.pk] = apps
        return applications

    # 评议 ------------------------------------------------------------------------------------------
    def group_meetings(self, by_group: dict[int, list[Application]]) -> None:
        with self.day(2):
            for group_apps in by_group.values():
                if not _reaches(self.stage[group_apps[0].pk], "recommended"):
                    continue
                # Re-read: some were withdrawn or turned down since they were submitted.
                apps = list(
                    Application.objects.filter(pk__in=[a.pk for a in group_apps], state=State.SUBMITTED)
                    .select_related("household__group")
                    .order_by("pk")
                )
                if not apps:
                    continue
                group = apps[0].household.group
                attendance = self.rng.randint(18, 40)
                meeting = services.meeting_record(
                    round=self.round,
                    area=group,
                    kind=MeetingKind.GROUP,
                    actor=self.cadre(group),
                    held_on=self.date(2),
                    attendance=attendance,
                    votes=[
                        services.VoteInput(a, attendance - i * 2 - 1, i * 2 + 1) for i, a in enumerate(apps)
                    ],
                    attendees=f"{group.name}户主 {attendance} 户",
                    minutes="户主会议评议,按得票排序推荐。",
                )
                services.meeting_recommend_ranked(meeting=meeting, actor=self.cadre(group))

    def village_meetings(self) -> None:
        with self.day(4):
            for village in self.villages:
                apps = self.in_state(village, State.RECOMMENDED, "reviewed")
                if not apps:
                    continue
                meeting = services.meeting_record(
                    round=self.round,
                    area=village,
                    kind=MeetingKind.VILLAGE,
                    actor=self.cadres[village.pk],
                    held_on=self.date(4),
                    attendance=15,
                    votes=[services.VoteInput(a, 12, 3) for a in apps],
                    attendees="村党总支书记、村委会主任、党员代表、群众代表共15人",
                    minutes="对各村民小组推荐名单逐户评议。",
                )
                for a in apps:
                    services.application_review(application=a, actor=self.cadres[village.pk], meeting=meeting)

    def in_state(
        self, area: Area, state: State, reaching: str, *, only: str | None = None
    ) -> list[Application]:
        apps = Application.objects.filter(
            round=self.round, state=state, household__group__code__startswith=area.scope_prefix
        ).select_related("household__group__parent")
        return [
            a
            for a in apps.order_by("pk")
            if a.pk in self.stage
            and _reaches(self.stage[a.pk], reaching)
            and (only is None or self.stage[a.pk] == only)
        ]

    # 入户调查 ----------------------------------------------------------------------------------------
    def surveys(self, day: int, *, only: str | None = None, reaching: str = "surveyed") -> None:
        with self.day(day):
            for village in self.villages:
                for a in self.in_state(village, State.REVIEWED, reaching, only=only):
                    persons = a.persons
                    # Most below the line; about one in eight well above it, for the county to reject.
                    if self.rng.random() < 0.12:
                        per_capita = self.rng.randint(3200, 6000)
                    elif a.wants_dibao:  # the 民政 side mostly applies when below its line
                        per_capita = self.rng.randint(700, 1900)
                    else:
                        per_capita = self.rng.randint(900, 2600)
                    answers = dict(NO)
                    if self.rng.random() < 0.1:
                        answers[self.rng.choice(tuple(rules.DIRECT_ENTRY))] = True
                    services.application_survey(
                        application=a,
                        actor=self.cadres[village.pk],
                        surveyed_on=self.date(day),
                        surveyors=list(self.rng.choice(SURVEYORS)),
                        family_situation=f"家庭 {persons} 人,以种植玉米、烤烟为主。",
                        persons=persons,
                        income={
                            "wage_income": Decimal(per_capita * persons * 6 // 10),
                            "business_income": Decimal(per_capita * persons * 4 // 10),
                        },
                        answers=answers,
                        assets="砖木结构住房一幢",
                    )

    # 乡镇抽查 ---------------------------------------------------------------------------------------
    def township_samples(self) -> Area | None:
        """Sample each village with surveyed applications; the first village after 山龙 with more than
        one group surveyed fails once (推倒重来) and is drawn again. Returns the failed village."""
        failed = None
        with self.day(8):
            for village in self.villages:
                surveyed = self.in_state(village, State.SURVEYED, "surveyed")
                if not surveyed:
                    continue
                check = self.draw(village)
                groups = {a.household.group_id for a in surveyed}
                if failed is None and village.code != DEMO_VILLAGE_CODE and len(groups) > 1:
                    failed = village
                    services.spot_check_record(
                        spot_check=check,
                        application=Application(pk=check.drawn[0]),
                        actor=self.official,
                        truthful=False,
                        note="家中新购小轿车一辆,调查时未如实申报",
                    )
                    if not Application.objects.filter(
                        round=self.round, state=State.SURVEYED, household__group__parent=village
                    ).exists():
                        continue
                    check = self.draw(village)
                for pk in check.drawn:
                    services.spot_check_record(
                        spot_check=check, application=Application(pk=pk), actor=self.official, truthful=True
                    )
                check.refresh_from_db()
                services.village_verify(spot_check=check, actor=self.official)
        return failed

    def draw(self, area: Area, level: str = SpotCheckLevel.TOWNSHIP):
        actor = self.official if level == SpotCheckLevel.TOWNSHIP else self.fupin
        return services.spot_check_draw(
            round=self.round, level=level, area=area, actor=actor, seed=self.rng.randrange(2**53)
        )

    # 三级公示 ---------------------------------------------------------------------------------------
    def publish(self, level: NoticeLevel, area: Area, apps: list[Application], day: int):
        actor = self.official if level == NoticeLevel.TOWNSHIP else self.cadre(area)
        # As the notice form does: a group's name says little on a wall without its village's.
        name = f"{area.parent.name}{area.name}" if level == NoticeLevel.GROUP else area.name
        return services.notice_publish(
            title=f"{name}{self.round.name}{level.label}",
            round=self.round,
            level=level,
            area=area,
            actor=actor,
            starts_on=self.date(day),
            ends_on=self.date(day + self.round.notice_days),
            issuing_body=f"{name}两项制度有效衔接工作领导小组"[:60],
            complaint_phone=PHONE,
            applications=apps,
        )

    def notices(self) -> None:
        """Group, village and township notices in the past, with objections dismissed and upheld."""
        verified = [a for v in self.villages for a in self.in_state(v, State.VERIFIED, "publicized")]
        objections = 0
        with self.day(10):
            by_group = defaultdict(list)
            for a in verified:
                by_group[a.household.group].append(a)
            group_notices = []
            for group, apps in by_group.items():
                notice = self.publish(NoticeLevel.GROUP, group, apps, 10)
                group_notices.append(notice)
                if objections < 2:
                    objection = services.objection_record(
                        notice=notice,
                        application=apps[0],
                        actor=self.cadre(group),
                        complainant="" if objections else "同组村民",
                        content="该户子女在外务工收入较高" if objections else "该户家中有农用车",
                        received_at=timezone.now(),
                    )
                    upheld = objections == 1
                    services.objection_handle(
                        objection=objection,
                        actor=self.cadre(group),
                        upheld=upheld,
                        note="经入户核实,子女务工收入属实,退回重新评议"
                        if upheld
                        else "经核实为三轮农用车,不属排除情形",
                        outcome=ObjectionOutcome.REEVALUATE if upheld else "",
                    )
                    objections += 1
        with self.day(18):
            for notice in group_notices:
                services.notice_close(notice=notice, actor=self.cadre(notice.area))
            village_notices = []
            for village in self.villages:
                apps = self.in_state(village, State.VERIFIED, "publicized")
                if apps:
                    village_notices.append(self.publish(NoticeLevel.VILLAGE, village, apps, 18))
        with self.day(26):
            for notice in village_notices:
                services.notice_close(notice=notice, actor=self.cadres[notice.area_id])
            apps = self.in_state(self.township, State.VERIFIED, "publicized")
            if not apps:
                return
            notice = self.publish(NoticeLevel.TOWNSHIP, self.township, apps, 26)
            objection = services.objection_record(
                notice=notice,
                application=apps[-1],
                actor=self.official,
                complainant="匿名来电",
                content="该户家庭成员在县城有固定工作",
                received_at=timezone.now(),
            )
            services.objection_handle(
                objection=objection,
                actor=self.official,
                upheld=True,
                note="经核实,户主之子为县城企业正式职工,属排除情形",
                outcome=ObjectionOutcome.REJECT,
            )
        with self.day(34):
            services.notice_close(notice=notice, actor=self.official)

    def running_notices(self) -> None:
        """Today: group notices for the groups that reached 乡镇审核, one with an open objection."""
        apps = [a for v in self.villages for a in self.in_state(v, State.VERIFIED, "notice", only="notice")]
        by_group = defaultdict(list)
        for a in apps:
            by_group[a.household.group].append(a)
        with self.day(40):
            for i, (group, group_apps) in enumerate(sorted(by_group.items(), key=lambda kv: kv[0].code)):
                notice = self.publish(NoticeLevel.GROUP, group, group_apps, 40)
                if i < 3:
                    services.objection_record(
                        notice=notice,
                        application=group_apps[0],
                        actor=self.cadre(group),
                        complainant="同组村民",
                        content="该户近两年新建砖混住房",
                        received_at=timezone.now(),
                    )

    # 县级认定 ---------------------------------------------------------------------------------------
    def county(self) -> None:
        """Today: the county sample (all true), then 扶贫办 and 民政局 decide the groups meant to be
        confirmed; the other publicized applications wait for them."""
        publicized = list(Application.objects.filter(round=self.round, state=State.PUBLICIZED).order_by("pk"))
        if not publicized:
            return
        with self.day(40):
            county = Area.objects.get(level=Area.Level.COUNTY)
            check = self.draw(county, SpotCheckLevel.COUNTY)
            for pk in check.drawn:
                services.spot_check_record(
                    spot_check=check, application=Application(pk=pk), actor=self.fupin, truthful=True
                )
            decide = [a for a in publicized if self.stage.get(a.pk) == "confirmed"]
            for program, actor in (("fupin", self.fupin), ("dibao", self.minzheng)):
                wanting = [a for a in decide if program in a.programs]
                # 民政 has not reached every cross application yet: those wait in its queue.
                if program == "dibao":
                    wanting = [a for a in wanting if not a.is_cross or a.pk % 2]
                if not wanting:
                    continue
                services.county_confirm_bulk(
                    round=self.round,
                    actor=actor,
                    applications=[a.pk for a in wanting],
                    rejections={
                        a.pk: "入户调查人均纯收入高于标准,不符合条件"
                        for a in wanting
                        if not a.eligibility.get(program)
                    },
                )

    def withdraw_one(self) -> None:
        """Before the meetings: one applicant withdraws, and one is turned down (评议未通过)."""
        with self.day(1):
            submitted = list(
                Application.objects.filter(
                    round=self.round, pk__in=[pk for pk, stage in self.stage.items() if stage == "submitted"]
                )
                .select_related("household__group")
                .order_by("pk")[:2]
            )
            if submitted:
                a = submitted[0]
                services.application_withdraw(
                    application=a, actor=self.cadre(a.household.group), reason="户主外出务工,主动撤回申请"
                )
            if len(submitted) > 1:
                a = submitted[1]
                services.application_reject(
                    application=a, actor=self.cadre(a.household.group), reason="户主会议评议未通过"
                )


def create_demo_round(rng: random.Random) -> DemoRound:
    """Called by seed_demo after the households: the round, its quotas and the applications."""
    fupin = User.objects.get(username="fupinban")
    round = services.round_create(
        actor=fupin, year=2013, name=ROUND_NAME, poverty_line=POVERTY_LINE, dibao_line=DIBAO_LINE
    )
    demo = _Demo(rng, round, timezone.localdate() - datetime.timedelta(days=40))
    by_group = demo.submit()
    needs = {
        group: sum(a.persons for a in apps)
        for group, apps in by_group.items()
        if _reaches(demo.stage[apps[0].pk], "recommended")
    }
    _set_quotas(round, fupin, needs)
    demo.withdraw_one()
    demo.group_meetings(by_group)
    demo.village_meetings()
    demo.surveys(6, reaching="notice")
    demo.township_samples()
    demo.notices()
    demo.surveys(35, only="surveyed")
    demo.running_notices()
    demo.county()
    counts = dict(
        Application.objects.filter(round=round)
        .values("state")
        .annotate(n=Count("id"))
        .values_list("state", "n")
    )
    return DemoRound(round=round, applications=sum(counts.values()), by_state=counts)
