from django.urls import include, path

app_name = "households"
urlpatterns = [
    path("import/", include("households.import_urls")),
]
