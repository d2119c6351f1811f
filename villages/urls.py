from django.urls import path

from villages import views

app_name = "villages"
urlpatterns = [
    path("", views.area_list, name="area_list"),
    path("<str:code>/", views.area_detail, name="area_detail"),
    path("<str:code>/edit/", views.area_edit, name="area_edit"),
    path("<str:code>/profile/", views.profile_edit, name="profile_edit"),
    path("<str:code>/groups/new/", views.group_create, name="group_create"),
]
