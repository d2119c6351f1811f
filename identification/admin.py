"""Read-mostly admin pages, scoped like every view. Workflow moves go through the services, so the
state and decision fields are read-only here."""

from __future__ import annotations

from django.contrib import admin

from accounts.admin import AreaScopedAdmin
from identification.models import (
    Application,
    Decomposition,
    Meeting,
    Quota,
    Referral,
    Round,
    SpotCheck,
)


@admin.register(Round)
class RoundAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "kind",
        "year",
        "control_number",
        "poverty_line",
        "dibao_line",
        "notice_days",
        "closed",
    ]

    def get_readonly_fields(self, request, obj=None):
        # Closing goes through services.round_close, the 县控制指标 through round_set_control_number or a
        # county decomposition (audited, and checked against the townships' quotas); a closed round is
        # read-only.
        if obj is not None and obj.closed:
            return [f.name for f in Round._meta.concrete_fields]
        return ["closed", "control_number"]


@admin.register(Quota)
class QuotaAdmin(AreaScopedAdmin):
    list_display = ["round", "area", "persons", "updated_at"]
    list_filter = ["round"]
    readonly_fields = ["round", "area", "persons"]


@admin.register(Decomposition)
class DecompositionAdmin(admin.ModelAdmin):
    """County-wide, read-only: runs are made and applied on the 规模分解 screens (audited)."""

    list_display = ["round", "scope", "control_number", "status", "applied", "created_by", "created_at"]
    list_filter = ["round", "status", "applied"]
    readonly_fields = [f.name for f in Decomposition._meta.concrete_fields]

    def has_add_permission(self, request):
        return False


@admin.register(Application)
class ApplicationAdmin(AreaScopedAdmin):
    list_display = ["household", "round", "state", "for_fupin", "for_dibao", "poverty_class"]
    list_filter = ["round", "state", "for_fupin", "for_dibao", "poverty_class"]
    search_fields = ["household__number"]
    readonly_fields = [f.name for f in Application._meta.concrete_fields]


@admin.register(Meeting)
class MeetingAdmin(AreaScopedAdmin):
    list_display = ["area", "kind", "held_on", "attendance"]
    list_filter = ["round", "kind"]
    readonly_fields = ["round", "area", "kind", "recorded_by"]


@admin.register(SpotCheck)
class SpotCheckAdmin(AreaScopedAdmin):
    list_display = ["area", "level", "rate", "seed", "status", "drawn_at"]
    list_filter = ["round", "level", "status"]
    readonly_fields = [f.name for f in SpotCheck._meta.concrete_fields]


@admin.register(Referral)
class ReferralAdmin(AreaScopedAdmin):
    """Read-only: referrals are made by 民政's confirmations and decided by 扶贫办 on their screen (audited)."""

    list_display = ["application", "status", "referred_at", "decided_at"]
    list_filter = ["status"]
    readonly_fields = [f.name for f in Referral._meta.concrete_fields]

    def has_add_permission(self, request):
        return False
