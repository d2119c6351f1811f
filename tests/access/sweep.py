"""The machinery of the access sweep: walking the resolver, asking, and fingerprinting the database."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from django.db import DatabaseError, connection, transaction
from django.http import HttpResponse
from django.middleware.csrf import _get_new_csrf_string
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from tests.access.registry import LOGIN
from tests.auth import VerifiedClient

# Sessions change when a user signs in; nothing else may change on a refused request.
UNTRACKED_TABLES = {"django_session"}
CJK = re.compile(r"[\u4e00-\u9fff]")


@dataclass(frozen=True)
class Pattern:
    key: str  # "households:detail"; an unnamed pattern is "namespace:route"
    route: str


def walk(patterns=None, prefix: str = "", namespace: str | None = None) -> Iterator[Pattern]:
    """Every URL pattern of the project, admin included, with its namespaced name."""
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(pattern, URLResolver):
            inner = namespace
            if pattern.namespace:
                inner = f"{namespace}:{pattern.namespace}" if namespace else pattern.namespace
            yield from walk(pattern.url_patterns, prefix + str(pattern.pattern), inner)
        elif isinstance(pattern, URLPattern):
            route = prefix + str(pattern.pattern)
            name = pattern.name or route
            yield Pattern(key=f"{namespace}:{name}" if namespace else name, route=route)


def fingerprint() -> dict[str, tuple[int, int]]:
    """Row count and a hash of every row's contents, per table: any insert, update or delete shows."""
    tables = sorted(set(connection.introspection.table_names()) - UNTRACKED_TABLES)
    sql = " UNION ALL ".join(
        f"SELECT %s, COUNT(*), COALESCE(SUM(hashtext(t::text)::bigint), 0) FROM {connection.ops.quote_name(name)} t"
        for name in tables
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, tables)
        return {name: (count, digest) for name, count, digest in cursor.fetchall()}


def changed_tables(before: dict, after: dict) -> list[str]:
    return sorted(name for name in before.keys() | after.keys() if before.get(name) != after.get(name))


class Rollback(Exception):
    pass


@dataclass
class Outcome:
    code: int | str
    written: list[str]
    message: str


def signed_in_client(user) -> tuple[Client, str]:
    """A client that enforces CSRF as a browser would meet it, holding a valid token."""
    # Signed in past the second factor too (tests.auth.VerifiedClient): the sweep is about the area and
    # the role, the sign-in itself is tested in tests/accounts/test_two_factor.py.
    client = VerifiedClient(enforce_csrf_checks=True, raise_request_exception=False)
    client.force_login(user)
    token = _get_new_csrf_string()
    client.cookies["csrftoken"] = token
    return client, token


def ask(client: Client, token: str, method: str, url: str, *, query=None, data=None) -> Outcome:
    """One request, inside a savepoint rolled back afterwards: every request meets the same world."""
    outcome: Outcome | None = None
    cookies = client.cookies
    client.cookies = type(cookies)(cookies)  # a sign-out is undone with the savepoint
    try:
        with transaction.atomic():
            before = fingerprint()
            if method == "GET":
                response = client.get(url, query or {})
            else:
                response = client.post(url, {"csrfmiddlewaretoken": token, **(data or {})})
            code = _code(response)
            try:
                written = changed_tables(before, fingerprint())
            except DatabaseError:
                # A view that failed mid-transaction (a 500) leaves it aborted; the 500 is reported.
                written = []
            outcome = Outcome(code, written, _message(response))
            raise Rollback
    except Rollback:
        pass
    finally:
        client.cookies = cookies
    assert outcome is not None
    return outcome


def _code(response: HttpResponse) -> int | str:
    if response.status_code == 302 and "login" in response.get("Location", ""):
        return LOGIN
    return response.status_code


def _message(response: HttpResponse) -> str:
    """The refusal's text as the user reads it (the 403 page's paragraph)."""
    if response.status_code != 403 or response.get("Content-Type", "").startswith("application/"):
        return ""
    body = response.content.decode("utf-8", "replace")
    found = re.search(r"<h1>无权操作</h1><p>(.*?)</p>", body, re.S)
    return found.group(1).strip() if found else ""


def is_chinese(text: str) -> bool:
    return bool(CJK.search(text))
