"""The world the access sweep walks: the same objects in four places, and one user per role.

    师宗县 530323 ── 丹凤镇 ── 山龙村 大寨组   HOME: inside every role's area
                          └─ 法杂村 新村组   a neighbouring village: outside the village cadre's
                 └─ 雄壁镇 ── 雨柱村 坡头组   another township: outside the township official's
    罗平县 530324 ── 板桥镇 ── 云峰村 一组     another county: outside the county roles'

Each place holds a household with a member and an income, an application with a meeting, a survey
trail, a spot check, a notice with an objection, a quota, a report and an import job, so that every
URL that takes an object can be asked for one inside and one outside the user's area. The objects
are created directly (not through the services): the sweep is about who may reach them, and the
services would refuse to create them in another county.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib.auth.models import Group
from django.core.files.base import ContentFile

from accounts import audit
from accounts.models import AuditEvent, Role, User
from assistance.models import (
    CountySettings,
    CreditRating,
    Helper,
    Loan,
    Measure,
    Pairing,
    Plan,
    TeamMember,
    Unit,
    Visit,
    WorkTeam,
)
from exits.models import DibaoProposal, ExitApplication  # exits
from households.changes.models import ChangeRequest
from households.models import (
    Case,  # exits
    Household,
    ImportJob,
    IncomeRecord,
    Member,
)
from identification.choices import MeetingKind, NoticeLevel, Origin, SpotCheckLevel, State
from identification.models import (
    Application,
    Decomposition,
    Meeting,
    Quota,
    Referral,
    Round,
    SpotCheck,
)
from identification.rules import SURVEY_QUESTIONS as DECLARATION
from identification.selectors import notice_context
from monitoring.models import HardshipEvent, MonitoredHousehold, MonitoringRun, Warning
from notices.models import Entry, Notice, Objection
from reports.models import Report
from tests.factories import (
    AreaFactory,
    HouseholdFactory,
    MemberFactory,
    UserFactory,
    group,
)
from villages.models import Area

ROLES: dict[str, Role] = {
    "village": Role.VILLAGE_CADRE,
    "township": Role.TOWNSHIP_OFFICIAL,
    "fupin": Role.COUNTY_FUPIN,
    "minzheng": Role.COUNTY_MINZHENG,
    "admin": Role.ADMIN,
}


@dataclass
class Place:
    """One 村民小组 and everything in it."""

    group: Area
    village: Area
    township: Area
    household: Household
    member: Member
    income: IncomeRecord
    application: Application
    meeting: Meeting
    spot_check: SpotCheck
    notice: Notice
    objection: Objection
    referral: Referral
    # 帮扶: a helper of the place's county paired with the household, its plan, measure, visit, credit
    # rating and loan, and the village's work team with a member.
    unit: Unit
    helper: Helper
    pairing: Pairing
    plan: Plan
    measure: Measure
    visit: Visit
    rating: CreditRating
    loan: Loan
    team: WorkTeam
    team_member: TeamMember
    quota: Quota
    report: Report
    import_jobs: dict[str, ImportJob]  # role → a job uploaded by that role's user in this place's county
    audit_event: AuditEvent
    # households.changes: a pending 减少成员 of the household's second member (set by _add_change_requests).
    change_request: ChangeRequest | None = None
    # --- exits: a second household on the 扶贫 roll with an exit in progress, and a 纳入 proposal ---
    exit: ExitApplication | None = None
    dibao_proposal: DibaoProposal | None = None
    # monitoring: a 突发 event, a warning waiting in the township's queue, a 监测对象 (added by _monitoring)
    hardship_event: HardshipEvent | None = None
    warning: Warning | None = None
    monitored: MonitoredHousehold | None = None


@dataclass
class World:
    helper_user: User
    settings: CountySettings
    round: Round
    decomposition: Decomposition
    monitoring_run: MonitoringRun
    group: Group  # an auth group: county-wide, like rounds
    users: dict[str, User]
    home: Place
    sibling_village: Place
    other_township: Place
    other_county: Place
    # poorvillages: {county code prefix: ranking run}, {village code: its 贫困村退出} (_poor_villages below).
    ranking_runs: dict = field(default_factory=dict)
    village_exits: dict = field(default_factory=dict)

    def restore_files(self) -> None:
        """Put back files a request deleted (a report's deletion removes its file, and files do not
        roll back with the savepoint), so that every request meets the same world."""
        from django.core.files.storage import default_storage

        for place in (self.home, self.sibling_village, self.other_township, self.other_county):
            files = [place.report.file, *(job.error_file for job in place.import_jobs.values())]
            for file in files:
                if not default_storage.exists(file.name):
                    default_storage.save(file.name, ContentFile(b"PK sweep"))

    def inside(self, role: str) -> Place:
        return self.home

    def outside(self, role: str) -> Place:
        """The nearest place the role must not reach."""
        if role == "village":
            return self.sibling_village
        if role == "township":
            return self.other_township
        return self.other_county


_sequence = iter(range(10_000, 99_999))


def _place(round: Round, grp: Area, *, actors: dict[str, User]) -> Place:
    n = next(_sequence)
    # 户编号: the group's code and a three-digit number, as the national system numbers them.
    household = HouseholdFactory(group=grp, number=f"{grp.code}{n % 1000:03d}")
    member = MemberFactory(household=household)
    income = IncomeRecord.objects.create(
        household=household, year=2011, persons=1, wage_income=Decimal("900")
    )
    recorder = actors["village"]
    application = Application.objects.create(
        round=round,
        household=household,
        wants_fupin=True,
        for_fupin=True,
        declared=dict.fromkeys(DECLARATION, False),
        origin=Origin.NOMINATED,
        nomination_reason="村民小组提名",
        persons=1,
        state=State.SUBMITTED,
        created_by=recorder,
    )
    today = datetime.date(2012, 9, 3)
    meeting = Meeting.objects.create(
        round=round, area=grp, kind=MeetingKind.GROUP, held_on=today, attendance=20, recorded_by=recorder
    )
    spot_check = SpotCheck.objects.create(
        round=round,
        level=SpotCheckLevel.TOWNSHIP,
        area=grp.parent,
        rate=Decimal("0.2"),
        seed=n,
        population=[application.pk],
        drawn=[application.pk],
        drawn_by=actors["township"],
    )
    notice = Notice.objects.create(
        kind=f"identification.{NoticeLevel.GROUP.value}",
        context=notice_context(round),
        area=grp,
        title=f"{grp.name}公示",
        starts_on=today,
        ends_on=today + datetime.timedelta(days=7),
        issuing_body=f"{grp.parent.name}村民委员会",
        complaint_phone="0874-5555555",
        columns=["户编号"],
        published_by=recorder,
    )
    entry = Entry.objects.create(
        notice=notice, subject=application, area_code=grp.code, key=household.number, row=[household.number],
        position=1,
    )  # fmt: skip
    objection = Objection.objects.create(
        notice=notice,
        entry=entry,
        content="家中有小轿车",
        received_at=datetime.datetime(2012, 9, 4, 10, tzinfo=datetime.UTC),
        recorded_by=recorder,
    )
    referral = Referral.objects.create(
        application=application, reason="民政认定低保,家庭有劳动力", referred_by=actors["minzheng"]
    )
    quota = Quota.objects.create(round=round, area=grp, persons=30)
    report = Report.objects.create(
        kind="village-register", area=grp.parent, user=recorder, status="done", filename="村有册.xlsx"
    )
    # Files, so that the downloads answer inside the area and are tried outside it.
    report.file.save("village-register.xlsx", ContentFile(b"PK sweep"), save=True)
    import_jobs = {}
    for role, user in actors.items():
        job = ImportJob.objects.create(user=user, original_name="花名册.xlsx", status="done")
        job.error_file.save("errors.xlsx", ContentFile(b"PK sweep"), save=True)
        import_jobs[role] = job
    audit_event = audit.record(
        event_type="application_submitted", actor=recorder, obj=application, area_code=grp.code
    )
    # A township's own unit and helper: inside the township, in the pool of its villages.
    township = grp.parent.parent
    unit = Unit.objects.create(name=f"{township.name}人民政府{n}", level="乡镇", area=township)
    helper = Helper.objects.create(name=f"帮扶人{n}", unit=unit, position="科员", area=township)
    pairing = Pairing.objects.create(helper=helper, household=household, started_on=today)
    plan = Plan.objects.create(household=household, year=2012, target_year=2014)
    measure = Measure.objects.create(
        plan=plan, household=household, category="种植", content="种植烤烟技术培训", funding_source="财政专项",
        started_on=today,
    )  # fmt: skip
    visit = Visit.objects.create(
        helper=helper, household=household, visited_on=today, content="走访了解生产情况"
    )
    rating = CreditRating.objects.create(household=household, grade="AA", rated_on=today)
    loan = Loan.objects.create(
        household=household, bank="师宗县农村信用联社", amount=Decimal("30000"), issued_on=today, term_months=36,
        due_on=today + datetime.timedelta(days=3 * 365), purpose="发展烤烟种植",
    )  # fmt: skip
    team = WorkTeam.objects.create(village=grp.parent, unit=unit, started_on=today)
    team_member = TeamMember.objects.create(team=team, name=f"第一书记{n}", role="队长", joined_on=today)
    place = Place(
        audit_event=audit_event,
        group=grp,
        village=grp.parent,
        township=grp.parent.parent,
        household=household,
        member=member,
        income=income,
        application=application,
        meeting=meeting,
        spot_check=spot_check,
        notice=notice,
        objection=objection,
        referral=referral,
        unit=unit,
        helper=helper,
        pairing=pairing,
        plan=plan,
        measure=measure,
        visit=visit,
        rating=rating,
        loan=loan,
        team=team,
        team_member=team_member,
        quota=quota,
        report=report,
        import_jobs=import_jobs,
    )
    # --- exits ---
    exit_household = HouseholdFactory(group=grp, number=f"{grp.code}{(n + 500) % 1000:03d}")
    MemberFactory(household=exit_household)
    exit_case = Case.objects.create(household=exit_household, program="fupin", entered_year=2012)
    place.exit = ExitApplication.objects.create(
        household=exit_household, case=exit_case, round=round, created_by=recorder
    )
    place.dibao_proposal = DibaoProposal.objects.create(
        household=household,
        kind="enter",
        year=2011,
        detail="2011 年人均纯收入 900 元,低于农村低保标准 1400 元",
    )
    # --- end exits ---
    return place


# --- monitoring -------------------------------------------------------------------------------------


def _monitoring(place: Place, recorder: User) -> None:
    """A 突发 event, a pending warning and a 监测对象 of the place's household."""
    household = place.household
    place.hardship_event = HardshipEvent.objects.create(
        household=household, kind="因灾", occurred_on=datetime.date(2012, 9, 3), amount=Decimal("5000"),
        description="冰雹", recorded_by=recorder,
    )  # fmt: skip
    place.warning = Warning.objects.create(
        household=household, trigger="disaster", cause_key=f"event:{place.hardship_event.pk}",
        area_code=place.group.code, reason="因灾受损", raised_at=datetime.datetime(2012, 9, 4, tzinfo=datetime.UTC),
    )  # fmt: skip
    place.monitored = MonitoredHousehold.objects.create(
        household=household, kind="sudden", area_code=place.group.code, started_on=datetime.date(2012, 9, 5)
    )


