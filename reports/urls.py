from django.urls import include, path

from reports import coverage_views, views, year_over_year_views

app_name = "reports"

urlpatterns = [
    path("", views.report_list, name="list"),
    path("<int:pk>/status/", views.report_status, name="status"),
    path("<int:pk>/download/", views.report_download, name="download"),
    path("<int:pk>/retry/", views.report_retry, name="retry"),
    path("<int:pk>/delete/", views.report_delete, name="delete"),
    path("dashboard/", include("reports.dashboard_urls")),
    path("coverage/", coverage_views.coverage_view, name="coverage"),
    path("dashboard/<str:code>/assistance/", coverage_views.dashboard_part, name="assistance_part"),
    path("year-over-year/", year_over_year_views.year_over_year_view, name="year_over_year"),
    path("year-over-year/export/", year_over_year_views.year_over_year_export, name="year_over_year_export"),
]
