from django.contrib import admin
from django.urls import include, path

admin.site.site_header = "建档立卡 系统管理"
admin.site.site_title = "建档立卡"
admin.site.index_title = "系统管理"

urlpatterns = [
    path("", include("accounts.urls")),
    path("areas/", include("villages.urls")),
    path("households/", include("households.urls")),
    path("identification/", include("identification.urls")),
    path("notices/", include("notices.urls")),
    path("reports/", include("reports.urls")),
    path("assistance/", include("assistance.urls")),
    path("admin/", admin.site.urls),
]
