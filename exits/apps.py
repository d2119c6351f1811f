from django.apps import AppConfig


class ExitsConfig(AppConfig):
    name = "exits"
    verbose_name = "动态管理与退出"

    def ready(self) -> None:
        from accounts.audit import register_labels
        from exits.village_exits.services import EVENT_LABELS, register_publisher

        register_publisher()  # 贫困村退出公示 (kind "exits.poor_village")
        register_labels(EVENT_LABELS)
