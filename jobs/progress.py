"""Progress callbacks `(percent) -> None` for the code doing a job's work, which need not know the job.

`throttled` writes through the job (`Job.step`), skipping repeats and writes closer together than
`every` seconds, so a tight loop does not hammer the row. `side_channel` writes through a second
database connection, for work that runs inside one long transaction (an import), whose own writes the
polling page could not see before the commit.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from django.db import DEFAULT_DB_ALIAS, connections

from jobs.models import Job

Progress = Callable[[int], None]


def throttled(job: Job, *, every: float = 0.0, cap: int = 99) -> Progress:
    """Up to `cap` (a job reaches 100 only when it finishes)."""
    last = {"percent": -1, "at": float("-inf")}

    def progress(percent: int) -> None:
        percent = max(0, min(cap, int(percent)))
        now = time.monotonic()
        if percent == last["percent"] or now - last["at"] < every:
            return
        last.update(percent=percent, at=now)
        job.step(percent)

    return progress


def side_channel(job: Job) -> tuple[Progress, Callable[[], None]]:
    """A progress callback on its own connection, and the function that closes that connection."""
    side = connections.create_connection(DEFAULT_DB_ALIAS)
    table = side.ops.quote_name(type(job)._meta.db_table)
    last = [-1]

    def progress(percent: int) -> None:
        if percent != last[0]:
            last[0] = percent
            with side.cursor() as cursor:
                # The heartbeat tells jobs.stale that a worker is still at it.
                cursor.execute(
                    f"UPDATE {table} SET progress = %s, heartbeat_at = now() WHERE id = %s", [percent, job.pk]
                )

    return progress, side.close
