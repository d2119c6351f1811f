"""防返贫监测: monitored households, automatic warnings and their verification."""

from django.urls import path

from monitoring import views

app_name = "monitoring"
urlpatterns = [
    path("", views.index, name="index"),
    path("warnings/", views.warnings, name="warnings"),
    path("warnings/<int:pk>/", views.warning_detail, name="warning"),
    path("warnings/<int:pk>/verify/", views.warning_verify, name="warning_verify"),
    path("warnings/<int:pk>/decide/", views.warning_decide, name="warning_decide"),
    path("warnings/<int:pk>/apply/", views.warning_apply, name="warning_apply"),
    path("events/", views.events, name="events"),
    path("households/<int:pk>/events/new/", views.event_create, name="event_create"),
    path("monitored/", views.monitored, name="monitored"),
    path("monitored/<int:pk>/", views.monitored_detail, name="monitored_detail"),
    path("monitored/<int:pk>/verify/", views.monitored_verify, name="monitored_verify"),
    path("monitored/<int:pk>/review/", views.monitored_review, name="monitored_review"),
    path("monitored/<int:pk>/approve/", views.monitored_approve, name="monitored_approve"),
    path("villages/<str:code>/risk-notice/", views.risk_notice, name="risk_notice"),
    path("announcement/", views.announcement, name="announcement"),
    path("runs/", views.runs, name="runs"),
    path("runs/<int:pk>/", views.run_detail, name="run"),
    path("settings/", views.settings_page, name="settings"),
]
