from django.contrib import admin
from django.urls import include, path, reverse_lazy
from django.views.generic import RedirectView

from portal import views as portal_views

admin.site.site_header = "建档立卡 系统管理"
admin.site.site_title = "建档立卡"
admin.site.index_title = "系统管理"

urlpatterns = [
    path("favicon.ico", portal_views.favicon),
    path("", include("portal.urls")),
    path("", include("accounts.urls")),
    path("areas/", include("villages.urls")),
    path("households/", include("households.urls")),
    path("identification/", include("identification.urls")),
    path("notices/", include("notices.urls")),
    path("reports/", include("reports.urls")),
    path("assistance/", include("assistance.urls")),
    path("exits/", include("exits.urls")),
    path("monitoring/", include("monitoring.urls")),
    # One sign-in for everyone: the admin's own login page would skip the second factor's page.
    path("admin/login/", RedirectView.as_view(url=reverse_lazy("login"), query_string=True)),
    path("admin/", admin.site.urls),
]
