"""The national lists the 帮扶 records use: unit levels, measure categories, funding sources, loan states.

Measure categories are grouped as the 贫困户登记表's 帮扶措施 section groups them; each group leads to one of
the "五个一批" paths (seed 003 五: 发展生产、易地搬迁、生态补偿、发展教育、社会保障兜底), derived, never typed.
"""

from __future__ import annotations

from django.db import models


class UnitLevel(models.TextChoices):
    """The issue's levels: 中省直/省直/市直/县直/乡镇/村级/企业."""

    CENTRAL = "中省直", "中省直"  # central units stationed in the province
    PROVINCIAL = "省直", "省直"
    CITY = "市直", "市直"
    COUNTY = "县直", "县直"
    TOWNSHIP = "乡镇", "乡镇"
    VILLAGE = "村级", "村级"
    ENTERPRISE = "企业", "企业"


# Seed 004 精准帮扶 三(一): "帮扶联系人必须是乡镇以上党政机关、事业单位在编干部或企业中层以上管理人员".
CADRE_LEVELS = (
    UnitLevel.CENTRAL,
    UnitLevel.PROVINCIAL,
    UnitLevel.CITY,
    UnitLevel.COUNTY,
    UnitLevel.TOWNSHIP,
)


class PairingEnd(models.TextChoices):
    REASSIGNED = "调整帮扶责任人", "调整帮扶责任人"
    HELPER_LEFT = "帮扶责任人调离", "帮扶责任人调离"
    LIFTED = "已脱贫且过渡期结束", "已脱贫且过渡期结束"
    HOUSEHOLD_GONE = "农户注销或迁出", "农户注销或迁出"
    OTHER = "其他", "其他"


class Category(models.TextChoices):
    # 产业扶贫
    PLANTING = "种植", "种植"
    BREEDING = "养殖", "养殖"
    PROCESSING = "加工", "加工"
    RURAL_TOURISM = "乡村旅游", "乡村旅游"
    PHOTOVOLTAIC = "光伏", "光伏"
    OTHER_INDUSTRY = "其他产业", "其他产业"
    # 就业扶贫
    MIGRANT_WORK = "外出务工", "外出务工"
    PUBLIC_WELFARE_JOB = "公益岗位", "公益岗位"
    FOREST_RANGER = "生态护林员", "生态护林员"
    SKILLS_TRAINING = "技能培训", "技能培训"
    # 易地扶贫搬迁
    RELOCATION = "易地扶贫搬迁", "易地扶贫搬迁"
    # 教育扶贫
    PRESCHOOL_AID = "学前教育资助", "学前教育资助"
    COMPULSORY_AID = "义务教育资助", "义务教育资助"
    SENIOR_AID = "高中教育资助", "高中教育资助"
    VOCATIONAL_AID = "中职教育资助", "中职教育资助"
    YULU = "雨露计划", "雨露计划"
    COLLEGE_AID = "高校资助", "高校资助"
    # 健康扶贫
    FAMILY_DOCTOR = "家庭医生签约", "家庭医生签约"
    SERIOUS_ILLNESS = "大病救治", "大病救治"
    CHRONIC_CARE = "慢病签约", "慢病签约"
    INSURANCE_PAID = "医保代缴", "医保代缴"
    # the rest
    HOUSING = "危房改造", "危房改造"
    DIBAO = "低保兜底", "低保兜底"
    MICROCREDIT = "小额信贷", "小额信贷"
    ASSET_INCOME = "资产收益", "资产收益"
    OTHER = "其他", "其他"


INDUSTRY, EMPLOYMENT, RELOCATION, EDUCATION, HEALTH = (
    "产业扶贫",
    "就业扶贫",
    "易地扶贫搬迁",
    "教育扶贫",
    "健康扶贫",
)
HOUSING, DIBAO, MICROCREDIT, ASSET_INCOME, OTHER = "危房改造", "低保兜底", "小额信贷", "资产收益", "其他"

