"""The demo's current round: 2014年动态调整 (扶贫标准 2736 元, the national line of 2013, against 2013 incomes;
农村低保标准 1800 元), with quotas and applications at every step, all built through identification.services
in seed 002's order: 户主会议 → 组公示 → 村委会评议 → 入户调查 → 村公示 → 乡镇抽查 (each list) → 乡镇公示 →
县级抽查 (each bureau) and 认定 → 县公告.

The work of six weeks is replayed in seconds: the services' calendar (`accounts.clock`) is moved along a
timeline that ends today, so that closed notices lie in the past and the running ones run now.
Applications come from 丹凤镇 (the demo township official's): households not on a roll, and one whose 扶贫
case was lifted (it comes back as 返贫). Most heads apply in writing (a scan of the signed form); the group
nominates the few who cannot. What a county official would look for is there: a direct-entry household taking
its place first at the vote, households the survey found eligible for nothing taken off before any 公示, a
household the township puts forward to 民政 too, a failed sample that sent a group back (推倒重来), objections
dismissed and upheld, a 低保 household with labour referred by 民政 to 扶贫办, and each bureau's 公告.

Each demo account finds work waiting: cungan (山龙村) a 户主会议, a running group notice with an open objection,
a 村委会评议, surveys, a village notice; xiangzhen (丹凤镇) villages waiting for the sample, a township notice;
fupinban / minzheng publicized applications covered by their own samples, and 扶贫办 a referral to confirm.
"""

from __future__ import annotations

import contextlib
import datetime
import random
import struct
import zlib
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib.auth.hashers import make_password
from django.core.files.base import ContentFile
from django.db.models import Count
from django.utils import timezone

from accounts import clock
from accounts.models import Role, User
from households.models import Case, Household, Member
from identification import rules, services
from identification.choices import (
    MeetingKind,
    NoticeLevel,
    ObjectionOutcome,
    Origin,
    RedoScope,
    SpotCheckLevel,
    State,
)
from identification.deep_poverty import services as deep_poverty
from identification.models import Application, Referral, Round
from villages.apportion import apportion
from villages.demo import read_annex
from villages.models import Area

ROUND_NAME = "2014年动态调整"
ROUND_YEAR = 2014
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
CAUSES = ("缺资金", "缺技术", "因病", "缺劳力", "因学", "缺土地", "因残", "交通条件落后")

# The steps of the procedure in order; each 村民小组's applications stop at one of them.
ORDER = (
    "submitted",  # waiting for the 户主会议
    "recommended",  # group notice running
    "group_done",  # waiting for the 村委会评议
    "reviewed",  # waiting for the survey
    "surveyed",  # village notice running
    "village_done",  # waiting for the township sample
    "verified",  # township notice running
    "publicized",  # waiting for the county
    "confirmed",
)
# 山龙村 (the demo cadre's) takes the village's steps in order; the other villages cycle through the rest.
SHANLONG_STAGES = ("submitted", "recommended", "group_done", "reviewed", "surveyed", "confirmed")
STAGES = (
    "publicized",
    "village_done",
    "confirmed",
    "verified",
    "submitted",
    "surveyed",
    "publicized",
    "confirmed",
    "reviewed",
)


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


def _scan() -> ContentFile:
    """A stand-in for the scanned 申请书 of a demo 户主申请: a small blank PNG (the demo has no paper)."""
    width, height = 120, 60
    raw = b"".join(b"\x00" + b"\xff" * width for _ in range(height))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    png = (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )
    return ContentFile(png, name="申请书.png")


