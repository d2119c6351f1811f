"""Refusing an upload by its declared size, before Django reads the body.

Django streams a multipart body to a temporary file as it parses it (and the CSRF check parses it
first), so a form's own size check only runs after the whole upload is on disk. A request whose
Content-Length is over the biggest file we accept (the 花名册, villages.guard.ROSTER) plus the form's
overhead is answered at once with a Chinese 413 page, before anything is read.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string


class UploadSizeMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.method == "POST" and request.content_type == "multipart/form-data":
            try:
                declared = int(request.META.get("CONTENT_LENGTH") or 0)
            except ValueError:
                declared = 0
            if declared > settings.UPLOAD_MAX_BYTES:
                page = render_to_string("413.html", {"limit_mb": settings.UPLOAD_MAX_BYTES >> 20})
                return HttpResponse(page, status=413)
        return self.get_response(request)