GROUPS: dict[str, tuple[str, ...]] = {
    INDUSTRY: ("种植", "养殖", "加工", "乡村旅游", "光伏", "其他产业"),
    EMPLOYMENT: ("外出务工", "公益岗位", "生态护林员", "技能培训"),
    RELOCATION: ("易地扶贫搬迁",),
    EDUCATION: ("学前教育资助", "义务教育资助", "高中教育资助", "中职教育资助", "雨露计划", "高校资助"),
    HEALTH: ("家庭医生签约", "大病救治", "慢病签约", "医保代缴"),
    HOUSING: ("危房改造",),
    DIBAO: ("低保兜底",),
    MICROCREDIT: ("小额信贷",),
    ASSET_INCOME: ("资产收益",),
    OTHER: ("其他",),
}
GROUP_OF: dict[str, str] = {
    category: group for group, categories in GROUPS.items() for category in categories
}

# The "五个一批" path each category leads to (seed 003 五; 国务院《"十三五"脱贫攻坚规划》's five):
# 生态护林员 is 生态补偿 although it is a job; 危房改造 and 其他 lead to none of the five.
PRODUCTION, RELOCATED, ECOLOGY, SCHOOLING, SECURITY = (
    "发展生产脱贫一批",
    "易地搬迁脱贫一批",
    "生态补偿脱贫一批",
    "发展教育脱贫一批",
    "社会保障兜底一批",
)
PATHS = (PRODUCTION, RELOCATED, ECOLOGY, SCHOOLING, SECURITY)
PATH_OF_GROUP = {
    INDUSTRY: PRODUCTION,
    EMPLOYMENT: PRODUCTION,
    MICROCREDIT: PRODUCTION,
    ASSET_INCOME: PRODUCTION,
    RELOCATION: RELOCATED,
    EDUCATION: SCHOOLING,
    HEALTH: SECURITY,
    DIBAO: SECURITY,
}


def path_of(category: str) -> str | None:
    if category == Category.FOREST_RANGER:
        return ECOLOGY
    return PATH_OF_GROUP.get(GROUP_OF.get(category, ""))


def categories_of(group: str) -> tuple[str, ...]:
    return GROUPS[group]


class FundingSource(models.TextChoices):
    FISCAL = "财政专项", "财政专项"
    SECTOR = "行业部门", "行业部门"
    SOCIAL = "社会帮扶", "社会帮扶"
    CREDIT = "信贷", "信贷"
    SELF = "自筹", "自筹"


class MeasureStatus(models.TextChoices):
    PLANNED = "计划", "计划"
    RUNNING = "实施中", "实施中"
    DONE = "已完成", "已完成"
    STOPPED = "已终止", "已终止"


class TeamRole(models.TextChoices):
    LEADER = "队长", "队长"
    DEPUTY = "副队长", "副队长"
    SPECIALIST = "扶贫专干", "扶贫专干"
    MEMBER = "队员", "队员"


class TeamRecordKind(models.TextChoices):
    LEAVE = "请假", "请假"
    VISIT = "走访调研", "走访调研"
    REPORT = "工作报告", "工作报告"
    DEBRIEF = "述职评议", "述职评议"


class CreditGrade(models.TextChoices):
    AAA = "AAA", "AAA"
    AA = "AA", "AA"
    A = "A", "A"
    B = "B", "B"
    NONE = "不予授信", "不予授信"


class LoanStatus(models.TextChoices):
    """What was recorded; 逾期 is never recorded but computed from the due date (Loan.is_overdue)."""

    NORMAL = "正常", "正常"
    REPAID = "已还", "已还"
    EXTENDED = "展期", "展期"
    RENEWED = "续贷", "续贷"
    RENEWED_NO_PRINCIPAL = "无还本续贷", "无还本续贷"


OPEN_LOAN_STATUSES = (
    LoanStatus.NORMAL,
    LoanStatus.EXTENDED,
    LoanStatus.RENEWED,
    LoanStatus.RENEWED_NO_PRINCIPAL,
)
OVERDUE = "逾期"
