"""The access sweep's registry: for every URL pattern, how to fill its arguments with an object inside
and outside the user's area, and the status each role must get.

One module per app (`households.py`, `identification.py`, …) holds a dict `ENTRIES` from the pattern's
name to an `Entry`; the sweep (tests/access/test_sweep.py) fails for any pattern of the resolver that
no module names, so a new view cannot ship unswept. Adding a view is a few lines:

    "households:detail": Entry(
        args=lambda w, role, place: {"pk": place.household.pk},
        get=codes(OK),
        post=codes(OK),
    ),

`args` receives the World, the role and a Place (the inside one, then the outside one) and returns
the URL's keyword arguments; leave it out for a URL without an object. Expected codes are per role:
`codes(default, township=403, …)`. Outside the area the sweep expects 404 (as missing) whatever the
role, or the same refusal (403, 405, login) the role gets inside: a refusal that does not depend on
the object does not tell whether it exists.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

ROLE_NAMES = ("village", "township", "fupin", "minzheng", "admin")

OK = 200
REDIRECT = 302  # a success that moves on (not to a login page)
LOGIN = "login"  # a redirect to a login page
FORBIDDEN = 403
MISSING = 404
NOT_ALLOWED = 405
REFUSALS = frozenset({LOGIN, FORBIDDEN, MISSING, NOT_ALLOWED})

Code = int | str
Expect = frozenset[Code]


def codes(default: Code | tuple[Code, ...], **per_role: Code | tuple[Code, ...]) -> dict[str, Expect]:
    """Expected status per role: `default` for all, overridden by role name (village, township, fupin,
    minzheng, admin). A tuple means any of these codes."""
    unknown = set(per_role) - set(ROLE_NAMES)
    if unknown:
        raise ValueError(f"unknown roles {unknown}")

    def as_set(value):
        return frozenset(value if isinstance(value, tuple) else (value,))

    return {role: as_set(per_role.get(role, default)) for role in ROLE_NAMES}


@dataclass(frozen=True)
class Entry:
    get: Mapping[str, Expect]
    post: Mapping[str, Expect]
    # (world, role, place) → URL kwargs. None: the URL takes no object, it is tried once per role.
    args: Callable[[Any, str, Any], dict[str, Any]] | None = None
    # Query string of the GET, if the page needs one (never a personal number).
    query: Callable[[Any, str, Any], dict[str, Any]] | None = None
    # Form data of the POST besides the CSRF token: empty by default, which exercises the access
    # check and the form's own validation without changing anything that matters.
    data: Callable[[Any, str, Any], dict[str, Any]] | None = None
    # Expected codes outside the area, where they differ from the rule (404, or the inside refusal).
    outside: Mapping[str, Expect] | None = None
    # The URL itself, for a pattern that has no name to reverse (the admin's catch-all and redirects).
    url: Callable[[Any, str, Any], str | None] | None = None
    # Roles that may not make this move although the view answers them with a redirect and a message
    # rather than a 403: the sweep checks that their request writes nothing all the same.
    no_write: frozenset[str] = frozenset()
    # Tables a request may change even when it is refused (e.g. django-axes logging a sign-out).
    may_write: frozenset[str] = frozenset()

    @property
    def has_object(self) -> bool:
        return self.args is not None or self.url is not None


def entries() -> dict[str, Entry]:
    """Every module's entries, by pattern name."""
    from tests.access.registry import (
        accounts,
        admin,
        assistance,
        exits,
        households,
        identification,
        monitoring,
        notices,
        reports,
        villages,
    )

    merged: dict[str, Entry] = {}
    for module in (
        accounts, villages, notices, households, identification, assistance, exits, monitoring, reports, admin
    ):
        overlap = merged.keys() & module.ENTRIES.keys()
        if overlap:
            raise ValueError(f"patterns registered twice: {sorted(overlap)}")
        merged.update(module.ENTRIES)
    return merged
