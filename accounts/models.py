from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    VILLAGE_CADRE = "village_cadre", _("村级录入员")
    TOWNSHIP_OFFICIAL = "township_official", _("乡镇审核员")
    COUNTY_FUPIN = "county_fupin", _("县扶贫办")
    COUNTY_MINZHENG = "county_minzheng", _("县民政局")
    ADMIN = "admin", _("系统管理员")


# The area level each role works at: a village cadre belongs to one 行政村, and so on.
ROLE_AREA_LEVEL = {
    Role.VILLAGE_CADRE: "village",
    Role.TOWNSHIP_OFFICIAL: "township",
    Role.COUNTY_FUPIN: "county",
    Role.COUNTY_MINZHENG: "county",
    Role.ADMIN: "county",
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
        if self.area is None:
            raise ValidationError({"area": _("请为该角色指定所属区划。")})
        expected = ROLE_AREA_LEVEL[Role(self.role)]
        if self.area.level != expected:
            raise ValidationError(
                {
                    "area": _("%(role)s 的所属区划必须是%(level)s。")
                    % {"role": self.get_role_display(), "level": self.area.Level(expected).label}
                }
            )

    @property
    def is_county(self) -> bool:
        return self.role in (Role.COUNTY_FUPIN, Role.COUNTY_MINZHENG, Role.ADMIN)
