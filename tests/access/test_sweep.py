"""The access sweep (issue 13): every URL pattern × every role × an object inside and outside the
user's area, GET and POST with a valid CSRF token.

Outside the area → 404, as if missing; a role that may not act → 403 with a Chinese message; a
refused request writes nothing (every table's rows hashed before and after). A pattern the registry
does not name fails the sweep. The totals are written to .artifacts/access-sweep.txt and printed at
the end of the run (tests/access/conftest.py).
"""

from __future__ import annotations

import pytest

from tests.access import sweep
from tests.access.figures import ARTIFACTS
from tests.access.registry import FORBIDDEN, MISSING, REFUSALS, ROLE_NAMES, Entry, entries
from tests.access.world import World, build_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(county_tree, users, settings, tmp_path) -> World:
    settings.MEDIA_ROOT = tmp_path / "media"
    return build_world(county_tree, users)


def test_every_url_pattern_has_a_sweep_entry():
    registry = entries()
    patterns = {p.key: p.route for p in sweep.walk()}
    unswept = sorted(f"{key}  ({route})" for key, route in patterns.items() if key not in registry)
    assert not unswept, "这些 URL 没有访问扫描条目(tests/access/registry/):\n" + "\n".join(unswept)
    stale = sorted(set(registry) - set(patterns))
    assert not stale, f"扫描条目指向不存在的 URL: {stale}"


# A refused attempt still leaves its trace (accounts.middleware audits imports, exports and sign-outs,
# django-axes logs sign-ins): recording an attempt is not a change to what the user was refused.
AUDIT_OF_ATTEMPTS = frozenset({"accounts_auditevent", "axes_accesslog"})


def _expected_outside(inside: frozenset) -> frozenset:
    # A refusal that does not depend on the object (role, method, sign-in) reveals nothing either.
    return frozenset({MISSING}) | (inside & REFUSALS)


def _try(world, key, entry: Entry, role, client, token, tally, failures, *, expect_as=None):
    """Ask `key` as `role` (whose objects and area are used), expecting what `expect_as` (default:
    the same role) is registered to get."""
    from django.urls import reverse

    expect = expect_as or role
    sides = [("inside", world.inside(role))]
    if entry.has_object:
        sides.append(("outside", world.outside(role)))
    for side, place in sides:
        if entry.url:
            url = entry.url(world, role, place)
        else:
            kwargs = entry.args(world, role, place) if entry.args else {}
            url = None if kwargs is None else reverse(key, kwargs=kwargs)
        if url is None:  # a county-wide object: nothing lies outside a county role's area
            continue
        for method, expected_inside in (("GET", entry.get[expect]), ("POST", entry.post[expect])):
            if side == "inside":
                expected = expected_inside
            elif entry.outside is not None:
                expected = entry.outside[expect]
            else:
                expected = _expected_outside(expected_inside)
            query = entry.query(world, role, place) if entry.query and method == "GET" else None
            data = entry.data(world, role, place) if entry.data and method == "POST" else None
            outcome = sweep.ask(client, token, method, url, query=query, data=data)
            world.restore_files()
            tally["requests"] += 1
            tally["observed"].append(
                f"{key}\t{role}\t{method}\t{side}\t{outcome.code}\t{','.join(outcome.written)}"
            )
            tally[f"{side}"] += 1
            where = f"{role:8} {method:4} {side:7} {key} {url}"
            if outcome.code not in expected:
                failures.append(f"{where}: got {outcome.code}, expected {sorted(map(str, expected))}")
            if outcome.code in REFUSALS or side == "outside" or expect in entry.no_write:
                tally["refused"] += 1
                if set(outcome.written) - entry.may_write - AUDIT_OF_ATTEMPTS:
                    failures.append(f"{where}: refused ({outcome.code}) but wrote {outcome.written}")
            if outcome.code == FORBIDDEN:
                tally["forbidden"] += 1
                if not sweep.is_chinese(outcome.message):
                    failures.append(f"{where}: 403 without a Chinese message ({outcome.message!r})")


