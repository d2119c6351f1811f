"""The kinds of notice and what they mean to the app that publishes them.

The component calls back into the publishing app through its `Publisher`, so it never imports the apps
above it: identification registers its kinds in its AppConfig.ready, exits will register theirs.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.core.exceptions import ImproperlyConfigured

if TYPE_CHECKING:
    from accounts.models import User
    from notices.models import Entry, Notice, Objection


@dataclass(frozen=True)
class Publisher:
    kind: str  # "identification.group"
    label: str  # 村民小组公示
    area_level: str  # the level of the area the notice hangs at (villages.Area.Level)
    publish_roles: frozenset[str]
    handle_roles: frozenset[str]  # record and handle objections, close the notice
    columns: Sequence[str]  # headers of the printed list; each entry's `row` has one cell per column
    # Upheld objection outcomes {code: label}; the publisher's `on_upheld` carries them out.
    outcomes: Mapping[str, str] = field(default_factory=dict)
    on_upheld: Callable[[Objection, User], None] | None = None
    # Called inside the closing transaction with the entries still standing.
    on_closed: Callable[[Notice, list[Entry], User], None] | None = None
    lead: str = ""  # the printed notice's first paragraph; may use {area}, {starts_on}, {ends_on}, {phone}
    # Where the screens link an entry to (the application page…), and the list page the notice belongs to.
    subject_url: Callable[[Entry], str] | None = None
    list_url: Callable[[Notice], str] | None = None


_publishers: dict[str, Publisher] = {}


def register(publisher: Publisher) -> None:
    if publisher.kind in _publishers and _publishers[publisher.kind] != publisher:
        raise ImproperlyConfigured(f"notice kind {publisher.kind} registered twice")
    _publishers[publisher.kind] = publisher


def publisher(kind: str) -> Publisher:
    try:
        return _publishers[kind]
    except KeyError:
        raise ImproperlyConfigured(f"unknown notice kind {kind}") from None


def kinds() -> list[Publisher]:
    return list(_publishers.values())
