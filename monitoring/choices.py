"""The code lists of 防返贫监测: what raises a warning, how a warning and a 监测对象 move on."""

from __future__ import annotations

from django.db import models


class Trigger(models.TextChoices):
    """预警 causes (issue 12 "防返贫监测"); each is one set-based query in monitoring.triggers."""

    INCOME_LOW = "income_low", "收入低于监测线"
    INCOME_DROP = "income_drop", "收入大幅下降"
    SERIOUS_ILLNESS = "serious_illness", "新增大病成员"
    SEVERE_DISABILITY = "severe_disability", "新增重残成员"
    DISASTER = "disaster", "因灾受损"
    ACCIDENT = "accident", "突发意外"
    LOAN_OVERDUE = "loan_overdue", "扶贫贷款逾期"
    SCHOOL_DROPOUT = "school_dropout", "学生辍学"
    MEDICAL_COSTS = "medical_costs", "医疗支出过高"


class EventKind(models.TextChoices):
    """突发严重困难 recorded by the village."""

    DISASTER = "因灾", "因灾"
    ILLNESS = "因病", "因病"
    ACCIDENT = "因意外", "因意外"
    OTHER = "其他", "其他"


class WarningStatus(models.TextChoices):
    PENDING = "pending", "待核实"
    VERIFIED = "verified", "已入户核实"
    DISMISSED = "dismissed", "已排除"
    MONITORED = "monitored", "纳入监测对象"
    REFERRED = "referred", "转入识别(待申报)"
    APPLIED = "applied", "已申报识别"


OPEN_WARNING_STATUSES = (WarningStatus.PENDING, WarningStatus.VERIFIED, WarningStatus.REFERRED)


class ReferralKind(models.TextChoices):
    RETURNED = "returned", "返贫"
    NEW = "new", "新识别"


class MonitoredKind(models.TextChoices):
    """The three kinds of 监测对象."""

    UNSTABLE = "unstable", "脱贫不稳定户"
    EDGE = "edge", "边缘易致贫户"
    SUDDEN = "sudden", "突发严重困难户"


class MonitoredState(models.TextChoices):
    """监测中, then 风险消除 in the procedure's shape: 核实 → 评议 → 公示 → 县审批 → 公告."""

    MONITORING = "monitoring", "监测中"
    CLEAR_VERIFIED = "clear_verified", "风险消除已核实"
    CLEAR_REVIEWED = "clear_reviewed", "风险消除已评议"
    CLEAR_PUBLICIZED = "clear_publicized", "风险消除公示无异议"
    CLEAR_APPROVED = "clear_approved", "县已审批风险消除"
    CLEARED = "cleared", "风险已消除"


class RunKind(models.TextChoices):
    NIGHTLY = "nightly", "每晚自动"
    MANUAL = "manual", "手动"


EVENT_LABELS = {
    "monitoring.event_recorded": "登记突发严重困难",
    "monitoring.warning_raised": "产生预警",
    "monitoring.warning_verified": "预警入户核实",
    "monitoring.warning_dismissed": "预警排除",
    "monitoring.warning_monitored": "纳入监测对象",
    "monitoring.monitored_created": "建立监测对象",
    "monitoring.warning_referred": "转入识别",
    "monitoring.warning_applied": "监测预警转识别申报",
    "monitoring.risk_verified": "风险消除核实",
    "monitoring.risk_reviewed": "风险消除评议",
    "monitoring.risk_publicized": "风险消除公示无异议",
    "monitoring.risk_sent_back": "风险消除退回监测",
    "monitoring.risk_approved": "县审批风险消除",
    "monitoring.risk_announced": "风险消除公告",
    "monitoring.settings": "修改监测设置",
    "monitoring.run_started": "启动监测运行",
}

# The warning's data keys as the page names them (monitoring.triggers writes the keys).
DATA_LABELS = {
    "year": "年度",
    "per_capita": "人均纯收入(元)",
    "line": "监测线(元)",
    "poverty_line": "扶贫标准(元)",
    "factor": "监测线倍数",
    "persons": "家庭人口",
    "net": "家庭纯收入(元)",
    "prev_year": "上一年度",
    "prev_per_capita": "上一年人均纯收入(元)",
    "drop_share": "县定下降比例",
    "member": "成员",
    "member_id": "成员编号",
    "health": "健康状况",
    "disability_grade": "残疾等级",
    "event_id": "突发事件编号",
    "occurred_on": "发生日期",
    "amount": "金额(元)",
    "kind": "类型",
    "loan_id": "贷款编号",
    "bank": "贷款银行",
    "due_on": "到期日期",
    "from": "原在校生状况",
    "changed_on": "变化日期",
    "medical_costs": "医疗自付合计(元)",
    "medical_share": "县定医疗支出比例",
}
