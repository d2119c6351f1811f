from django.contrib import admin

from accounts.admin import AreaScopedAdmin
from villages.models import Area


@admin.register(Area)
class AreaAdmin(AreaScopedAdmin):
    list_display = ["code", "name", "level", "parent", "rural_population"]
    list_filter = ["level"]
    search_fields = ["code", "name"]
    autocomplete_fields = ["parent"]
    ordering = ["code"]
