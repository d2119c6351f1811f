"""县级认定: each office decides only its own program, after the county sample; in bulk; and under
concurrency, one official wins and the other is told why."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from accounts.models import AuditEvent, Role
from households.models import Case
from identification import services
from identification.choices import Decision, SpotCheckLevel, State
from identification.models import Application
from identification.transitions import WorkflowError
from tests.factories import UserFactory
from tests.identification.flow import last_event


def publicized(flow, n=1, *, fupin=True, dibao=False, wage="1000"):
    apps = [flow.new(fupin=fupin, dibao=dibao) for _ in range(n)]
    return flow.advance(apps, State.PUBLICIZED, wage=wage)


@pytest.mark.django_db
def test_minzheng_cannot_decide_fupin_and_fupin_cannot_decide_dibao(flow):
    [application] = publicized(flow, fupin=True, dibao=True)
    flow.county_check()
    with pytest.raises(WorkflowError) as refused:
        services.application_decide(
            application=application, actor=flow.users.minzheng, program="fupin", confirm=True
        )
    assert refused.value.code == "wrong_role"
    assert str(refused.value) == "扶贫对象由县扶贫办认定,您的角色是县民政局,不能作出扶贫认定。"
    with pytest.raises(WorkflowError, match="低保对象由县民政局认定,您的角色是县扶贫办,不能作出低保认定。"):
        services.application_decide(
            application=application, actor=flow.users.fupin, program="dibao", confirm=True
        )
    with pytest.raises(WorkflowError, match="扶贫对象由县扶贫办认定,您的角色是乡镇审核员"):
        services.application_decide(
            application=application, actor=flow.users.carol, program="fupin", confirm=True
        )
    application.refresh_from_db()
    assert (application.fupin_decision, application.dibao_decision) == ("", "")
    assert last_event(application, "application.decided") is None


@pytest.mark.django_db
def test_a_program_not_asked_for_cannot_be_decided(flow):
    [application] = publicized(flow, fupin=True, dibao=False)
    flow.county_check()
    with pytest.raises(WorkflowError, match="未报低保") as refused:
        services.application_decide(application=application, actor=flow.users.minzheng, confirm=True)
    assert refused.value.code == "not_requested"


@pytest.mark.django_db
def test_diliubu_no_decision_before_the_bureaus_own_sample_is_complete(flow):
    [application] = publicized(flow, fupin=True, dibao=True, wage="1200")
    with pytest.raises(WorkflowError, match="尚未纳入已完成的扶贫县级抽查,不能认定"):
        services.application_decide(application=application, actor=flow.users.fupin, confirm=True)
    check = services.spot_check_draw(
        round=flow.round, level=SpotCheckLevel.COUNTY, area=flow.tree.county, actor=flow.users.fupin
    )
    assert (check.program, check.drawn) == ("fupin", [application.pk])
    with pytest.raises(WorkflowError, match="尚未纳入已完成的扶贫县级抽查"):
        services.application_decide(application=application, actor=flow.users.fupin, confirm=True)
    with pytest.raises(WorkflowError, match="由其自行核查录入"):
        services.spot_check_record(
            spot_check=check, application=application, actor=flow.users.minzheng, truthful=True
        )
    services.spot_check_record(
        spot_check=check, application=application, actor=flow.users.fupin, truthful=True
    )
    # 扶贫办's complete sample does not let 民政 decide: each bureau decides after its own sample.
    with pytest.raises(WorkflowError, match="尚未纳入已完成的低保县级抽查"):
        services.application_decide(application=application, actor=flow.users.minzheng, confirm=True)
    services.application_decide(application=application, actor=flow.users.fupin, confirm=True)


@pytest.mark.django_db
def test_an_untrue_county_finding_can_only_be_rejected(flow):
    [application] = publicized(flow)
    flow.county_check(truthful=False)
    with pytest.raises(WorkflowError, match="县级抽查发现户 .* 情况不实,只能不予认定"):
        services.application_decide(application=application, actor=flow.users.fupin, confirm=True)
    services.application_decide(
        application=application, actor=flow.users.fupin, confirm=False, reason="县级抽查发现有小轿车"
    )
    application.refresh_from_db()
    assert application.state == State.REJECTED
    assert application.rejection_reason == "扶贫:县级抽查发现有小轿车"


@pytest.mark.django_db
def test_a_household_the_survey_found_ineligible_cannot_be_confirmed(flow):
    """The survey takes an ineligible household off; should a trace still say 不符合 at the county (a
    re-survey after a send-back, say), the county can only reject."""
    [application] = publicized(flow)
    flow.county_check()
    Application.objects.filter(pk=application.pk).update(
        eligibility={**application.eligibility, "fupin": False}
    )
    with pytest.raises(WorkflowError, match="入户调查结果显示户 .* 不符合扶贫条件,只能不予认定") as refused:
        services.application_decide(application=application, actor=flow.users.fupin, confirm=True)
    assert refused.value.code == "not_eligible"


@pytest.mark.django_db
def test_deciding_twice_is_refused_with_who_decided(flow):
    [application] = publicized(flow, fupin=True, dibao=True)
    flow.county_check()
    services.application_decide(application=application, actor=flow.users.fupin, confirm=True)
    with pytest.raises(WorkflowError, match="扶贫认定已由 .* 作出,不能重复认定") as refused:
        services.application_decide(application=application, actor=flow.users.fupin, confirm=True)
    assert refused.value.code == "already_decided"


@pytest.mark.django_db
def test_bulk_confirmation_with_overrides(flow, django_assert_max_num_queries):
    apps = publicized(flow, 6)
    flow.county_check()
    overridden = apps[2]
    ids = [a.pk for a in apps]
    # Locks, checks and writes in a fixed number of statements, not one per application.
    with django_assert_max_num_queries(20):
        outcome = services.county_confirm_bulk(
            round=flow.round,
            actor=flow.users.fupin,
            applications=ids,
            rejections={overridden.pk: "户主已迁出本县"},
        )
    assert sorted(outcome.confirmed) == sorted(set(ids) - {overridden.pk})
    assert outcome.rejected == [overridden.pk]
    states = dict(Application.objects.filter(pk__in=ids).values_list("pk", "state"))
    assert states[overridden.pk] == State.REJECTED
    assert Case.objects.filter(household__applications__pk__in=ids, program="fupin").count() == 5
    assert AuditEvent.objects.filter(event_type="application.decided", object_id__in=ids).count() == 6
    assert Application.objects.get(pk=overridden.pk).fupin_decision == Decision.REJECTED


@pytest.mark.django_db
def test_bulk_confirmation_is_all_or_nothing_and_lists_the_problems(flow):
    apps = publicized(flow, 2)
    flow.county_check()
    stray = flow.new()
    with pytest.raises(WorkflowError, match=f"户 {stray.household.number} 当前状态为“已申报”,不能作出认定。"):
        services.county_confirm_bulk(
            round=flow.round, actor=flow.users.fupin, applications=[*(a.pk for a in apps), stray.pk]
        )
    assert set(Application.objects.filter(pk__in=[a.pk for a in apps]).values_list("state", flat=True)) == {
        State.PUBLICIZED
    }
    with pytest.raises(services.NotInScope, match="有 1 份申请不存在"):
        services.county_confirm_bulk(
            round=flow.round, actor=flow.users.fupin, applications=[apps[0].pk, 10**9]
        )


@pytest.mark.django_db
def test_a_household_already_on_the_roll_keeps_its_case(flow):
    [application] = publicized(flow)
    Case.objects.create(household=application.household, program="fupin", entered_year=2010)
    flow.county_check()
    services.application_decide(application=application, actor=flow.users.fupin, confirm=True)
    assert list(
        Case.objects.filter(household=application.household).values_list("entered_year", flat=True)
    ) == [2010]


@pytest.mark.django_db(transaction=True)
def test_two_officials_confirming_at_once_one_wins_the_other_is_told(flow):
    [application] = publicized(flow)
    flow.county_check()
    second_official = UserFactory(username="fupin2", role=Role.COUNTY_FUPIN, area=flow.tree.county)
    barrier = threading.Barrier(2)
    outcomes: dict[str, object] = {}

    def confirm(user):
        try:
            barrier.wait(timeout=10)
            services.application_decide(application=application, actor=user, confirm=True)
            outcomes[user.username] = "ok"
        except WorkflowError as error:
            outcomes[user.username] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=confirm, args=(u,)) for u in (flow.users.fupin, second_official)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert sorted(str(v) == "ok" for v in outcomes.values()) == [False, True]
    [loser] = [v for v in outcomes.values() if v != "ok"]
    assert loser.code == "wrong_state"
    assert "当前状态为“已认定”,不能作出认定" in str(loser)
    assert Case.objects.filter(household=application.household).count() == 1
    assert AuditEvent.objects.filter(event_type="application.decided", object_id=application.pk).count() == 1


@pytest.mark.django_db(transaction=True)
def test_fupin_and_minzheng_deciding_a_cross_application_at_once_both_count(flow):
    [application] = publicized(flow, fupin=True, dibao=True, wage="1200")
    flow.county_checks()
    barrier = threading.Barrier(2)
    errors: list[Exception] = []

    def decide(user):
        try:
            barrier.wait(timeout=10)
            services.application_decide(application=application, actor=user, confirm=True)
        except Exception as error:  # noqa: BLE001 - surfaced by the assertion below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=decide, args=(u,)) for u in (flow.users.fupin, flow.users.minzheng)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert errors == []
    application.refresh_from_db()
    assert application.state == State.CONFIRMED
    assert set(Case.objects.filter(household=application.household).values_list("program", flat=True)) == {
        "fupin",
        "dibao",
    }
    assert application.poverty_class == 2
