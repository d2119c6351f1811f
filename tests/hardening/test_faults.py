"""Faults: Redis down (a real closed port, not a mock), the database connection cut under a request,
and a worker SIGKILLed in the middle of an import."""

from __future__ import annotations

import datetime
import os
import signal
import socket
import time
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files import File
from django.db import close_old_connections, connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from config.queue import QUEUE_DOWN
from households import choices
from households.idnumber import build
from households.models import Household, ImportJob, Member
from jobs.stale import fail_stale
from reports.models import Kind, Report, Status
from tests.auth import VerifiedClient
from tests.conftest import close_other_sessions
from tests.factories import HouseholdFactory, MemberFactory, id_number_for
from tests.households.import_helpers import family, write_roster
from tests.reports.test_report_celery import _start_worker

pytestmark = pytest.mark.django_db(transaction=True)


def closed_port_url() -> str:
    """A Redis URL on a port nothing listens on: connections are refused, as when Redis is stopped."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"redis://127.0.0.1:{port}/0"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def redis_down(settings):
    """The cache and the broker both pointing at a closed port, with the production settings."""
    from config.celery import app

    url = closed_port_url()
    settings.CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": url,
            "OPTIONS": {"IGNORE_EXCEPTIONS": True, "SOCKET_CONNECT_TIMEOUT": 0.5, "SOCKET_TIMEOUT": 0.5},
        }
    }
    before = {"broker_url": app.conf.broker_url, "task_always_eager": app.conf.task_always_eager}
    app.conf.update(broker_url=url, task_always_eager=False)
    app._pool = None  # drop connections made for the old broker
    app.amqp._producer_pool = None
    yield app
    app.conf.update(**before)
    app._pool = None
    app.amqp._producer_pool = None


@pytest.fixture
def household(county_tree):
    h = HouseholdFactory(
        number="530323101201001031", group=county_tree.dazhai, main_cause=choices.Cause.ILLNESS
    )
    MemberFactory(household=h, name="张大山", id_number=id_number_for(31), relation="户主")
    return h


def edit_data(household: Household, **changes) -> dict:
    from tests.households.test_views import edit_post

    head = household.members.get()
    return edit_post(household, [(head, {"name": head.name, "id_number": head.id_number})], **changes)


# ------------------------------------------------------------------------------------- Redis down


def test_pages_and_saves_work_with_redis_down(redis_down, client, users, household):
    client.force_login(users.alice)
    started = time.monotonic()
    assert client.get(reverse("households:list")).status_code == 200  # the counts: cache misses, not 500
    response = client.post(
        reverse("households:edit", args=[household.pk]), edit_data(household, main_cause="因残")
    )
    assert response.status_code == 302, response.content.decode()[:2000]  # saved, and says so
    household.refresh_from_db()
    assert household.main_cause == "因残"
    assert time.monotonic() - started < 10


def test_starting_an_export_with_the_queue_down_says_so_at_once_and_leaves_no_row(
    redis_down, client, users, household
):
    client.force_login(users.alice)
    started = time.monotonic()
    response = client.post(
        reverse("reports:list"), {"kind": Kind.VILLAGE_REGISTER, "area": users.alice.area.pk}
    )
    elapsed = time.monotonic() - started
    assert response.status_code == 200
    assert QUEUE_DOWN in response.content.decode()
    assert elapsed < 5, elapsed  # no 19 s of kombu retries
    assert not Report.objects.exists()


def test_starting_a_decomposition_with_the_queue_down_says_so_and_leaves_no_run(redis_down, client, users):
    from accounts.models import AuditEvent
    from identification.models import Decomposition, Round

    round = Round.objects.create(year=2012, name="2012年贫困识别", poverty_line=2300, dibao_line=1400)
    client.force_login(users.fupin)
    started = time.monotonic()
    response = client.post(
        reverse("identification:decompositions", args=[round.pk]),
        {"control_number": "1000", "weight_rural": "40", "weight_low_income": "30", "weight_dibao": "20",
         "weight_disabled": "10", "overrides": "", "note": ""},
    )  # fmt: skip
    assert response.status_code == 200
    assert QUEUE_DOWN in response.content.decode() and 'value="1000"' in response.content.decode()
    assert time.monotonic() - started < 5
    assert not Decomposition.objects.exists()
    assert not AuditEvent.objects.filter(event_type="decomposition.created").exists()


def test_retry_with_the_queue_down_keeps_the_row_failed_and_works_when_redis_is_back(
    redis_down, client, users, household
):
    report = Report.objects.create(
        kind=Kind.VILLAGE_REGISTER, area=users.alice.area, user=users.alice, status=Status.FAILED,
        message="生成中断", reveals=["health", "id_number", "phone"],
    )  # fmt: skip
    client.force_login(users.alice)
    response = client.post(reverse("reports:retry", args=[report.pk]), follow=True)
    assert QUEUE_DOWN in response.content.decode()
    report.refresh_from_db()
    assert report.status == Status.FAILED and report.message == "生成中断"

    redis_down.conf.task_always_eager = True  # Redis is back (the eager queue stands in for it)
    client.post(reverse("reports:retry", args=[report.pk]))
    report.refresh_from_db()
    assert report.status == Status.DONE and report.file


def test_starting_an_import_with_the_queue_down_leaves_no_job_and_no_file(
    redis_down, client, users, media, tmp_path
):
    path = write_roster(tmp_path / "r.xlsx", family("530323101201001001", 1))
    client.force_login(users.fupin)
    with path.open("rb") as handle:
        response = client.post(reverse("households:import_upload"), {"file": handle, "year": 2012})
    assert response.status_code == 200 and QUEUE_DOWN in response.content.decode()
    assert not ImportJob.objects.exists()
    assert not [p for p in Path(media).rglob("*") if p.is_file()]


def test_confirming_an_import_with_the_queue_down_leaves_it_confirmable(redis_down, client, users, tmp_path):
    path = write_roster(tmp_path / "r.xlsx", family("530323101201001001", 1))
    with path.open("rb") as handle:
        job = ImportJob.objects.create(
            user=users.fupin,
            file=File(handle, name="r.xlsx"),
            original_name="r.xlsx",
            year=2012,
            status=ImportJob.Status.DONE,
        )
    client.force_login(users.fupin)
    response = client.post(reverse("households:import_confirm", args=[job.pk]), follow=True)
    assert QUEUE_DOWN in response.content.decode()
    job.refresh_from_db()
    assert (job.phase, job.status) == (ImportJob.Phase.PREVIEW, ImportJob.Status.DONE) and job.can_confirm


# ---------------------------------------------------------------------------------- PostgreSQL


def test_database_connection_cut_under_a_request(monkeypatch, users, household):
    """The request's own PostgreSQL session is terminated (as a restart would) in the middle of a save:
    the project's Chinese error page, nothing half-written, and the next request works."""
    from households import services

    real = services._write_members

    def cut_then_write(**kwargs):
        pid = connection.connection.info.backend_pid
        with _other() as cursor:
            cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
        return real(**kwargs)

    monkeypatch.setattr(services, "_write_members", cut_then_write)
    client = Client(raise_request_exception=False)
    client.force_login(users.alice)
    response = client.post(
        reverse("households:edit", args=[household.pk]), edit_data(household, main_cause="因残")
    )
    assert response.status_code == 500
    assert "系统出错了" in response.content.decode()
    close_old_connections()  # what Django does at the end of every request (the test client skips it)
    monkeypatch.setattr(services, "_write_members", real)
    household.refresh_from_db()
    assert household.main_cause == choices.Cause.ILLNESS  # the household's own update was rolled back
    assert client.get(reverse("households:detail", args=[household.pk])).status_code == 200


