from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts.scoping import AreaScopedQuerySet

# Digits of the 统计用区划代码 that a level's own part ends at: 5303 | 23 | 101 | 201 | 001.
SIGNIFICANT_DIGITS = {"city": 4, "county": 6, "township": 9, "village": 12, "group": 15}


def county_code(area_code: str) -> str:
    """The code of the county an area (below the 市) lies in: a database may hold a prefecture's counties."""
    return area_code[:6].ljust(12, "0")


class Area(models.Model):
    """A node of the tree (市 →) 县 → 乡镇 → 行政村 → 村民小组, keyed by its 统计用区划代码.

    A county deployment has the county as its root; a prefecture's database (several counties on one
    PostgreSQL, DESIGN.md "Scale") puts them under their 市 (曲靖市 530300000000).

    Counties, townships and villages carry the official 12-digit code (530323101201); a 村民小组 is
    its village's code plus three digits (530323101201003). Everything inside an area shares the
    prefix `scope_prefix`, which is how the whole system scopes data (accounts.scoping).
    """

    class Level(models.TextChoices):
        CITY = "city", _("市")
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
                    Q(code__regex=r"^\d{12}$", level__in=["city", "county", "township", "village"])
                    | Q(code__regex=r"^\d{15}$", level="group")
                ),
            ),
            # A 市 is always a root; a county is one too unless its 市 is registered; the rest hang below.
            models.CheckConstraint(
                name="area_only_city_or_county_is_root",
                condition=Q(level="city", parent__isnull=True)
                | Q(level="county")
                | Q(~Q(level__in=["city", "county"]), parent__isnull=False),
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
        """From the root (the 市 where registered, else the county) down to the parent, in one query."""
        prefixes = [self.code[:n].ljust(12, "0") for n in (4, 6, 9, 12) if n < SIGNIFICANT_DIGITS[self.level]]
        return list(Area.objects.filter(code__in=prefixes).order_by("code"))

    @property
    def full_name(self) -> str:
        """The name below the county: 丹凤镇山龙村民委员会大寨组."""
        above = (self.Level.CITY, self.Level.COUNTY)
        return "".join(a.name for a in self.ancestors() if a.level not in above) + self.name

    @property
    def child_level(self) -> str | None:
        order = list(self.Level.values)
        index = order.index(self.level)
        return order[index + 1] if index + 1 < len(order) else None


# The levels that have a 村情概况 (AreaProfile).
PROFILE_LEVELS = (Area.Level.VILLAGE, Area.Level.GROUP)


class AreaProfile(models.Model):
    """The 行政村登记表 facts of a 行政村 (or of one 村民小组 where the village records it per group).

    One row per area, created when first filled in; an area without one has simply not been surveyed.
    The registry's own counts (households, persons, the poor) are never stored here: they are counted
    from the rolls by reports.statistics, so the 登记表 can never disagree with the 户卡.
    """

    area = models.OneToOneField(
        Area,
        verbose_name=_("区划"),
        on_delete=models.CASCADE,
        related_name="profile",
        limit_choices_to={"level__in": ["village", "group"]},
    )
    is_poor_village = models.BooleanField(_("是否贫困村"), default=False)
    has_paved_road = models.BooleanField(_("通硬化路"), default=False)
    has_tap_water = models.BooleanField(_("通自来水"), default=False)
    drinking_water_safe = models.BooleanField(_("饮水安全"), default=False)
    has_power = models.BooleanField(_("通生产生活用电"), default=False)
    has_clinic = models.BooleanField(_("有标准化卫生室"), default=False)
    has_school = models.BooleanField(_("有学校(教学点)"), default=False)
    has_broadband = models.BooleanField(_("通宽带"), default=False)
    collective_income = models.DecimalField(
        _("村集体经济收入(元)"),
        max_digits=12,
        decimal_places=2,
        default=0,
        validators=[MinValueValidator(0)],
        help_text=_("上一年度村集体经济经营性收入。"),
    )
    net_income_per_capita = models.DecimalField(
        _("农民人均纯收入(元)"),
        max_digits=10,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
        help_text=_("上一年度,按统计口径填报;不填时贫困村识别按农户收入台账计算。"),
    )
    # Set only by the county: marking from a 贫困村识别 ranking (identification.poor_villages) and
    # approving a 贫困村退出 (exits). Never on the village's own profile form.
    poor_village_year = models.PositiveSmallIntegerField(_("列为贫困村年度"), null=True, blank=True)
    poor_village_exit_year = models.PositiveSmallIntegerField(_("贫困村退出年度"), null=True, blank=True)
    distance_to_township_km = models.DecimalField(
        _("距乡镇政府(公里)"),
        max_digits=5,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = AreaScopedQuerySet.as_manager()
    area_code_field = "area__code"

    # The yes/no facts in the order of the 行政村登记表; exports and the area page iterate over this.
    FACILITY_FIELDS = (
        "has_paved_road",
        "has_tap_water",
        "drinking_water_safe",
        "has_power",
        "has_clinic",
        "has_school",
        "has_broadband",
    )

    class Meta:
        verbose_name = _("村情概况")
        verbose_name_plural = _("村情概况")
        ordering = ["area__code"]
        constraints = [
            models.CheckConstraint(name="profile_income_not_negative", condition=Q(collective_income__gte=0)),
            models.CheckConstraint(
                name="profile_net_income_not_negative",
                condition=Q(net_income_per_capita__isnull=True) | Q(net_income_per_capita__gte=0),
            ),
            models.CheckConstraint(
                name="profile_distance_not_negative",
                condition=Q(distance_to_township_km__isnull=True) | Q(distance_to_township_km__gte=0),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.area}村情概况"

    def clean(self) -> None:
        super().clean()
        if self.area_id and self.area.level not in (Area.Level.VILLAGE, Area.Level.GROUP):
            raise ValidationError({"area": _("只有行政村和村民小组有村情概况。")})