# --- end of monitoring ------------------------------------------------------------------------------


def build_world(tree, users) -> World:
    """`tree` and `users` are the suite's county_tree and users fixtures (tests/conftest.py)."""
    round = Round.objects.create(
        year=2012, name="2012年贫困识别", poverty_line=Decimal("2300"), dibao_line=Decimal("1400")
    )
    mine = {
        "village": users.alice,
        "township": users.carol,
        "fupin": users.fupin,
        "minzheng": users.minzheng,
        "admin": users.admin,
    }
    luoping = AreaFactory(code="530324000000", name="罗平县")
    banqiao = AreaFactory(code="530324101000", name="板桥镇", level=Area.Level.TOWNSHIP, parent=luoping)
    yunfeng = AreaFactory(code="530324101201", name="云峰村", level=Area.Level.VILLAGE, parent=banqiao)
    # The other county's own staff, so that its objects have owners of their own.
    theirs = {
        role: UserFactory(username=f"luoping-{role}", role=ROLES[role], area=area)
        for role, area in {
            "village": yunfeng,
            "township": banqiao,
            "fupin": luoping,
            "minzheng": luoping,
            "admin": luoping,
        }.items()
    }
    neighbours = {**mine, "village": users.bob}
    other_township = {
        **mine,
        "village": UserFactory(role=Role.VILLAGE_CADRE, area=tree.yuzhu),
        "township": users.dave,
    }
    decomposition = Decomposition.objects.create(
        round=round,
        scope=tree.county,
        control_number=100,
        weight_rural=Decimal("25"),
        weight_low_income=Decimal("25"),
        weight_dibao=Decimal("25"),
        weight_disabled=Decimal("25"),
        status="done",
        created_by=users.fupin,
    )
    # django-axes' rows, so that its admin pages have an object to show.
    seen = {"username": "alice", "ip_address": "10.0.0.1", "user_agent": "sweep", "path_info": "/login/"}
    AccessAttempt.objects.create(**seen, http_accept="*/*", get_data="", post_data="", failures_since_start=1)
    AccessLog.objects.create(**seen, http_accept="*/*")
    AccessFailureLog.objects.create(**seen, http_accept="*/*", locked_out=False)
    settings = CountySettings.objects.create(county=tree.county)
    places = {
        "home": _place(round, tree.dazhai, actors=mine),
        "sibling_village": _place(round, tree.xincun, actors=neighbours),
        "other_township": _place(round, tree.potou, actors=other_township),
        "other_county": _place(round, group(yunfeng, "001", "一组"), actors=theirs),
    }
    _add_change_requests(
        places, mine=mine, neighbours=neighbours, other_township=other_township, theirs=theirs
    )
    for place, actors in zip(places.values(), (mine, neighbours, other_township, theirs), strict=True):
        _monitoring(place, actors["village"])  # monitoring
    # A 帮扶责任人 with a login: the home place's helper, paired with the home household only.
    helper_user = UserFactory(username="sweep-helper", role=Role.HELPER, area=None)
    places["home"].helper.user = helper_user
    places["home"].helper.save(update_fields=["user"])
    world = World(
        helper_user=helper_user,
        settings=settings,
        group=Group.objects.create(name="乡镇干部"),
        round=round,
        decomposition=decomposition,
        monitoring_run=MonitoringRun.objects.create(
            as_of=datetime.date(2012, 9, 5), status="done"
        ),  # monitoring
        users=mine,
        **places,
    )
    _poor_villages(world, users.fupin, theirs["fupin"])
    return world


