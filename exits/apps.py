from django.apps import AppConfig

EVENT_LABELS = {
    "exit.proposed": "提出脱贫退出",
    "exit.surveyed": "录入退出入户核实",
    "exit.reviewed": "退出评议通过",
    "exit.agreed": "农户签字认可退出",
    "exit.publicized": "列入退出村内公示",
    "exit.verified": "乡镇审核退出",
    "exit.approved": "县审批退出",
    "exit.lifted": "公告脱贫退出",
    "exit.sent_back": "退出退回重新核实",
    "exit.withdrawn": "不予退出",
    "case.lifted": "扶贫对象已脱贫",
    "case.dibao_exited": "低保退保",
    "case.dibao_entered": "纳入低保",
    "dibao_proposal.created": "提出退保/纳入建议",
    "dibao_proposal.accepted": "民政同意退保/纳入",
    "dibao_proposal.declined": "民政不同意退保/纳入",
}


class ExitsConfig(AppConfig):
    name = "exits"
    verbose_name = "动态管理与退出"

    def ready(self) -> None:
        from accounts.audit import register_labels
        from exits.services.notices import register_publishers
        from exits.village_exits.services import EVENT_LABELS as VILLAGE_EXIT_LABELS
        from exits.village_exits.services import register_publisher

        register_publishers()
        register_publisher()  # 贫困村退出公示 (kind "exits.poor_village")
        register_labels(EVENT_LABELS)
        register_labels(VILLAGE_EXIT_LABELS)
