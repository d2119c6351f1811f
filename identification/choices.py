"""Code lists of the identification workflow (seed 002, 五、(二) 第二步–第六步)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class State(models.TextChoices):
    """Where an application stands; moves only through identification.transitions.TRANSITIONS."""

    SUBMITTED = "submitted", _("已申报")
    RECOMMENDED = "recommended", _("组评议推荐")
    REVIEWED = "reviewed", _("村评议通过")
    SURVEYED = "surveyed", _("已入户调查")
    VERIFIED = "verified", _("乡镇审核通过")
    PUBLICIZED = "publicized", _("公示完毕")
    CONFIRMED = "confirmed", _("已认定")
    REJECTED = "rejected", _("不予认定")
    WITHDRAWN = "withdrawn", _("已撤回")


# What a work queue shows as the next thing to do on an application in each state.
NEXT_STEP = {
    State.SUBMITTED: _("待村民小组户主会议评议"),
    State.RECOMMENDED: _("待村委会评议"),
    State.REVIEWED: _("待入户调查"),
    State.SURVEYED: _("待乡镇抽查审核"),
    State.VERIFIED: _("待三级公示"),
    State.PUBLICIZED: _("待县级认定"),
}

FINAL_STATES = frozenset({State.CONFIRMED, State.REJECTED, State.WITHDRAWN})

# States whose households count against the quota: recommended by the group and not yet dropped.
QUOTA_STATES = frozenset(
    {State.RECOMMENDED, State.REVIEWED, State.SURVEYED, State.VERIFIED, State.PUBLICIZED, State.CONFIRMED}
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
    """三级公示, in the order they run; the value is also the area level the notice hangs at."""

    GROUP = "group", _("村民小组公示")
    VILLAGE = "village", _("村委会公示")
    TOWNSHIP = "township", _("乡镇公示")


NOTICE_ORDER = (NoticeLevel.GROUP, NoticeLevel.VILLAGE, NoticeLevel.TOWNSHIP)


class NoticeStatus(models.TextChoices):
    RUNNING = "running", _("公示中")
    CLOSED = "closed", _("已结束")


class ObjectionStatus(models.TextChoices):
    OPEN = "open", _("待核实")
    DISMISSED = "dismissed", _("不成立")
    UPHELD = "upheld", _("成立")


class ObjectionOutcome(models.TextChoices):
    """What an upheld objection does to the application."""

    REEVALUATE = "reevaluate", _("退回重新评议")
    REJECT = "reject", _("不予认定")


class SpotCheckLevel(models.TextChoices):
    TOWNSHIP = "township", _("乡镇抽查")
    COUNTY = "county", _("县级抽查")


class SpotCheckStatus(models.TextChoices):
    OPEN = "open", _("核查中")
    PASSED = "passed", _("全部属实")
    FAILED = "failed", _("发现不实")
    SUPERSEDED = "superseded", _("已重新抽取")
