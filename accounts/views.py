from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from villages.selectors import areas_for


@login_required
def home(request):
    area = request.user.area
    children = areas_for(request.user).filter(parent=area) if area else []
    return render(request, "accounts/home.html", {"area": area, "children": children})
