"""Read-only admin pages, scoped like every view: rounds, quotas, applications, meetings, samples,
notices and objections change through the services (role, row lock, audit event), never here."""

from __future__ import annotations

from django.contrib import admin

from accounts.admin import ReadOnlyAdmin
from identification.models import (
    Application,
    Decomposition,
    Meeting,
    Notice,
    Objection,
    Quota,
    Round,
    SpotCheck,
)


@admin.register(Round)
class RoundAdmin(ReadOnlyAdmin):
    """County-wide: rounds are set up and closed on the 识别批次 page (services.round_create, round_close)."""

    list_display = ["name", "year", "poverty_line", "dibao_line", "notice_days", "closed"]

    def get_queryset(self, request):
        return Round.objects.all()


@admin.register(Quota)
class QuotaAdmin(ReadOnlyAdmin):
    list_display = ["round", "area", "persons", "updated_at"]
    list_filter = ["round"]
    readonly_fields = ["round", "area", "persons"]


@admin.register(Decomposition)
class DecompositionAdmin(ReadOnlyAdmin):
    """County-wide, read-only: runs are made and applied on the 规模分解 screens (audited)."""

    list_display = ["round", "control_number", "status", "applied", "created_by", "created_at"]
    list_filter = ["round", "status", "applied"]
    readonly_fields = [f.name for f in Decomposition._meta.concrete_fields]

    def get_queryset(self, request):
        return Decomposition.objects.all()


@admin.register(Application)
class ApplicationAdmin(ReadOnlyAdmin):
    list_display = ["household", "round", "state", "wants_fupin", "wants_dibao", "poverty_class"]
    list_filter = ["round", "state", "wants_fupin", "wants_dibao", "poverty_class"]
    # No search box: the admin's search is a GET, and an 18-digit 户编号 cannot be told from an ID or
    # bank number there (accounts.admin refuses those); the 申请 list of the app filters by 户编号.
    readonly_fields = [f.name for f in Application._meta.concrete_fields]


@admin.register(Meeting)
class MeetingAdmin(ReadOnlyAdmin):
    list_display = ["area", "kind", "held_on", "attendance"]
    list_filter = ["round", "kind"]
    readonly_fields = ["round", "area", "kind", "recorded_by"]


@admin.register(SpotCheck)
class SpotCheckAdmin(ReadOnlyAdmin):
    list_display = ["area", "level", "rate", "seed", "status", "drawn_at"]
    list_filter = ["round", "level", "status"]
    readonly_fields = [f.name for f in SpotCheck._meta.concrete_fields]


@admin.register(Notice)
class NoticeAdmin(ReadOnlyAdmin):
    list_display = ["title", "level", "area", "starts_on", "ends_on", "status"]
    list_filter = ["round", "level", "status"]
    readonly_fields = ["round", "level", "area", "status", "published_by", "closed_at"]


@admin.register(Objection)
class ObjectionAdmin(ReadOnlyAdmin):
    list_display = ["application", "notice", "received_at", "status", "outcome"]
    list_filter = ["status"]
    readonly_fields = [f.name for f in Objection._meta.concrete_fields]
