"""Request-wide safeguards: request id and origin, idle sign-out, the second factor, no-store, access audit."""

from __future__ import annotations

import re
import time
import uuid
from collections.abc import Callable
from urllib.parse import urlencode

from axes.helpers import get_client_ip_address
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.cache import patch_cache_control

from accounts import audit, request_context, two_factor

# A proxy's X-Request-ID is kept when it looks like an id, so a request can be followed through
# nginx and the app; anything else (or nothing) gets a fresh one.
_INCOMING_ID = re.compile(r"^[A-Za-z0-9-]{8,64}$")


class RequestIdMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        incoming = request.headers.get("X-Request-ID", "")
        request_id = incoming if _INCOMING_ID.match(incoming) else uuid.uuid4().hex
        request.request_id = request_id
        token = request_context.activate(
            request_context.RequestContext(request_id=request_id, ip=get_client_ip_address(request))
        )
        try:
            response = self.get_response(request)
        finally:
            request_context.deactivate(token)
        response["X-Request-ID"] = request_id
        return response


class SessionIdleTimeoutMiddleware:
    """Signs out a session left untouched for SESSION_IDLE_TIMEOUT seconds (SESSION_COOKIE_AGE is the
    absolute limit). The last activity is written at most once a minute, not on every request."""

    KEY = "_last_activity"
    WRITE_EVERY = 60

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            now = time.time()
            last = request.session.get(self.KEY)
            if last is not None and now - last > settings.SESSION_IDLE_TIMEOUT:
                logout(request)
                messages.info(request, "长时间未操作,已自动退出登录,请重新登录。")
            elif last is None or now - last > self.WRITE_EVERY:
                request.session[self.KEY] = now
        return self.get_response(request)


class SecondFactorMiddleware:
    """A signed-in session that needs a second factor and has not given it reaches only the code
    page, enrolment and logout; everything else (the admin included) redirects there."""

    OPEN_URL_NAMES = frozenset({"login", "logout", "two_factor_verify", "two_factor_setup"})

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(self, request: HttpRequest, view_func, view_args, view_kwargs):
        user = request.user
        if not user.is_authenticated or user.is_verified():
            return None
        if request.resolver_match.url_name in self.OPEN_URL_NAMES:
            return None
        if not two_factor.requires_second_factor(user):
            return None
        target = "two_factor_verify" if two_factor.has_totp(user) else "two_factor_setup"
        url = f"{reverse(target)}?{urlencode({'next': request.get_full_path()})}"
        if request.headers.get("HX-Request"):
            # htmx would swap the code page into a fragment; make it load the whole page instead.
            response = HttpResponse(status=204)
            response["HX-Redirect"] = url
            return response
        return HttpResponseRedirect(url)


class NoStoreMiddleware:
    """Nothing a signed-in user is shown is kept by the browser or a proxy: household pages, 户卡,
    identification lists and every export carry personal numbers, and a shared office computer's
    back button or disk cache must not bring them back after logout. One rule for every such
    response, so a new view cannot forget it."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if request.user.is_authenticated:
            patch_cache_control(response, no_store=True, no_cache=True, private=True, max_age=0)
        return response


class AccessAuditMiddleware:
    """Writes access events to the audit log: every file download (an attachment response) and every
    POST to a URL name in settings.AUDITED_POSTS (export and import requests), with its status."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        user = request.user
        match = request.resolver_match
        if not user.is_authenticated or match is None:
            return response
        if request.method == "POST" and match.view_name in settings.AUDITED_POSTS:
            event_type = settings.AUDITED_POSTS[match.view_name]
        elif response.status_code == 200 and response.get("Content-Disposition", "").startswith("attachment"):
            event_type = "download"
        else:
            return response
        audit.record(
            event_type=event_type,
            actor=user,
            obj=None,
            area_code=user.area.code if user.area_id else "",
            new={"view": match.view_name, "kwargs": match.kwargs, "status": response.status_code},
        )
        return response
