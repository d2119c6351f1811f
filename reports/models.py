"""The reports table: one row per export a user (or the nightly schedule) asked for, with its file."""

from __future__ import annotations

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.scoping import AreaScopedQuerySet
from jobs.models import Job, Status

__all__ = [
    "Kind",
    "Report",
    "Status",
]  # Status: the jobs' four states, imported from here by the reports code


class Kind(models.TextChoices):
    """What can be exported; the values are the `export_ledger KIND` names."""

    HOUSEHOLD_CARD = "household-card", _("户有卡(贫困户登记表)")
    VILLAGE_REGISTER = "village-register", _("村有册(贫困户花名册)")
    TOWNSHIP_BOOK = "township-book", _("乡有簿")
    COUNTY_ARCHIVE = "county-archive", _("县电子档案")
    ROSTER = "roster", _("花名册(导入格式)")
    VILLAGE_FORM = "village-form", _("行政村登记表")
    GROUP_FORM = "group-form", _("村民小组登记表")
    QUOTA_TABLE = "quota-table", _("贫困人口分解表")
    COVERAGE = "coverage", _("帮扶整改清单")


class Report(Job):
    """An export: who asked, for what area and round, how far it got, and the file it produced.

    The file is kept until its owner deletes the row or `expires_at` passes (reports.tasks).
    """

    STATUS_LABELS = {Status.RUNNING: "生成中"}
    STALE_MESSAGE = "生成中断(后台进程已退出),请点击“重试”。"

    kind = models.CharField(_("台账类型"), max_length=20, choices=Kind.choices)
    area = models.ForeignKey(
        "villages.Area", verbose_name=_("区划"), on_delete=models.PROTECT, related_name="reports"
    )
    round = models.ForeignKey(
        "identification.Round",
        verbose_name=_("识别批次"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="reports",
    )
    household = models.ForeignKey(
        "households.Household",
        verbose_name=_("农户"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="reports",
        help_text=_("只用于单户的户卡。"),
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("申请人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="reports",
        help_text=_("空表示夜间定时生成的常备报表。"),
    )
    standing = models.BooleanField(_("常备报表"), default=False)
    # What the file shows whole (reports.privacy: id_number, phone, bank_account, health), fixed when
    # the row is made; a download needs at least this level.
    reveals = ArrayField(
        models.CharField(max_length=20), verbose_name=_("完整显示的个人信息"), default=list, blank=True
    )
    file = models.FileField(_("文件"), upload_to="reports/%Y/%m/", blank=True)
    filename = models.CharField(_("下载文件名"), max_length=200, blank=True)
    size = models.PositiveBigIntegerField(_("文件大小(字节)"), null=True, blank=True)
    rows = models.PositiveIntegerField(_("行数"), null=True, blank=True)
    expires_at = models.DateTimeField(_("保留至"), null=True, blank=True)

    objects = AreaScopedQuerySet.as_manager()
    area_code_field = "area__code"

    class Meta:
        verbose_name = _("报表")
        verbose_name_plural = _("报表")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["status", "heartbeat_at"], name="report_status_heartbeat"),
            models.Index(fields=["expires_at"], name="report_expires_at"),
        ]
        constraints = [
            models.CheckConstraint(
                name="report_household_card_names_household",
                condition=models.Q(kind="household-card") | models.Q(household__isnull=True),
            ),
            models.CheckConstraint(name="report_progress_le_100", condition=models.Q(progress__lte=100)),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.area}"

    @property
    def is_downloadable(self) -> bool:
        return self.status == Status.DONE and bool(self.file) and not self.is_expired

    @property
    def is_expired(self) -> bool:
        return self.expires_at is not None and self.expires_at <= timezone.now()
