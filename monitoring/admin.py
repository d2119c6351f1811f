"""防返贫监测 in the admin: read-only and scoped (accounts.admin.ReadOnlyAdmin), for looking things up.
Warnings and 监测对象 move through the township's queue and the services. Their reasons, data and findings
can name an illness (大病, 重残, 因病), so they stay on the pages of the roles that work with them: the
admin lists what, where and when, not why."""

from __future__ import annotations

from django.contrib import admin

from accounts.admin import ReadOnlyAdmin
from monitoring.models import HardshipEvent, MonitoredHousehold, Warning


@admin.register(HardshipEvent)
class HardshipEventAdmin(ReadOnlyAdmin):
    list_display = ["household", "kind", "occurred_on", "recorded_at"]
    list_filter = ["kind"]
    search_fields = ["household__number"]
    list_select_related = ["household"]
    exclude = ["description"]


@admin.register(Warning)
class WarningAdmin(ReadOnlyAdmin):
    list_display = ["household", "trigger", "status", "raised_at", "decided_at"]
    list_filter = ["trigger", "status"]
    search_fields = ["household__number"]
    list_select_related = ["household"]
    exclude = ["reason", "data", "findings", "decision_reason"]


@admin.register(MonitoredHousehold)
class MonitoredHouseholdAdmin(ReadOnlyAdmin):
    list_display = ["household", "kind", "state", "started_on"]
    list_filter = ["kind", "state"]
    search_fields = ["household__number"]
    list_select_related = ["household"]
    exclude = ["clear_findings", "review_minutes"]
