"""The registry in the Django admin: scoped like every page, with history; cases are opened here
until the identification workflow opens them.

Read-only (changes go through households.services, which check the role and the ID number against
sex and birth date); scoped and masked like the app. No search box: the admin's search is a GET, and
a number typed there would reach the URL; the 贫困户 page searches by POST.
"""

from __future__ import annotations

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from accounts.admin import ReadOnlyAdmin, ReadOnlyInline, ScopedHistoryMixin
from households.changes.models import ChangeRequest
from households.models import Case, Household, ImportJob, IncomeRecord, Member
from households.privacy import can_see_personal_numbers, mask_bank_account, mask_id_number, mask_phone


class MemberInline(ReadOnlyInline, admin.TabularInline):
    model = Member
    extra = 0
    fields = ["name", "id_number", "gender", "birth_date", "relation", "health", "disability_grade", "phone"]

    def get_fields(self, request, obj=None):
        if can_see_personal_numbers(request.user):
            return self.fields
        return [{"id_number": "masked_id_number", "phone": "masked_phone"}.get(f, f) for f in self.fields]

    def get_readonly_fields(self, request, obj=None):
        if can_see_personal_numbers(request.user):
            return []
        return ["masked_id_number", "masked_phone"]

    @admin.display(description="身份证号")
    def masked_id_number(self, member: Member) -> str:
        return mask_id_number(member.id_number)

    @admin.display(description="联系电话")
    def masked_phone(self, member: Member) -> str:
        return mask_phone(member.phone)


class IncomeRecordInline(ReadOnlyInline, admin.TabularInline):
    model = IncomeRecord
    extra = 0


class CaseInline(ReadOnlyInline, admin.TabularInline):
    model = Case
    extra = 0
    fields = ["program", "entered_year", "state", "poverty_class", "left_year", "note"]


@admin.register(Household)
class HouseholdAdmin(ScopedHistoryMixin, SimpleHistoryAdmin, ReadOnlyAdmin):
    list_display = ["number", "group", "attribute", "main_cause", "deep_poverty"]
    list_filter = ["attribute", "main_cause", "deep_poverty", "standard"]
    list_select_related = ["group"]
    inlines = [MemberInline, IncomeRecordInline, CaseInline]
    ordering = ["number"]

    def get_exclude(self, request, obj=None):
        if can_see_personal_numbers(request.user):
            return []
        return ["phone", "bank_account"]

    def get_readonly_fields(self, request, obj=None):
        if can_see_personal_numbers(request.user):
            return []
        return ["masked_phone", "masked_bank_account"]

    @admin.display(description="联系电话")
    def masked_phone(self, household: Household) -> str:
        return mask_phone(household.phone)

    @admin.display(description="银行账号")
    def masked_bank_account(self, household: Household) -> str:
        return mask_bank_account(household.bank_account)


@admin.register(ImportJob)
class ImportJobAdmin(ReadOnlyAdmin):
    """花名册 imports, to read: uploaded by users of the staff member's area. The file itself is
    downloaded on the import page, never by a media URL."""

    list_display = ["created_at", "original_name", "user", "phase", "status", "progress", "error_count"]
    list_filter = ["phase", "status"]
    list_select_related = ["user"]
    exclude = ["file", "error_file", "sample", "errors"]
    readonly_fields = [
        f.name
        for f in ImportJob._meta.concrete_fields
        if f.name not in ("file", "error_file", "sample", "errors")
    ]

    def get_queryset(self, request):
        # Jobs carry no area of their own: they are scoped by their uploader's area.
        from accounts.scoping import scope_prefix

        prefix = scope_prefix(request.user)
        queryset = ImportJob.objects.select_related("user")
        if prefix is None:
            return queryset.none()
        return queryset.filter(user__area__code__startswith=prefix)


@admin.register(ChangeRequest)
class ChangeRequestAdmin(ReadOnlyAdmin):
    """户情变更, to read: filed by the village, decided by the township on the 户情变更 pages. The new 身份证号
    and the before/after snapshots (members' numbers) stay there, masked for whoever reads them."""

    list_display = ["household", "kind", "state", "filed_by", "filed_at", "decided_at"]
    list_filter = ["kind", "state"]
    search_fields = ["household__number"]
    list_select_related = ["household", "filed_by"]
    exclude = ["new_id_number", "payload", "before", "after"]
