"""帮扶 in the admin: read-only, like the other domain models. Changes go through the pages and services
(audited); the admin is for looking things up, inside the staff member's area (accounts.admin.ReadOnlyAdmin)."""

from __future__ import annotations

from django.contrib import admin

from accounts.admin import ReadOnlyAdmin
from assistance.models import (
    CountySettings,
    CreditRating,
    Helper,
    Loan,
    Measure,
    Pairing,
    Plan,
    TeamMember,
    Unit,
    Visit,
    WorkTeam,
)


@admin.register(Unit)
class UnitAdmin(ReadOnlyAdmin):
    list_display = ["name", "level", "area"]
    list_filter = ["level"]
    search_fields = ["name"]


@admin.register(Helper)
class HelperAdmin(ReadOnlyAdmin):
    list_display = ["name", "unit", "position", "is_cadre", "is_manager", "is_active"]
    list_filter = ["is_cadre", "is_active", "unit__level"]
    search_fields = ["name", "unit__name"]
    list_select_related = ["unit"]
    exclude = ["phone"]  # personal data stays on the pages that mask it


@admin.register(Pairing)
class PairingAdmin(ReadOnlyAdmin):
    list_display = ["helper", "household", "started_on", "ended_on", "end_reason"]
    list_filter = ["end_reason"]
    search_fields = ["household__number", "helper__name"]
    list_select_related = ["helper__unit", "household"]


@admin.register(WorkTeam)
class WorkTeamAdmin(ReadOnlyAdmin):
    list_display = ["village", "unit", "started_on", "ended_on"]
    list_select_related = ["village", "unit"]


@admin.register(TeamMember)
class TeamMemberAdmin(ReadOnlyAdmin):
    list_display = ["name", "role", "is_first_secretary", "team", "joined_on", "left_on"]
    list_select_related = ["team__village"]
    exclude = ["phone"]


@admin.register(Plan)
class PlanAdmin(ReadOnlyAdmin):
    list_display = ["household", "year", "target_year"]
    list_filter = ["year"]
    search_fields = ["household__number"]
    list_select_related = ["household"]


@admin.register(Measure)
class MeasureAdmin(ReadOnlyAdmin):
    list_display = ["household", "category", "content", "amount", "funding_source", "status"]
    list_filter = ["category", "funding_source", "status"]
    search_fields = ["household__number"]
    list_select_related = ["household"]


@admin.register(Visit)
class VisitAdmin(ReadOnlyAdmin):
    list_display = ["household", "helper", "visited_on"]
    search_fields = ["household__number", "helper__name"]
    list_select_related = ["household", "helper"]


@admin.register(CreditRating)
class CreditRatingAdmin(ReadOnlyAdmin):
    list_display = ["household", "grade", "credit_line", "rated_on"]
    list_select_related = ["household"]


@admin.register(Loan)
class LoanAdmin(ReadOnlyAdmin):
    list_display = ["household", "bank", "amount", "issued_on", "due_on", "status"]
    list_filter = ["status", "bank"]
    search_fields = ["household__number"]
    list_select_related = ["household"]


@admin.register(CountySettings)
class CountySettingsAdmin(ReadOnlyAdmin):
    list_display = ["county", "helper_limit", "transition_ends_on"]
