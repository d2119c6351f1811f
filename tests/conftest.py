"""Shared fixtures: a small county with two townships, and one user per role and area.

The tree mirrors the demo county's codes so that prefixes nest exactly as in production:

    师宗县 530323000000
    ├── 丹凤镇 530323101000
    │   ├── 山龙村 530323101201  (groups 001 大寨组, 002 小寨组)
    │   └── 法杂村 530323101202  (group 001 新村组)
    └── 雄壁镇 530323102000
        └── 雨柱村 530323102202  (group 001 坡头组)
"""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from django.conf import settings

from accounts.models import Role
from tests.factories import AreaFactory, UserFactory, group, township, village


@pytest.fixture
def client():
    """Django's test client, whose force_login also passes the second factor (tests/auth.py)."""
    from tests.auth import VerifiedClient

    return VerifiedClient()


@pytest.fixture(autouse=True)
def empty_cache():
    from django.core.cache import cache

    cache.clear()


@pytest.fixture
def county_tree(db):
    county = AreaFactory()
    danfeng = township(county, "101", "丹凤镇", rural_population=118696)
    xiongbi = township(county, "102", "雄壁镇", rural_population=54862)
    shanlong = village(danfeng, "201", "山龙村")
    fazai = village(danfeng, "202", "法杂村")
    yuzhu = village(xiongbi, "202", "雨柱村")
    return SimpleNamespace(
        county=county,
        danfeng=danfeng,
        xiongbi=xiongbi,
        shanlong=shanlong,
        fazai=fazai,
        yuzhu=yuzhu,
        dazhai=group(shanlong, "001", "大寨组"),
        xiaozhai=group(shanlong, "002", "小寨组"),
        xincun=group(fazai, "001", "新村组"),
        potou=group(yuzhu, "001", "坡头组"),
    )


@pytest.fixture
def users(county_tree):
    """alice and bob are cadres of neighbouring villages; carol is 丹凤镇's official; dave is 雄壁镇's."""
    t = county_tree
    return SimpleNamespace(
        alice=UserFactory(username="alice", role=Role.VILLAGE_CADRE, area=t.shanlong),
        bob=UserFactory(username="bob", role=Role.VILLAGE_CADRE, area=t.fazai),
        carol=UserFactory(username="carol", role=Role.TOWNSHIP_OFFICIAL, area=t.danfeng),
        dave=UserFactory(username="dave", role=Role.TOWNSHIP_OFFICIAL, area=t.xiongbi),
        fupin=UserFactory(username="fupin", role=Role.COUNTY_FUPIN, area=t.county),
        minzheng=UserFactory(username="minzheng", role=Role.COUNTY_MINZHENG, area=t.county),
        admin=UserFactory(username="root", role=Role.ADMIN, area=t.county, is_staff=True, is_superuser=True),
    )


@pytest.fixture
def celery_worker(transactional_db):
    """A real Celery worker, in a thread, on the REDIS_URL broker. Requires Redis: CI sets REDIS_URL.

    Without it the test is skipped on a laptop, and fails in CI (CI=true), where a skip would hide it.
    """
    import os

    from celery.contrib.testing.worker import start_worker

    from config.celery import app

    if not settings.REDIS_URL:
        if os.environ.get("CI"):
            pytest.fail("CI 必须设置 REDIS_URL,以便用真实的 Redis 测试 Celery。")
        pytest.skip(
            "REDIS_URL 未设置:跳过真实 Celery 往返测试(设置 REDIS_URL=redis://127.0.0.1:6379/0 即可运行)。"
        )
    app.conf.task_always_eager = False
    try:
        with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10) as worker:
            yield worker
    finally:
        app.conf.task_always_eager = True
        close_other_sessions()


def close_other_sessions() -> None:
    """End the database sessions a worker (thread or process) left open, so the test database can be dropped."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
            " WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
