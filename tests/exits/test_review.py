"""An upheld objection to the identification 县级公告 lands in the exits app's queues of cases to review."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from exits.models import DibaoProposal, ExitApplication
from exits.services import review_after_county_objection
from identification import services
from identification.choices import NoticeLevel, State
from identification.models import Quota, Round
from tests.identification.flow import Flow

pytestmark = pytest.mark.django_db


@pytest.fixture
def flow(county_tree, users, calendar):
    """identification's walk, on its 2012 round (seed 002's standards)."""
    calendar.today = datetime.date(2012, 9, 3)
    round = Round.objects.create(
        year=2012, name="2012年贫困识别", poverty_line=Decimal("2300"), dibao_line=Decimal("1400")
    )
    Quota.objects.create(round=round, area=county_tree.dazhai, persons=30)
    return Flow(round=round, tree=county_tree, users=users, calendar=calendar)


def announce(flow, application, actor):
    today = flow.calendar.today
    return services.notice_publish(
        round=flow.round, level=NoticeLevel.COUNTY, area=flow.tree.county, starts_on=today,
        ends_on=today + datetime.timedelta(days=7), issuing_body="师宗县", complaint_phone="0874-12317",
        actor=actor, applications=[application],
    )  # fmt: skip


def uphold(flow, notice, application, actor):
    objection = services.objection_record(notice=notice, application=application, actor=actor, content="有车")
    services.objection_handle(
        objection=objection, actor=actor, upheld=True, note="属实,转复核", outcome="recheck"
    )


def test_upheld_objection_on_fupin_announcement_opens_an_exit_to_review(flow):
    [application] = flow.advance([flow.new()], State.PUBLICIZED, wage="1200")
    flow.county_checks()
    services.application_decide(application=application, actor=flow.users.fupin, confirm=True)
    notice = announce(flow, application, flow.users.fupin)
    uphold(flow, notice, application, flow.users.fupin)
    exit = ExitApplication.objects.get(household=application.household)
    assert (exit.state, exit.source, exit.round) == ("draft", "objection", flow.round)
    assert "异议成立" in exit.source_note
    # The entry is struck once upheld; a second call (another path to the same review) opens nothing new.
    again = review_after_county_objection(
        household_id=application.household_id,
        program="fupin",
        round=flow.round,
        actor=flow.users.fupin,
        note="再次",
    )
    assert again == exit
    assert ExitApplication.objects.filter(household=application.household).count() == 1


def test_upheld_objection_on_dibao_announcement_proposes_exit_to_minzheng(flow):
    [application] = flow.advance([flow.new(fupin=False, dibao=True)], State.PUBLICIZED, wage="1200")
    flow.county_checks()
    services.application_decide(application=application, actor=flow.users.minzheng, confirm=True)
    notice = announce(flow, application, flow.users.minzheng)
    uphold(flow, notice, application, flow.users.minzheng)
    proposal = DibaoProposal.objects.get(household=application.household)
    assert (proposal.kind, proposal.source, proposal.status) == ("exit", "objection", "pending")
