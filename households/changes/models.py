"""A household change request and the members it holds while pending."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts.scoping import AreaScopedQuerySet


class Kind(models.TextChoices):
    ADD_MEMBER = "add_member", _("新增成员")
    REMOVE_MEMBER = "remove_member", _("减少成员")
    CHANGE_HEAD = "change_head", _("变更户主")
    SPLIT = "split", _("分户")
    MERGE = "merge", _("合户")
    CORRECT_IDENTITY = "correct_identity", _("修改身份证号/姓名")


class State(models.TextChoices):
    PENDING = "pending", _("待审核")
    APPROVED = "approved", _("已批准")
    REJECTED = "rejected", _("已驳回")
    WITHDRAWN = "withdrawn", _("已撤回")


class ChangeRequest(models.Model):
    """One typed change of one household, filed by the village and decided by the township.

    `payload` holds what the kind needs (member ids, the new member's fields, the cases' decisions);
    `before`/`after` are the household(s) as they were and became, written at the decision, with ID
    numbers masked: the registry's own rows and their history keep the rest.
    """

    household = models.ForeignKey(
        "households.Household",
        verbose_name=_("申请户"),
        on_delete=models.PROTECT,
        related_name="change_requests",
    )
    kind = models.CharField(_("变更类型"), max_length=20, choices=Kind.choices)
    state = models.CharField(_("状态"), max_length=10, choices=State.choices, default=State.PENDING)
    reason = models.CharField(_("变更原因"), max_length=10, blank=True)
    note = models.CharField(_("情况说明"), max_length=500, blank=True)
    payload = models.JSONField(_("变更内容"), default=dict)
    # The 身份证号 a 新增成员 or a correction brings in: one pending request per number (a constraint).
    new_id_number = models.CharField(_("新身份证号"), max_length=18, blank=True)
    # 合户: the household merged in; 分户: the new household, once approved.
    other_household = models.ForeignKey(
        "households.Household",
        verbose_name=_("关联户"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    before = models.JSONField(_("变更前"), default=list, blank=True)
    after = models.JSONField(_("变更后"), default=list, blank=True)
    filed_by = models.ForeignKey(
        "accounts.User", verbose_name=_("申请人"), on_delete=models.PROTECT, related_name="+"
    )
    filed_at = models.DateTimeField(_("申请时间"), auto_now_add=True)
    decided_by = models.ForeignKey(
        "accounts.User",
        verbose_name=_("审核人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    decision_reason = models.CharField(_("审核意见"), max_length=500, blank=True)

    objects = AreaScopedQuerySet.as_manager()
    area_code_field = "household__group__code"

    class Meta:
        verbose_name = _("户情变更申请")
        verbose_name_plural = _("户情变更申请")
        ordering = ["-filed_at", "-id"]
        indexes = [models.Index(fields=["state", "filed_at"], name="change_state_filed")]
        constraints = [
            models.UniqueConstraint(
                fields=["new_id_number"],
                condition=Q(state="pending") & ~Q(new_id_number=""),
                name="change_one_pending_per_new_id_number",
            ),
            models.CheckConstraint(
                name="change_decided_unless_pending",
                condition=Q(state="pending", decided_at__isnull=True)
                | Q(~Q(state="pending"), decided_at__isnull=False),
            ),
            models.CheckConstraint(
                name="change_rejection_has_reason",
                condition=~Q(state="rejected") | ~Q(decision_reason=""),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.household} {self.get_kind_display()}({self.get_state_display()})"

    @property
    def is_pending(self) -> bool:
        return self.state == State.PENDING


class ChangeRequestMember(models.Model):
    """A member a request concerns. While the request is pending it holds the member: the partial unique
    constraint refuses a second pending request on the same person, whatever path writes it."""

    request = models.ForeignKey(ChangeRequest, on_delete=models.CASCADE, related_name="held")
    member = models.ForeignKey("households.Member", on_delete=models.PROTECT, related_name="+")
    pending = models.BooleanField(default=True)

    class Meta:
        verbose_name = _("变更涉及成员")
        verbose_name_plural = _("变更涉及成员")
        constraints = [
            models.UniqueConstraint(
                fields=["member"], condition=Q(pending=True), name="change_one_pending_per_member"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.request_id}: {self.member_id}"
