"""A ranking run is a job: the queue down loses nothing and says so; a failed run is retried."""

from __future__ import annotations

import pytest
from django.urls import reverse

from accounts.models import AuditEvent
from config.queue import QUEUE_DOWN
from identification.poor_villages import services
from identification.poor_villages.models import RankingRun
from tests.hardening.test_faults import redis_down  # noqa: F401


@pytest.mark.django_db(transaction=True)
def test_a_run_with_the_queue_down_says_so_and_leaves_no_run(redis_down, client, users):  # noqa: F811
    client.force_login(users.fupin)
    response = client.post(
        reverse("identification:poor_village_runs"), {"year": "2012", "income_year": "2011", "note": "试算"}
    )
    assert response.status_code == 200 and QUEUE_DOWN in response.content.decode()
    assert 'value="试算"' in response.content.decode()
    assert not RankingRun.objects.exists()
    assert not AuditEvent.objects.filter(event_type="poor_village.run_created").exists()


@pytest.mark.django_db(transaction=True)
def test_retry_with_the_queue_down_keeps_the_run_failed(redis_down, client, ranked_tree, users):  # noqa: F811
    run = RankingRun.objects.create(
        county=ranked_tree.county, year=2012, income_year=2011, weights=services.weights_snapshot(ranked_tree.county),
        created_by=users.fupin, status="failed", message="任务中断",
    )  # fmt: skip
    client.force_login(users.fupin)
    response = client.post(reverse("identification:poor_village_retry", args=[run.pk]), follow=True)
    assert QUEUE_DOWN in response.content.decode()
    run.refresh_from_db()
    assert run.status == "failed" and not run.rows.exists()


def test_a_failed_run_is_retried_and_scored(ranked_tree, users, django_capture_on_commit_callbacks):
    run = RankingRun.objects.create(
        county=ranked_tree.county, year=2012, income_year=2011, weights=services.weights_snapshot(ranked_tree.county),
        created_by=users.fupin, status="failed", message="任务中断(后台进程已退出),请点击“重试”。",
    )  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True):
        services.run_retry(actor=users.fupin, run=run)
    run.refresh_from_db()
    assert run.status == "done" and run.attempts == 1 and run.rows.count() == 7
    assert AuditEvent.objects.get(event_type="poor_village.run_retried").actor == users.fupin
    from identification.transitions import WorkflowError

    with pytest.raises(WorkflowError, match="只有失败的测算"):
        services.run_retry(actor=users.fupin, run=run)


def test_a_stale_run_is_failed_by_the_common_sweep(ranked_tree, users):
    import datetime

    from django.utils import timezone

    from jobs.stale import fail_stale, job_models

    assert RankingRun in job_models()
    long_ago = timezone.now() - datetime.timedelta(hours=1)
    run = RankingRun.objects.create(
        county=ranked_tree.county, year=2012, income_year=2011, weights={}, created_by=users.fupin,
        status="running", started_at=long_ago, heartbeat_at=long_ago,
    )  # fmt: skip
    assert fail_stale(models=[RankingRun]) == 1
    run.refresh_from_db()
    assert run.status == "failed"
