from django.contrib import admin

from accounts.admin import ReadOnlyAdmin, ReadOnlyInline
from villages.models import Area, AreaProfile


class AreaProfileInline(ReadOnlyInline, admin.StackedInline):
    """Shown, not edited: profile changes go through villages.services.profile_save (audited)."""

    model = AreaProfile
    can_delete = False
    extra = 0
    max_num = 0
    readonly_fields = [f.name for f in AreaProfile._meta.concrete_fields if f.name not in ("id", "area")]


@admin.register(Area)
class AreaAdmin(ReadOnlyAdmin):
    """Read-only: names and indicators change on the area's page (villages.services.area_update,
    audited); the tree itself comes from the statistics bureau's codes."""

    list_display = ["code", "name", "level", "parent", "rural_population"]
    list_filter = ["level"]
    search_fields = ["code", "name"]
    autocomplete_fields = ["parent"]
    ordering = ["code"]
    inlines = [AreaProfileInline]