def test_access_sweep(world, figures):
    registry = entries()
    patterns = [p for p in sweep.walk() if p.key in registry]
    tally = {"requests": 0, "inside": 0, "outside": 0, "refused": 0, "forbidden": 0, "observed": []}
    failures: list[str] = []
    for role in ROLE_NAMES:
        client, token = sweep.signed_in_client(world.users[role])
        for pattern in patterns:
            _try(world, pattern.key, registry[pattern.key], role, client, token, tally, failures)
    objects = sum(1 for p in patterns if registry[p.key].has_object)
    figures(
        f"访问扫描: {len(patterns)} 个 URL 模式 ({objects} 个带对象) × {len(ROLE_NAMES)} 个角色 × "
        f"区域内/外对象 × GET/POST = {tally['requests']} 次请求"
        f"(区域内 {tally['inside']},区域外 {tally['outside']};拒绝 {tally['refused']},其中 403 {tally['forbidden']})"
        f";不符 {len(failures)}"
    )
    # The whole list is kept beside the figures: a long assertion message is hard to read.
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "access-sweep-observed.tsv").write_text("\n".join(tally["observed"]), encoding="utf-8")
    (ARTIFACTS / "access-sweep-failures.txt").write_text("\n".join(failures), encoding="utf-8")
    assert not failures, f"{len(failures)} 处不符 (.artifacts/access-sweep-failures.txt):\n" + "\n".join(
        failures
    )


def test_admin_sweep_as_township_staff(world, figures):
    """Defect 5: a staff member scoped to 丹凤镇 (not the county) walks every admin page. They get what
    the county administrator gets inside their township, and 404 for 雄壁镇's objects."""
    from tests.access.registry import admin as admin_registry

    staff = world.users["township"]
    staff.is_staff = staff.is_superuser = True
    staff.save()
    client, token = sweep.signed_in_client(staff)
    tally = {"requests": 0, "inside": 0, "outside": 0, "refused": 0, "forbidden": 0, "observed": []}
    failures: list[str] = []
    patterns = [p for p in sweep.walk() if p.key in admin_registry.ENTRIES]
    for pattern in patterns:
        # The township's objects and "outside" (another township), the administrator's expectations.
        entry = admin_registry.ENTRIES[pattern.key]
        _try(world, pattern.key, entry, "township", client, token, tally, failures, expect_as="admin")
    figures(
        f"后台扫描(乡镇管理员): {len(patterns)} 个后台 URL 模式 × 区域内/外对象 × GET/POST = {tally['requests']} 次请求;不符 {len(failures)}"
    )
    assert not failures, "\n".join(failures)


def test_helper_sweep(world, figures):
    """The 帮扶责任人 (no area; scoped to the households paired with them): every URL, with the objects of
    the paired household's place and of the neighbouring village. Nothing outside the pairing is reached
    (outside: a refusal, never a page or a write), nothing answers 500, and a 403 says why in Chinese."""
    from django.urls import reverse

    registry = entries()
    client, token = sweep.signed_in_client(world.helper_user)
    failures: list[str] = []
    requests = 0
    for pattern in sweep.walk():
        entry = registry[pattern.key]
        sides = [("inside", world.home)] + ([("outside", world.sibling_village)] if entry.has_object else [])
        for side, place in sides:
            if entry.url:
                url = entry.url(world, "village", place)
            else:
                kwargs = entry.args(world, "village", place) if entry.args else {}
                url = None if kwargs is None else reverse(pattern.key, kwargs=kwargs)
            if url is None:
                continue
            for method in ("GET", "POST"):
                outcome = sweep.ask(client, token, method, url)
                world.restore_files()
                requests += 1
                where = f"helper {method:4} {side:7} {pattern.key} {url}"
                refused = outcome.code in REFUSALS
                if outcome.code == 500:
                    failures.append(f"{where}: 500")
                if side == "outside" and not refused:
                    failures.append(f"{where}: got {outcome.code} outside the pairing")
                if (refused or side == "outside") and set(
                    outcome.written
                ) - entry.may_write - AUDIT_OF_ATTEMPTS:
                    failures.append(f"{where}: refused ({outcome.code}) but wrote {outcome.written}")
                if outcome.code == FORBIDDEN and not sweep.is_chinese(outcome.message):
                    failures.append(f"{where}: 403 without a Chinese message ({outcome.message!r})")
    # The helper's own pages answer.
    for name, kwargs in (("assistance:mine", {}), ("assistance:household", {"pk": world.home.household.pk})):
        if sweep.ask(client, token, "GET", reverse(name, kwargs=kwargs)).code != 200:
            failures.append(f"helper GET {name}: not 200")
    figures(
        f"访问扫描(帮扶责任人): {len(registry)} 个 URL 模式 × 结对户内/外对象 × GET/POST = {requests} 次请求;不符 {len(failures)}"
    )
    assert not failures, "\n".join(failures)
