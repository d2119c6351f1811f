"""低保 side (seed 002 四(三)): 退保 and 纳入 proposals computed idempotently, decided by 民政."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.http import Http404

from accounts.models import Role
from exits import services
from exits.models import DibaoProposal
from households.models import Case, IncomeRecord
from identification.transitions import WorkflowError
from tests.factories import AreaFactory, HouseholdFactory, MemberFactory, UserFactory
from tests.identification.flow import last_event

pytestmark = pytest.mark.django_db


def household_with_income(
    group, *, wage: str, dibao_benefit: str = "0", persons: int = 2, roll: str | None = None
):
    household = HouseholdFactory(group=group)
    for i in range(persons):
        MemberFactory(household=household, relation="户主" if i == 0 else "配偶")
    if roll:
        Case.objects.create(household=household, program=roll, entered_year=2013)
    IncomeRecord.objects.create(
        household=household,
        year=2014,
        persons=persons,
        wage_income=Decimal(wage),
        dibao_benefit=Decimal(dibao_benefit),
    )
    return household


@pytest.fixture
def registry(county_tree):
    t = county_tree
    return {
        # 低保户 at 2400 元 a head without the 低保金 (the 低保金 would lift it anyway): 退保.
        "rich_dibao": household_with_income(t.dazhai, wage="4800", dibao_benefit="2000", roll="dibao"),
        # 低保户 whose own income is 1500 元 a head, 2500 with the 低保金: stays (the benefit does not count).
        "poor_dibao": household_with_income(t.dazhai, wage="3000", dibao_benefit="2000", roll="dibao"),
        # Not on 低保, 1000 元 a head: 纳入.
        "poor": household_with_income(t.xiaozhai, wage="2000"),
        # Not on 低保, 3000 元 a head: nothing.
        "comfortable": household_with_income(t.xiaozhai, wage="6000"),
        # 特困 household below the line: 民政 already provides for it, no 纳入.
        "tekun": household_with_income(t.dazhai, wage="1000", roll="tekun"),
        # Another township's poor household: outside 丹凤镇.
        "elsewhere": household_with_income(t.potou, wage="1000"),
    }


def test_compute_proposes_exit_and_enter_from_income_without_benefits(round_2015, registry, users):
    counts = services.dibao_proposals_compute(actor=users.carol, round=round_2015)
    assert counts == {"exit": 1, "enter": 1}
    proposals = {(p.household_id, p.kind) for p in DibaoProposal.objects.all()}
    assert proposals == {(registry["rich_dibao"].pk, "exit"), (registry["poor"].pk, "enter")}
    exit = DibaoProposal.objects.get(kind="exit")
    assert (exit.per_capita, exit.dibao_line, exit.status) == (
        Decimal("2400.00"),
        Decimal("2280.00"),
        "pending",
    )
    assert exit.detail == "2014 年人均纯收入(不含低保金、特困供养金)2400.00 元,达到农村低保标准 2280.00 元"
    assert last_event(exit, "dibao_proposal.created").actor == users.carol


def test_compute_again_adds_no_duplicates(round_2015, registry, users):
    services.dibao_proposals_compute(actor=users.carol, round=round_2015)
    again = services.dibao_proposals_compute(actor=users.minzheng, round=round_2015)
    assert again == {"exit": 0, "enter": 1}  # the county's run adds 雄壁镇's household only
    assert services.dibao_proposals_compute(actor=users.minzheng, round=round_2015) == {"exit": 0, "enter": 0}
    assert DibaoProposal.objects.count() == 3
    assert DibaoProposal.objects.filter(household=registry["elsewhere"]).count() == 1


def test_a_declined_proposal_is_not_proposed_again_the_same_year(round_2015, registry, users):
    services.dibao_proposals_compute(actor=users.minzheng, round=round_2015)
    proposal = DibaoProposal.objects.get(household=registry["poor"])
    services.dibao_proposal_decide(proposal=proposal, actor=users.minzheng, accept=False, reason="有赡养人")
    services.dibao_proposals_compute(actor=users.minzheng, round=round_2015)
    assert DibaoProposal.objects.filter(household=registry["poor"]).count() == 1


def test_fupin_cannot_compute_proposals(round_2015, registry, users):
    with pytest.raises(WorkflowError) as caught:
        services.dibao_proposals_compute(actor=users.fupin, round=round_2015)
    assert caught.value.code == "wrong_role"


def test_minzheng_accepting_an_exit_ends_the_dibao_case(round_2015, registry, users, calendar):
    services.dibao_proposals_compute(actor=users.minzheng, round=round_2015)
    proposal = DibaoProposal.objects.get(kind="exit")
    services.dibao_proposal_decide(
        proposal=proposal, actor=users.minzheng, accept=True, reason="收入核实属实"
    )
    case = Case.objects.get(household=registry["rich_dibao"], program="dibao")
    assert (case.state, case.left_year) == ("exited", 2015)
    proposal.refresh_from_db()
    assert (proposal.status, proposal.decided_by) == ("accepted", users.minzheng)
    assert last_event(proposal, "dibao_proposal.accepted").new["case"] == case.pk
    assert last_event(case, "case.dibao_exited").actor == users.minzheng


def test_minzheng_accepting_an_entry_opens_a_dibao_case(round_2015, registry, users, calendar):
    services.dibao_proposals_compute(actor=users.minzheng, round=round_2015)
    proposal = DibaoProposal.objects.get(household=registry["poor"])
    services.dibao_proposal_decide(
        proposal=proposal, actor=users.minzheng, accept=True, reason="入户核实属实"
    )
    case = Case.objects.get(household=registry["poor"], program="dibao")
    assert (case.state, case.entered_year) == ("active", 2015)


def test_declining_changes_no_roll_and_needs_a_reason(round_2015, registry, users):
    services.dibao_proposals_compute(actor=users.minzheng, round=round_2015)
    proposal = DibaoProposal.objects.get(kind="exit")
    with pytest.raises(WorkflowError) as caught:
        services.dibao_proposal_decide(proposal=proposal, actor=users.minzheng, accept=False, reason=" ")
    assert caught.value.code == "reason_required"
    services.dibao_proposal_decide(proposal=proposal, actor=users.minzheng, accept=False, reason="收入不稳定")
    assert Case.objects.get(household=registry["rich_dibao"], program="dibao").state == "active"
    with pytest.raises(WorkflowError) as caught:
        services.dibao_proposal_decide(proposal=proposal, actor=users.minzheng, accept=True, reason="再议")
    assert caught.value.code == "already_decided"


@pytest.mark.parametrize("who", ["alice", "carol", "fupin"])
def test_only_minzheng_decides(round_2015, registry, users, who):
    services.dibao_proposals_compute(actor=users.minzheng, round=round_2015)
    proposal = DibaoProposal.objects.get(kind="exit")
    with pytest.raises(WorkflowError) as caught:
        services.dibao_proposal_decide(
            proposal=proposal, actor=getattr(users, who), accept=True, reason="同意"
        )
    assert caught.value.code == "wrong_role"


def test_village_cadre_computes_only_their_village(round_2015, registry, users):
    services.dibao_proposals_compute(actor=users.bob, round=round_2015)  # 法杂村 has none of them
    assert not DibaoProposal.objects.exists()
    services.dibao_proposals_compute(actor=users.alice, round=round_2015)
    assert DibaoProposal.objects.count() == 2


def test_minzheng_of_another_county_gets_a_404(round_2015, registry, users):
    services.dibao_proposals_compute(actor=users.minzheng, round=round_2015)
    luoping = AreaFactory(code="530324000000", name="罗平县")
    stranger = UserFactory(role=Role.COUNTY_MINZHENG, area=luoping)
    with pytest.raises(Http404):
        services.dibao_proposal_decide(
            proposal=DibaoProposal.objects.get(household=registry["poor"]),
            actor=stranger,
            accept=True,
            reason="x",
        )
