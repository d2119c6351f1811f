"""帮扶: who helps whom (units, 帮扶责任人, 结对), the village work teams, the 一户一策 plans and measures,
visits, and the 扶贫小额信贷 (ratings and loans).

Every row that belongs to a household is scoped twice behind the one door (accounts.scoping): by the
household's area for cadres and officials, and by the pairing for the household's 帮扶责任人
(`helper_household_field`). Writes go through assistance.services, which write the audit events.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.scoping import AreaScopedQuerySet
from assistance import choices

MAX_LOAN_MONTHS = 36  # seed 004 / 国开办发〔2014〕78号: 扶贫小额信贷 "期限 3 年以内"
DEFAULT_HELPER_LIMIT = 3  # seed 004 精准帮扶 三(一): "每名帮扶联系人所联系的贫困家庭一般不超过3户"


def _money(verbose: str, **kwargs):
    return models.DecimalField(
        verbose, max_digits=12, decimal_places=2, validators=[MinValueValidator(Decimal("0"))], **kwargs
    )


class CountySettings(models.Model):
    """What the county sets for 帮扶: the limit of households per helper, and the end of the transition
    period until which an exited household keeps its helper (seed 004: "已脱贫户的帮扶联系人不脱钩")."""

    county = models.OneToOneField(
        "villages.Area",
        verbose_name=_("县"),
        on_delete=models.PROTECT,
        related_name="assistance_settings",
        limit_choices_to={"level": "county"},
    )
    helper_limit = models.PositiveSmallIntegerField(
        _("每名帮扶责任人联系户数上限"),
        default=DEFAULT_HELPER_LIMIT,
        validators=[MinValueValidator(1), MaxValueValidator(20)],
    )
    transition_ends_on = models.DateField(
        _("过渡期结束日期"),
        null=True,
        blank=True,
        help_text=_("过渡期内已脱贫户的帮扶责任人不脱钩;留空表示过渡期尚未确定结束日期。"),
    )

    objects = AreaScopedQuerySet.as_manager()
    area_code_field = "county__code"

    class Meta:
        verbose_name = _("帮扶设置")
        verbose_name_plural = _("帮扶设置")
        constraints = [
            models.CheckConstraint(name="settings_limit_positive", condition=Q(helper_limit__gte=1))
        ]

    def __str__(self) -> str:
        return f"{self.county}帮扶设置"


class Unit(models.Model):
    """A 帮扶单位 (or a 驻村工作队's 派出单位), with its level."""

    name = models.CharField(_("单位名称"), max_length=100)
    level = models.CharField(_("单位层级"), max_length=4, choices=choices.UnitLevel.choices)
    # The county (or township) that manages the unit's 帮扶 here: units are county data like everything else.
    area = models.ForeignKey(
        "villages.Area", verbose_name=_("管理区划"), on_delete=models.PROTECT, related_name="assistance_units"
    )

    objects = AreaScopedQuerySet.as_manager()
    area_code_field = "area__code"

    class Meta:
        verbose_name = _("帮扶单位")
        verbose_name_plural = _("帮扶单位")
        ordering = ["level", "name"]
        constraints = [models.UniqueConstraint(fields=["area", "name"], name="unit_name_unique_in_area")]

    def __str__(self) -> str:
        return self.name


class Helper(models.Model):
    """A 帮扶责任人 (帮扶联系人): a person of a unit, who may log in (Role.HELPER) to see their households."""

    name = models.CharField(_("姓名"), max_length=40)
    unit = models.ForeignKey(
        Unit, verbose_name=_("帮扶单位"), on_delete=models.PROTECT, related_name="helpers"
    )
    position = models.CharField(_("职务"), max_length=60, blank=True)
    is_cadre = models.BooleanField(_("在编干部"), default=True)
    is_manager = models.BooleanField(_("企业中层以上管理人员"), default=False)
    phone = models.CharField(_("联系电话"), max_length=20, blank=True)
    area = models.ForeignKey(
        "villages.Area",
        verbose_name=_("管理区划"),
        on_delete=models.PROTECT,
        related_name="helpers",
        help_text=_("负责安排该帮扶责任人的县或乡镇。"),
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("登录账号"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="helper_profile",
    )
    is_active = models.BooleanField(_("在岗"), default=True)

    objects = AreaScopedQuerySet.as_manager()
    area_code_field = "area__code"

    class Meta:
        verbose_name = _("帮扶责任人")
        verbose_name_plural = _("帮扶责任人")
        ordering = ["unit__name", "name"]

    def __str__(self) -> str:
        return f"{self.name}({self.unit})"

    @property
    def is_qualified(self) -> bool:
        """Seed 004: 乡镇以上党政机关、事业单位在编干部, or 企业中层以上管理人员."""
        if self.unit.level == choices.UnitLevel.ENTERPRISE:
            return self.is_manager
        return self.is_cadre and self.unit.level in choices.CADRE_LEVELS

    @property
    def qualification_problem(self) -> str:
        if self.is_qualified:
            return ""
        if self.unit.level == choices.UnitLevel.ENTERPRISE:
            return "企业人员须为中层以上管理人员"
        if self.unit.level not in choices.CADRE_LEVELS:
            return f"{self.unit.get_level_display()}单位人员不能担任帮扶联系人(须为乡镇以上单位)"
        return "不是在编干部"


class Pairing(models.Model):
    """结对: a helper and a household from a date to a date (open while `ended_on` is empty)."""

    helper = models.ForeignKey(
        Helper, verbose_name=_("帮扶责任人"), on_delete=models.PROTECT, related_name="pairings"
    )
    household = models.ForeignKey(
        "households.Household", verbose_name=_("农户"), on_delete=models.CASCADE, related_name="pairings"
    )
    started_on = models.DateField(_("结对日期"))
    ended_on = models.DateField(_("解除日期"), null=True, blank=True)
    end_reason = models.CharField(
        _("解除原因"), max_length=20, choices=choices.PairingEnd.choices, blank=True
    )
    note = models.CharField(_("说明"), max_length=200, blank=True)

    objects = AreaScopedQuerySet.as_manager()
    area_code_field = "household__group__code"
    helper_household_field = "household"

    class Meta:
        verbose_name = _("结对")
        verbose_name_plural = _("结对")
        ordering = ["-started_on", "-id"]
        indexes = [
            models.Index(fields=["helper"], condition=Q(ended_on__isnull=True), name="pairing_open_by_helper")
        ]
        constraints = [
            # One 帮扶责任人 per household at a time; a change ends the old pairing first.
            models.UniqueConstraint(
                fields=["household"],
                condition=Q(ended_on__isnull=True),
                name="pairing_one_open_per_household",
            ),
            models.CheckConstraint(
                name="pairing_ends_after_start",
                condition=Q(ended_on__isnull=True) | Q(ended_on__gte=F("started_on")),
            ),
            models.CheckConstraint(
                name="pairing_end_has_reason", condition=Q(ended_on__isnull=True) | ~Q(end_reason="")
            ),
        ]

    def __str__(self) -> str:
        return f"{self.helper.name} — {self.household}"

    @property
    def is_open(self) -> bool:
        return self.ended_on is None


class WorkTeam(models.Model):
    """驻村工作队 of one 行政村, from its 派出单位, in the village from a date to a date."""

    village = models.ForeignKey(
        "villages.Area",
        verbose_name=_("行政村"),
        on_delete=models.PROTECT,
        related_name="work_teams",
        limit_choices_to={"level": "village"},
    )
    unit = models.ForeignKey(
        Unit, verbose_name=_("派出单位"), on_delete=models.PROTECT, related_name="work_teams"
    )
    started_on = models.DateField(_("进驻日期"))
    ended_on = models.DateField(_("撤离日期"), null=True, blank=True)

    objects = AreaScopedQuerySet.as_manager()
    area_code_field = "village__code"

    class Meta:
        verbose_name = _("驻村工作队")
        verbose_name_plural = _("驻村工作队")
        ordering = ["village__code", "-started_on"]
        constraints = [
            models.UniqueConstraint(
                fields=["village"], condition=Q(ended_on__isnull=True), name="team_one_open_per_village"
            ),
            models.CheckConstraint(
                name="team_ends_after_start",
                condition=Q(ended_on__isnull=True) | Q(ended_on__gte=F("started_on")),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.village}驻村工作队"


class TeamMember(models.Model):
    team = models.ForeignKey(
        WorkTeam, verbose_name=_("工作队"), on_delete=models.CASCADE, related_name="members"
    )
    name = models.CharField(_("姓名"), max_length=40)
    role = models.CharField(_("职务"), max_length=6, choices=choices.TeamRole.choices)
    is_first_secretary = models.BooleanField(_("第一书记"), default=False)
    unit = models.ForeignKey(
        Unit, verbose_name=_("所在单位"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    phone = models.CharField(_("联系电话"), max_length=20, blank=True)
    joined_on = models.DateField(_("进驻日期"))
    left_on = models.DateField(_("离开日期"), null=True, blank=True)

    objects = AreaScopedQuerySet.as_manager()
    area_code_field = "team__village__code"

    class Meta:
        verbose_name = _("工作队队员")
        verbose_name_plural = _("工作队队员")
        ordering = ["team", "role", "id"]

    def __str__(self) -> str:
        return f"{self.name}({self.get_role_display()})"


class Attendance(models.Model):
    """考勤: a team member's days in the village in one month (seed 001 "考勤请假")."""

    member = models.ForeignKey(
        TeamMember, verbose_name=_("队员"), on_delete=models.CASCADE, related_name="attendance"
    )
    month = models.DateField(_("月份"), help_text=_("该月的第一天。"))
    days_present = models.PositiveSmallIntegerField(_("在岗天数"), validators=[MaxValueValidator(31)])
    days_leave = models.PositiveSmallIntegerField(
        _("请假天数"), default=0, validators=[MaxValueValidator(31)]
    )

    objects = AreaScopedQuerySet.as_manager()
    area_code_field = "member__team__village__code"

    class Meta:
        verbose_name = _("考勤")
        verbose_name_plural = _("考勤")
        ordering = ["-month", "member"]
        constraints = [
            models.UniqueConstraint(fields=["member", "month"], name="attendance_one_per_month"),
            models.CheckConstraint(name="attendance_first_of_month", condition=Q(month__day=1)),
            models.CheckConstraint(
                name="attendance_days_fit_month", condition=Q(days_present__lte=31 - F("days_leave"))
            ),
        ]

    def __str__(self) -> str:
        return f"{self.member.name} {self.month:%Y-%m} 在岗{self.days_present}天"


class TeamRecord(models.Model):
    """请假、走访调研、工作报告、述职评议 of a team (seed 001: "考勤请假、走访调研、工作报告、述职评议")."""

    team = models.ForeignKey(
        WorkTeam, verbose_name=_("工作队"), on_delete=models.CASCADE, related_name="records"
    )
    member = models.ForeignKey(
        TeamMember,
        verbose_name=_("队员"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="records",
    )
    kind = models.CharField(_("类型"), max_length=6, choices=choices.TeamRecordKind.choices)
    date = models.DateField(_("日期"))
    content = models.TextField(_("内容"))

    objects = AreaScopedQuerySet.as_manager()
    area_code_field = "team__village__code"

    class Meta:
        verbose_name = _("工作队记录")
        verbose_name_plural = _("工作队记录")
        ordering = ["-date", "-id"]

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} {self.kind}"


class VillageAssistance(models.Model):
    """A 贫困村's own 帮扶 contacts beyond the work team: the "五个一" of seed 003 (联系领导, 帮扶单位,
    驻村工作队, 第一书记, 农技员); the team and the 第一书记 are read from WorkTeam."""

    village = models.OneToOneField(
        "villages.Area",
        verbose_name=_("行政村"),
        on_delete=models.CASCADE,
        related_name="assistance",
        limit_choices_to={"level": "village"},
    )
    liaison_leader = models.CharField(_("联系领导"), max_length=60, blank=True)
    unit = models.ForeignKey(
        Unit,
        verbose_name=_("帮扶单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="villages",
    )
    agronomist = models.CharField(_("农技员"), max_length=60, blank=True)

    objects = AreaScopedQuerySet.as_manager()
    area_code_field = "village__code"

    class Meta:
        verbose_name = _("贫困村帮扶力量")
        verbose_name_plural = _("贫困村帮扶力量")

    def __str__(self) -> str:
        return f"{self.village}帮扶力量"


class Plan(models.Model):
    """一户一策: a household's plan of one year."""

    household = models.ForeignKey(
        "households.Household",
        verbose_name=_("农户"),
        on_delete=models.CASCADE,
        related_name="assistance_plans",
    )
    year = models.PositiveSmallIntegerField(
        _("年度"), validators=[MinValueValidator(2000), MaxValueValidator(2100)]
    )
    target_year = models.PositiveSmallIntegerField(
        _("计划脱贫年度"), validators=[MinValueValidator(2000), MaxValueValidator(2100)]
    )
    wishes = models.TextField(_("发展意愿"), blank=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = AreaScopedQuerySet.as_manager()
    area_code_field = "household__group__code"
    helper_household_field = "household"

    class Meta:
        verbose_name = _("帮扶计划")
        verbose_name_plural = _("帮扶计划")
        ordering = ["household", "-year"]
        constraints = [
            models.UniqueConstraint(fields=["household", "year"], name="plan_one_per_household_year"),
            models.CheckConstraint(
                name="plan_target_not_before_year", condition=Q(target_year__gte=F("year"))
            ),
        ]

    def __str__(self) -> str:
        return f"{self.household} {self.year}年帮扶计划"


class Measure(models.Model):
    """帮扶措施: one measure of a plan, for the household or for one member (a student, a patient)."""

    plan = models.ForeignKey(
        Plan, verbose_name=_("帮扶计划"), on_delete=models.CASCADE, related_name="measures"
    )
    # The plan's household, kept on the row so the coverage queries join one table, not two.
    household = models.ForeignKey(
        "households.Household",
        verbose_name=_("农户"),
        on_delete=models.CASCADE,
        related_name="assistance_measures",
    )
    category = models.CharField(_("措施类别"), max_length=10, choices=choices.Category.choices)
    member = models.ForeignKey(
        "households.Member",
        verbose_name=_("受益成员"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="assistance_measures",
    )
    content = models.CharField(_("措施内容"), max_length=200)
    amount = _money(_("金额(元)"), default=Decimal("0"))
    funding_source = models.CharField(_("资金来源"), max_length=6, choices=choices.FundingSource.choices)
    started_on = models.DateField(_("开始日期"))
    ended_on = models.DateField(_("结束日期"), null=True, blank=True)
    status = models.CharField(
        _("状态"), max_length=4, choices=choices.MeasureStatus.choices, default=choices.MeasureStatus.PLANNED
    )
    effect = models.CharField(_("成效"), max_length=200, blank=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = AreaScopedQuerySet.as_manager()
    area_code_field = "household__group__code"
    helper_household_field = "household"

    class Meta:
        verbose_name = _("帮扶措施")
        verbose_name_plural = _("帮扶措施")
        ordering = ["plan", "started_on", "id"]
        indexes = [models.Index(fields=["household", "category"], name="measure_household_category")]
        constraints = [
            models.CheckConstraint(name="measure_amount_not_negative", condition=Q(amount__gte=0)),
            models.CheckConstraint(
                name="measure_ends_after_start",
                condition=Q(ended_on__isnull=True) | Q(ended_on__gte=F("started_on")),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_category_display()}:{self.content}"

    @property
    def group(self) -> str:
        return choices.GROUP_OF.get(self.category, choices.OTHER)

    @property
    def path(self) -> str | None:
        return choices.path_of(self.category)


class Visit(models.Model):
    """走访记录: a helper's visit to a household."""

    helper = models.ForeignKey(
        Helper, verbose_name=_("帮扶责任人"), on_delete=models.PROTECT, related_name="visits"
    )
    household = models.ForeignKey(
        "households.Household", verbose_name=_("农户"), on_delete=models.CASCADE, related_name="visits"
    )
    visited_on = models.DateField(_("走访日期"))
    content = models.TextField(_("走访内容"))
    photo = models.FileField(_("照片"), upload_to="visits/%Y/%m/", blank=True)
    created_at = models.DateTimeField(_("登记时间"), default=timezone.now)

    objects = AreaScopedQuerySet.as_manager()
    area_code_field = "household__group__code"
    helper_household_field = "household"

    class Meta:
        verbose_name = _("走访记录")
        verbose_name_plural = _("走访记录")
        ordering = ["-visited_on", "-id"]
        indexes = [models.Index(fields=["household", "-visited_on"], name="visit_household_latest")]

    def __str__(self) -> str:
        return f"{self.helper.name} {self.visited_on:%Y-%m-%d} 走访 {self.household}"


class CreditRating(models.Model):
    """评级授信 of a household for 扶贫小额信贷 (seed 004: "放贷前需组织对贫困户进行评级授信")."""

    household = models.ForeignKey(
        "households.Household",
        verbose_name=_("农户"),
        on_delete=models.CASCADE,
        related_name="credit_ratings",
    )
    grade = models.CharField(_("信用等级"), max_length=4, choices=choices.CreditGrade.choices)
    credit_line = _money(_("授信额度(元)"), default=Decimal("0"))
    rated_on = models.DateField(_("评级日期"))

    objects = AreaScopedQuerySet.as_manager()
    area_code_field = "household__group__code"
    helper_household_field = "household"

    class Meta:
        verbose_name = _("评级授信")
        verbose_name_plural = _("评级授信")
        ordering = ["household", "-rated_on"]

    def __str__(self) -> str:
        return f"{self.household} {self.grade}"


def add_months(day: datetime.date, months: int) -> datetime.date:
    """The same day `months` later (the 31st becomes the month's last day)."""
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    leap = year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)
    last = [31, 29 if leap else 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]
    return datetime.date(year, month, min(day.day, last))


class Loan(models.Model):
    """扶贫小额信贷: one loan. `due_on` is derived from the issue date and term (and moved by 展期/续贷)."""

    household = models.ForeignKey(
        "households.Household", verbose_name=_("农户"), on_delete=models.CASCADE, related_name="loans"
    )
    bank = models.CharField(_("贷款银行"), max_length=60)
    amount = _money(_("贷款金额(元)"))
    issued_on = models.DateField(_("放贷日期"))
    term_months = models.PositiveSmallIntegerField(
        _("期限(月)"), validators=[MinValueValidator(1), MaxValueValidator(MAX_LOAN_MONTHS)]
    )
    due_on = models.DateField(_("到期日期"))
    purpose = models.CharField(_("贷款用途"), max_length=100)
    subsidy_rate = models.DecimalField(
        _("贴息利率(%)"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("0"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("20"))],
    )
    subsidy_amount = _money(_("贴息金额(元)"), default=Decimal("0"))
    risk_compensation = _money(_("风险补偿金(元)"), default=Decimal("0"))
    status = models.CharField(
        _("状态"), max_length=6, choices=choices.LoanStatus.choices, default=choices.LoanStatus.NORMAL
    )
    repaid_on = models.DateField(_("还清日期"), null=True, blank=True)

    objects = AreaScopedQuerySet.as_manager()
    area_code_field = "household__group__code"
    helper_household_field = "household"

    class Meta:
        verbose_name = _("扶贫小额贷款")
        verbose_name_plural = _("扶贫小额贷款")
        ordering = ["household", "-issued_on"]
        indexes = [models.Index(fields=["due_on"], condition=~Q(status="已还"), name="loan_open_due")]
        constraints = [
            models.CheckConstraint(name="loan_amount_positive", condition=Q(amount__gt=0)),
            models.CheckConstraint(
                name="loan_term_within_three_years",
                condition=Q(term_months__gte=1, term_months__lte=MAX_LOAN_MONTHS),
            ),
            models.CheckConstraint(name="loan_due_after_issue", condition=Q(due_on__gt=F("issued_on"))),
            models.CheckConstraint(
                name="loan_repaid_has_date", condition=~Q(status="已还") | Q(repaid_on__isnull=False)
            ),
        ]

    def __str__(self) -> str:
        return f"{self.household} {self.bank} {self.amount}元"

    def is_overdue(self, today: datetime.date | None = None) -> bool:
        """Computed from the dates (seed 004): unpaid past its due date, whatever was recorded."""
        today = today or timezone.localdate()
        return self.status in choices.OPEN_LOAN_STATUSES and self.due_on < today

    def display_status(self, today: datetime.date | None = None) -> str:
        return choices.OVERDUE if self.is_overdue(today) else self.get_status_display()
