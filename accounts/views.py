from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render

from accounts.models import Role
from identification import selectors as identification
from villages.selectors import areas_for


@login_required
def home(request):
    if request.user.role == Role.HELPER:  # no area: their households are their home page
        return redirect("assistance:mine")
    area = request.user.area
    children = areas_for(request.user).filter(parent=area) if area else []
    round = identification.current_round() if area else None
    return render(
        request,
        "accounts/home.html",
        {
            "area": area,
            "children": children,
            "round": round,
            "round_counts": identification.home_counts(request.user, round) if round else None,
        },
    )
