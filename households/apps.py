from django.apps import AppConfig


class HouseholdsConfig(AppConfig):
    name = "households"
    verbose_name = "贫困户档案"

    def ready(self) -> None:
        from accounts.audit import register_labels

        register_labels(
            {
                "household_change_filed": "申请户情变更",
                "household_change_approved": "批准户情变更",
                "household_change_rejected": "驳回户情变更",
                "household_change_withdrawn": "撤回户情变更",
            }
        )
