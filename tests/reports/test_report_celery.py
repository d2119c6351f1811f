"""A real worker process on the real Redis broker, killed in the middle of an export.

The row must end up failed (once its heartbeat is stale), and the retry — on a fresh worker — must
produce exactly one file. Needs REDIS_URL: skipped on a laptop without it, a failure in CI (CI=true).
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings
from django.db import connection
from django.utils import timezone

from households.demo import create_demo_households
from jobs.stale import fail_stale
from reports import services
from reports.models import Kind, Report, Status
from tests.conftest import close_other_sessions

pytestmark = pytest.mark.django_db(transaction=True)

ROOT = Path(__file__).resolve().parents[2]


def _database_url() -> str:
    """The test database as a URL the worker process can use (the embedded server's host is a socket dir)."""
    s = connection.settings_dict
    host = quote(s["HOST"], safe="") if s["HOST"].startswith("/") else s["HOST"]
    password = f":{quote(s['PASSWORD'], safe='')}" if s.get("PASSWORD") else ""
    return f"postgres://{s['USER']}{password}@{host}:{s['PORT'] or 5432}/{s['NAME']}"


def _start_worker(media: Path) -> subprocess.Popen:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.base",
        "DEBUG": "1",
        "SECRET_KEY": "test-only-key",
        "DATABASE_URL": _database_url(),
        "REDIS_URL": settings.REDIS_URL,
        "MEDIA_ROOT": str(media),
    }
    return subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "config", "worker", "--pool", "solo", "--without-gossip",
         "--without-mingle", "--without-heartbeat", "-l", "WARNING"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )  # fmt: skip


def _wait_for(report: Report, states: set[str], timeout: float = 60) -> Report:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        report.refresh_from_db()
        if report.status in states:
            return report
        time.sleep(0.05)
    raise AssertionError(f"report still {report.status} after {timeout}s")


@pytest.fixture
def redis_broker():
    if not settings.REDIS_URL:
        if os.environ.get("CI"):
            pytest.fail("CI 必须设置 REDIS_URL,以便用真实的 Redis 测试 Celery。")
        pytest.skip("REDIS_URL 未设置:跳过真实 worker 的导出测试。")
    from config.celery import app

    app.conf.task_always_eager = False
    yield app
    app.conf.task_always_eager = True
    close_other_sessions()


def test_a_worker_killed_mid_export_leaves_a_failed_row_and_the_retry_writes_one_file(
    redis_broker, users, county_tree, media
):
    create_demo_households(random.Random(3), 900)  # a village's cards take a few seconds: time to kill
    redis_broker.control.purge()
    worker = _start_worker(media)
    try:
        report = services.request_report(
            user=users.alice, kind=Kind.HOUSEHOLD_CARD, area=county_tree.shanlong
        )
        _wait_for(report, {Status.RUNNING, Status.DONE, Status.FAILED})
        assert report.status == Status.RUNNING, "the export finished before it could be killed"
        worker.send_signal(signal.SIGKILL)
        worker.wait(10)
    finally:
        if worker.poll() is None:
            worker.kill()
    time.sleep(0.5)
    report.refresh_from_db()
    assert report.status == Status.RUNNING and not report.file  # nobody is left to say otherwise…

    later = timezone.now() + Report.STALE_AFTER + timezone.timedelta(seconds=1)
    assert fail_stale(later) == 1  # …until the sweeper notices the silence
    report.refresh_from_db()
    assert report.status == Status.FAILED and "重试" in report.message

    worker = _start_worker(media)
    try:
        services.retry(report)  # transaction=True: committed at once, the task goes to the broker
        _wait_for(report, {Status.DONE, Status.FAILED}, timeout=120)
    finally:
        worker.terminate()
        worker.wait(20)
    assert report.status == Status.DONE, report.message
    assert report.attempts == 2
    files = [p for p in (media / "reports").rglob("*") if p.is_file()]
    assert files == [media / report.file.name]  # one file; the killed attempt's scratch is gone


def test_a_county_archive_runs_as_a_chord_of_parts_on_the_worker(redis_broker, users, county_tree, media):
    from tests.reports.helpers import zip_names

    create_demo_households(random.Random(5), 120)
    redis_broker.control.purge()
    worker = _start_worker(media)
    try:
        report = services.request_report(user=users.fupin, kind=Kind.COUNTY_ARCHIVE, area=county_tree.county)
        _wait_for(report, {Status.DONE, Status.FAILED}, timeout=120)
    finally:
        worker.terminate()
        worker.wait(20)
    assert report.status == Status.DONE, report.message
    with report.file.open("rb") as handle:
        names = zip_names(handle.read())
    assert "乡有簿/丹凤镇.xlsx" in names and "花名册.xlsx" in names and len(names) == 6  # no round: no 分解表
    assert not (media / "reports" / "scratch" / f"{report.pk}-1").exists()
