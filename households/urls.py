from django.urls import include, path

from households import views

app_name = "households"
urlpatterns = [
    path("", views.household_list, name="list"),
    path("facets/", views.household_facets, name="facets"),
    path("new/", views.household_create, name="create"),
    path("check-id/", views.check_id, name="check_id"),
    path("<int:pk>/", views.household_detail, name="detail"),
    path("<int:pk>/edit/", views.household_edit, name="edit"),
    path("<int:pk>/print/", views.household_print, name="print"),
    path("<int:pk>/incomes/new/", views.income_edit, name="income_create"),
    path("<int:pk>/incomes/<int:year>/", views.income_edit, name="income_edit"),
    path("<int:pk>/card.xlsx", views.household_card_xlsx, name="card_xlsx"),
    path("import/", include("households.import_urls")),
    path("", include("households.changes.urls")),
]
