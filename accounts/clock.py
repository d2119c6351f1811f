"""The workflow's calendar: one place for "today", so that tests and the demo can move it past a notice
period (a notice runs for days that a test does not want to wait, and the demo replays five weeks)."""

from __future__ import annotations

import contextlib
import datetime

from django.utils import timezone

_moved_to: datetime.date | None = None


def today() -> datetime.date:
    return _moved_to or timezone.localdate()


@contextlib.contextmanager
def moved_to(day: datetime.date):
    """Run the services as if it were `day`."""
    global _moved_to
    saved, _moved_to = _moved_to, day
    try:
        yield
    finally:
        _moved_to = saved
