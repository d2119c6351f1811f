from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts.scoping import AreaScopedQuerySet

# Digits of the 统计用区划代码 that a level's own part ends at: 530323 | 101 | 201 | 001.
SIGNIFICANT_DIGITS = {"county": 6, "township": 9, "village": 12, "group": 15}


class Area(models.Model):
    """A node of the tree 县 → 乡镇 → 行政村 → 村民小组, keyed by its 统计用区划代码.

    Counties, townships and villages carry the official 12-digit code (530323101201); a 村民小组 is
    its village's code plus three digits (530323101201003). Everything inside an area shares the
    prefix `scope_prefix`, which is how the whole system scopes data (accounts.scoping).
    """

    class Level(models.TextChoices):
        COUNTY = "county", _("县")
        TOWNSHIP = "township", _("乡镇")
        VILLAGE = "village", _("行政村")
        GROUP = "group", _("村民小组")

    # unique=True gives PostgreSQL both the unique index and a varchar_pattern_ops ("_like") index,
    # so `code LIKE '530323101%'` is an index range scan.
    code = models.CharField(_("区划代码"), max_length=15, unique=True)
    name = models.CharField(_("名称"), max_length=60)
    level = models.CharField(_("级别"), max_length=10, choices=Level.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("上级"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )

    # Base indicators of a township (seed 002's annex: 师宗县两项制度有效衔接贫困人口分解表).
    rural_population = models.PositiveIntegerField(_("乡村人口数"), null=True, blank=True)
    low_income_population = models.PositiveIntegerField(_("低收入家庭人口数"), null=True, blank=True)
    dibao_population = models.PositiveIntegerField(_("享受低保人数"), null=True, blank=True)
    disabled_population = models.PositiveIntegerField(_("已办证残疾人数"), null=True, blank=True)

    objects = AreaScopedQuerySet.as_manager()
    area_code_field = "code"

    class Meta:
        verbose_name = _("行政区划")
        verbose_name_plural = _("行政区划")
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                name="area_code_is_digits_of_level_length",
                condition=(
                    Q(code__regex=r"^\d{12}$", level__in=["county", "township", "village"])
                    | Q(code__regex=r"^\d{15}$", level="group")
                ),
            ),
            models.CheckConstraint(
                name="area_only_county_is_root",
                condition=Q(level="county", parent__isnull=True)
                | Q(~Q(level="county"), parent__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def scope_prefix(self) -> str:
        """The code prefix shared by this area and everything inside it."""
        return self.code[: SIGNIFICANT_DIGITS[self.level]]

    def contains(self, other: Area) -> bool:
        return other.code.startswith(self.scope_prefix)

    def ancestors(self) -> list[Area]:
        """From the county down to the parent, in one query."""
        prefixes = [self.code[:n].ljust(12, "0") for n in (6, 9, 12) if n < SIGNIFICANT_DIGITS[self.level]]
        return list(Area.objects.filter(code__in=prefixes).order_by("code"))

    @property
    def full_name(self) -> str:
        return "".join(a.name for a in self.ancestors()[1:]) + self.name

    @property
    def child_level(self) -> str | None:
        order = list(self.Level.values)
        index = order.index(self.level)
        return order[index + 1] if index + 1 < len(order) else None
