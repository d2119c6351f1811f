"""Reports in the admin: read-only and scoped; asking, retrying and deleting happen on the 台账导出 page."""

from django.contrib import admin

from accounts.admin import ReadOnlyAdmin
from reports.models import Report


@admin.register(Report)
class ReportAdmin(ReadOnlyAdmin):
    list_display = ["kind", "area", "round", "user", "standing", "status", "progress", "rows", "created_at"]
    list_filter = ["kind", "status", "standing"]
    # The file is downloaded through the scoped page, never by a media URL.
    exclude = ["file"]
    readonly_fields = [f.name for f in Report._meta.concrete_fields if f.name != "file"]
