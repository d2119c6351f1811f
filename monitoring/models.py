"""防返贫监测: the county's monitoring settings, 突发严重困难 events, warnings (预警), 监测对象 and the nightly run.

Warnings and 监测对象 carry their household's 村民小组 code (`area_code`), so a township's queue is one
prefix range on an indexed column; they are written only by monitoring.services and monitoring.triggers.
"""

from __future__ import annotations

from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts.scoping import AreaScopedQuerySet
from jobs.models import Job
from monitoring.choices import (
    DATA_LABELS,
    EventKind,
    MonitoredKind,
    MonitoredState,
    ReferralKind,
    RunKind,
    Trigger,
    WarningStatus,
)

DEFAULT_LINE_FACTOR = Decimal("1.50")  # issue 12: the monitoring line, default 1.5 × the round's poverty line
DEFAULT_DROP_SHARE = Decimal("0.300")
DEFAULT_MEDICAL_SHARE = Decimal("0.500")


def _share(verbose: str, default: Decimal, help_text: str):
    return models.DecimalField(
        verbose,
        max_digits=4,
        decimal_places=3,
        default=default,
        validators=[MinValueValidator(Decimal("0.01")), MaxValueValidator(Decimal("1"))],
        help_text=help_text,
    )


def _code_field():
    # The household's 村民小组 code; varchar_pattern_ops so that a township's prefix uses the index.
    return models.CharField(_("区划代码"), max_length=15)


class MonitoringSettings(models.Model):
    """What the county sets for monitoring; a county without a row uses the defaults."""

    county = models.OneToOneField(
        "villages.Area",
        verbose_name=_("县"),
        on_delete=models.PROTECT,
        related_name="monitoring_settings",
        limit_choices_to={"level": "county"},
    )
    line_factor = models.DecimalField(
        _("监测线倍数"),
        max_digits=4,
        decimal_places=2,
        default=DEFAULT_LINE_FACTOR,
        validators=[MinValueValidator(Decimal("1")), MaxValueValidator(Decimal("5"))],
        help_text=_("监测线 = 扶贫标准 × 倍数(默认 1.5)。"),
    )
    drop_share = _share(
        _("收入下降比例"), DEFAULT_DROP_SHARE, _("人均纯收入比上年下降超过此比例即预警(如 0.3 即 30%)。")
    )
    medical_share = _share(
        _("医疗支出占收入比例"),
        DEFAULT_MEDICAL_SHARE,
        _("因病户一年医疗自付费用超过家庭纯收入的此比例即预警。"),
    )

    objects = AreaScopedQuerySet.as_manager()
    area_code_field = "county__code"

    class Meta:
        verbose_name = _("监测设置")
        verbose_name_plural = _("监测设置")

    def __str__(self) -> str:
        return f"{self.county}监测设置"


