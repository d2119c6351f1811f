"""The nightly run as a job, the beat task, and the county's settings."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from accounts.models import AuditEvent
from monitoring import services, tasks
from monitoring.models import MonitoringRun, MonitoringSettings, Warning
from tests.monitoring.conftest import make_household

pytestmark = pytest.mark.django_db


def test_a_run_counts_households_and_warnings_per_trigger_and_is_idempotent(county_tree, round_2014):
    make_household(county_tree.dazhai, incomes={2013: 3000})
    run = MonitoringRun.objects.create(as_of=datetime.date(2014, 6, 1))
    run = services.run_execute(run.pk)
    assert run.status == "done" and run.households_checked == 1
    assert run.raised["income_low"] == 1 and run.raised_total == 1
    assert Warning.objects.get().run == run
    services.run_execute(run.pk)  # the queue delivered it twice: nothing more
    assert Warning.objects.count() == 1


def test_the_nightly_task_runs_and_a_run_under_way_blocks_a_second(
    county_tree, round_2014, django_capture_on_commit_callbacks
):
    make_household(county_tree.dazhai, incomes={2013: 3000})
    with django_capture_on_commit_callbacks(execute=True):
        run_id = tasks.nightly_monitoring()
    run = MonitoringRun.objects.get(pk=run_id)
    assert (run.kind, run.status, run.raised_total) == ("nightly", "done", 1)
    MonitoringRun.objects.create(as_of=run.as_of, status="running", heartbeat_at=run.finished_at)
    assert tasks.nightly_monitoring() is None


def test_a_run_whose_worker_died_does_not_block_tonight(
    county_tree, round_2014, django_capture_on_commit_callbacks
):
    long_ago = datetime.datetime(2014, 1, 1, tzinfo=datetime.UTC)
    dead = MonitoringRun.objects.create(
        as_of=datetime.date(2014, 1, 1), status="running", heartbeat_at=long_ago
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.nightly_monitoring() is not None
    dead.refresh_from_db()
    assert dead.status == "failed"


def test_only_county_roles_start_a_run(users):
    with pytest.raises(services.MonitoringError) as refused:
        services.run_create(actor=users.carol)
    assert refused.value.code == "wrong_role"


def test_the_county_sets_its_shares_and_others_cannot(users, county_tree):
    services.settings_save(
        actor=users.fupin,
        line_factor=Decimal("1.6"),
        drop_share=Decimal("0.25"),
        medical_share=Decimal("0.4"),
    )
    row = MonitoringSettings.objects.get(county=county_tree.county)
    assert (row.line_factor, row.drop_share, row.medical_share) == (
        Decimal("1.6"),
        Decimal("0.25"),
        Decimal("0.4"),
    )
    assert AuditEvent.objects.filter(event_type="monitoring.settings").exists()
    with pytest.raises(services.MonitoringError) as refused:
        services.settings_save(
            actor=users.carol,
            line_factor=Decimal("1.6"),
            drop_share=Decimal("0.25"),
            medical_share=Decimal("0.4"),
        )
    assert refused.value.code == "wrong_role"
    with pytest.raises(services.MonitoringError):
        services.settings_save(
            actor=users.fupin,
            line_factor=Decimal("0.5"),
            drop_share=Decimal("0.25"),
            medical_share=Decimal("0.4"),
        )