# --- households.changes ----------------------------------------------------------------------------
def _add_change_requests(places: dict[str, Place], **actors: dict[str, User]) -> None:
    """In every place: a second member (之子) and a pending request of the place's village cadre to remove
    them (死亡), so that approve/reject/withdraw have something to act on, inside and outside."""
    from households.changes.models import ChangeRequestMember

    owners = {
        "home": actors["mine"],
        "sibling_village": actors["neighbours"],
        "other_township": actors["other_township"],
        "other_county": actors["theirs"],
    }
    for name, place in places.items():
        son = MemberFactory(household=place.household, relation="之子")
        place.change_request = ChangeRequest.objects.create(
            household=place.household,
            kind="remove_member",
            reason="死亡",
            payload={"member_id": son.pk, "new_head_id": None},
            filed_by=owners[name]["village"],
        )
        ChangeRequestMember.objects.create(request=place.change_request, member=son)


# --- poorvillages: 贫困村识别 runs and 贫困村退出 -------------------------------------------------------


def _poor_villages(world: World, ours: User, theirs: User) -> None:
    """A finished ranking run in each county, and a 贫困村 with an exit awaiting the county in each place."""
    from exits.models import VillageExit
    from identification.poor_villages.models import RankingRow, RankingRun
    from villages.models import AreaProfile

    for user in (ours, theirs):
        run = RankingRun.objects.create(
            county=user.area, year=2012, income_year=2011, weights={"poverty_rate": "100"}, created_by=user,
            status="done", progress=100,
        )  # fmt: skip
        world.ranking_runs[user.area.scope_prefix] = run
    for place in (world.home, world.sibling_village, world.other_township, world.other_county):
        village = place.village
        run = world.ranking_runs[village.code[:6]]
        RankingRow.objects.create(
            run=run, area=village, level="village", persons=1, fupin_persons=0, poverty_rate=0, parts={},
            score=0, rank=1, township_rank=1,
        )  # fmt: skip
        AreaProfile.objects.update_or_create(
            area=village, defaults={"is_poor_village": True, "poor_village_year": 2012}
        )
        world.village_exits[village.code] = VillageExit.objects.create(
            village=village, year=2014, state="publicized", proposed_by=ours if place is not world.other_county else theirs,
            figures={"persons": 1, "fupin_persons": 0, "poverty_rate": "0.0000", "net_income": None,
                     "collective_income": None, "threshold": "3.00"},
            checks=[{"code": "poverty_rate", "label": "贫困发生率", "ok": True, "detail": "0.00%"}],
        )  # fmt: skip
