from django.urls import path

from assistance import views

app_name = "assistance"
urlpatterns = [
    path("", views.index, name="index"),
    path("mine/", views.mine, name="mine"),
    path("households/<int:pk>/", views.household, name="household"),
    path("households/<int:pk>/visits/", views.visit_create, name="visit_create"),
    path("households/<int:pk>/plan/", views.plan_save, name="plan_save"),
    path("households/<int:pk>/measures/", views.measure_create, name="measure_create"),
    path("households/<int:pk>/pair/", views.pair, name="pair"),
    path("households/<int:pk>/credit/", views.credit_create, name="credit_create"),
    path("households/<int:pk>/loans/", views.loan_create, name="loan_create"),
    path("visits/<int:pk>/photo/", views.visit_photo, name="visit_photo"),
    path("measures/<int:pk>/progress/", views.measure_progress, name="measure_progress"),
    path("pairings/<int:pk>/end/", views.unpair, name="unpair"),
    path("loans/<int:pk>/", views.loan_update, name="loan_update"),
    path("helpers/", views.helpers, name="helpers"),
    path("helpers/<int:pk>/", views.helper, name="helper"),
    path("helpers/import/", views.bulk_assign_view, name="bulk_assign"),
    path("villages/<str:code>/", views.village, name="village"),
    path("settings/", views.settings_view, name="settings"),
]
