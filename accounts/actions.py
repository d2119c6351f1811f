"""Running a service from a view: the one way every screen turns a service's refusal into an answer."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest


def attempt(request: HttpRequest, action: Callable[[], Any], form=None) -> tuple[bool, Any]:
    """Run a service; a refusal for the user's role ("wrong_role") is a 403, any other refusal goes on the
    form (what was typed stays) or into a message. Services refuse with a coded ValidationError."""
    try:
        return True, action()
    except ValidationError as error:
        if getattr(error, "code", None) == "wrong_role":
            raise PermissionDenied(error.message) from None
        message = error.message if hasattr(error, "message") else " ".join(error.messages)
        if form is not None:
            form.add_error(None, message)
        else:
            messages.error(request, message)
        return False, None
