"""脱贫退出 of one household: its application, moved only through exits.transitions."""

from __future__ import annotations

from django.core.validators import FileExtensionValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts.scoping import AreaScopedQuerySet


class ExitState(models.TextChoices):
    DRAFT = "draft", _("待核实评议")
    REVIEWED = "reviewed", _("已评议,待户认可")
    AGREED = "agreed", _("户已签字认可,待公示")
    PUBLICIZED = "publicized", _("已村内公示,待乡镇审核")
    VERIFIED = "verified", _("乡镇已审核,待县审批")
    APPROVED = "approved", _("县已审批,待公告")
    LIFTED = "lifted", _("已公告退出")
    WITHDRAWN = "withdrawn", _("不予退出")


FINAL_STATES = (ExitState.LIFTED, ExitState.WITHDRAWN)


class ExitApplication(models.Model):
    """One household's 脱贫退出 in one round, from the village's proposal to the county's 公告."""

    class Source(models.TextChoices):
        WORKLIST = "worklist", _("村级提出")
        OBJECTION = "objection", _("县级公告异议复核")

    household = models.ForeignKey(
        "households.Household", verbose_name=_("农户"), on_delete=models.PROTECT, related_name="exits"
    )
    case = models.ForeignKey(
        "households.Case", verbose_name=_("扶贫对象"), on_delete=models.PROTECT, related_name="exits"
    )
    round = models.ForeignKey(
        "identification.Round",
        verbose_name=_("批次"),
        on_delete=models.PROTECT,
        related_name="exits",
        help_text=_("退出按该批次的扶贫标准核算收入。"),
    )
    source = models.CharField(_("来源"), max_length=10, choices=Source.choices, default=Source.WORKLIST)
    source_note = models.CharField(_("来源说明"), max_length=300, blank=True)
    state = models.CharField(_("状态"), max_length=12, choices=ExitState.choices, default=ExitState.DRAFT)
    # The last checklist computed at a step ({"passed": bool, "items": [...]}) with the date it was taken.
    checklist = models.JSONField(_("退出标准核查"), default=dict, blank=True)
    # 入户核实: {item code: {"answer": bool, "evidence": str}} for the items the registry cannot decide.
    survey = models.JSONField(_("入户核实"), default=dict, blank=True)
    surveyed_on = models.DateField(_("核实日期"), null=True, blank=True)
    surveyed_by = models.ForeignKey(
        "accounts.User",
        verbose_name=_("核实人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # 村两委 with the 驻村工作队: the 评议.
    reviewed_on = models.DateField(_("评议日期"), null=True, blank=True)
    review_attendees = models.CharField(_("参加评议人员"), max_length=300, blank=True)
    review_note = models.TextField(_("评议意见"), blank=True)
    # The household's agreement (签字), with the signed form optional.
    agreed_on = models.DateField(_("户认可日期"), null=True, blank=True)
    signer = models.CharField(_("签字人"), max_length=40, blank=True)
    signed_form = models.FileField(
        _("签字认可书"),
        upload_to="exits/agreements/%Y/",
        blank=True,
        validators=[FileExtensionValidator(["jpg", "jpeg", "png", "pdf"])],
    )
    township_opinion = models.TextField(_("乡镇审核意见"), blank=True)
    county_opinion = models.TextField(_("县审批意见"), blank=True)
    # Why it was sent back or withdrawn, the last time it was.
    reason = models.TextField(_("退回或不予退出原因"), blank=True)
    created_by = models.ForeignKey(
        "accounts.User", verbose_name=_("提出人"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("提出时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = AreaScopedQuerySet.as_manager()
    area_code_field = "household__group__code"

    class Meta:
        verbose_name = _("脱贫退出")
        verbose_name_plural = _("脱贫退出")
        ordering = ["household__number", "-id"]
        constraints = [
            # One exit in progress per 扶贫 case: a second proposal waits for the first to end.
            models.UniqueConstraint(
                fields=["case"],
                condition=~Q(state__in=["lifted", "withdrawn"]),
                name="exits_one_open_exit_per_case",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.household} 脱贫退出({self.get_state_display()})"

    @property
    def is_final(self) -> bool:
        return self.state in FINAL_STATES

    @property
    def year(self) -> int:
        """The exit year (退出年度): the round's year."""
        return self.round.year
