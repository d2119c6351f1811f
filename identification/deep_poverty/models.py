"""The county's 深度贫困 criteria per round, and the lists it confirmed (identification.deep_poverty)."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts.scoping import AreaScopedQuerySet


def _weight(label: str):
    return models.PositiveSmallIntegerField(
        _(label), default=1, validators=[MaxValueValidator(100)], help_text=_("0 表示不计。")
    )


class DeepPovertyCriteria(models.Model):
    """What makes a 扶贫 household 深度贫困 in one round, and how many persons the county aims at."""

    round = models.OneToOneField(
        "identification.Round",
        verbose_name=_("识别批次"),
        on_delete=models.PROTECT,
        related_name="deep_poverty_criteria",
    )
    target_persons = models.PositiveIntegerField(
        _("深度贫困目标人数"),
        validators=[MinValueValidator(1)],
        help_text=_("县确定的深度贫困人口规模(人)。"),
    )
    income_limit = models.DecimalField(
        _("年人均纯收入不高于(元)"), max_digits=8, decimal_places=2, validators=[MinValueValidator(0)]
    )
    weight_no_labour = _weight("无劳动力(分)")
    weight_illness = _weight("大病或重度残疾(分)")
    weight_dangerous_house = _weight("危房(分)")
    weight_water = _weight("饮水困难或不安全(分)")
    min_score = models.PositiveSmallIntegerField(
        _("最低分值"), default=1, help_text=_("至少达到该分值的农户才进入排序;0 表示只看收入。")
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("设置人"), on_delete=models.PROTECT, related_name="+"
    )
    updated_at = models.DateTimeField(_("设置时间"), auto_now=True)

    WEIGHT_FIELDS = ("weight_no_labour", "weight_illness", "weight_dangerous_house", "weight_water")

    class Meta:
        app_label = "identification"
        verbose_name = _("深度贫困认定条件")
        verbose_name_plural = _("深度贫困认定条件")

    def __str__(self) -> str:
        return f"{self.round} 深度贫困认定条件"

    def snapshot(self) -> dict:
        """The criteria as they stood, kept on a confirmed list."""
        return {
            "target_persons": self.target_persons,
            "income_limit": str(self.income_limit),
            "min_score": self.min_score,
            **{name: getattr(self, name) for name in self.WEIGHT_FIELDS},
        }


class DeepPovertyList(models.Model):
    """One confirmation by the county: the ranked households within the target, as they stood then.
    The newest list of a round is the one in force (it set the 户卡 flags)."""

    round = models.ForeignKey(
        "identification.Round",
        verbose_name=_("识别批次"),
        on_delete=models.PROTECT,
        related_name="deep_poverty_lists",
    )
    area = models.ForeignKey(
        "villages.Area", verbose_name=_("区划"), on_delete=models.PROTECT, related_name="+"
    )
    criteria = models.JSONField(_("认定条件"))
    households = models.PositiveIntegerField(_("户数"))
    persons = models.PositiveIntegerField(_("人数"))
    note = models.CharField(_("说明"), max_length=200, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("确认人"), on_delete=models.PROTECT, related_name="+"
    )
    confirmed_at = models.DateTimeField(_("确认时间"), auto_now_add=True)

    objects = AreaScopedQuerySet.as_manager()
    area_code_field = "area__code"

    class Meta:
        app_label = "identification"
        verbose_name = _("深度贫困名单")
        verbose_name_plural = _("深度贫困名单")
        ordering = ["-confirmed_at", "-id"]

    def __str__(self) -> str:
        return f"{self.round} 深度贫困名单 #{self.pk}"


class DeepPovertyEntry(models.Model):
    """A household on a confirmed list, with what ranked it."""

    deep_list = models.ForeignKey(
        DeepPovertyList, verbose_name=_("名单"), on_delete=models.CASCADE, related_name="entries"
    )
    household = models.ForeignKey(
        "households.Household",
        verbose_name=_("农户"),
        on_delete=models.PROTECT,
        related_name="deep_poverty_entries",
    )
    rank = models.PositiveIntegerField(_("全县排序"))
    score = models.PositiveSmallIntegerField(_("分值"))
    per_capita_income = models.DecimalField(_("年人均纯收入(元)"), max_digits=10, decimal_places=2)
    income_year = models.PositiveSmallIntegerField(_("收入年度"))
    persons = models.PositiveSmallIntegerField(_("人数"))
    hardships = models.JSONField(_("困难情形"), default=list)

    objects = AreaScopedQuerySet.as_manager()
    area_code_field = "household__group__code"

    class Meta:
        app_label = "identification"
        verbose_name = _("深度贫困户")
        verbose_name_plural = _("深度贫困户")
        ordering = ["deep_list", "rank"]
        constraints = [
            models.UniqueConstraint(
                fields=["deep_list", "household"], name="deep_poverty_entry_once_per_list"
            ),
            models.UniqueConstraint(fields=["deep_list", "rank"], name="deep_poverty_entry_rank_unique"),
            models.CheckConstraint(name="deep_poverty_entry_persons_positive", condition=Q(persons__gte=1)),
        ]

    def __str__(self) -> str:
        return f"{self.deep_list} 第 {self.rank} 位"