class _other:
    """A second, separate connection to the test database (to end the first one's session)."""

    def __enter__(self):
        from django.db import connections

        self.connection = connections.create_connection("default")
        self.cursor = self.connection.cursor()
        return self.cursor

    def __exit__(self, *exc):
        self.cursor.close()
        self.connection.close()


# --------------------------------------------------------------------------- worker killed mid-import


@pytest.fixture
def redis_broker():
    if not settings.REDIS_URL:
        if os.environ.get("CI"):
            pytest.fail("CI 必须设置 REDIS_URL,以便用真实的 Redis 测试 Celery。")
        pytest.skip("REDIS_URL 未设置:跳过真实 worker 的导入测试。")
    from config.celery import app

    app.conf.task_always_eager = False
    yield app
    app.conf.task_always_eager = True
    close_other_sessions()


def _wait(job: ImportJob, states: set[str], timeout: float = 60) -> ImportJob:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job.refresh_from_db()
        if job.status in states:
            return job
        time.sleep(0.05)
    raise AssertionError(f"job still {job.status} after {timeout}s")


def test_a_worker_killed_mid_import_fails_the_job_and_the_retry_imports_exactly_once(
    redis_broker, users, county_tree, media, tmp_path
):
    from households.tasks import run_roster_import

    households, size = 999, 4  # a 村民小组's numbers run to 999 households
    rows = []
    for index in range(households):
        rows += family(f"530323101201001{index + 1:03d}", 1, size=size)
    for seq, row in enumerate(rows):  # one distinct person per row
        row["证件号码"] = build("530323", datetime.date(1950, 1, 1) + datetime.timedelta(days=seq), 1)
    path = write_roster(tmp_path / "big.xlsx", rows)
    with path.open("rb") as handle:
        job = ImportJob.objects.create(
            user=users.fupin, file=File(handle, name="big.xlsx"), original_name="big.xlsx",
            phase=ImportJob.Phase.IMPORT, year=2012,
        )  # fmt: skip
    redis_broker.control.purge()
    worker = _start_worker(media)
    try:
        run_roster_import.apply_async((job.pk,), task_id=str(uuid.uuid4()))
        _wait(job, {ImportJob.Status.RUNNING, ImportJob.Status.DONE, ImportJob.Status.FAILED})
        assert job.status == ImportJob.Status.RUNNING, "the import finished before it could be killed"
        worker.send_signal(signal.SIGKILL)
        worker.wait(10)
    finally:
        if worker.poll() is None:
            worker.kill()
    close_other_sessions()  # the killed worker's session, as PostgreSQL would notice
    job.refresh_from_db()
    assert job.status == ImportJob.Status.RUNNING  # nobody is left to say otherwise…
    assert not Household.objects.exists()  # one transaction: nothing of the killed attempt stays

    later = timezone.now() + ImportJob.STALE_AFTER + timezone.timedelta(seconds=1)
    assert fail_stale(later) == 1  # …until the sweeper notices the silence
    job.refresh_from_db()
    assert job.status == ImportJob.Status.FAILED and "重试" in job.message and job.can_confirm

    worker = _start_worker(media)
    try:
        client = VerifiedClient()
        client.force_login(users.fupin)
        client.post(reverse("households:import_confirm", args=[job.pk]))
        _wait(job, {ImportJob.Status.DONE, ImportJob.Status.FAILED}, timeout=180)
    finally:
        worker.terminate()
        worker.wait(20)
    assert job.status == ImportJob.Status.DONE, (job.message, job.errors[:3])
    assert Household.objects.count() == households
    assert Member.objects.count() == size * households
    assert Household.history.filter(history_type="+").count() == households  # created once each
