from django.apps import AppConfig


class NoticesConfig(AppConfig):
    name = "notices"
    verbose_name = "公示"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from accounts.audit import register_labels

        register_labels(
            {
                "notice.published": "发布公示",
                "notice.closed": "结束公示",
                "objection.recorded": "登记异议",
                "objection.dismissed": "异议不成立",
                "objection.upheld": "异议成立",
            }
        )
