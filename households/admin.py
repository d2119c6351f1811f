"""The registry in the Django admin: scoped like every page, with history; cases are opened here
until the identification workflow opens them.

The admin searches by 户编号 only: its search box is a GET, and an ID number must never be in a URL.
"""

from __future__ import annotations

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from accounts.admin import AreaScopedAdmin
from households.models import Case, Household, IncomeRecord, Member
from households.privacy import can_see_personal_numbers, mask_bank_account, mask_id_number, mask_phone


class MemberInline(admin.TabularInline):
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


class IncomeRecordInline(admin.TabularInline):
    model = IncomeRecord
    extra = 0


class CaseInline(admin.TabularInline):
    model = Case
    extra = 0
    fields = ["program", "entered_year", "state", "poverty_class", "left_year", "note"]


@admin.register(Household)
class HouseholdAdmin(SimpleHistoryAdmin, AreaScopedAdmin):
    list_display = ["number", "group", "attribute", "main_cause", "deep_poverty"]
    list_filter = ["attribute", "main_cause", "deep_poverty", "standard"]
    search_fields = ["number"]
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
