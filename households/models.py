"""The registry (户有卡): households, their members, yearly incomes and roll memberships (cases).

Every change keeps its history (django-simple-history: who, when, which fields), bulk imports too.
"""

from __future__ import annotations

from decimal import Decimal

from django.contrib.postgres.fields import ArrayField
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from accounts.scoping import AreaScopedQuerySet
from households import choices
from jobs.models import Job, Status

ZERO = Decimal("0")


def _area_field(verbose: str):
    return models.DecimalField(
        verbose, max_digits=10, decimal_places=2, null=True, blank=True, validators=[MinValueValidator(ZERO)]
    )


def _money(verbose: str):
    return models.DecimalField(verbose, max_digits=12, decimal_places=2, default=ZERO)


class Household(models.Model):
    """One household (户) in a 村民小组, with the 生产生活条件 of the 贫困户登记表."""

    number = models.CharField(_("户编号"), max_length=30, unique=True)
    group = models.ForeignKey(
        "villages.Area",
        verbose_name=_("村民小组"),
        on_delete=models.PROTECT,
        related_name="households",
        limit_choices_to={"level": "group"},
    )
    address = models.CharField(_("住址"), max_length=200, blank=True)
    phone = models.CharField(_("联系电话"), max_length=20, blank=True)
    bank_name = models.CharField(_("开户银行"), max_length=60, blank=True)
    bank_account = models.CharField(_("银行账号"), max_length=30, blank=True)

    standard = models.CharField(
        _("识别标准"), max_length=10, choices=choices.Standard.choices, default=choices.Standard.NATIONAL
    )
    attribute = models.CharField(
        _("贫困户属性"), max_length=10, choices=choices.Attribute.choices, blank=True
    )
    main_cause = models.CharField(_("主要致贫原因"), max_length=10, choices=choices.Cause.choices, blank=True)
    other_causes = ArrayField(
        models.CharField(max_length=10, choices=choices.Cause.choices),
        verbose_name=_("其他致贫原因"),
        default=list,
        blank=True,
    )
    other_cause_note = models.CharField(
        _("其他致贫原因说明"),
        max_length=100,
        blank=True,
        help_text=_("致贫原因选“其他”时写明具体原因。"),
    )
    deep_poverty = models.BooleanField(_("深度贫困户"), default=False)
    military_martyr_family = models.BooleanField(_("是否军烈属"), null=True, blank=True)
    only_child_household = models.BooleanField(_("是否独生子女户"), null=True, blank=True)
    two_daughters_household = models.BooleanField(_("是否双女户"), null=True, blank=True)

    # 生产生活条件
    arable_land = _area_field(_("耕地面积(亩)"))
    irrigated_land = _area_field(_("有效灌溉面积(亩)"))
    forest_land = _area_field(_("林地面积(亩)"))
    returned_farmland = _area_field(_("退耕还林面积(亩)"))
    pasture_land = _area_field(_("牧草地面积(亩)"))
    water_surface = _area_field(_("水面面积(亩)"))
    orchard_land = _area_field(_("林果面积(亩)"))
    has_electricity = models.BooleanField(_("是否通生活用电"), null=True, blank=True)
    has_production_electricity = models.BooleanField(_("是否通生产用电"), null=True, blank=True)
    has_broadcast_tv = models.BooleanField(_("是否通广播电视"), null=True, blank=True)
    road_distance_km = models.DecimalField(
        _("与村主干路距离(公里)"),
        max_digits=6,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(ZERO)],
    )
    road_type = models.CharField(_("入户路类型"), max_length=10, choices=choices.RoadType.choices, blank=True)
    housing_area = models.DecimalField(
        _("住房面积(平方米)"),
        max_digits=8,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(ZERO)],
    )
    dangerous_house = models.BooleanField(_("是否危房户"), null=True, blank=True)
    dangerous_house_grade = models.CharField(
        _("危房等级"), max_length=4, choices=choices.DangerGrade.choices, blank=True
    )
    drinking_water_difficult = models.BooleanField(_("饮水是否困难"), null=True, blank=True)
    drinking_water_safe = models.BooleanField(_("饮水是否安全"), null=True, blank=True)
    fuel = models.CharField(_("主要燃料类型"), max_length=10, choices=choices.Fuel.choices, blank=True)
    in_cooperative = models.BooleanField(_("是否加入农民专业合作社"), null=True, blank=True)
    has_sanitary_toilet = models.BooleanField(_("有无卫生厕所"), null=True, blank=True)

    # 合户: the household this one was merged into (its members moved there; the row and its history stay).
    merged_into = models.ForeignKey(
        "self",
        verbose_name=_("已并入户"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="merged_from",
    )

    created_at = models.DateTimeField(_("建档时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    # Kept by the database itself (households.persons, migration 0007): copies of what the household's
    # group and members say, so that a list or a count of an area reads only that area's households,
    # never the area table or the whole member table (bench/README.md, "Scale"). Never typed.
    # `area_code` is the 村民小组's code; C collation, so that one btree both matches `LIKE '5303%'`
    # and orders the list (the database's default C.UTF-8 is not C to PostgreSQL 15's planner).
    area_code = models.CharField(
        _("村民小组代码"), max_length=15, editable=False, default="", db_default="", db_collation="C"
    )
    persons = models.PositiveSmallIntegerField(_("家庭人口数"), editable=False, default=0, db_default=0)

    history = HistoricalRecords(excluded_fields=["updated_at", "area_code", "persons"])
    objects = AreaScopedQuerySet.as_manager()
    area_code_field = "area_code"
    helper_household_field = "pk"  # a 帮扶责任人 sees the households paired with them (accounts.scoping)

    class Meta:
        # Every rural household the county registers; only an open case makes it a 贫困户 (or 低保户, 特困户).
        verbose_name = _("农户")
        verbose_name_plural = _("农户档案")
        ordering = ["number"]
        # Every list of an area starts here: the area's range of this index, in list order, and
        # nothing outside it, whatever the size of the table (LIMIT 50 reads 50 entries).
        indexes = [models.Index(fields=["area_code", "number"], name="household_area_number")]
        constraints = [
            # 其他 as a cause says what in the note; the note is for that case only.
            models.CheckConstraint(
                name="household_other_cause_note_with_other",
                condition=(
                    Q(other_cause_note="") & ~Q(main_cause="其他") & ~Q(other_causes__contains=["其他"])
                )
                | (~Q(other_cause_note="") & (Q(main_cause="其他") | Q(other_causes__contains=["其他"]))),
            ),
            models.CheckConstraint(
                name="household_grade_only_for_dangerous_house",
                condition=Q(dangerous_house=True) | Q(dangerous_house_grade=""),
            ),
            models.CheckConstraint(
                name="household_irrigated_within_arable",
                condition=Q(irrigated_land__isnull=True)
                | Q(arable_land__isnull=True)
                | Q(irrigated_land__lte=F("arable_land")),
            ),
        ]

    def __str__(self) -> str:
        return self.number


class CurrentMemberManager(models.Manager):
    """The persons of the households now: a member removed by an approved 减少成员 is not among them.

    The default manager, so that every count, list, ledger and `household.members` leaves removed
    members out without each caller remembering to; `Member.everyone` reaches them (the 户卡's 已减少成员,
    the change requests). Raw SQL over households_member filters `removed_at IS NULL` itself.
    """

    def get_queryset(self) -> models.QuerySet:
        return super().get_queryset().filter(removed_at__isnull=True)


class Member(models.Model):
    """A person of a household. One person (身份证号) is in at most one household at a time, county-wide.

    Nothing is deleted: a person who leaves (死亡, 婚出, 迁出 …, households.changes) keeps the row, with
    removed_at and the reason, and drops out of `Member.objects`.
    """

    household = models.ForeignKey(
        Household, verbose_name=_("所属户"), on_delete=models.CASCADE, related_name="members"
    )
    # 户编号 + a 2-digit serial, generated where not imported (households.numbers).
    person_number = models.CharField(_("人编号"), max_length=32, blank=True)
    name = models.CharField(_("姓名"), max_length=40)
    id_number = models.CharField(_("身份证号"), max_length=18)
    gender = models.CharField(_("性别"), max_length=1, choices=choices.Gender.choices)
    birth_date = models.DateField(_("出生日期"))
    relation = models.CharField(_("与户主关系"), max_length=10, choices=choices.Relation.choices)
    ethnicity = models.CharField(_("民族"), max_length=10, choices=choices.Ethnicity.choices, default="汉族")
    education = models.CharField(_("文化程度"), max_length=10, choices=choices.Education.choices, blank=True)
    school_status = models.CharField(
        _("在校生状况"),
        max_length=10,
        choices=choices.SchoolStatus.choices,
        default=choices.SchoolStatus.NONE,
    )
    health = models.CharField(
        _("健康状况"), max_length=10, choices=choices.Health.choices, default=choices.Health.HEALTHY
    )
    disability_certificate = models.CharField(_("残疾证号"), max_length=30, blank=True)
    disability_grade = models.CharField(
        _("残疾等级"), max_length=4, choices=choices.DisabilityGrade.choices, blank=True
    )
    labour = models.CharField(_("劳动技能"), max_length=10, choices=choices.Labour.choices, blank=True)
    work_status = models.CharField(
        _("务工状况"), max_length=12, choices=choices.WorkStatus.choices, blank=True
    )
    work_months = models.PositiveSmallIntegerField(
        _("务工时间(月)"), null=True, blank=True, validators=[MaxValueValidator(12)]
    )
    basic_medical_insurance = models.BooleanField(_("参加城乡居民基本医疗保险"), default=False)
    serious_illness_insurance = models.BooleanField(_("参加大病保险"), default=False)
    pension_insurance = models.BooleanField(_("参加城乡居民基本养老保险"), default=False)
    serviceman = models.BooleanField(_("现役军人"), default=False)
    phone = models.CharField(_("联系电话"), max_length=20, blank=True)
    # Set only by an approved 减少成员 (households.changes): the person has left the household.
    removed_at = models.DateTimeField(_("减少时间"), null=True, blank=True)
    removal_reason = models.CharField(
        _("减少原因"), max_length=10, choices=choices.RemovalReason.choices, blank=True
    )

    history = HistoricalRecords()
    everyone = models.Manager()
    objects = CurrentMemberManager()

    class Meta:
        verbose_name = _("家庭成员")
        verbose_name_plural = _("家庭成员")
        # Current members by default (CurrentMemberManager); `everyone` is named first only for ruff.
        default_manager_name = "objects"
        ordering = ["household", "id"]
        # The household list finds people by name from its start (张建, 张建华): an index range scan
        # instead of reading 400,000 names (bench/README.md, "Household list").
        indexes = [
            models.Index(fields=["name"], name="member_name_prefix", opclasses=["varchar_pattern_ops"])
        ]
        constraints = [
            # At most one 户主 per household here; "at least one" is checked where members are saved.
            # Conditional constraints name themselves in Django's own message ("约束…是无效的") when a
            # form's model validation meets them (someone saved the same person a moment earlier): say it.
            models.UniqueConstraint(
                fields=["household"],
                condition=Q(relation="户主", removed_at__isnull=True),
                name="member_one_head",
                violation_error_message="该户已有户主,一户只能有一名户主。",
            ),
            # One person is in one household at a time; a removed member's number may be registered again
            # (婚出 here, 婚入 there). The name keeps the prefix households.views.UNIQUE_MESSAGES knows.
            models.UniqueConstraint(
                fields=["id_number"],
                condition=Q(removed_at__isnull=True),
                name="households_member_id_number_current",
                violation_error_message="此人已登记在另一户中,一人只能属于一户。",
            ),
            models.CheckConstraint(
                name="member_removed_with_reason",
                condition=Q(removed_at__isnull=True, removal_reason="")
                | Q(removed_at__isnull=False) & ~Q(removal_reason=""),
            ),
            models.UniqueConstraint(
                fields=["person_number"],
                condition=~Q(person_number=""),
                name="member_person_number_unique",
                violation_error_message="该人编号已登记给另一人。",
            ),
            # Birth date and gender must agree with the number: households.validation checks that
            # wherever members are written (forms, import, services).
            models.CheckConstraint(
                name="member_id_number_shape", condition=Q(id_number__regex=r"^\d{17}[\dX]$")
            ),
            models.CheckConstraint(name="member_work_months_le_12", condition=Q(work_months__lte=12)),
            models.CheckConstraint(
                name="member_disability_grade_only_if_disabled",
                condition=Q(health="残疾") | Q(disability_grade="", disability_certificate=""),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_head(self) -> bool:
        return self.relation == choices.Relation.HEAD

    @property
    def is_removed(self) -> bool:
        return self.removed_at is not None

    @property
    def needs_disability_grade(self) -> bool:
        """残疾 without a grade: accepted from a 花名册 (which has no such column), completed on the 户卡."""
        return self.health == choices.Health.DISABLED and not self.disability_grade


class IncomeRecord(models.Model):
    """A household's income of one year (元). 年人均纯收入 is derived, never typed."""

    household = models.ForeignKey(
        Household, verbose_name=_("所属户"), on_delete=models.CASCADE, related_name="incomes"
    )
    year = models.PositiveSmallIntegerField(
        _("年度"), validators=[MinValueValidator(2000), MaxValueValidator(2100)]
    )
    persons = models.PositiveSmallIntegerField(
        _("家庭人口数"),
        validators=[MinValueValidator(1)],
        help_text=_("该年度的家庭人口,用于计算人均纯收入。"),
    )
    wage_income = _money(_("工资性收入"))
    business_income = _money(_("生产经营性收入"))
    business_expense = _money(_("生产经营性支出"))
    property_income = _money(_("财产性收入"))
    family_planning_subsidy = _money(_("计划生育金"))
    dibao_benefit = _money(_("低保金"))
    tekun_benefit = _money(_("特困供养金"))
    pension = _money(_("养老保险金"))
    ecological_compensation = _money(_("生态补偿金"))
    other_transfer = _money(_("其他转移性收入"))

    history = HistoricalRecords()

    TRANSFER_FIELDS = (
        "family_planning_subsidy",
        "dibao_benefit",
        "tekun_benefit",
        "pension",
        "ecological_compensation",
        "other_transfer",
    )

    class Meta:
        verbose_name = _("收入情况")
        verbose_name_plural = _("收入情况")
        ordering = ["household", "-year"]
        constraints = [
            models.UniqueConstraint(fields=["household", "year"], name="income_one_record_per_year"),
            models.CheckConstraint(
                name="income_amounts_not_negative",
                condition=Q(
                    wage_income__gte=0,
                    business_income__gte=0,
                    business_expense__gte=0,
                    property_income__gte=0,
                    family_planning_subsidy__gte=0,
                    dibao_benefit__gte=0,
                    tekun_benefit__gte=0,
                    pension__gte=0,
                    ecological_compensation__gte=0,
                    other_transfer__gte=0,
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.household} {self.year}年"

    @property
    def transfer_income(self) -> Decimal:
        return sum((getattr(self, f) for f in self.TRANSFER_FIELDS), ZERO)

    @property
    def net_income(self) -> Decimal:
        """家庭纯收入 = 工资性 + 生产经营性收入 − 生产经营性支出 + 财产性 + 转移性."""
        return (
            self.wage_income
            + self.business_income
            - self.business_expense
            + self.property_income
            + self.transfer_income
        )

    @property
    def per_capita_net_income(self) -> Decimal:
        """年人均纯收入, to the fen."""
        return (self.net_income / self.persons).quantize(Decimal("0.01"))


class Case(models.Model):
    """A household's membership of one roll: 扶贫, 低保 or 特困. 扶贫 + 低保 at once is a 交叉对象."""

    household = models.ForeignKey(
        Household, verbose_name=_("所属户"), on_delete=models.PROTECT, related_name="cases"
    )
    program = models.CharField(_("名册"), max_length=10, choices=choices.Program.choices)
    entered_year = models.PositiveSmallIntegerField(_("识别年度"))
    state = models.CharField(
        _("状态"), max_length=10, choices=choices.CaseState.choices, default=choices.CaseState.ACTIVE
    )
    poverty_class = models.PositiveSmallIntegerField(
        _("贫困类型"), choices=choices.PovertyClass.choices, null=True, blank=True
    )
    left_year = models.PositiveSmallIntegerField(_("退出年度"), null=True, blank=True)
    # 返贫: the year a lifted 扶贫 case was confirmed again (its state is then 返贫, its history keeps the rest).
    returned_year = models.PositiveSmallIntegerField(_("返贫年度"), null=True, blank=True)
    note = models.CharField(_("备注"), max_length=200, blank=True)
    # Its household's area_code, kept by the database (households.persons, migration 0010): a count of an
    # area's cases reads that area's cases alone, never the whole case table of a prefecture.
    area_code = models.CharField(
        _("村民小组代码"), max_length=15, editable=False, default="", db_default="", db_collation="C"
    )

    history = HistoricalRecords(excluded_fields=["area_code"])

    OPEN_STATES = (choices.CaseState.ACTIVE, choices.CaseState.RETURNED)

    class Meta:
        verbose_name = _("对象")
        verbose_name_plural = _("对象")
        ordering = ["household", "program"]
        indexes = [models.Index(fields=["area_code", "program", "state"], name="case_area_program_state")]
        constraints = [
            models.UniqueConstraint(
                fields=["household", "program"],
                condition=Q(state__in=["active", "returned"]),
                name="case_one_open_per_program",
            ),
            models.CheckConstraint(
                name="case_lifted_only_on_fupin",
                condition=~Q(state__in=["lifted", "returned"]) | Q(program="fupin"),
            ),
            models.CheckConstraint(
                name="case_left_year_after_entry",
                condition=Q(left_year__isnull=True) | Q(left_year__gte=F("entered_year")),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.household} {self.get_program_display()}"

    @property
    def is_open(self) -> bool:
        return self.state in self.OPEN_STATES


class ImportJob(Job):
    """One upload of the national 花名册: its preview (dry run) and its import, run as Celery tasks.

    The page polls this row; the tasks write status, progress and the outcome here.
    """

    class Phase(models.TextChoices):
        PREVIEW = "preview", _("预检")
        IMPORT = "import", _("导入")

    Status = Status  # the jobs' four states (jobs.models), named here as the import code always did
    # STALE_AFTER: the base's 10 minutes is longer than rebuilding indexes after a county-sized load.
    RESUMES_WHEN_REDELIVERED = True  # households.tasks.run_roster_import is acks_late
    # Nothing was written (the import is one transaction); confirming again re-runs it (idempotent).
    STALE_MESSAGE = "导入中断(后台进程已退出),未写入任何数据。预检请重新上传;导入请点击“确认导入”重试。"

    user = models.ForeignKey(
        "accounts.User", verbose_name=_("导入人"), on_delete=models.PROTECT, related_name="import_jobs"
    )
    file = models.FileField(_("上传文件"), upload_to="imports/%Y/%m/")
    original_name = models.CharField(_("原文件名"), max_length=200)
    # The 识别年度 the file's rolls belong to, chosen on upload: never the clock's year.
    year = models.PositiveSmallIntegerField(
        _("识别年度"), null=True, validators=[MinValueValidator(2000), MaxValueValidator(2100)]
    )
    phase = models.CharField(_("阶段"), max_length=10, choices=Phase.choices, default=Phase.PREVIEW)
    counts = models.JSONField(_("统计"), default=dict, blank=True)
    errors = models.JSONField(_("错误"), default=list, blank=True)
    error_count = models.PositiveIntegerField(_("错误数"), default=0)
    warnings = models.JSONField(_("提醒"), default=list, blank=True)
    warning_count = models.PositiveIntegerField(_("提醒数"), default=0)
    sample = models.JSONField(_("样例"), default=list, blank=True)
    notes = models.JSONField(_("提示"), default=list, blank=True)
    error_file = models.FileField(_("错误标注文件"), upload_to="imports/errors/%Y/%m/", blank=True)

    class Meta:
        verbose_name = _("花名册导入")
        verbose_name_plural = _("花名册导入")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.original_name} ({self.get_phase_display()}{self.get_status_display()})"

    @property
    def can_confirm(self) -> bool:
        """A clean preview, or an import that failed midway (re-running it is idempotent)."""
        if self.phase == self.Phase.PREVIEW:
            return self.status == self.Status.DONE and not self.error_count
        return self.status == self.Status.FAILED and not self.error_count


# The change requests (maker–checker) live in their own package; imported here so Django finds the models.
from households.changes.models import ChangeRequest, ChangeRequestMember  # noqa: E402, F401
