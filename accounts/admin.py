"""The admin's shared pieces, and the pages of accounts: users (editable) and the audit log (read-only).

The admin goes through the same scoping door as every page (`visible_to`): a row outside the staff
member's area is a 404 there too, history pages included. Domain models are read-only in the admin:
their changes go through the services, which check the role, lock the row and write the audit event.
"""

from __future__ import annotations

import re

from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseRedirect
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import two_factor
from accounts.models import AuditEvent, User
from accounts.scoping import AreaScopedQuerySet, scope_prefix

# Devices hold TOTP secrets and recovery codes: they are not browsed or edited in the admin.
# A lost phone is handled by the reset action below, which is audited.
for _device_model in (TOTPDevice, StaticDevice):
    if admin.site.is_registered(_device_model):
        admin.site.unregister(_device_model)

# What a 身份证号 (18 characters), a mobile phone or a bank account looks like in a search box. Area
# codes (12 digits) and 村民小组 codes (15) stay searchable.
PERSONAL_NUMBER = re.compile(r"(?<!\d)(1\d{10}|\d{16,19}|\d{17}[Xx])(?!\d)")


class NoPersonalNumberSearch:
    """The admin's search box is a GET form: a personal number typed there would land in the URL, the
    browser history and the access log. It is refused before anything is searched, and the page comes
    back without it (the 贫困户 page searches by POST)."""

    def changelist_view(self, request, extra_context=None):
        if PERSONAL_NUMBER.search(request.GET.get("q", "")):
            messages.error(
                request, "后台搜索不能输入身份证号、电话或银行账号;请在贫困户页面搜索(号码不会进入网址)。"
            )
            return HttpResponseRedirect(request.path)
        return super().changelist_view(request, extra_context)


class AreaScopedAdmin(NoPersonalNumberSearch, admin.ModelAdmin):
    """Admin pages see only rows inside the staff member's area, like every view; outside is a 404."""

    def get_queryset(self, request):
        return super().get_queryset(request).visible_to(request.user)

    def get_object(self, request, object_id, from_field=None):
        # Django's admin redirects to its index for a missing object; the project answers 404, the
        # same for a row outside the area as for one that does not exist.
        obj = super().get_object(request, object_id, from_field)
        if obj is None:
            raise Http404("该记录不存在或不在您的管辖范围内。")
        return obj

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        manager = db_field.related_model._default_manager
        if issubclass(manager._queryset_class, AreaScopedQuerySet):
            kwargs["queryset"] = manager.visible_to(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class ReadOnlyAdmin(AreaScopedAdmin):
    """A domain model in the admin: shown, never added, changed or deleted there (the services do it)."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyInline:
    """Mixin for inlines of a read-only admin."""

    extra = 0
    max_num = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ScopedHistoryMixin:
    """For django-simple-history's admin: its history pages read the history table directly, which
    would show rows of any area (defect 5). Both pages first fetch the object through the scoped
    queryset, and a past version is shown, never restored."""

    def history_view(self, request, object_id, extra_context=None):
        self.get_object(request, unquote(object_id))
        return super().history_view(request, object_id, extra_context)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        self.get_object(request, unquote(object_id))
        if request.method == "POST":
            raise PermissionDenied("历史版本只能查看,不能在后台恢复;请在系统页面修改。")
        return super().history_form_view(request, object_id, version_id, extra_context)


@admin.register(User)
class UserAdmin(NoPersonalNumberSearch, BaseUserAdmin):
    list_display = ["username", "last_name", "first_name", "role", "area", "is_active", "last_login"]
    list_filter = ["role", "is_active", "is_staff"]
    search_fields = ["username", "first_name", "last_name", "area__name"]
    autocomplete_fields = ["area"]
    actions = ["reset_two_factor"]
    fieldsets = [
        *BaseUserAdmin.fieldsets,
        ("岗位", {"fields": ["role", "area"]}),
    ]
    add_fieldsets = [
        *BaseUserAdmin.add_fieldsets,
        ("岗位", {"fields": ["role", "area"]}),
    ]

    def get_queryset(self, request):
        # A staff member manages the users of their own area only.
        prefix = scope_prefix(request.user)
        queryset = super().get_queryset(request)
        if prefix is None:
            return queryset.none()
        return queryset.filter(area__code__startswith=prefix)

    @admin.action(description="重置两步验证(手机丢失):下次登录时重新绑定")
    def reset_two_factor(self, request, queryset):
        # The queryset is already limited to the staff member's area (get_queryset).
        for user in queryset:
            two_factor.reset(user=user, actor=request.user)
        self.message_user(
            request, f"已重置 {len(queryset)} 个账号的两步验证,请通知本人重新绑定手机。", messages.SUCCESS
        )

    def get_object(self, request, object_id, from_field=None):
        obj = super().get_object(request, object_id, from_field)
        if obj is None:
            raise Http404("该用户不存在或不在您的管辖范围内。")
        return obj

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        # A county administrator assigns users to areas of their own county only: the choices, and
        # so the validation of a submitted id, come through the scoping door.
        if db_field.name == "area":
            kwargs["queryset"] = db_field.related_model.objects.visible_to(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    """痕迹管理: the domain events of the staff member's area, to read."""

    list_display = ["created_at", "event_type", "actor", "content_type", "object_id", "area_code"]
    list_filter = ["event_type", "content_type"]
    list_select_related = ["actor", "content_type"]
    date_hierarchy = "created_at"
    readonly_fields = [f.name for f in AuditEvent._meta.concrete_fields]
