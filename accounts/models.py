from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.scoping import AreaScopedQuerySet


class Role(models.TextChoices):
    VILLAGE_CADRE = "village_cadre", _("村级录入员")
    TOWNSHIP_OFFICIAL = "township_official", _("乡镇审核员")
    COUNTY_FUPIN = "county_fupin", _("县扶贫办")
    COUNTY_MINZHENG = "county_minzheng", _("县民政局")
    ADMIN = "admin", _("系统管理员")
    # 市扶贫办: a prefecture's database (several counties) read by the 市; sees its counties, changes nothing.
    CITY_FUPIN = "city_fupin", _("市扶贫办")
    # 帮扶责任人: scoped to the households paired with them (assistance.Pairing), not to an area.
    HELPER = "helper", _("帮扶责任人")


# The area level each role works at: a village cadre belongs to one 行政村, and so on. None: the role
# has no area at all (a 帮扶责任人 sees the households paired with them, wherever they are).
ROLE_AREA_LEVEL: dict[str, str | None] = {
    Role.VILLAGE_CADRE: "village",
    Role.TOWNSHIP_OFFICIAL: "township",
    Role.COUNTY_FUPIN: "county",
    Role.COUNTY_MINZHENG: "county",
    Role.ADMIN: "county",
    Role.CITY_FUPIN: "city",
    Role.HELPER: None,
}


class User(AbstractUser):
    role = models.CharField(_("角色"), max_length=20, choices=Role.choices, blank=True)
    area = models.ForeignKey(
        "villages.Area",
        verbose_name=_("所属区划"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="users",
        help_text=_("用户只能查看和修改本区划内的数据。"),
    )

    class Meta:
        verbose_name = _("用户")
        verbose_name_plural = _("用户")

    def clean(self) -> None:
        super().clean()
        if not self.role:
            return
        expected = ROLE_AREA_LEVEL[Role(self.role)]
        if expected is None:
            # Without an area every area-bound check (statistics, reports, dashboards) refuses the
            # user, and accounts.scoping gives them their paired households only.
            if self.area is not None:
                raise ValidationError(
                    {
                        "area": _("%(role)s 不设所属区划,只能看到结对的农户。")
                        % {"role": self.get_role_display()}
                    }
                )
            return
        if self.area is None:
            raise ValidationError({"area": _("请为该角色指定所属区划。")})
        if self.area.level != expected:
            raise ValidationError(
                {
                    "area": _("%(role)s 的所属区划必须是%(level)s。")
                    % {"role": self.get_role_display(), "level": self.area.Level(expected).label}
                }
            )

    @property
    def is_helper(self) -> bool:
        return self.role == Role.HELPER

    @property
    def is_county(self) -> bool:
        return self.role in (Role.COUNTY_FUPIN, Role.COUNTY_MINZHENG, Role.ADMIN)


class AuditEvent(models.Model):
    """One domain event (痕迹管理): who did what to which object, when, and why.

    Written by the services themselves (accounts.audit), never by signals, so that bulk paths leave
    the same trail as single moves. `area_code` is the object's area at the time, which scopes the
    log like everything else.
    """

    event_type = models.CharField(_("事件"), max_length=60, db_index=True)
    actor = models.ForeignKey(
        User, verbose_name=_("操作人"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("时间"), default=timezone.now, db_index=True)
    # Empty for events about no one stored object: a failed login with an unknown username, and the
    # access events recorded at the edge (a download, an import request: their view and ids are in `new`).
    content_type = models.ForeignKey(
        ContentType,
        verbose_name=_("对象类型"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    object_id = models.PositiveBigIntegerField(_("对象编号"), null=True, blank=True)
    # db_index on a CharField also gives PostgreSQL the varchar_pattern_ops index for prefix scoping.
    area_code = models.CharField(_("区划代码"), max_length=15, db_index=True)
    old = models.JSONField(_("原值"), default=dict, blank=True, encoder=DjangoJSONEncoder)
    new = models.JSONField(_("新值"), default=dict, blank=True, encoder=DjangoJSONEncoder)
    reason = models.TextField(_("原因"), blank=True)
    # Where the request came from (accounts.request_context); empty for Celery tasks and commands.
    ip = models.GenericIPAddressField(_("IP 地址"), null=True, blank=True)
    request_id = models.CharField(_("请求编号"), max_length=64, blank=True, db_index=True)

    objects = AreaScopedQuerySet.as_manager()
    area_code_field = "area_code"

    class Meta:
        verbose_name = _("操作记录")
        verbose_name_plural = _("操作记录")
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["content_type", "object_id"], name="audit_object")]

    def __str__(self) -> str:
        return f"{self.label} {self.content_type_id}:{self.object_id}"

    @property
    def label(self) -> str:
        """The event in Chinese, as the apps registered it (accounts.audit.register_labels)."""
        from accounts.audit import label

        return label(self.event_type)
