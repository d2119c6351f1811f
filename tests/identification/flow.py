"""Walks applications through the workflow by calling the services, as the screens will.

Each step takes a list of applications in one area and moves all of them, so that a test can put
a batch in any state in one line and then exercise the move it is about.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from decimal import Decimal

from accounts.models import AuditEvent
from households.models import Household
from identification import rules, services
from identification.choices import MeetingKind, NoticeLevel, Origin, SpotCheckLevel, State
from identification.models import Application
from tests.factories import HouseholdFactory, MemberFactory

NO = dict.fromkeys(rules.SURVEY_QUESTIONS, False)
ORDER = [
    State.SUBMITTED,
    State.RECOMMENDED,
    State.GROUP_PUBLICIZED,
    State.REVIEWED,
    State.SURVEYED,
    State.VILLAGE_PUBLICIZED,
    State.VERIFIED,
    State.PUBLICIZED,
]


def make_household(group, *, persons: int = 3, labourers: int = 1) -> Household:
    household = HouseholdFactory(group=group)
    for i in range(persons):
        MemberFactory(
            household=household,
            relation="户主" if i == 0 else "之子",
            labour="普通劳动力" if i < labourers else "无劳动力",
        )
    return household


def last_event(obj, event_type: str) -> AuditEvent:
    """The newest audit event of `event_type` on `obj`: what every transition test asserts."""
    from accounts.audit import events_for

    return events_for(obj).filter(event_type=event_type).order_by("-id").first()


class Flow:
    def __init__(self, *, round, tree, users, calendar):
        self.round, self.tree, self.users, self.calendar = round, tree, users, calendar

    # 申报
    def submit(self, household, *, fupin=True, dibao=False, actor=None, declared=None) -> Application:
        return services.application_submit(
            round=self.round,
            household=household,
            actor=actor or self.users.alice,
            wants_fupin=fupin,
            wants_dibao=dibao,
            origin=Origin.NOMINATED,
            nomination_reason="户主不识字,由村民小组提名",
            declared={**NO, **(declared or {})},
        )

    def new(
        self, group=None, *, fupin=True, dibao=False, persons=3, labourers=1, declared=None
    ) -> Application:
        household = make_household(group or self.tree.dazhai, persons=persons, labourers=labourers)
        return self.submit(household, fupin=fupin, dibao=dibao, declared=declared)

    # 评议
    def group_meeting(self, apps: Sequence[Application], *, votes_for=20, attendance=30):
        group = apps[0].household.group
        return services.meeting_record(
            round=self.round,
            area=group,
            kind=MeetingKind.GROUP,
            actor=self.users.alice,
            held_on=self.calendar.today,
            attendance=attendance,
            votes=[services.VoteInput(a, votes_for, attendance - votes_for) for a in apps],
            minutes="户主会议投票推荐",
        )

    def recommend(self, apps):
        meeting = self.group_meeting(apps)
        return [
            services.application_recommend(application=a, actor=self.users.alice, meeting=meeting)
            for a in apps
        ]

    def review(self, apps):
        village = apps[0].household.group.parent
        meeting = services.meeting_record(
            round=self.round,
            area=village,
            kind=MeetingKind.VILLAGE,
            actor=self.users.alice,
            held_on=self.calendar.today,
            attendance=15,
            votes=[services.VoteInput(a, 12, 3) for a in apps],
            attendees="村党总支书记、村委会主任、党员代表、群众代表",
        )
        return [
            services.application_review(application=a, actor=self.users.alice, meeting=meeting) for a in apps
        ]

    def survey(self, app, *, wage="3000", persons=None, answers=None, actor=None, income=None):
        answers = {**NO, **(answers or {})}
        return services.application_survey(
            application=app,
            actor=actor or self.users.alice,
            surveyed_on=self.calendar.today,
            surveyors=["李明", "王芳"],
            family_situation="一家三口,种植玉米烤烟",
            persons=persons or app.persons,
            income=income or {"wage_income": Decimal(wage)},
            answers=answers,
            evidence={code: "入户查看属实" for code, yes in answers.items() if yes},
            main_cause="缺资金",
            other_causes=["缺技术"],
            assets="砖木结构住房一幢",
            burden="一人上学",
        )

    # 乡镇审核
    def verify(self, apps):
        village = apps[0].household.group.parent
        check = services.spot_check_draw(
            round=self.round,
            level=SpotCheckLevel.TOWNSHIP,
            area=village,
            actor=self.users.carol,
            rate=Decimal("1"),
        )
        for pk in check.drawn:
            services.spot_check_record(
                spot_check=check, application=Application(pk=pk), actor=self.users.carol, truthful=True
            )
        check.refresh_from_db()
        return services.village_verify(spot_check=check, actor=self.users.carol)

    # 三级公示
    def notice(self, apps, level: NoticeLevel, *, actor=None):
        group = apps[0].household.group
        area = {
            NoticeLevel.GROUP: group,
            NoticeLevel.VILLAGE: group.parent,
            NoticeLevel.TOWNSHIP: group.parent.parent,
        }
        return services.notice_publish(
            round=self.round,
            level=level,
            area=area[level],
            actor=actor or (self.users.carol if level == NoticeLevel.TOWNSHIP else self.users.alice),
            applications=apps,
            starts_on=self.calendar.today,
            ends_on=self.calendar.today + datetime.timedelta(days=self.round.notice_days),
            issuing_body=f"{area[level].name}两项制度有效衔接工作领导小组",
            complaint_phone="0874-5555555",
        )

    def close(self, notice, *, actor=None):
        self.calendar.today = max(self.calendar.today, notice.ends_on + datetime.timedelta(days=1))
        township = notice.kind == "identification.township"
        actor = actor or (self.users.carol if township else self.users.alice)
        return services.notice_close(notice=notice, actor=actor)

    def publicize(self, apps, level: NoticeLevel):
        """Publish the notice of `level` listing `apps` and close it when its period is over."""
        return self.close(self.notice(apps, level))

    # 县级抽查
    def county_check(self, *, actor=None, truthful=True):
        """The bureau's own sample (扶贫办 by default) at 100%, every finding recorded."""
        actor = actor or self.users.fupin
        check = services.spot_check_draw(
            round=self.round,
            level=SpotCheckLevel.COUNTY,
            area=self.tree.county,
            actor=actor,
            rate=Decimal("1"),
        )
        for pk in check.drawn:
            services.spot_check_record(
                spot_check=check,
                application=Application(pk=pk),
                actor=actor,
                truthful=truthful,
                note="" if truthful else "家中有小轿车一辆",
            )
        return check

    def county_checks(self):
        """Each bureau's own sample of its own list (where it has one), at 100%, all found true."""
        publicized = Application.objects.filter(round=self.round, state=State.PUBLICIZED)
        return [
            self.county_check(actor=actor)
            for program, actor in (("fupin", self.users.fupin), ("dibao", self.users.minzheng))
            if publicized.filter(**{f"for_{program}": True}).exists()
        ]

    def advance(self, apps: Sequence[Application], to: State, *, wage="1000"):
        """Move a batch of one group from 已申报 to `to`, through every step before it."""
        steps = {
            State.RECOMMENDED: self.recommend,
            State.GROUP_PUBLICIZED: lambda batch: self.publicize(batch, NoticeLevel.GROUP),
            State.REVIEWED: self.review,
            State.SURVEYED: lambda batch: [self.survey(a, wage=wage) for a in batch],
            State.VILLAGE_PUBLICIZED: lambda batch: self.publicize(batch, NoticeLevel.VILLAGE),
            State.VERIFIED: self.verify,
            State.PUBLICIZED: lambda batch: self.publicize(batch, NoticeLevel.TOWNSHIP),
        }
        for state in ORDER[1 : ORDER.index(to) + 1]:
            steps[state](apps)
        return [Application.objects.get(pk=a.pk) for a in apps]
