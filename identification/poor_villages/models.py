"""The county's 贫困村识别 settings, its ranking runs (a `jobs.Job`), and one row per ranked area."""

from __future__ import annotations

import datetime

from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts.scoping import AreaScopedQuerySet
from jobs.models import Job


class RankingSettings(models.Model):
    """The indicators and weights the county (县扶贫办) uses; a weight of 0 leaves an indicator out."""

    county = models.OneToOneField(
        "villages.Area", verbose_name=_("县"), on_delete=models.PROTECT, related_name="+"
    )
    weights = models.JSONField(_("指标权重(%)"), default=dict)  # {indicator code: "35"}
    updated_by = models.ForeignKey(
        "accounts.User", verbose_name=_("设置人"), on_delete=models.PROTECT, related_name="+"
    )
    updated_at = models.DateTimeField(_("设置时间"), auto_now=True)

    objects = AreaScopedQuerySet.as_manager()
    area_code_field = "county__code"

    class Meta:
        verbose_name = _("贫困村识别指标")
        verbose_name_plural = _("贫困村识别指标")

    def __str__(self) -> str:
        return f"{self.county}贫困村识别指标"


class RankingRun(Job):
    """One scoring of every 行政村 and 村民小组 of a county, kept with its weights and, row by row, the
    figures it read (`RankingRow`), so that any score can be traced back to its inputs."""

    STALE_AFTER = datetime.timedelta(minutes=5)

    county = models.ForeignKey(
        "villages.Area", verbose_name=_("县"), on_delete=models.PROTECT, related_name="+"
    )
    year = models.PositiveSmallIntegerField(_("识别年度"))
    income_year = models.PositiveSmallIntegerField(_("收入年度"))
    weights = models.JSONField(_("指标权重(%)"))
    # Per level: the lowest and highest value of each min–max indicator, the number of units, and the
    # units lacking data ({"village": {"poverty_rate": ["0.0000", "41.2000"], …, "units": 115, …}}).
    summary = models.JSONField(_("测算概况"), default=dict, blank=True)
    note = models.CharField(_("说明"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        "accounts.User", verbose_name=_("测算人"), on_delete=models.PROTECT, related_name="+"
    )
    marked_by = models.ForeignKey(
        "accounts.User",
        verbose_name=_("认定人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    marked_at = models.DateTimeField(_("认定时间"), null=True, blank=True)

    objects = AreaScopedQuerySet.as_manager()
    area_code_field = "county__code"

    class Meta:
        verbose_name = _("贫困村识别测算")
        verbose_name_plural = _("贫困村识别测算")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"贫困村识别测算 #{self.pk}"


class RankingRow(models.Model):
    """One 行政村 or 村民小组 of a run: the figures read, each indicator's score, the total and the ranks."""

    class IncomeSource(models.TextChoices):
        PROFILE = "profile", _("村情概况填报")
        REGISTRY = "registry", _("农户收入台账")
        NONE = "", _("无数据")

    run = models.ForeignKey(RankingRun, verbose_name=_("测算"), on_delete=models.CASCADE, related_name="rows")
    area = models.ForeignKey(
        "villages.Area", verbose_name=_("区划"), on_delete=models.PROTECT, related_name="+"
    )
    level = models.CharField(_("级别"), max_length=10)
    persons = models.PositiveIntegerField(_("台账人口"))
    fupin_persons = models.PositiveIntegerField(_("扶贫对象人数"))
    poverty_rate = models.DecimalField(_("贫困发生率(%)"), max_digits=7, decimal_places=4, null=True)
    net_income = models.DecimalField(_("农民人均纯收入(元)"), max_digits=12, decimal_places=2, null=True)
    income_source = models.CharField(_("收入来源"), max_length=10, choices=IncomeSource.choices, blank=True)
    collective_income = models.DecimalField(
        _("村集体经济收入(元)"), max_digits=12, decimal_places=2, null=True
    )
    facilities = models.JSONField(_("基础设施与公益事业"), default=dict)  # {indicator code: true/false/null}
    # Whose 村情概况 the general indicators come from: the area's own, its village's (a 村民小组), none.
    profile_of = models.CharField(_("概况来源"), max_length=10, blank=True)
    parts = models.JSONField(_("分项得分"), default=dict)  # {indicator code: 0–100}
    score = models.DecimalField(_("综合得分"), max_digits=7, decimal_places=3)
    rank = models.PositiveIntegerField(_("全县排序"))
    township_rank = models.PositiveIntegerField(_("乡镇内排序"))
    marked = models.BooleanField(_("认定为贫困村"), default=False)

    objects = AreaScopedQuerySet.as_manager()
    area_code_field = "area__code"

    class Meta:
        verbose_name = _("贫困村识别排序")
        verbose_name_plural = _("贫困村识别排序")
        ordering = ["run", "level", "rank", "area__code"]
        constraints = [models.UniqueConstraint(fields=["run", "area"], name="poor_village_row_once")]
        indexes = [models.Index(fields=["run", "level", "rank"], name="poor_village_row_rank")]

    def __str__(self) -> str:
        return f"{self.area} #{self.rank}"
