"""Read-only admin pages, scoped like every view: rounds, quotas, applications, meetings, samples,
notices and objections change through the services (role, row lock, audit event), never here."""

from __future__ import annotations

from django.contrib import admin

from accounts.admin import ReadOnlyAdmin
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
class RoundAdmin(ReadOnlyAdmin):
    """County-wide: rounds are set up, given their 县控制指标 and closed on the 识别批次 page (services)."""

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

    list_display = ["round", "scope", "control_number", "status", "applied", "created_by", "created_at"]
    list_filter = ["round", "status", "applied"]
    readonly_fields = [f.name for f in Decomposition._meta.concrete_fields]

    def get_queryset(self, request):
        return Decomposition.objects.all()


@admin.register(Application)
class ApplicationAdmin(ReadOnlyAdmin):
    list_display = ["household", "round", "state", "for_fupin", "for_dibao", "poverty_class"]
    list_filter = ["round", "state", "for_fupin", "for_dibao", "poverty_class"]
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


@admin.register(Referral)
class ReferralAdmin(ReadOnlyAdmin):
    """Referrals are made by 民政's confirmations and decided by 扶贫办 on their screen (audited)."""

    list_display = ["application", "status", "referred_at", "decided_at"]
    list_filter = ["status"]
    readonly_fields = [f.name for f in Referral._meta.concrete_fields]
