"""Two officials making the same move at the same moment: exactly one wins, 20 trials each, and the
loser leaves no case, no audit row and no half-written change (issue 13, "Concurrency").

The moves: application_decide, county_confirm_bulk, village_verify, the notices component's
objection_handle and notice_close (through identification.services), decomposition_apply.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from functools import partial

import pytest

from accounts.models import AuditEvent, Role
from households.models import Case
from identification import decomposition as decomposition_service
from identification import services
from identification.choices import NoticeLevel, State
from identification.decomposition import DEFAULT_WEIGHTS
from identification.models import Application
from identification.transitions import WorkflowError
from notices.models import Notice, Objection
from notices.services import NoticeError
from tests.concurrency.conftest import TRIALS, race
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


def one_winner(outcomes, *, refused_code: str | None = None, no_op=None):
    """Exactly one move took effect; the other was refused with a Chinese reason, or (`no_op`) found
    nothing left to do and said so by its return value."""
    losers = [o for o in outcomes if not o.ok or (no_op is not None and no_op(o.value))]
    winners = [o for o in outcomes if o not in losers]
    assert len(winners) == 1, [repr(o.error) for o in outcomes]
    for loser in losers:
        if loser.ok:
            continue
        assert isinstance(loser.error, WorkflowError | NoticeError), repr(loser.error)
        if refused_code:
            assert loser.error.code == refused_code, loser.error
        assert any("\u4e00" <= ch <= "\u9fff" for ch in str(loser.error))  # a Chinese reason
    return winners[0]


def audit_since(mark: int) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(pk__gt=mark).order_by("pk"))


def last_audit_id() -> int:
    return AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0


@pytest.fixture
def second(users, county_tree):
    """A colleague of each official, with the same role and area."""
    return {
        "fupin": UserFactory(username="fupin2", role=Role.COUNTY_FUPIN, area=county_tree.county),
        "carol": UserFactory(username="carol2", role=Role.TOWNSHIP_OFFICIAL, area=county_tree.danfeng),
        "alice": UserFactory(username="alice2", role=Role.VILLAGE_CADRE, area=county_tree.shanlong),
    }


def publicized(flow, n=1):
    apps = [flow.new() for _ in range(n)]
    return flow.advance(apps, State.PUBLICIZED)


def test_two_county_officials_confirming_the_same_application(flow, second, figures):
    for _ in range(TRIALS):
        [application] = publicized(flow)
        flow.county_check()
        mark = last_audit_id()
        outcomes = race(
            [
                partial(services.application_decide, application=application, actor=user, confirm=True)
                for user in (flow.users.fupin, second["fupin"])
            ]
        )
        one_winner(outcomes, refused_code="wrong_state")
        assert Case.objects.filter(household=application.household).count() == 1
        decided = [
            e
            for e in audit_since(mark)
            if e.object_id == application.pk and e.event_type == "application.decided"
        ]
        assert len(decided) == 1
    figures(f"并发: 县级认定 {TRIALS} 次 × 2 人同时认定同一申请,每次只有一人成功、一个对象、一条痕迹")


def test_two_county_officials_confirming_the_same_batch(flow, second, figures):
    for _ in range(TRIALS):
        batch = publicized(flow, 2)
        flow.county_check()
        mark = last_audit_id()
        ids = [a.pk for a in batch]
        outcomes = race(
            [
                partial(services.county_confirm_bulk, round=flow.round, actor=user, applications=ids)
                for user in (flow.users.fupin, second["fupin"])
            ]
        )
        one_winner(outcomes)
        for application in batch:
            assert Case.objects.filter(household=application.household).count() == 1
        actors = {e.actor_id for e in audit_since(mark) if e.object_id in ids}
        assert len(actors) == 1  # only the winner left a trail
    figures(f"并发: 批量认定 {TRIALS} 次 × 2 人同时认定同一批申请,每次只有一人成功")


def test_two_township_officials_verifying_the_same_village(flow, second, figures):
    for _ in range(TRIALS):
        apps = [flow.new() for _ in range(2)]
        flow.advance(apps, State.VILLAGE_PUBLICIZED)
        check = services.spot_check_draw(
            round=flow.round,
            level="township",
            area=apps[0].household.group.parent,
            actor=flow.users.carol,
            rate=Decimal("1"),
        )
        for pk in check.drawn:
            services.spot_check_record(
                spot_check=check, application=Application(pk=pk), actor=flow.users.carol, truthful=True
            )
        check.refresh_from_db()
        mark = last_audit_id()
        outcomes = race(
            [
                partial(services.village_verify, spot_check=check, actor=user)
                for user in (flow.users.carol, second["carol"])
            ]
        )
        # The second verification finds nothing left to verify in the village and changes nothing.
        winner = one_winner(outcomes, no_op=lambda verified: verified == [])
        assert {a.pk for a in winner.value} >= {a.pk for a in apps}
        assert set(
            Application.objects.filter(pk__in=[a.pk for a in apps]).values_list("state", flat=True)
        ) == {State.VERIFIED}
        assert len({e.actor_id for e in audit_since(mark)}) == 1
        # Next trial's village group starts from a clean slate: the verified ones are out of the way.
        Application.objects.filter(pk__in=[a.pk for a in apps]).update(
            state=State.WITHDRAWN, withdrawal_reason="并发测试:移出下一轮"
        )
    figures(f"并发: 乡镇审核 {TRIALS} 次 × 2 人同时审核同一村,每次只有一人成功")


def test_two_cadres_handling_the_same_objection(flow, second, figures):
    for _ in range(TRIALS):
        [application] = flow.advance([flow.new()], State.RECOMMENDED)
        notice = flow.notice([application], NoticeLevel.GROUP)
        objection = services.objection_record(
            notice=notice, application=application, actor=flow.users.alice, content="家中有小轿车一辆"
        )
        mark = last_audit_id()
        outcomes = race(
            [
                partial(
                    services.objection_handle,
                    objection=objection,
                    actor=user,
                    upheld=False,
                    note="经入户核实,车辆为亲戚所有",
                )
                for user in (flow.users.alice, second["alice"])
            ]
        )
        one_winner(outcomes, refused_code="already_handled")
        assert Objection.objects.get(pk=objection.pk).status == "dismissed"
        assert len([e for e in audit_since(mark) if e.object_id == objection.pk]) <= 1
        assert len({e.actor_id for e in audit_since(mark)}) == 1
        flow.close(notice)
        Application.objects.filter(pk=application.pk).update(
            state=State.WITHDRAWN, withdrawal_reason="并发测试:移出下一轮"
        )
    figures(f"并发: 异议核实 {TRIALS} 次 × 2 人同时核实同一异议,每次只有一人成功")


def test_two_cadres_closing_the_same_notice(flow, second, figures):
    for _ in range(TRIALS):
        [application] = flow.advance([flow.new()], State.RECOMMENDED)
        notice = flow.notice([application], NoticeLevel.GROUP)
        flow.calendar.today = notice.ends_on + datetime.timedelta(days=1)
        mark = last_audit_id()
        outcomes = race(
            [
                partial(services.notice_close, notice=notice, actor=user)
                for user in (flow.users.alice, second["alice"])
            ]
        )
        one_winner(outcomes, refused_code="notice_closed")
        assert Notice.objects.get(pk=notice.pk).status == "closed"
        assert len({e.actor_id for e in audit_since(mark)}) == 1
        Application.objects.filter(pk=application.pk).update(
            state=State.WITHDRAWN, withdrawal_reason="并发测试:移出下一轮"
        )
    figures(f"并发: 结束公示 {TRIALS} 次 × 2 人同时结束同一公示,每次只有一人成功")


def test_two_officials_applying_the_same_decomposition(round_2012, users, second, figures):
    from identification.models import Quota
    from identification.tasks import run_decomposition

    for trial in range(TRIALS):
        run = decomposition_service.decomposition_create(
            round=round_2012,
            actor=users.fupin,
            control_number=100 + trial,
            weights=DEFAULT_WEIGHTS,
            overrides={},
        )
        run_decomposition(run.pk)  # transactional test: run the task itself rather than on commit
        run.refresh_from_db()
        assert run.status == "done", run.errors
        mark = last_audit_id()
        outcomes = race(
            [
                partial(decomposition_service.decomposition_apply, decomposition=run, actor=user)
                for user in (users.fupin, second["fupin"])
            ]
        )
        assert all(o.ok or isinstance(o.error, WorkflowError) for o in outcomes), [
            repr(o.error) for o in outcomes
        ]
        applied = [e for e in audit_since(mark) if e.event_type == "quota.decomposition_applied"]
        # Exactly one application of the figures: one audit row, the quotas equal the run's result.
        assert len(applied) == 1, [(e.actor_id, e.new.get("persons")) for e in applied]
        quotas = {
            q.area.code: q.persons for q in Quota.objects.filter(round=round_2012).select_related("area")
        }
        assert {c: quotas[c] for c in run.result} == run.result
    figures(f"并发: 下达规模指标 {TRIALS} 次 × 2 人同时下达同一分解结果,每次只下达一次")
