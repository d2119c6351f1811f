from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponsePermanentRedirect
from django.shortcuts import redirect, render
from django.templatetags.static import static

from accounts.models import Role
from identification import selectors as identification
from villages.selectors import areas_for


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """The user's area, its children and the work of the current identification round."""
    if request.user.role == Role.HELPER:  # no area: their households are their home page
        return redirect("assistance:mine")
    area = request.user.area
    children = areas_for(request.user).filter(parent=area) if area else []
    round = identification.current_round() if area else None
    return render(
        request,
        "portal/home.html",
        {
            "area": area,
            "children": children,
            "round": round,
            "round_counts": identification.home_counts(request.user, round) if round else None,
        },
    )


def favicon(request: HttpRequest) -> HttpResponse:
    """Browsers ask for /favicon.ico on pages that name no icon (the admin's)."""
    return HttpResponsePermanentRedirect(static("favicon.svg"))
