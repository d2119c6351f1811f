"""Headers, sessions, the request id and the audit of sign-ins and access."""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse

from accounts import audit, request_context
from accounts.middleware import SessionIdleTimeoutMiddleware
from accounts.models import AuditEvent
from tests.factories import PASSWORD, HouseholdFactory

ROOT = Path(__file__).resolve().parents[2]

PRODUCTION_PROBE = """
import json, django
django.setup()
from django.test import Client
from django.test.utils import override_settings
client = Client(HTTP_HOST="jdlk.example.gov.cn")
# Production's manifest storage needs collectstatic; the headers do not depend on it.
with override_settings(STORAGES={
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}):
    page = client.get("/login/", secure=True)
    plain = client.get("/login/")
print(json.dumps({
    "status": page.status_code,
    "headers": dict(page.headers),
    "cookies": {name: dict(morsel) for name, morsel in page.cookies.items()},
    "plain": [plain.status_code, plain.headers.get("Location", "")],
}))
"""


def test_production_sends_the_security_headers():
    env = {k: v for k, v in os.environ.items() if k not in ("DEBUG", "REDIS_URL")}
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings.production",
        SECRET_KEY="k7#vQ2!mZp9@Lx4$Rt8^Wn3&Yb6*Hc1(Jd5)Fg0-Se2+Ua7=Ki4_Ol9?Pm3",
        DATABASE_URL=os.environ.get("DATABASE_URL", "postgres://jiandang@127.0.0.1:5432/jiandang"),
        ALLOWED_HOSTS="jdlk.example.gov.cn",
    )
    result = subprocess.run(
        [sys.executable, "-c", PRODUCTION_PROBE],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    probe = json.loads(result.stdout.strip().splitlines()[-1])
    headers = probe["headers"]
    assert probe["status"] == 200
    csp = headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "script-src 'self'" in csp and "style-src 'self'" in csp
    assert "frame-ancestors 'none'" in csp and "object-src 'none'" in csp
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["Referrer-Policy"] == "same-origin"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Cross-Origin-Opener-Policy"] == "same-origin"
    assert headers["Strict-Transport-Security"].startswith("max-age=31536000")
    assert headers["X-Request-ID"]
    assert probe["cookies"]["csrftoken"]["secure"] is True
    assert probe["plain"] == [301, "https://jdlk.example.gov.cn/login/"]


def test_every_page_carries_the_csp_and_frame_headers(client, users):
    client.force_login(users.alice)
    response = client.get(reverse("home"))
    assert "unsafe-inline" not in response["Content-Security-Policy"]
    assert response["X-Frame-Options"] == "DENY"


def test_templates_have_no_inline_scripts_styles_or_handlers():
    # The CSP would block them in the browser; this finds them before a browser does.
    import re

    offenders = []
    for path in (ROOT / "templates").rglob("*.html"):
        text = path.read_text(encoding="utf-8")
        if re.search(
            r"<script(?![^>]*\bsrc=)(?![^>]*application/json)[^>]*>|<style|\sstyle=|\son[a-z]+=|hx-on|javascript:",
            text,
        ):
            offenders.append(str(path.relative_to(ROOT)))
    assert offenders == []


def test_pages_with_personal_numbers_are_not_stored(client, users, county_tree):
    household = HouseholdFactory(group=county_tree.dazhai)
    client.force_login(users.alice)
    for url in (
        reverse("households:detail", args=[household.pk]),
        reverse("households:print", args=[household.pk]),
        reverse("households:card_xlsx", args=[household.pk]),
        reverse("households:list"),
        reverse("reports:list"),
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"], url


def test_logout_is_post_only(client, users):
    client.force_login(users.alice)
    assert client.get(reverse("logout")).status_code == 405
    assert client.get(reverse("home")).status_code == 200  # still signed in
    assert client.post(reverse("logout"))["Location"] == reverse("login")
    assert client.get(reverse("home")).status_code == 302


def test_an_idle_session_is_signed_out(client, users, settings):
    client.force_login(users.alice)
    assert client.get(reverse("home")).status_code == 200
    session = client.session
    session[SessionIdleTimeoutMiddleware.KEY] = time.time() - settings.SESSION_IDLE_TIMEOUT - 5
    session.save()
    response = client.get(reverse("home"), follow=True)
    assert response.redirect_chain[-1][0].startswith(reverse("login"))
    assert "长时间未操作" in response.content.decode()
    assert AuditEvent.objects.filter(event_type="logout", actor=users.alice).exists()


def test_an_active_session_stays_signed_in(client, users, settings):
    client.force_login(users.alice)
    session = client.session
    session[SessionIdleTimeoutMiddleware.KEY] = time.time() - settings.SESSION_IDLE_TIMEOUT + 60
    session.save()
    assert client.get(reverse("home")).status_code == 200
    assert settings.SESSION_IDLE_TIMEOUT < settings.SESSION_COOKIE_AGE


def test_request_id_is_kept_from_the_proxy_when_it_looks_like_one(client, db):
    assert (
        client.get(reverse("login"), HTTP_X_REQUEST_ID="abc-123-def-456")["X-Request-ID"] == "abc-123-def-456"
    )
    replaced = client.get(reverse("login"), HTTP_X_REQUEST_ID="<script>")["X-Request-ID"]
    assert replaced != "<script>" and len(replaced) == 32


def test_log_lines_carry_the_request_id():
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "hello", None, None)
    token = request_context.activate(request_context.RequestContext(request_id="r-1", ip="10.0.0.1"))
    try:
        request_context.RequestIdLogFilter().filter(record)
    finally:
        request_context.deactivate(token)
    assert record.request_id == "r-1"


def test_sign_ins_are_audited_with_ip_and_request_id(users):
    client = Client()
    ok = client.post(reverse("login"), {"username": "alice", "password": PASSWORD}, REMOTE_ADDR="10.1.2.3")
    event = AuditEvent.objects.get(event_type="login.succeeded")
    assert (event.actor, event.object_id, event.area_code) == (
        users.alice,
        users.alice.pk,
        users.alice.area.code,
    )
    assert (event.ip, event.request_id) == ("10.1.2.3", ok["X-Request-ID"])

    client.post(reverse("login"), {"username": "alice", "password": "wrong"})
    client.post(reverse("login"), {"username": "nobody", "password": "wrong"})
    failed = AuditEvent.objects.filter(event_type="login.failed").order_by("id")
    assert [(f.object_id, f.new["username"]) for f in failed] == [(users.alice.pk, "alice"), (None, "nobody")]
    assert all("wrong" not in json.dumps(f.new) for f in failed)  # never the password


def test_a_lockout_is_audited(client, users, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT + 1):
        client.post(reverse("login"), {"username": "bob", "password": "wrong"})
    assert AuditEvent.objects.filter(event_type="login.locked_out", object_id=users.bob.pk).exists()


def test_downloads_and_import_requests_are_audited(client, users, county_tree):
    household = HouseholdFactory(group=county_tree.dazhai)
    client.force_login(users.alice)
    response = client.get(reverse("households:card_xlsx", args=[household.pk]))
    event = AuditEvent.objects.get(event_type="download")
    assert event.actor == users.alice and event.request_id == response["X-Request-ID"]
    assert event.new == {"view": "households:card_xlsx", "kwargs": {"pk": household.pk}, "status": 200}
    assert event.area_code == county_tree.shanlong.code

    client.force_login(users.fupin)
    client.post(reverse("households:import_upload"), {})
    upload = AuditEvent.objects.get(event_type="import.uploaded")
    assert upload.actor == users.fupin and upload.new["view"] == "households:import_upload"


def test_audit_outside_a_request_has_no_origin(users):
    event = audit.record(event_type="test.event", actor=None, obj=users.alice, area_code="")
    assert (event.ip, event.request_id) == (None, "")


@pytest.mark.django_db
def test_check_deploy_lists_no_csp_warning():
    # csp's own system checks run under `check --deploy` (tests/test_settings.py runs it for production).
    from django.core import checks

    assert not [m for m in checks.run_checks(include_deployment_checks=False) if m.id.startswith("csp.")]


def test_every_audited_post_names_an_existing_view():
    from django.conf import settings
    from django.urls import URLPattern, URLResolver, get_resolver

    def names(resolver, namespace=""):
        for pattern in resolver.url_patterns:
            if isinstance(pattern, URLResolver):
                inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
                yield from names(pattern, inner)
            elif isinstance(pattern, URLPattern) and pattern.name:
                yield f"{namespace}{pattern.name}"

    assert set(settings.AUDITED_POSTS) <= set(names(get_resolver()))
