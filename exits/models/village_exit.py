"""贫困村退出: the county's exit standard and one exit of one 贫困村 (propose → 公示 → approve)."""

from __future__ import annotations

from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts.scoping import AreaScopedQuerySet

# The national rule for the western provinces, Yunnan included (exits/README.md); seed 001's 2% is Liaoning's.
DEFAULT_THRESHOLD = Decimal("3.00")


class VillageExitSettings(models.Model):
    """The county's standard for a 贫困村 to exit: 贫困发生率 below the threshold, and the other conditions
    it chooses (the 行政村登记表's facilities, collective income and 人均纯收入 at least a figure)."""

    county = models.OneToOneField(
        "villages.Area", verbose_name=_("县"), on_delete=models.PROTECT, related_name="+"
    )
    threshold = models.DecimalField(
        _("贫困发生率低于(%)"),
        max_digits=5,
        decimal_places=2,
        default=DEFAULT_THRESHOLD,
        validators=[MinValueValidator(Decimal("0.01")), MaxValueValidator(Decimal(100))],
    )
    # Codes of identification.poor_villages.indicators.FACILITIES the village must have (road, water…).
    facilities = models.JSONField(_("须具备的基础设施和公益事业"), default=list, blank=True)
    min_collective_income = models.DecimalField(
        _("村集体经济收入不低于(元)"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    min_net_income = models.DecimalField(
        _("农民人均纯收入不低于(元)"), max_digits=10, decimal_places=2, null=True, blank=True
    )
    updated_by = models.ForeignKey(
        "accounts.User", verbose_name=_("设置人"), on_delete=models.PROTECT, related_name="+"
    )
    updated_at = models.DateTimeField(_("设置时间"), auto_now=True)

    objects = AreaScopedQuerySet.as_manager()
    area_code_field = "county__code"

    class Meta:
        verbose_name = _("贫困村退出标准")
        verbose_name_plural = _("贫困村退出标准")
        constraints = [
            models.CheckConstraint(
                name="village_exit_threshold_in_range", condition=Q(threshold__gt=0, threshold__lte=100)
            )
        ]

    def __str__(self) -> str:
        return f"{self.county}贫困村退出标准"


class VillageExitState(models.TextChoices):
    PROPOSED = "proposed", _("乡镇已申报")
    PUBLICIZING = "publicizing", _("公示中")
    PUBLICIZED = "publicized", _("公示无异议")
    APPROVED = "approved", _("已批准退出")
    REJECTED = "rejected", _("不予退出")


OPEN_STATES = (VillageExitState.PROPOSED, VillageExitState.PUBLICIZING, VillageExitState.PUBLICIZED)


class VillageExit(models.Model):
    """One 贫困村's exit in one year, with the figures and the conditions as checked when proposed and
    again when approved (`figures`, `checks`), so that the decision can be traced."""

    State = VillageExitState

    village = models.ForeignKey(
        "villages.Area", verbose_name=_("行政村"), on_delete=models.PROTECT, related_name="+"
    )
    year = models.PositiveSmallIntegerField(_("退出年度"))
    state = models.CharField(
        _("状态"), max_length=12, choices=VillageExitState.choices, default=VillageExitState.PROPOSED
    )
    # {persons, fupin_persons, poverty_rate, net_income, collective_income, facilities, threshold}
    figures = models.JSONField(_("退出时数据"), default=dict)
    # [{code, label, ok, detail}] — each condition of the county's standard, with the numbers.
    checks = models.JSONField(_("退出条件核查"), default=list)
    note = models.CharField(_("申报说明"), max_length=300, blank=True)
    proposed_by = models.ForeignKey(
        "accounts.User", verbose_name=_("申报人"), on_delete=models.PROTECT, related_name="+"
    )
    proposed_at = models.DateTimeField(_("申报时间"), auto_now_add=True)
    decided_by = models.ForeignKey(
        "accounts.User",
        verbose_name=_("审批人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("审批时间"), null=True, blank=True)
    decision_note = models.CharField(_("审批意见"), max_length=300, blank=True)

    objects = AreaScopedQuerySet.as_manager()
    area_code_field = "village__code"

    class Meta:
        verbose_name = _("贫困村退出")
        verbose_name_plural = _("贫困村退出")
        ordering = ["-year", "village__code"]
        constraints = [
            models.UniqueConstraint(
                fields=["village"],
                condition=Q(state__in=["proposed", "publicizing", "publicized"]),
                name="village_exit_one_open",
            ),
            models.CheckConstraint(
                name="village_exit_decided_has_decider",
                condition=Q(state__in=["proposed", "publicizing", "publicized"])
                | Q(decided_by__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.village}{self.year}年贫困村退出"

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_STATES
