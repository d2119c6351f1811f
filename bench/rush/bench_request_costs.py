"""What one request of the deadline rush costs, variant against variant, interleaved in one process.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/jd_rush_100k REDIS_URL=redis://127.0.0.1:6379/7 \\
        .venv/bin/python bench/rush/bench_request_costs.py [ROUNDS=15]

The load benchmark (run.sh) needs a quiet machine to say much; these medians are ratios measured side by
side, round by round, so that whatever else the machine does weighs on every variant alike:

- connections: a request's connection work alone — a new connection per request (CONN_MAX_AGE=0), a kept
  one checked by Django's health check (CONN_MAX_AGE=60 with CONN_HEALTH_CHECKS), psycopg's pool
  (DATABASE_POOL: take a connection, check it, give it back);
- pages: each dashboard and the household list's counts through django.test.Client as the bench users
  (bench/rush/make_sessions.py's accounts), with a new connection per request or a kept one, and with the
  per-area cache cold (the area's version moved on before the request) or warm.
"""

from __future__ import annotations

import math
import os
import statistics
import sys
import time
from pathlib import Path


def _setup_django() -> None:
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")
    os.environ.setdefault("DEBUG", "1")
    import django

    django.setup()


def timed(call) -> float:
    started = time.perf_counter()
    call()
    return (time.perf_counter() - started) * 1000


def main(rounds: int) -> None:
    _setup_django()
    import psycopg
    from django.db import close_old_connections, connection
    from django.test import Client
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice
    from psycopg_pool import ConnectionPool

    from accounts import freshness, two_factor
    from accounts.models import User

    params = connection.get_connection_params()
    params.pop("cursor_factory", None)
    params.pop("context", None)
    conninfo = psycopg.conninfo.make_conninfo(**{k: v for k, v in params.items() if v is not None})
    kept = psycopg.connect(conninfo)
    pool = ConnectionPool(conninfo, min_size=1, max_size=2, open=True)

    def new_connection() -> None:
        with psycopg.connect(conninfo) as fresh:
            fresh.execute("SELECT 1")  # the request's first statement

    def kept_connection() -> None:
        kept.execute("SELECT 1")  # Django's health check before reuse…
        kept.execute("SELECT 1")  # …and the request's first statement

    def pooled_connection() -> None:
        with pool.connection() as conn:  # psycopg checks it on the way out (reset) and in
            conn.execute("SELECT 1")

    clients = {}
    for username in ("bench-c-county_fupin", "bench-t-530323101000", "bench-v-530323101201"):
        user = User.objects.get(username=username)
        client = Client(HTTP_HOST="127.0.0.1")
        client.force_login(user)
        if two_factor.requires_second_factor(user):
            session = client.session
            session[DEVICE_ID_SESSION_KEY] = (
                TOTPDevice.objects.filter(user=user, confirmed=True).first().persistent_id
            )
            session.save()
        clients[username] = (client, user.area.scope_prefix)

    def page(username: str, url: str, *, method: str = "get", cold: bool, reconnect: bool):
        client, prefix = clients[username]

        def call() -> None:
            if cold:
                freshness.changed([prefix])
            if reconnect:
                connection.close()  # what CONN_MAX_AGE=0 does after every request
            response = getattr(client, method)(url)
            assert response.status_code == 200, (url, response.status_code)
            close_old_connections()

        return call

    pages = {
        "county dashboard": ("bench-c-county_fupin", "/reports/dashboard/", "get"),
        "township dashboard": ("bench-t-530323101000", "/reports/dashboard/", "get"),
        "village dashboard": ("bench-v-530323101201", "/reports/dashboard/", "get"),
        "county household counts": ("bench-c-county_fupin", "/households/facets/", "post"),
        "village household list": ("bench-v-530323101201", "/households/", "get"),
    }
    variants = {
        "connection: new per request": new_connection,
        "connection: kept, health-checked": kept_connection,
        "connection: psycopg pool": pooled_connection,
    }
    for name, (user, url, method) in pages.items():
        variants[f"{name}: new connection, cold cache"] = page(
            user, url, method=method, cold=True, reconnect=True
        )
        variants[f"{name}: kept connection, cold cache"] = page(
            user, url, method=method, cold=True, reconnect=False
        )
        variants[f"{name}: kept connection, warm cache"] = page(
            user, url, method=method, cold=False, reconnect=False
        )
    for call in variants.values():
        call()  # warm-up: imports, templates, the first connection
    times: dict[str, list[float]] = {name: [] for name in variants}
    for _ in range(rounds):
        for name, call in variants.items():
            times[name].append(timed(call))
    load = os.getloadavg()[0]
    print(f"{rounds} rounds, load average {load:.1f} at the end")
    print("| request | median ms | p90 ms |")
    print("| --- | ---: | ---: |")
    for name, values in times.items():
        values.sort()
        p90 = values[min(len(values) - 1, math.ceil(len(values) * 0.9) - 1)]
        print(f"| {name} | {statistics.median(values):.1f} | {p90:.1f} |")
    pool.close()
    kept.close()


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 15)
