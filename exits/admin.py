"""退出 in the admin: read-only and scoped (accounts.admin.ReadOnlyAdmin), for looking things up. Exits,
proposals and village exits change through the pages and services (role, row lock, audit event, 公示)."""

from __future__ import annotations

from django.contrib import admin

from accounts.admin import ReadOnlyAdmin
from exits.models import DibaoProposal, ExitApplication, VillageExit


@admin.register(ExitApplication)
class ExitApplicationAdmin(ReadOnlyAdmin):
    list_display = ["household", "round", "state", "source", "created_at", "updated_at"]
    list_filter = ["state", "source", "round"]
    search_fields = ["household__number"]
    list_select_related = ["household", "round"]
    # The 入户核实 answers and the signed form stay on the exit's page, behind its own checks.
    exclude = ["survey", "checklist", "signed_form"]


@admin.register(DibaoProposal)
class DibaoProposalAdmin(ReadOnlyAdmin):
    list_display = ["household", "kind", "year", "status", "created_at", "decided_at"]
    list_filter = ["kind", "status", "year"]
    search_fields = ["household__number"]
    list_select_related = ["household"]


@admin.register(VillageExit)
class VillageExitAdmin(ReadOnlyAdmin):
    list_display = ["village", "year", "state", "proposed_at", "decided_at"]
    list_filter = ["state", "year"]
    search_fields = ["village__name", "village__code"]
    list_select_related = ["village"]
