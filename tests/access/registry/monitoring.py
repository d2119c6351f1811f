"""/monitoring/: see the app's views."""

from __future__ import annotations

from tests.access.registry import FORBIDDEN, LOGIN, MISSING, NOT_ALLOWED, OK, REDIRECT, Entry, codes  # noqa: F401

ENTRIES: dict[str, Entry] = {}
