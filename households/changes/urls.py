"""Included by households.urls under /households/: the names are households:change_*."""

from django.urls import path

from households.changes import views

urlpatterns = [
    path("<int:pk>/changes/", views.change_start, name="change_start"),
    path("<int:pk>/changes/<str:kind>/", views.change_create, name="change_create"),
    path("changes/", views.change_list, name="change_list"),
    path("changes/<int:pk>/", views.change_detail, name="change_detail"),
    path("changes/<int:pk>/<str:move>/", views.change_decide, name="change_decide"),
]