class _Demo:
    def __init__(self, rng: random.Random, round: Round, start: datetime.date) -> None:
        self.rng, self.round, self.start = rng, round, start
        self.township = Area.objects.get(code=TOWNSHIP_CODE)
        self.county_area = Area.objects.get(level=Area.Level.COUNTY)
        self.official = User.objects.get(role=Role.TOWNSHIP_OFFICIAL, area=self.township)
        self.fupin = User.objects.get(username="fupinban")
        self.minzheng = User.objects.get(username="minzheng")
        self.villages = list(Area.objects.filter(parent=self.township).order_by("code"))
        self.cadres = _village_cadres(self.villages)
        self.stage: dict[int, str] = {}  # application id → how far it goes
        self.running: list = []  # notices published at the end of the timeline, still running today
        self.returning = ""  # the 户编号 of the lifted household that comes back (返贫)
        self.shanlong_groups = 0

    def day(self, n: int) -> contextlib.AbstractContextManager:
        return clock.moved_to(self.start + datetime.timedelta(days=n))

    def date(self, n: int) -> datetime.date:
        return self.start + datetime.timedelta(days=n)

    def cadre(self, area: Area) -> User:
        return self.cadres[area.parent_id if area.level == Area.Level.GROUP else area.pk]

    def stage_of(self, group: Area, position: int, village_index: dict[int, int]) -> str:
        if group.parent.code == DEMO_VILLAGE_CODE:
            # In the order of 山龙村's groups that have applicants, so the demo cadre gets every kind of work.
            self.shanlong_groups += 1
            return SHANLONG_STAGES[(self.shanlong_groups - 1) % len(SHANLONG_STAGES)]
        return STAGES[(village_index[group.parent_id] + position) % len(STAGES)]

    def apps(self, state: State, *, reaching: str, only: str | None = None, area: Area | None = None):
        area = area or self.township
        found = (
            Application.objects.filter(
                round=self.round, state=state, household__group__code__startswith=area.scope_prefix
            )
            .select_related("household__group__parent")
            .order_by("pk")
        )
        return [
            a
            for a in found
            if a.pk in self.stage
            and _reaches(self.stage[a.pk], reaching)
            and (only is None or self.stage[a.pk] == only)
        ]

    # 第二步 申报 ----------------------------------------------------------------------------------------
    def submit(self) -> dict[int, list[Application]]:
        """1–2 households per group, from those on no roll; one lifted household comes back (返贫)."""
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
        lifted = (
            Household.objects.filter(
                group__code__startswith=self.township.scope_prefix,
                cases__program="fupin",
                cases__state="lifted",
            )
            .exclude(cases__state__in=Case.OPEN_STATES)
            .select_related("group__parent")
            .order_by("number")
            .first()
        )
        groups = list(
            Area.objects.filter(level=Area.Level.GROUP, parent__in=self.villages)
            .select_related("parent")
            .order_by("code")
        )
        village_index = {v.pk: i for i, v in enumerate(self.villages)}
        self.returning = lifted.number if lifted is not None else ""
        applications: dict[int, list[Application]] = {}
        direct_entry_given = False
        with self.day(0):
            for group in groups:
                candidates = by_group.get(group.pk, [])
                if not candidates and not (lifted is not None and lifted.group_id == group.pk):
                    continue
                stage = self.stage_of(group, int(group.code[-3:]) - 1, village_index)
                chosen = self.rng.sample(candidates, min(len(candidates), self.rng.choice((1, 2, 2))))
                if lifted is not None and lifted.group_id == group.pk:
                    chosen.append(lifted)
                    stage = "confirmed"
                apps = []
                for household in chosen:
                    program = self.rng.choices(("fupin", "dibao", "both"), (60, 15, 25))[0]
                    declared = dict(NO)
                    if not direct_entry_given and _reaches(stage, "recommended") and len(chosen) > 1:
                        declared["D4"] = True  # 家庭主要劳动力长期生病: its place first at the vote
                        direct_entry_given = True
                    written = self.rng.random() < 0.8  # most heads apply in writing
                    apps.append(
                        services.application_submit(
                            round=self.round,
                            household=household,
                            actor=self.cadre(group),
                            wants_fupin=program in ("fupin", "both") or household == lifted,
                            wants_dibao=program in ("dibao", "both"),
                            origin=Origin.APPLIED if written else Origin.NOMINATED,
                            applied_on=self.date(0) if written else None,
                            application_scan=_scan() if written else None,
                            nomination_reason="" if written else self.rng.choice(NOMINATION_REASONS),
                            declared=declared,
                        )
                    )
                    self.stage[apps[-1].pk] = stage
                if apps:
                    applications[group.pk] = apps
        return applications

    def withdraw_and_turn_down(self) -> None:
        """Before the meetings: one applicant withdraws, and one is turned down (评议未通过)."""
        with self.day(1):
            # From the last villages: 山龙村's waiting applications stay for the demo cadre's 户主会议.
            waiting = self.apps(State.SUBMITTED, reaching="submitted", only="submitted")[::-1][:2]
            actions = (
                (services.application_withdraw, "户主外出务工,主动撤回申请"),
                (services.application_reject, "户主会议评议未通过"),
            )
            for a, (service, reason) in zip(waiting, actions, strict=False):
                service(application=a, actor=self.cadre(a.household.group), reason=reason)

    # 第三步 评议 and the group notice ------------------------------------------------------------------
    def group_meetings(self) -> None:
        with self.day(2):
            by_group = defaultdict(list)
            for a in self.apps(State.SUBMITTED, reaching="recommended"):
                by_group[a.household.group].append(a)
            for group, apps in by_group.items():
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
                    minutes="户主会议评议:符合直接纳入条件的户优先,其余按得票排序推荐。",
                )
                services.meeting_recommend_ranked(meeting=meeting, actor=self.cadre(group))

    def group_notices(self, day: int, *, only: str | None = None, reaching: str = "group_done") -> list:
        notices = []
        with self.day(day):
            by_group = defaultdict(list)
            for a in self.apps(State.RECOMMENDED, reaching=reaching, only=only):
                by_group[a.household.group].append(a)
            for group, apps in sorted(by_group.items(), key=lambda kv: kv[0].code):
                notices.append(self.publish(NoticeLevel.GROUP, group, apps, day))
        return notices

    # 第四步: 村委会评议, 入户调查, the village notice -------------------------------------------------------
    def village_meetings(self) -> None:
        with self.day(12):
            for village in self.villages:
                apps = self.apps(State.GROUP_PUBLICIZED, reaching="reviewed", area=village)
                if not apps:
                    continue
                meeting = services.meeting_record(
                    round=self.round,
                    area=village,
                    kind=MeetingKind.VILLAGE,
                    actor=self.cadres[village.pk],
                    held_on=self.date(12),
                    attendance=15,
                    votes=[services.VoteInput(a, 12, 3) for a in apps],
                    attendees="村党总支书记、村委会主任、党员代表、群众代表共15人",
                    minutes="对各村民小组公示无异议的推荐名单逐户评议。",
                )
                for a in apps:
                    services.application_review(application=a, actor=self.cadres[village.pk], meeting=meeting)

    def surveys(self) -> None:
        """Most below the line; about one in ten well above both lines, which the survey takes off."""
        with self.day(13):
            for a in self.apps(State.REVIEWED, reaching="surveyed"):
                persons = a.persons
                if self.rng.random() < 0.1 and a.household.number != self.returning:
                    per_capita = self.rng.randint(3200, 6000)
                elif a.wants_dibao:  # the 民政 side mostly applies when below its line
                    per_capita = self.rng.randint(700, 1700)
                else:
                    per_capita = self.rng.randint(900, 2600)
                answers, evidence = dict(NO), {}
                for code in a.direct_entry:  # the survey confirms what was declared
                    answers[code], evidence[code] = True, "户主患慢性病多年,不能从事重体力劳动,有病历为证"
                services.application_survey(
                    application=a,
                    actor=self.cadre(a.household.group),
                    surveyed_on=self.date(13),
                    surveyors=list(self.rng.choice(SURVEYORS)),
                    family_situation=f"家庭 {persons} 人,以种植玉米、烤烟为主。",
                    persons=persons,
                    income={
                        "wage_income": Decimal(per_capita * persons * 6 // 10),
                        "business_income": Decimal(per_capita * persons * 4 // 10),
                    },
                    answers=answers,
                    evidence=evidence,
                    main_cause=self.rng.choice(CAUSES),
                    assets="砖木结构住房一幢",
                )
            # The township puts one household found below the 低保 line forward to 民政 too.
            for a in self.apps(State.SURVEYED, reaching="surveyed"):
                if not a.for_dibao and a.eligibility.get("dibao"):
                    services.application_offer_dibao(
                        application=a,
                        actor=self.official,
                        consent="入户调查时户主同意同时申请农村低保,已签字",
                    )
                    break

    def village_notices(self, day: int, *, only: str | None = None, reaching: str = "village_done") -> list:
        notices = []
        with self.day(day):
            for village in self.villages:
                apps = [
                    a
                    for a in self.apps(State.SURVEYED, reaching=reaching, only=only, area=village)
                    if a.programs
                ]
                if apps:
                    notices.append(self.publish(NoticeLevel.VILLAGE, village, apps, day))
        return notices

    # 第五步 乡镇审核 and the township notice ------------------------------------------------------------
    def township_samples(self) -> None:
        """Each village's 扶贫 and 低保 lists sampled at 20%; the first village after 山龙 with more than one
        group fails once (推倒重来 of the group) and is drawn again."""
        failed = False
        with self.day(23):
            for village in self.villages:
                reported = self.apps(State.VILLAGE_PUBLICIZED, reaching="verified", area=village)
                if not reported:
                    continue
                check = self.draw(village)
                if (
                    not failed
                    and village.code != DEMO_VILLAGE_CODE
                    and len({a.household.group_id for a in reported}) > 1
                ):
                    failed = True
                    services.spot_check_record(
                        spot_check=check,
                        application=Application(pk=check.drawn[0]),
                        actor=self.official,
                        truthful=False,
                        note="家中新购小轿车一辆,调查时未如实申报",
                        redo_scope=RedoScope.GROUP,
                    )
                    if not self.apps(State.VILLAGE_PUBLICIZED, reaching="verified", area=village):
                        continue
                    check = self.draw(village)
                for pk in check.drawn:
                    services.spot_check_record(
                        spot_check=check, application=Application(pk=pk), actor=self.official, truthful=True
                    )
                check.refresh_from_db()
                services.village_verify(spot_check=check, actor=self.official)

    def draw(self, area: Area, actor: User | None = None, level: str = SpotCheckLevel.TOWNSHIP):
        return services.spot_check_draw(
            round=self.round,
            level=level,
            area=area,
            actor=actor or self.official,
            seed=self.rng.randrange(2**53),
        )

    def township_notice(self, day: int, *, reaching: str) -> list:
        with self.day(day):
            apps = self.apps(State.VERIFIED, reaching=reaching)
            return [self.publish(NoticeLevel.TOWNSHIP, self.township, apps, day)] if apps else []

    # the notices -----------------------------------------------------------------------------------
    def publish(self, level: NoticeLevel, area: Area, apps: list[Application], day: int):
        actor = self.official if level == NoticeLevel.TOWNSHIP else self.cadre(area)
        # As the notice form does: a group's name says little on a wall without its village's.
        name = f"{area.parent.name}{area.name}" if level == NoticeLevel.GROUP else area.name
        return services.notice_publish(
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

    def object(
        self, notice, application, actor, *, content, upheld=None, note="", outcome="", who="同组村民"
    ):
        objection = services.objection_record(
            notice=notice, application=application, actor=actor, complainant=who, content=content,
            received_at=timezone.now(),
        )  # fmt: skip
        if upheld is not None:
            services.objection_handle(
                objection=objection, actor=actor, upheld=upheld, note=note, outcome=outcome if upheld else ""
            )

    def close(self, notices: list, day: int) -> None:
        with self.day(day):
            for notice in notices:
                actor = self.official if notice.area.level == Area.Level.TOWNSHIP else self.cadre(notice.area)
                services.notice_close(notice=notice, actor=actor)

    # 第六步 县级认定 and the 公告 -----------------------------------------------------------------------
    def county(self) -> None:
        """Each bureau samples its own list (all true) and decides the applications meant to be confirmed;
        the others wait in its queue. 民政's 低保 households with labour go to 扶贫办 as referrals."""
        with self.day(34):
            for actor, program in ((self.fupin, "fupin"), (self.minzheng, "dibao")):
                if not Application.objects.filter(
                    round=self.round, state=State.PUBLICIZED, **{f"for_{program}": True}
                ).exists():
                    continue
                check = self.draw(self.county_area, actor, SpotCheckLevel.COUNTY)
                for pk in check.drawn:
                    services.spot_check_record(
                        spot_check=check, application=Application(pk=pk), actor=actor, truthful=True
                    )
        with self.day(35):
            decide = [a for a in self.apps(State.PUBLICIZED, reaching="confirmed")]
            for program, actor in (("dibao", self.minzheng), ("fupin", self.fupin)):
                wanting = [a for a in decide if program in a.programs]
                # 扶贫办 has not reached every cross application yet: those wait in its queue (not the 返贫).
                if program == "fupin":
                    wanting = [
                        a
                        for a in wanting
                        if not a.is_cross or a.pk % 2 or a.household.number == self.returning
                    ]
                if wanting:
                    services.county_confirm_bulk(
                        round=self.round, actor=actor, applications=[a.pk for a in wanting]
                    )
        with self.day(36):
            referral = (
                Referral.objects.filter(application__round=self.round, status="pending")
                .order_by("pk")
                .first()
            )
            if referral is not None and Referral.objects.filter(application__round=self.round).count() > 1:
                services.referral_decide(
                    referral=referral, actor=self.fupin, accept=True, note="有劳动能力和致富意愿"
                )
            publishable = services.publishable(
                self.round, NoticeLevel.COUNTY, self.county_area, self.fupin, "fupin"
            )
            if publishable:
                self.running.append(
                    services.notice_publish(
                        round=self.round,
                        level=NoticeLevel.COUNTY,
                        area=self.county_area,
                        actor=self.fupin,
                        starts_on=self.date(36),
                        ends_on=self.date(36 + self.round.notice_days),
                        issuing_body="师宗县扶贫开发领导小组办公室",
                        complaint_phone="0874-12317",
                        applications=publishable,
                    )  # fmt: skip
                )


def create_demo_round(rng: random.Random) -> DemoRound:
    """Called by seed_demo after the households: the round, its quotas and the applications."""
    fupin = User.objects.get(username="fupinban")
    round = services.round_create(
        actor=fupin,
        year=ROUND_YEAR,
        name=ROUND_NAME,
        poverty_line=POVERTY_LINE,
        dibao_line=DIBAO_LINE,
        kind=Round.Kind.DYNAMIC,
    )
    demo = _Demo(rng, round, timezone.localdate() - datetime.timedelta(days=44))
    by_group = demo.submit()
    _set_quotas(round, fupin, _needs(round, demo, by_group))
    demo.withdraw_and_turn_down()
    demo.group_meetings()
    # Day 3–11: the groups' notices; one objection dismissed, one upheld (back to 评议).
    past = demo.group_notices(3)
    with demo.day(5):
        if len(past) > 1:
            first, second = past[0], past[1]
            demo.object(first, Application(pk=first.entries.first().subject_id), demo.cadre(first.area),
                        content="该户家中有农用车", upheld=False, note="经核实为三轮农用车,不属排除情形")  # fmt: skip
            demo.object(second, Application(pk=second.entries.first().subject_id), demo.cadre(second.area),
                        content="该户子女在外务工收入较高", upheld=True, note="经入户核实,子女务工收入属实,退回重新评议",
                        outcome=ObjectionOutcome.REEVALUATE)  # fmt: skip
    demo.close(past, 11)
    demo.village_meetings()
    demo.surveys()
    past = demo.village_notices(14, reaching="verified")
    demo.close(past, 22)
    demo.township_samples()
    # Villages whose notice closes after the township's sampling day wait for the township's sample today.
    demo.close(demo.village_notices(25, only="village_done"), 33)
    past = demo.township_notice(25, reaching="publicized")
    with demo.day(27):
        for notice in past:
            last = notice.entries.order_by("-position").first()
            demo.object(notice, Application(pk=last.subject_id), demo.official, who="匿名来电",
                        content="该户家庭成员在县城有固定工作", upheld=True,
                        note="经核实,户主之子为县城企业正式职工,属排除情形", outcome=ObjectionOutcome.REJECT)  # fmt: skip
    demo.close(past, 33)
    demo.county()
    _deep_poverty(round, fupin)
    # Running today: group notices (one with an open objection), village notices and the township's.
    running = demo.group_notices(40, only="recommended", reaching="recommended")
    with demo.day(41):
        for notice in running[:2]:
            demo.object(notice, Application(pk=notice.entries.first().subject_id), demo.cadre(notice.area),
                        content="该户近两年新建砖混住房")  # fmt: skip
    demo.village_notices(41, only="surveyed", reaching="surveyed")
    demo.township_notice(42, reaching="verified")
    counts = dict(
        Application.objects.filter(round=round)
        .values("state")
        .annotate(n=Count("id"))
        .values_list("state", "n")
    )
    return DemoRound(round=round, applications=sum(counts.values()), by_state=counts)


def _deep_poverty(round: Round, fupin: User) -> None:
    """The county's confirmed 深度贫困 list. Seed 002 二: 1.37万 深度贫困人口 among 11.28万 扶贫对象 (≈ 12%);
    the demo county's target keeps that proportion of its own 扶贫 persons."""
    persons = Member.objects.filter(
        household__cases__program="fupin", household__cases__state__in=Case.OPEN_STATES
    ).count()
    deep_poverty.criteria_set(
        round=round,
        actor=fupin,
        values={
            "target_persons": max(1, persons * 137 // 1128),
            "income_limit": Decimal(1000),
            "min_score": 1,
            "weight_no_labour": 3,
            "weight_illness": 2,
            "weight_dangerous_house": 2,
            "weight_water": 1,
        },
    )
    deep_poverty.list_confirm(round=round, actor=fupin, note="按县定条件确认(演示)")


def _needs(round: Round, demo: _Demo, by_group: dict[int, list[Application]]) -> dict[int, int]:
    """Persons each group's quota must hold: its roll (a 动态调整 round counts it against the quota) and its
    recommended applicants — as the county sets a 动态调整's figures to hold the roll and leave room."""
    roll = dict(
        Member.objects.filter(household__cases__program="fupin", household__cases__state__in=Case.OPEN_STATES)
        .values("household__group_id")
        .annotate(n=Count("id", distinct=True))
        .values_list("household__group_id", "n")
    )
    needs = dict(roll)
    for group, apps in by_group.items():
        applicants = sum(a.persons for a in apps if _reaches(demo.stage[a.pk], "recommended"))
        needs[group] = needs.get(group, 0) + applicants
    return needs
