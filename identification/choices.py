"""Code lists of the identification workflow (seed 002, 五、(二) 第二步–第六步)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class State(models.TextChoices):
    """Where an application stands; moves only through identification.transitions.TRANSITIONS.

    In the order of seed 002 第三步–第六步: group vote → 组公示 → 村委会评议 → 入户调查 → 村公示 → 乡镇抽查审核
    → 乡镇公示 → 县级抽查认定 (→ 县公告 of the result).
    """

    SUBMITTED = "submitted", _("已申报")
    RECOMMENDED = "recommended", _("组评议推荐")
    GROUP_PUBLICIZED = "group_done", _("组公示无异议")
    REVIEWED = "reviewed", _("村评议通过")
    SURVEYED = "surveyed", _("已入户调查")
    VILLAGE_PUBLICIZED = "village_done", _("村公示无异议")
    VERIFIED = "verified", _("乡镇审核通过")
    PUBLICIZED = "publicized", _("乡镇公示完毕")
    CONFIRMED = "confirmed", _("已认定")
    REJECTED = "rejected", _("不予认定")
    WITHDRAWN = "withdrawn", _("已撤回")


# What a work queue shows as the next thing to do on an application in each state.
NEXT_STEP = {
    State.SUBMITTED: _("待村民小组户主会议评议"),
    State.RECOMMENDED: _("待村民小组公示"),
    State.GROUP_PUBLICIZED: _("待村委会评议"),
    State.REVIEWED: _("待入户调查"),
    State.SURVEYED: _("待村委会公示"),
    State.VILLAGE_PUBLICIZED: _("待乡镇抽查审核"),
    State.VERIFIED: _("待乡镇公示"),
    State.PUBLICIZED: _("待县级抽查认定"),
}

FINAL_STATES = frozenset({State.CONFIRMED, State.REJECTED, State.WITHDRAWN})

# States whose households count against the quota: recommended by the group and not yet dropped.
QUOTA_STATES = frozenset(
    {
        State.RECOMMENDED,
        State.GROUP_PUBLICIZED,
        State.REVIEWED,
        State.SURVEYED,
        State.VILLAGE_PUBLICIZED,
        State.VERIFIED,
        State.PUBLICIZED,
        State.CONFIRMED,
    }
)

# The list a village has reported upward (推倒重来 sends it back to 评议): from the group vote to the township.
REPORTED_STATES = (
    State.RECOMMENDED,
    State.GROUP_PUBLICIZED,
    State.REVIEWED,
    State.SURVEYED,
    State.VILLAGE_PUBLICIZED,
)


# The two programs an application can ask for (特困 is decided outside this workflow).
PROGRAM_LABELS = {"fupin": "扶贫", "dibao": "低保"}


class Origin(models.TextChoices):
    """第二步: the head applies in writing, or the 村民小组 nominates those who cannot."""

    APPLIED = "applied", _("户主申请")
    NOMINATED = "nominated", _("村民小组提名")


class Decision(models.TextChoices):
    """A county decision on one program (blank while pending)."""

    CONFIRMED = "confirmed", _("认定")
    REJECTED = "rejected", _("不予认定")


class MeetingKind(models.TextChoices):
    GROUP = "group", _("村民小组户主会议")
    VILLAGE = "village", _("村委会评议会议(党员和群众代表)")


class NoticeLevel(models.TextChoices):
    """The 公示 of the procedure, in the order they run; the value is also the area level the notice hangs at.

    Each is a notices.Notice of kind "identification.<level>"; the county's 公告 publishes the result."""

    GROUP = "group", _("村民小组公示")
    VILLAGE = "village", _("村委会公示")
    TOWNSHIP = "township", _("乡镇公示")
    COUNTY = "county", _("县级公告")


class ObjectionOutcome(models.TextChoices):
    """What an upheld objection does to the application."""

    REEVALUATE = "reevaluate", _("退回重新评议")
    REJECT = "reject", _("不予认定")


class Program(models.TextChoices):
    FUPIN = "fupin", _("扶贫")
    DIBAO = "dibao", _("低保")


class ReferralStatus(models.TextChoices):
    PENDING = "pending", _("待扶贫办确认")
    ACCEPTED = "accepted", _("已确认为扶贫对象")
    DECLINED = "declined", _("不予确认")


class RedoScope(models.TextChoices):
    """推倒重来 (第五步 "重新开展该村组的调查登记"): the text reads "村组" either way; the township records which."""

    GROUP = "group", _("该村民小组")
    VILLAGE = "village", _("全村")


class SpotCheckLevel(models.TextChoices):
    TOWNSHIP = "township", _("乡镇抽查")
    COUNTY = "county", _("县级抽查")


class SpotCheckStatus(models.TextChoices):
    OPEN = "open", _("核查中")
    PASSED = "passed", _("全部属实")
    FAILED = "failed", _("发现不实")
    SUPERSEDED = "superseded", _("已重新抽取")


# The audit trail in Chinese (accounts.audit.register_labels).
EVENT_LABELS = {
    "round.created": "设立识别批次",
    "round.closed": "关闭识别批次",
    "quota.set": "下达规模控制指标",
    "quota.decomposition_applied": "下达规模分解结果",
    "decomposition.created": "规模分解测算",
    "application.submitted": "申报",
    "application.recommended": "户主会议评议推荐",
    "application.group_notice_passed": "村民小组公示无异议",
    "application.reviewed": "村委会评议通过",
    "application.surveyed": "入户调查",
    "application.rejected_by_survey": "入户调查不符合条件,不予认定",
    "application.dibao_offered": "乡镇转报低保",
    "application.village_notice_passed": "村委会公示无异议",
    "application.verified": "乡镇审核通过",
    "application.township_notice_passed": "乡镇公示完毕",
    "application.decided": "县级认定",
    "application.sent_back": "退回重新评议",
    "application.redo": "推倒重来",
    "application.rejected": "不予认定",
    "application.withdrawn": "撤回申请",
    "meeting.recorded": "记录评议会议",
    "spot_check.drawn": "抽取样本",
    "spot_check.result": "录入抽查结果",
    "spot_check.completed": "抽查完成",
    "referral.created": "民政转扶贫办确认",
    "referral.accepted": "扶贫办确认为扶贫对象",
    "referral.declined": "扶贫办不予确认",
    "deep_poverty.criteria_set": "设置深度贫困认定条件",
    "deep_poverty.confirmed": "确认深度贫困名单",
}
