"""A notice (公示), its entries and the objections (异议) against them."""

from __future__ import annotations

from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from accounts.scoping import AreaScopedQuerySet
from notices import registry


class Notice(models.Model):
    class Status(models.TextChoices):
        RUNNING = "running", _("公示中")
        CLOSED = "closed", _("已结束")

    kind = models.CharField(_("公示类型"), max_length=40, db_index=True)
    # The publisher's context, e.g. the identification round: filters lists, never read by the component.
    context = models.CharField(_("所属工作"), max_length=40, blank=True, db_index=True)
    area = models.ForeignKey(
        "villages.Area", verbose_name=_("区划"), on_delete=models.PROTECT, related_name="+"
    )
    title = models.CharField(_("标题"), max_length=120)
    starts_on = models.DateField(_("公示开始日期"))
    ends_on = models.DateField(_("公示结束日期"))
    issuing_body = models.CharField(_("公示单位"), max_length=60)
    complaint_phone = models.CharField(_("监督电话"), max_length=20)
    columns = models.JSONField(_("名单列"), default=list)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.RUNNING)
    published_by = models.ForeignKey(
        "accounts.User", verbose_name=_("发布人"), on_delete=models.PROTECT, related_name="+"
    )
    published_at = models.DateTimeField(_("发布时间"), auto_now_add=True)
    closed_at = models.DateTimeField(_("结束时间"), null=True, blank=True)

    objects = AreaScopedQuerySet.as_manager()
    area_code_field = "area__code"

    class Meta:
        verbose_name = _("公示")
        verbose_name_plural = _("公示")
        ordering = ["-starts_on", "-id"]
        constraints = [
            models.CheckConstraint(name="notices_ends_after_start", condition=Q(ends_on__gt=F("starts_on"))),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def publisher(self) -> registry.Publisher:
        return registry.publisher(self.kind)

    @property
    def kind_label(self) -> str:
        return self.publisher.label


class Entry(models.Model):
    """One subject on one notice, with the cells printed for it (personal numbers already masked).

    `struck` when the subject was taken off (an upheld objection, a send-back): it must be published again.
    """

    notice = models.ForeignKey(
        Notice, verbose_name=_("公示"), on_delete=models.PROTECT, related_name="entries"
    )
    subject_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    subject_id = models.BigIntegerField()
    subject = GenericForeignKey("subject_type", "subject_id")
    # The subject's own area (a household's 村民小组): a village cadre sees the objections to their
    # households on a township notice.
    area_code = models.CharField(_("对象区划代码"), max_length=15)
    key = models.CharField(_("编号"), max_length=40, help_text=_("公示上认得出的编号,如户编号。"))
    row = models.JSONField(_("公示内容"))
    position = models.PositiveIntegerField(_("序号"))
    struck = models.BooleanField(_("已撤下"), default=False)

    class Meta:
        verbose_name = _("公示对象")
        verbose_name_plural = _("公示对象")
        ordering = ["notice", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["notice", "subject_type", "subject_id"], name="notices_entry_once"
            ),
        ]
        indexes = [models.Index(fields=["subject_type", "subject_id"], name="notices_entry_subject")]

    def __str__(self) -> str:
        return f"{self.notice}: {self.key}"


class Objection(models.Model):
    """异议 against one entry of a running notice; verified, then dismissed or upheld."""

    class Status(models.TextChoices):
        OPEN = "open", _("待核实")
        DISMISSED = "dismissed", _("不成立")
        UPHELD = "upheld", _("成立")

    notice = models.ForeignKey(
        Notice, verbose_name=_("公示"), on_delete=models.PROTECT, related_name="objections"
    )
    entry = models.ForeignKey(
        Entry, verbose_name=_("被异议对象"), on_delete=models.PROTECT, related_name="objections"
    )
    complainant = models.CharField(_("异议人"), max_length=40, blank=True, help_text=_("可匿名。"))
    content = models.TextField(_("异议内容"))
    received_at = models.DateTimeField(_("收到时间"))
    status = models.CharField(_("处理状态"), max_length=10, choices=Status.choices, default=Status.OPEN)
    outcome = models.CharField(_("处理结果"), max_length=20, blank=True)
    verification_note = models.TextField(_("核实情况"), blank=True)
    recorded_by = models.ForeignKey(
        "accounts.User", verbose_name=_("登记人"), on_delete=models.PROTECT, related_name="+"
    )
    handled_by = models.ForeignKey(
        "accounts.User",
        verbose_name=_("核实人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    handled_at = models.DateTimeField(_("核实时间"), null=True, blank=True)

    objects = AreaScopedQuerySet.as_manager()
    area_code_field = "entry__area_code"

    class Meta:
        verbose_name = _("异议")
        verbose_name_plural = _("异议")
        ordering = ["-received_at", "-id"]
        constraints = [
            models.CheckConstraint(
                name="notices_objection_handled_has_note",
                condition=Q(status="open") | ~Q(verification_note=""),
            ),
            models.CheckConstraint(
                name="notices_objection_outcome_only_if_upheld",
                condition=(Q(status="upheld") & ~Q(outcome="")) | (~Q(status="upheld") & Q(outcome="")),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.entry.key}: {self.content[:20]}"

    @property
    def outcome_label(self) -> str:
        return self.notice.publisher.outcomes.get(self.outcome, self.outcome)
