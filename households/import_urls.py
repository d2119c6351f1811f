from django.urls import path

from households import import_views

urlpatterns = [
    path("", import_views.import_upload, name="import_upload"),
    path("<int:pk>/", import_views.import_job, name="import_job"),
    path("<int:pk>/status/", import_views.import_status, name="import_status"),
    path("<int:pk>/confirm/", import_views.import_confirm, name="import_confirm"),
    path("<int:pk>/errors.xlsx", import_views.import_error_file, name="import_error_file"),
]
