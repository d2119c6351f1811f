"""Read-only: notices are published, objected to and closed through notices.services (audited)."""

from __future__ import annotations

from django.contrib import admin

from accounts.admin import ReadOnlyAdmin
from notices.models import Notice, Objection


@admin.register(Notice)
class NoticeAdmin(ReadOnlyAdmin):
    list_display = ["title", "kind", "area", "starts_on", "ends_on", "status"]
    list_filter = ["kind", "status"]
    readonly_fields = [f.name for f in Notice._meta.concrete_fields]


@admin.register(Objection)
class ObjectionAdmin(ReadOnlyAdmin):
    list_display = ["entry", "notice", "received_at", "status", "outcome"]
    list_filter = ["status"]
    readonly_fields = [f.name for f in Objection._meta.concrete_fields]
