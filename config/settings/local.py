"""One machine without setup: `make run`, `manage.py` commands, a newcomer's laptop.

Like production, DEBUG is off (404/403/500 are the project's Chinese pages, never Django's debug
pages) unless DEBUG=1 is set. The secret key is made once and kept in .data/secret_key (git-ignored,
readable by its owner only), so sessions survive a restart. Static files are served by WhiteNoise.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

_SECRET_FILE = Path(__file__).resolve().parents[2] / ".data" / "secret_key"


def _local_secret() -> str:
    if not _SECRET_FILE.exists():
        _SECRET_FILE.parent.mkdir(parents=True, exist_ok=True)
        # O_EXCL: two processes starting together keep the first one's key.
        try:
            fd = os.open(_SECRET_FILE, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass
        else:
            with os.fdopen(fd, "w") as f:
                f.write(secrets.token_urlsafe(50))
    return _SECRET_FILE.read_text().strip()


os.environ.setdefault("SECRET_KEY", _local_secret())

from config.settings.base import *  # noqa: E402, F403
from config.settings.base import env  # noqa: E402

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
