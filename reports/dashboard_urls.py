"""统计: /reports/dashboard/ (the user's own area) and /reports/dashboard/<code>/ (an area inside it)."""

from django.urls import path

from reports import dashboard

urlpatterns = [
    path("", dashboard.dashboard, name="dashboard"),
    path("<str:code>/", dashboard.area_dashboard, name="area_dashboard"),
    path("<str:code>/dynamics/", dashboard.dynamics_part, name="dynamics_part"),
]
