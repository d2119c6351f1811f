from django.urls import path

from notices import views

app_name = "notices"
urlpatterns = [
    path("<int:pk>/", views.notice_detail, name="notice"),
    path("<int:pk>/print/", views.notice_print, name="notice_print"),
    path("<int:pk>/close/", views.notice_close, name="notice_close"),
    path("objections/<int:pk>/handle/", views.objection_handle, name="objection_handle"),
]
