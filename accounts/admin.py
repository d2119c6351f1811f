from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import two_factor
from accounts.models import User
from accounts.scoping import AreaScopedQuerySet, scope_prefix

# Devices hold TOTP secrets and recovery codes: they are not browsed or edited in the admin.
# A lost phone is handled by the reset action below, which is audited.
for _device_model in (TOTPDevice, StaticDevice):
    if admin.site.is_registered(_device_model):
        admin.site.unregister(_device_model)


class AreaScopedAdmin(admin.ModelAdmin):
    """Admin pages see and change only rows inside the staff member's area, like every view."""

    def get_queryset(self, request):
        return super().get_queryset(request).visible_to(request.user)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        manager = db_field.related_model._default_manager
        if issubclass(manager._queryset_class, AreaScopedQuerySet):
            kwargs["queryset"] = manager.visible_to(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(User)
class UserAdmin(BaseUserAdmin):
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
