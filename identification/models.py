"""Rounds, quotas, applications and the records of each step: meetings and votes, surveys, spot
checks, 公示 notices and objections. State changes happen only in identification.services.
"""

from __future__ import annotations

from decimal import Decimal

from django.contrib.postgres.fields import ArrayField
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.scoping import AreaScopedQuerySet
from households.choices import Cause, PovertyClass
from identification.choices import (
    FINAL_STATES,
    NEXT_STEP,
    PROGRAM_LABELS,
    Decision,
    MeetingKind,
    Origin,
    Program,
    RedoScope,
    ReferralStatus,
    SpotCheckLevel,
    SpotCheckStatus,
    State,
)
from jobs.models import Job
from jobs.models import Status as JobStatus

MIN_TOWNSHIP_RATE = Decimal("0.20")  # seed 002 第五步: 各不低于20%
MIN_COUNTY_RATE = Decimal("0.05")  # seed 002 第六步: 不低于5%


def _rate(verbose: str, minimum: Decimal):
    return models.DecimalField(
        verbose,
        max_digits=4,
        decimal_places=3,
        default=minimum,
        validators=[MinValueValidator(minimum), MaxValueValidator(Decimal("1"))],
    )


class Round(models.Model):
    """One identification campaign (2012年贫困识别, or a yearly 动态调整) with its standards.

    County-wide: every user sees every round. A closed round is read-only (the services refuse).
    """

    class Kind(models.TextChoices):
        # A fresh 识别 builds the roll from nothing: only this round's applications use the quota.
        # A 动态调整 adds to the roll there is: persons already on it count against the quota too
        # (identification.selectors.quota_used).
        FRESH = "fresh", _("贫困识别")
        DYNAMIC = "dynamic", _("动态调整")

    year = models.PositiveSmallIntegerField(
        _("年度"), validators=[MinValueValidator(2000), MaxValueValidator(2100)]
    )
    name = models.CharField(_("名称"), max_length=60)
    kind = models.CharField(_("批次类型"), max_length=10, choices=Kind.choices, default=Kind.FRESH)
    # 县控制指标: the persons the prefecture gave the county. No township quotas may add up above it.
    control_number = models.PositiveIntegerField(
        _("县控制指标(人)"),
        null=True,
        blank=True,
        help_text=_("上级下达本县的贫困人口控制数;各乡镇指标之和不得超过此数。下达县级规模分解时一并设定。"),
    )
    poverty_line = models.DecimalField(_("扶贫标准(元/人·年)"), max_digits=8, decimal_places=2)
    dibao_line = models.DecimalField(_("农村低保标准(元/人·年)"), max_digits=8, decimal_places=2)
    notice_days = models.PositiveSmallIntegerField(
        _("公示天数"), default=7, validators=[MinValueValidator(1)]
    )
    township_sample_rate = _rate(_("乡镇抽查比例"), MIN_TOWNSHIP_RATE)
    county_sample_rate = _rate(_("县级抽查比例"), MIN_COUNTY_RATE)
    closed = models.BooleanField(_("已关闭"), default=False)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("识别批次")
        verbose_name_plural = _("识别批次")
        ordering = ["-year", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["name"], name="round_unique_name"),
            models.CheckConstraint(
                name="round_township_rate_at_least_20pct",
                condition=Q(township_sample_rate__gte=MIN_TOWNSHIP_RATE, township_sample_rate__lte=1),
            ),
            models.CheckConstraint(
                name="round_county_rate_at_least_5pct",
                condition=Q(county_sample_rate__gte=MIN_COUNTY_RATE, county_sample_rate__lte=1),
            ),
            models.CheckConstraint(name="round_notice_days_positive", condition=Q(notice_days__gte=1)),
            models.CheckConstraint(
                name="round_lines_positive", condition=Q(poverty_line__gt=0, dibao_line__gt=0)
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_dynamic(self) -> bool:
        return self.kind == self.Kind.DYNAMIC

    @property
    def income_year(self) -> int:
        """Identification looks at last year's income: the 2012 round used 2011年末 figures (seed 002, 二)."""
        return self.year - 1


class Quota(models.Model):
    """规模控制: persons a township, village or 村民小组 may identify in a round."""

    round = models.ForeignKey(
        Round, verbose_name=_("识别批次"), on_delete=models.PROTECT, related_name="quotas"
    )
    area = models.ForeignKey(
        "villages.Area", verbose_name=_("区划"), on_delete=models.PROTECT, related_name="quotas"
    )
    persons = models.PositiveIntegerField(_("规模控制人数"))
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = AreaScopedQuerySet.as_manager()
    area_code_field = "area__code"

    class Meta:
        verbose_name = _("规模控制指标")
        verbose_name_plural = _("规模控制指标")
        ordering = ["round", "area__code"]
        constraints = [models.UniqueConstraint(fields=["round", "area"], name="quota_one_per_area")]

    def __str__(self) -> str:
        return f"{self.area} {self.persons}人"


class Application(models.Model):
    """One household in one round (申请 / 识别对象), from 申报 to 县级认定."""

    round = models.ForeignKey(
        Round, verbose_name=_("识别批次"), on_delete=models.PROTECT, related_name="applications"
    )
    household = models.ForeignKey(
        "households.Household", verbose_name=_("户"), on_delete=models.PROTECT, related_name="applications"
    )
    wants_fupin = models.BooleanField(_("申请扶贫"), default=False)
    wants_dibao = models.BooleanField(_("申请低保"), default=False)
    # The programs the application goes on for (两项制度衔接, 四(二) "属于扶贫对象的…属于农村低保对象的…"):
    # at 申报 what was asked; the survey keeps those it found eligible; the township may add 低保 with the
    # household's consent (dibao_offered). Each bureau receives and decides only its own.
    for_fupin = models.BooleanField(_("报扶贫"), default=False)
    for_dibao = models.BooleanField(_("报低保"), default=False)
    dibao_offered = models.BooleanField(_("乡镇转报低保"), default=False)
    dibao_offer_note = models.TextField(_("转报低保说明(本户同意)"), blank=True)
    # 第三步: the five direct-entry conditions and eight exclusions, declared at 申报 ({code: bool}, all 13);
    # the survey verifies them.
    declared = models.JSONField(_("申报时自述条件"), default=dict, blank=True)
    origin = models.CharField(_("申报方式"), max_length=10, choices=Origin.choices)
    applied_on = models.DateField(_("申请日期"), null=True, blank=True)
    application_scan = models.FileField(_("申请书扫描件"), upload_to="applications/%Y/", blank=True)
    nomination_reason = models.TextField(_("提名理由"), blank=True)
    # Snapshot of the household's size when it entered the quota: quotas count persons.
    persons = models.PositiveSmallIntegerField(_("家庭人口"), default=0)

    state = models.CharField(_("状态"), max_length=12, choices=State.choices, default=State.SUBMITTED)
    state_changed_at = models.DateTimeField(_("状态变更时间"), default=timezone.now)

    eligibility = models.JSONField(_("资格判定依据"), default=dict, blank=True)
    poverty_class = models.PositiveSmallIntegerField(
        _("贫困类型"),
        null=True,
        blank=True,
        choices=PovertyClass.choices,
    )

    fupin_decision = models.CharField(_("扶贫认定"), max_length=10, choices=Decision.choices, blank=True)
    fupin_decided_by = models.ForeignKey(
        "accounts.User",
        verbose_name=_("扶贫认定人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    fupin_decided_at = models.DateTimeField(_("扶贫认定时间"), null=True, blank=True)
    fupin_reason = models.TextField(_("扶贫不予认定理由"), blank=True)
    dibao_decision = models.CharField(_("低保认定"), max_length=10, choices=Decision.choices, blank=True)
    dibao_decided_by = models.ForeignKey(
        "accounts.User",
        verbose_name=_("低保认定人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    dibao_decided_at = models.DateTimeField(_("低保认定时间"), null=True, blank=True)
    dibao_reason = models.TextField(_("低保不予认定理由"), blank=True)

    rejection_reason = models.TextField(_("不予认定理由"), blank=True)
    withdrawal_reason = models.TextField(_("撤回理由"), blank=True)

    created_by = models.ForeignKey(
        "accounts.User", verbose_name=_("录入人"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("录入时间"), auto_now_add=True)

    objects = AreaScopedQuerySet.as_manager()
    area_code_field = "household__group__code"

    class Meta:
        verbose_name = _("识别申请")
        verbose_name_plural = _("识别申请")
        ordering = ["id"]
        indexes = [models.Index(fields=["round", "state"], name="application_round_state")]
        constraints = [
            models.UniqueConstraint(fields=["round", "household"], name="application_one_per_household"),
            models.CheckConstraint(
                name="application_asks_for_a_program", condition=Q(wants_fupin=True) | Q(wants_dibao=True)
            ),
            models.CheckConstraint(
                name="application_origin_evidence",
                condition=Q(origin=Origin.APPLIED, applied_on__isnull=False)
                | (Q(origin=Origin.NOMINATED) & ~Q(nomination_reason="")),
            ),
            models.CheckConstraint(
                name="application_decides_only_routed_programs",
                condition=(Q(for_fupin=True) | Q(fupin_decision=""))
                & (Q(for_dibao=True) | Q(dibao_decision="")),
            ),
            models.CheckConstraint(
                name="application_rejection_has_reason",
                condition=~Q(state=State.REJECTED) | ~Q(rejection_reason=""),
            ),
            models.CheckConstraint(
                name="application_withdrawal_has_reason",
                condition=~Q(state=State.WITHDRAWN) | ~Q(withdrawal_reason=""),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.round} {self.household}"

    @property
    def is_final(self) -> bool:
        return self.state in FINAL_STATES

    @property
    def next_step(self) -> str:
        """The next thing to do, for a work queue; for 公示完毕, the county decisions still missing."""
        if self.state == State.PUBLICIZED:
            pending = [PROGRAM_LABELS[p] for p in self.programs if not self.decision(p)]
            return f"待县级认定({'、'.join(pending)})"
        return str(NEXT_STEP.get(self.state, ""))

    @property
    def programs(self) -> list[str]:
        """The programs the application goes on for (see `for_fupin`)."""
        return [p for p, routed in (("fupin", self.for_fupin), ("dibao", self.for_dibao)) if routed]

    @property
    def requested_programs(self) -> list[str]:
        return [p for p, wanted in (("fupin", self.wants_fupin), ("dibao", self.wants_dibao)) if wanted]

    @property
    def is_cross(self) -> bool:
        """交叉对象: goes on for both rolls and so needs both county decisions."""
        return self.for_fupin and self.for_dibao

    @property
    def direct_entry(self) -> list[str]:
        """The direct-entry conditions (D1–D5) declared at 申报: the group vote places them first."""
        return sorted(code for code, yes in self.declared.items() if yes and code.startswith("D"))

    @property
    def declared_exclusions(self) -> list[str]:
        return sorted(code for code, yes in self.declared.items() if yes and code.startswith("X"))

    def decision(self, program: str) -> str:
        return getattr(self, f"{program}_decision")

    def all_decided(self) -> bool:
        return all(self.decision(p) for p in self.programs)

    def confirmed_programs(self) -> list[str]:
        return [p for p in self.programs if self.decision(p) == Decision.CONFIRMED]


class Meeting(models.Model):
    """A 评议 meeting: a 村民小组 户主会议 (area = group) or the 村委会 with 党员和群众代表 (area = village)."""

    round = models.ForeignKey(
        Round, verbose_name=_("识别批次"), on_delete=models.PROTECT, related_name="meetings"
    )
    area = models.ForeignKey(
        "villages.Area", verbose_name=_("区划"), on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(_("会议类型"), max_length=10, choices=MeetingKind.choices)
    held_on = models.DateField(_("会议日期"))
    attendance = models.PositiveIntegerField(
        _("到会户数/人数"), help_text=_("户主会议记到会户数;村委会评议记到会代表人数。")
    )
    attendees = models.TextField(_("参会人员"), blank=True)
    minutes = models.TextField(_("会议记录"), blank=True)
    recorded_by = models.ForeignKey(
        "accounts.User", verbose_name=_("记录人"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("录入时间"), auto_now_add=True)

    objects = AreaScopedQuerySet.as_manager()
    area_code_field = "area__code"

    class Meta:
        verbose_name = _("评议会议")
        verbose_name_plural = _("评议会议")
        ordering = ["-held_on", "-id"]
        constraints = [
            models.CheckConstraint(name="meeting_attendance_positive", condition=Q(attendance__gte=1))
        ]

    def __str__(self) -> str:
        return f"{self.area} {self.get_kind_display()} {self.held_on}"


class Vote(models.Model):
    """The votes for and against one application at one meeting, and its rank there."""

    meeting = models.ForeignKey(
        Meeting, verbose_name=_("会议"), on_delete=models.PROTECT, related_name="votes"
    )
    application = models.ForeignKey(
        Application, verbose_name=_("申请"), on_delete=models.PROTECT, related_name="votes"
    )
    votes_for = models.PositiveIntegerField(_("赞成票"))
    votes_against = models.PositiveIntegerField(_("反对票"))
    rank = models.PositiveIntegerField(_("排名"))

    class Meta:
        verbose_name = _("表决")
        verbose_name_plural = _("表决")
        ordering = ["meeting", "rank"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "application"], name="vote_one_per_meeting"),
        ]

    def __str__(self) -> str:
        return f"{self.application} {self.votes_for}:{self.votes_against}"

    @property
    def carried(self) -> bool:
        """A majority of those present voted for it."""
        return self.votes_for * 2 > self.meeting.attendance


class Survey(models.Model):
    """入户调查: one visit by at least two surveyors. A 推倒重来 means a new survey; old ones stay."""

    application = models.ForeignKey(
        Application, verbose_name=_("申请"), on_delete=models.PROTECT, related_name="surveys"
    )
    surveyed_on = models.DateField(_("调查日期"))
    surveyors = ArrayField(models.CharField(max_length=40), verbose_name=_("调查人员"))
    family_situation = models.TextField(_("家庭基本情况"))
    persons = models.PositiveSmallIntegerField(_("家庭人口数"), validators=[MinValueValidator(1)])
    # IncomeRecord field name → amount (元), as written to the household's income record.
    income = models.JSONField(_("收入情况"))
    assets = models.TextField(_("家庭资产"), blank=True)
    burden = models.TextField(_("家庭负担"), blank=True)
    # Condition code (rules.SURVEY_QUESTIONS) → yes/no, each chosen by the surveyor (never defaulted), and
    # for every yes what the surveyor saw ({code: text}).
    answers = models.JSONField(_("直接纳入与排除条件"))
    evidence = models.JSONField(_("佐证情况"), default=dict, blank=True)
    main_cause = models.CharField(_("主要致贫原因"), max_length=10, choices=Cause.choices, blank=True)
    other_causes = ArrayField(
        models.CharField(max_length=10, choices=Cause.choices),
        verbose_name=_("其他致贫原因"),
        default=list,
        blank=True,
    )
    eligibility = models.JSONField(_("资格判定依据"))
    recorded_by = models.ForeignKey(
        "accounts.User", verbose_name=_("录入人"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("录入时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("入户调查")
        verbose_name_plural = _("入户调查")
        ordering = ["application", "-created_at"]
        constraints = [
            models.CheckConstraint(name="survey_two_surveyors", condition=Q(surveyors__len__gte=2)),
            models.CheckConstraint(name="survey_persons_positive", condition=Q(persons__gte=1)),
        ]

    def __str__(self) -> str:
        return f"{self.application} {self.surveyed_on}"


class SpotCheck(models.Model):
    """A random re-check: 乡镇 ≥ 20% of a village's surveyed applications, 县 ≥ 5% of the publicized ones.

    The population and the seed are recorded, so anyone can re-draw with identification.sampling.draw
    and obtain `drawn` again.
    """

    round = models.ForeignKey(
        Round, verbose_name=_("识别批次"), on_delete=models.PROTECT, related_name="spot_checks"
    )
    level = models.CharField(_("抽查级别"), max_length=10, choices=SpotCheckLevel.choices)
    # 第六步: 县扶贫办 and 县民政局 each draw their own sample of their own list; blank for the township,
    # whose one draw covers both lists (第五步 "各不低于20%").
    program = models.CharField(_("抽查项目"), max_length=10, choices=Program.choices, blank=True)
    area = models.ForeignKey(
        "villages.Area", verbose_name=_("抽查范围"), on_delete=models.PROTECT, related_name="+"
    )
    rate = models.DecimalField(_("抽查比例"), max_digits=4, decimal_places=3)
    seed = models.BigIntegerField(_("随机种子"))
    population = ArrayField(models.BigIntegerField(), verbose_name=_("抽样总体(申请编号)"))
    drawn = ArrayField(models.BigIntegerField(), verbose_name=_("抽中(申请编号)"))
    # Per list drawn from: {"fupin": {"population": [...], "drawn": [...]}, "dibao": {...}}; each list is
    # drawn with the same seed, and `population`/`drawn` above are their unions.
    lists = models.JSONField(_("分项目抽样"), default=dict, blank=True)
    # 推倒重来: what an untrue finding sent back (the township's choice, recorded).
    redo_scope = models.CharField(_("推倒重来范围"), max_length=10, choices=RedoScope.choices, blank=True)
    status = models.CharField(
        _("状态"), max_length=10, choices=SpotCheckStatus.choices, default=SpotCheckStatus.OPEN
    )
    drawn_by = models.ForeignKey(
        "accounts.User", verbose_name=_("抽取人"), on_delete=models.PROTECT, related_name="+"
    )
    drawn_at = models.DateTimeField(_("抽取时间"), auto_now_add=True)

    objects = AreaScopedQuerySet.as_manager()
    area_code_field = "area__code"

    class Meta:
        verbose_name = _("抽查")
        verbose_name_plural = _("抽查")
        ordering = ["-drawn_at", "-id"]
        constraints = [
            models.CheckConstraint(
                name="spot_check_rate_minimum",
                condition=Q(level=SpotCheckLevel.TOWNSHIP, rate__gte=MIN_TOWNSHIP_RATE, rate__lte=1)
                | Q(level=SpotCheckLevel.COUNTY, rate__gte=MIN_COUNTY_RATE, rate__lte=1),
            ),
            models.CheckConstraint(
                name="spot_check_county_has_program",
                condition=Q(level=SpotCheckLevel.TOWNSHIP, program="")
                | Q(level=SpotCheckLevel.COUNTY, program__in=["fupin", "dibao"]),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.area} {self.get_level_display()} {self.drawn_at:%Y-%m-%d}"


class SpotCheckResult(models.Model):
    spot_check = models.ForeignKey(
        SpotCheck, verbose_name=_("抽查"), on_delete=models.PROTECT, related_name="results"
    )
    application = models.ForeignKey(
        Application, verbose_name=_("申请"), on_delete=models.PROTECT, related_name="spot_check_results"
    )
    truthful = models.BooleanField(_("情况属实"))
    note = models.TextField(_("核查情况"), blank=True)
    checked_by = models.ForeignKey(
        "accounts.User", verbose_name=_("核查人"), on_delete=models.PROTECT, related_name="+"
    )
    checked_at = models.DateTimeField(_("核查时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("抽查结果")
        verbose_name_plural = _("抽查结果")
        ordering = ["spot_check", "application"]
        constraints = [
            models.UniqueConstraint(fields=["spot_check", "application"], name="spot_check_result_once"),
            models.CheckConstraint(
                name="spot_check_untrue_has_note", condition=Q(truthful=True) | ~Q(note="")
            ),
        ]

    def __str__(self) -> str:
        return f"{self.application} {'属实' if self.truthful else '不实'}"


class Referral(models.Model):
    """四(二) last sentence, seed 001 "双向纳入": a 低保 household with labour that 民政 confirmed, referred to
    县扶贫办 as a candidate 扶贫对象. The referral and its decision are kept."""

    application = models.OneToOneField(
        Application, verbose_name=_("申请"), on_delete=models.PROTECT, related_name="referral"
    )
    reason = models.TextField(_("转介理由"))
    status = models.CharField(
        _("状态"), max_length=10, choices=ReferralStatus.choices, default=ReferralStatus.PENDING
    )
    referred_by = models.ForeignKey(
        "accounts.User", verbose_name=_("转介人"), on_delete=models.PROTECT, related_name="+"
    )
    referred_at = models.DateTimeField(_("转介时间"), auto_now_add=True)
    decided_by = models.ForeignKey(
        "accounts.User",
        verbose_name=_("确认人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("确认时间"), null=True, blank=True)
    note = models.TextField(_("确认意见"), blank=True)

    objects = AreaScopedQuerySet.as_manager()
    area_code_field = "application__household__group__code"

    class Meta:
        verbose_name = _("低保转扶贫")
        verbose_name_plural = _("低保转扶贫")
        ordering = ["status", "-referred_at"]
        constraints = [
            models.CheckConstraint(
                name="referral_declined_has_note", condition=~Q(status=ReferralStatus.DECLINED) | ~Q(note="")
            )
        ]

    def __str__(self) -> str:
        return f"{self.application} {self.get_status_display()}"


class Decomposition(Job):
    """One run of the 规模控制 decomposition (seed 002 第一步 确定规模): the county's control number split
    over townships, villages and 村民小组 by weighted base indicators, with the county's overrides.

    Kept with everything that produced it — control number, weights, overrides, the indicators of every
    area as read when it ran (`inputs`) — and its result, so that any figure can be traced and the run
    re-computed to the same numbers (identification.decomposition). Applying it writes the round's quotas.
    """

    Status = JobStatus  # the jobs' four states (jobs.models), in this kind's own words below
    STATUS_LABELS = {JobStatus.RUNNING: "计算中", JobStatus.FAILED: "未通过"}
    STALE_MESSAGE = "测算中断(后台进程已退出),请重新测算。"
    RESUMES_WHEN_REDELIVERED = True  # identification.tasks.run_decomposition is acks_late

    round = models.ForeignKey(
        Round, verbose_name=_("识别批次"), on_delete=models.PROTECT, related_name="decompositions"
    )
    # The area decomposed: the county (its control number over everything), or one township (its
    # quota over its villages and groups, seed 002 四(一) "各乡镇要测算分解到村到组").
    scope = models.ForeignKey(
        "villages.Area", verbose_name=_("分解范围"), on_delete=models.PROTECT, related_name="+"
    )
    control_number = models.PositiveIntegerField(_("分解总数(人)"))
    weight_rural = models.DecimalField(_("乡村人口数权重(%)"), max_digits=5, decimal_places=2)
    weight_low_income = models.DecimalField(_("低收入家庭人口数权重(%)"), max_digits=5, decimal_places=2)
    weight_dibao = models.DecimalField(_("享受低保人数权重(%)"), max_digits=5, decimal_places=2)
    weight_disabled = models.DecimalField(_("已办证残疾人数权重(%)"), max_digits=5, decimal_places=2)
    # {area code: persons} fixed by the county; their siblings share what is left.
    overrides = models.JSONField(_("县指定数"), default=dict, blank=True)
    note = models.CharField(_("说明"), max_length=200, blank=True)
    # A re-run with edited overrides starts from its source's inputs, so only the overrides differ.
    based_on = models.ForeignKey(
        "self",
        verbose_name=_("依据的测算"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # {area code: {name, level, parent, the four indicators, typed: [...]}} as read when the run started.
    inputs = models.JSONField(_("分解依据"), default=dict, blank=True)
    # {area code: persons} for every township, village and 村民小组; `exact` the unrounded shares.
    result = models.JSONField(_("分解结果"), default=dict, blank=True)
    exact = models.JSONField(_("未取整数"), default=dict, blank=True)
    errors = models.JSONField(_("错误"), default=list, blank=True)
    warnings = models.JSONField(_("提示"), default=list, blank=True)
    message = models.CharField(_("说明信息"), max_length=500, blank=True)  # `note` is the 说明
    created_by = models.ForeignKey(
        "accounts.User", verbose_name=_("测算人"), on_delete=models.PROTECT, related_name="+"
    )
    applied = models.BooleanField(_("已下达"), default=False)
    applied_by = models.ForeignKey(
        "accounts.User",
        verbose_name=_("下达人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    applied_at = models.DateTimeField(_("下达时间"), null=True, blank=True)

    WEIGHT_FIELDS = {
        "rural_population": "weight_rural",
        "low_income_population": "weight_low_income",
        "dibao_population": "weight_dibao",
        "disabled_population": "weight_disabled",
    }

    objects = AreaScopedQuerySet.as_manager()
    area_code_field = "scope__code"

    class Meta:
        verbose_name = _("规模分解")
        verbose_name_plural = _("规模分解")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                name="decomposition_weights_not_negative",
                condition=Q(
                    weight_rural__gte=0, weight_low_income__gte=0, weight_dibao__gte=0, weight_disabled__gte=0
                ),
            ),
            models.CheckConstraint(
                name="decomposition_applied_only_when_done",
                condition=Q(applied=False) | Q(status="done", applied_at__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.round} 规模分解 #{self.pk}"

    @property
    def weights(self) -> dict[str, Decimal]:
        """{indicator: weight in %}, in the annex's column order."""
        return {name: getattr(self, field) for name, field in self.WEIGHT_FIELDS.items()}

    @property
    def is_township_run(self) -> bool:
        return self.scope.level == "township"

    @property
    def scope_label(self) -> str:
        """县 or 乡镇: who fixed the overrides and whose figure is split, for the screens."""
        return "乡镇" if self.is_township_run else "县"


# 贫困村识别 (seed 002 四(五)): its models live in their own package; imported here so Django finds them.
# 深度贫困 (seed 002 四(四)): its own package, its models registered with the app's here.
from identification.deep_poverty.models import (  # noqa: E402, F401
    DeepPovertyCriteria,
    DeepPovertyEntry,
    DeepPovertyList,
)
from identification.poor_villages.models import RankingRow, RankingRun, RankingSettings  # noqa: E402, F401
