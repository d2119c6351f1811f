"""低保 side of 有进有出 (seed 002 四(三)): proposals of 退保 and 纳入 that 民政 decides."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts.scoping import AreaScopedQuerySet


class DibaoProposal(models.Model):
    class Kind(models.TextChoices):
        EXIT = "exit", _("退保")
        ENTER = "enter", _("纳入")

    class Status(models.TextChoices):
        PENDING = "pending", _("待民政决定")
        ACCEPTED = "accepted", _("同意")
        DECLINED = "declined", _("不同意")

    class Source(models.TextChoices):
        INCOME = "income", _("收入核算")
        OBJECTION = "objection", _("县级公告异议复核")

    household = models.ForeignKey(
        "households.Household",
        verbose_name=_("农户"),
        on_delete=models.PROTECT,
        related_name="dibao_proposals",
    )
    kind = models.CharField(_("类型"), max_length=10, choices=Kind.choices)
    # The income year the proposal was computed from (or the year of the objection).
    year = models.PositiveSmallIntegerField(_("收入年度"))
    source = models.CharField(_("来源"), max_length=10, choices=Source.choices, default=Source.INCOME)
    per_capita = models.DecimalField(
        _("人均纯收入(不含低保金、特困供养金)"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    dibao_line = models.DecimalField(_("农村低保标准"), max_digits=8, decimal_places=2, null=True, blank=True)
    detail = models.CharField(_("依据"), max_length=300)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.PENDING)
    decision_reason = models.TextField(_("决定理由"), blank=True)
    decided_by = models.ForeignKey(
        "accounts.User",
        verbose_name=_("决定人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("决定时间"), null=True, blank=True)
    created_at = models.DateTimeField(_("提出时间"), auto_now_add=True)

    objects = AreaScopedQuerySet.as_manager()
    area_code_field = "household__group__code"

    class Meta:
        verbose_name = _("退保/纳入建议")
        verbose_name_plural = _("退保/纳入建议")
        ordering = ["status", "household__number", "kind"]
        constraints = [
            # Re-running the computation proposes nothing twice: one proposal per household, kind and year.
            models.UniqueConstraint(fields=["household", "kind", "year"], name="exits_dibao_proposal_once"),
            models.CheckConstraint(
                name="exits_dibao_decided_with_reason",
                condition=Q(status="pending") | ~Q(decision_reason=""),
            ),
        ]
        indexes = [models.Index(fields=["status", "kind"], name="exits_dibao_status_kind")]

    def __str__(self) -> str:
        return f"{self.household} {self.get_kind_display()}({self.get_status_display()})"
