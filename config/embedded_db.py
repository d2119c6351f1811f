"""An embedded PostgreSQL (the pgserver wheel) for machines where DATABASE_URL is unset.

`make run` keeps its data in a git-ignored folder; the test suite gets a throwaway server that is
deleted when the last process using it exits.
"""

from __future__ import annotations

import tempfile
import warnings
from pathlib import Path
from urllib.parse import parse_qs, urlparse

# The servers this process started or attached to, for `stop_embedded_servers`.
_servers: list = []


def embedded_database(data_dir: Path | None) -> dict:
    """Start (or attach to) an embedded server and return its Django DATABASES entry.

    `data_dir=None` means a throwaway server in a new temporary folder.
    """
    with warnings.catch_warnings():
        # platformdirs, under pgserver, warns about a missing XDG_RUNTIME_DIR on servers.
        warnings.simplefilter("ignore")
        import pgserver  # imported here: production never needs it

    if data_dir is None:
        server = pgserver.get_server(tempfile.mkdtemp(prefix="jiandang-pg-"), cleanup_mode="delete")
    else:
        data_dir.parent.mkdir(parents=True, exist_ok=True)
        _prune_handles(data_dir)
        server = pgserver.get_server(data_dir, cleanup_mode="stop")
    _servers.append(server)
    uri = urlparse(server.get_uri())
    return {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": uri.path.lstrip("/") or "postgres",
        "USER": uri.username or "postgres",
        "HOST": parse_qs(uri.query)["host"][0],  # a Unix socket folder
        "PORT": "",
        "EMBEDDED": True,
    }


def _prune_handles(data_dir: Path) -> None:
    """Keep only live processes in pgserver's list of attached processes.

    pgserver stops the server when the last listed process exits; a process killed by a signal never
    removes itself (the server would never stop again), and two processes exiting at once can leave
    the file empty, which pgserver cannot read at the next start.
    """
    import json

    import psutil

    path = data_dir / ".handle_pids.json"
    if not path.exists():
        return
    try:
        pids = json.loads(path.read_text())
    except ValueError:
        pids = []
    path.write_text(json.dumps([pid for pid in pids if isinstance(pid, int) and psutil.pid_exists(pid)]))


def stop_embedded_servers(timeout: float = 30) -> None:
    """Stop the embedded servers now, whoever else attached to them (`make run`'s Ctrl-C).

    pgserver stops a server when its last attached process exits normally, but a process killed by a
    signal never detaches: the server would outlive `make run`. SIGINT is PostgreSQL's fast shutdown.
    """
    import os
    import signal

    import psutil

    for server in _servers:
        pid = server.get_pid()
        if pid is None:
            continue
        try:
            process = psutil.Process(pid)
            os.kill(pid, signal.SIGINT)
            process.wait(timeout)
        except (psutil.NoSuchProcess, ProcessLookupError):
            pass
