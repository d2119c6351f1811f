"""Who is asking, from where, in which request: read by the audit log and the log formatter.

RequestIdMiddleware sets it for the length of a request; code outside a request (Celery tasks,
management commands) sees the empty context, and its audit events carry no IP or request id.
Kept in a context variable so that services need no request argument to be traceable.
"""

from __future__ import annotations

import logging
from contextvars import ContextVar
from dataclasses import dataclass


@dataclass(frozen=True)
class RequestContext:
    request_id: str = ""
    ip: str | None = None


EMPTY = RequestContext()
_current: ContextVar[RequestContext] = ContextVar("request_context", default=EMPTY)


def current() -> RequestContext:
    return _current.get()


def activate(context: RequestContext):
    """Make `context` current; returns the token for `deactivate`."""
    return _current.set(context)


def deactivate(token) -> None:
    _current.reset(token)


class RequestIdLogFilter(logging.Filter):
    """Adds `request_id` to every log record ("-" outside a request) so a log line leads to its audit rows."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = _current.get().request_id or "-"
        return True