class HardshipEvent(models.Model):
    """突发严重困难: an event the village records (因灾/因病/因意外…), with its date, amount and description.
    For 因病 the amount is the household's own medical costs (IncomeRecord has no medical costs)."""

    household = models.ForeignKey(
        "households.Household",
        verbose_name=_("农户"),
        on_delete=models.PROTECT,
        related_name="hardship_events",
    )
    kind = models.CharField(_("类型"), max_length=6, choices=EventKind.choices)
    occurred_on = models.DateField(_("发生日期"))
    amount = models.DecimalField(
        _("损失或医疗自付金额(元)"),
        max_digits=12,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0"))],
    )
    description = models.TextField(_("情况说明"))
    recorded_by = models.ForeignKey(
        "accounts.User", verbose_name=_("登记人"), on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    objects = AreaScopedQuerySet.as_manager()
    area_code_field = "household__group__code"
    helper_household_field = "household"

    class Meta:
        verbose_name = _("突发严重困难")
        verbose_name_plural = _("突发严重困难")
        ordering = ["-occurred_on", "-id"]
        constraints = [
            models.CheckConstraint(name="hardship_amount_not_negative", condition=Q(amount__gte=0))
        ]

    def __str__(self) -> str:
        return f"{self.household} {self.occurred_on} {self.kind}"


class MonitoringRun(Job):
    """One run of every trigger over the county (nightly by Celery beat, or started by the county)."""

    STALE_MESSAGE = "监测运行中断(后台进程已退出),请重新运行。"

    kind = models.CharField(_("方式"), max_length=10, choices=RunKind.choices, default=RunKind.NIGHTLY)
    as_of = models.DateField(_("检查日期"))
    started_by = models.ForeignKey(
        "accounts.User",
        verbose_name=_("启动人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    households_checked = models.PositiveIntegerField(_("检查户数"), default=0)
    raised = models.JSONField(_("各类预警新增数"), default=dict, blank=True)

    class Meta:
        verbose_name = _("监测运行")
        verbose_name_plural = _("监测运行")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"监测运行 {self.as_of}"

    @property
    def raised_total(self) -> int:
        return sum(self.raised.values())

    @property
    def raised_rows(self) -> list[tuple[str, int]]:
        return [(label, self.raised.get(value, 0)) for value, label in Trigger.choices]


class Warning(models.Model):
    """预警: raised once per cause (household, trigger, cause key), with its reason and data, into the
    township's queue; verified (入户核实) and decided there."""

    household = models.ForeignKey(
        "households.Household", verbose_name=_("农户"), on_delete=models.PROTECT, related_name="warnings"
    )
    trigger = models.CharField(_("预警类型"), max_length=20, choices=Trigger.choices)
    cause_key = models.CharField(_("预警依据编号"), max_length=60)
    area_code = _code_field()
    reason = models.CharField(_("预警原因"), max_length=300)
    data = models.JSONField(_("预警数据"), default=dict)
    raised_at = models.DateTimeField(_("预警时间"))
    run = models.ForeignKey(
        MonitoringRun,
        verbose_name=_("监测运行"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="warnings",
    )
    status = models.CharField(
        _("状态"), max_length=10, choices=WarningStatus.choices, default=WarningStatus.PENDING
    )
    # 入户核实
    visited_on = models.DateField(_("核实日期"), null=True, blank=True)
    visitors = models.CharField(_("核实人员"), max_length=100, blank=True)
    findings = models.TextField(_("核实情况"), blank=True)
    verified_by = models.ForeignKey(
        "accounts.User",
        verbose_name=_("核实登记人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # 研判
    decision_reason = models.TextField(_("处理意见"), blank=True)
    decided_by = models.ForeignKey(
        "accounts.User",
        verbose_name=_("处理人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("处理时间"), null=True, blank=True)
    referral_kind = models.CharField(
        _("转入识别类型"), max_length=10, choices=ReferralKind.choices, blank=True
    )
    application = models.ForeignKey(
        "identification.Application",
        verbose_name=_("识别申请"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    objects = AreaScopedQuerySet.as_manager()
    area_code_field = "area_code"

    class Meta:
        verbose_name = _("预警")
        verbose_name_plural = _("预警")
        ordering = ["-raised_at", "-id"]
        constraints = [
            # Re-runs and repeated data entry raise nothing new: one warning per cause.
            models.UniqueConstraint(
                fields=["household", "trigger", "cause_key"], name="warning_once_per_cause"
            ),
            models.CheckConstraint(
                name="warning_applied_has_application",
                condition=~Q(status="applied") | Q(application__isnull=False),
            ),
        ]
        indexes = [
            models.Index(
                fields=["area_code", "status"],
                name="warning_area_status",
                opclasses=["varchar_pattern_ops", "varchar_pattern_ops"],
            ),
        ]

    def __str__(self) -> str:
        return f"{self.household} {self.get_trigger_display()}"

    @property
    def data_rows(self) -> list[tuple[str, object]]:
        return [
            (DATA_LABELS.get(key, key), value) for key, value in self.data.items() if not key.endswith("_id")
        ]


class MonitoredHousehold(models.Model):
    """监测对象: a household under monitoring with its 帮扶 plan, until its risk is cleared (风险消除)."""

    household = models.ForeignKey(
        "households.Household", verbose_name=_("农户"), on_delete=models.PROTECT, related_name="monitoring"
    )
    kind = models.CharField(_("监测对象类型"), max_length=10, choices=MonitoredKind.choices)
    state = models.CharField(
        _("状态"), max_length=20, choices=MonitoredState.choices, default=MonitoredState.MONITORING
    )
    area_code = _code_field()
    warning = models.ForeignKey(
        Warning,
        verbose_name=_("来源预警"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="monitored",
    )
    plan = models.ForeignKey(
        "assistance.Plan",
        verbose_name=_("帮扶计划"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    started_on = models.DateField(_("纳入监测日期"))
    # 风险消除: 核实
    clear_visited_on = models.DateField(_("风险消除核实日期"), null=True, blank=True)
    clear_visitors = models.CharField(_("核实人员"), max_length=100, blank=True)
    clear_findings = models.TextField(_("核实情况"), blank=True)
    # 评议
    review_held_on = models.DateField(_("评议日期"), null=True, blank=True)
    review_attendance = models.PositiveSmallIntegerField(_("参会人数"), null=True, blank=True)
    review_votes_for = models.PositiveSmallIntegerField(_("同意票"), null=True, blank=True)
    review_minutes = models.TextField(_("评议记录"), blank=True)
    # 县审批, 公告
    approved_by = models.ForeignKey(
        "accounts.User",
        verbose_name=_("审批人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    approved_at = models.DateTimeField(_("审批时间"), null=True, blank=True)
    announced_on = models.DateField(_("公告日期"), null=True, blank=True)
    sent_back_reason = models.TextField(_("退回原因"), blank=True)

    objects = AreaScopedQuerySet.as_manager()
    area_code_field = "area_code"

    class Meta:
        verbose_name = _("监测对象")
        verbose_name_plural = _("监测对象")
        ordering = ["area_code", "household__number"]
        constraints = [
            models.UniqueConstraint(
                fields=["household"], condition=~Q(state="cleared"), name="monitored_one_open_per_household"
            ),
            models.CheckConstraint(
                name="monitored_votes_within_attendance",
                condition=Q(review_votes_for__isnull=True)
                | Q(review_votes_for__lte=models.F("review_attendance")),
            ),
        ]
        indexes = [
            models.Index(
                fields=["area_code", "state"],
                name="monitored_area_state",
                opclasses=["varchar_pattern_ops", "varchar_pattern_ops"],
            ),
        ]

    def __str__(self) -> str:
        return f"{self.household} {self.get_kind_display()}"

    @property
    def is_open(self) -> bool:
        return self.state != MonitoredState.CLEARED
