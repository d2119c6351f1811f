"""Walks exits through the procedure by calling the services, as the screens do."""

from __future__ import annotations

import datetime
import itertools
from decimal import Decimal

from exits import services
from exits.models import ExitApplication, ExitState
from exits.services._common import COUNTY_KIND, VILLAGE_KIND
from households.models import Case, Household, IncomeRecord
from tests.factories import HouseholdFactory, MemberFactory, id_number_for

# Adults born in the 1970s whatever the factory's sequence has reached (a later sequence number means a
# later birth date in tests.factories, and a school-age member would fail 义务教育).
_ADULTS = itertools.count(9000)

ALL_MET = {
    "FOOD": {"answer": True, "evidence": "粮食够吃,家中存粮 800 斤"},
    "CLOTHING": {"answer": True, "evidence": "四季衣被齐全"},
}


def rolled_household(
    group,
    *,
    per_capita: str = "4000",
    last_year: str | None = "3500",
    persons: int = 2,
    dibao: bool = False,
    **fields,
) -> Household:
    """A 扶贫 household (entered 2013) with safe house and water and insured members: meets the standard
    when its income does."""
    fields = {"dangerous_house": False, "drinking_water_safe": True, **fields}
    household = HouseholdFactory(group=group, **fields)
    for i in range(persons):
        MemberFactory(
            household=household,
            relation="户主" if i == 0 else "配偶",
            basic_medical_insurance=True,
            id_number=id_number_for(next(_ADULTS), born=datetime.date(1972 + i, 3, 1)),
        )
    Case.objects.create(household=household, program="fupin", entered_year=2013)
    if dibao:
        Case.objects.create(household=household, program="dibao", entered_year=2013)
    for year, amount in ((2014, per_capita), (2013, last_year)):
        if amount is not None:
            IncomeRecord.objects.create(
                household=household, year=year, persons=persons, wage_income=Decimal(amount) * persons
            )
    return household


class ExitFlow:
    def __init__(self, *, round, tree, users, calendar):
        self.round, self.tree, self.users, self.calendar = round, tree, users, calendar

    def propose(self, household) -> ExitApplication:
        return services.exit_propose(household=household, round=self.round, actor=self.users.alice)

    def survey(self, exit, answers=None) -> ExitApplication:
        return services.exit_survey_record(
            exit=exit, actor=self.users.alice, surveyed_on=self.calendar.today, answers=answers or ALL_MET
        )

    def review(self, exit) -> ExitApplication:
        return services.exit_review(
            exit=exit,
            actor=self.users.alice,
            reviewed_on=self.calendar.today,
            attendees="村支书李华、村主任王强、驻村工作队队长张明",
        )

    def agree(self, exit) -> ExitApplication:
        return services.exit_agree(
            exit=exit, actor=self.users.alice, agreed_on=self.calendar.today, signer="户主"
        )

    def publish(self, exits, *, kind=VILLAGE_KIND, area=None, actor=None):
        area = area or (exits[0].household.group.parent if kind == VILLAGE_KIND else self.tree.county)
        return services.exit_notice_publish(
            kind=kind,
            area=area,
            actor=actor or (self.users.alice if kind == VILLAGE_KIND else self.users.fupin),
            exits=exits,
            starts_on=self.calendar.today,
            ends_on=self.calendar.today + datetime.timedelta(days=self.round.notice_days),
            issuing_body="山龙村民委员会" if kind == VILLAGE_KIND else "师宗县扶贫开发领导小组办公室",
            complaint_phone="0874-5555555",
        )

    def close(self, notice, actor=None):
        self.calendar.today = max(self.calendar.today, notice.ends_on + datetime.timedelta(days=1))
        return services.notice_close(notice=notice, actor=actor or self.users.alice)

    def verify(self, exit):
        return services.exit_verify(exit=exit, actor=self.users.carol, opinion="抽查核实,符合退出标准")

    def approve(self, exit):
        return services.exit_approve(exit=exit, actor=self.users.fupin, opinion="同意退出")

    def advance(self, exit: ExitApplication, to: ExitState) -> ExitApplication:
        """Carry one exit forward to `to` (the village notice closed on the way past 公示)."""
        steps = {
            ExitState.DRAFT: lambda e: self.review(self.survey(e)),
            ExitState.REVIEWED: self.agree,
            ExitState.AGREED: lambda e: self.publish([e]),
            ExitState.PUBLICIZED: self.verify,
            ExitState.VERIFIED: lambda e: self._close_village(e) or self.approve(e),
        }
        exit.refresh_from_db()
        while exit.state != to and exit.state in steps:
            steps[ExitState(exit.state)](exit)
            exit.refresh_from_db()
        exit.refresh_from_db()
        if to == ExitState.LIFTED:
            notice = self.publish([exit], kind=COUNTY_KIND)
            self.close(notice, actor=self.users.fupin)
            exit.refresh_from_db()
        return exit

    def _close_village(self, exit):
        from exits.services.household_exit import village_notice

        notice = village_notice(exit)
        if notice.status == "running":
            self.close(notice)
