from django.apps import AppConfig


class MonitoringConfig(AppConfig):
    name = "monitoring"
    verbose_name = "防返贫监测"

    def ready(self) -> None:
        from accounts.audit import register_labels
        from monitoring import entry
        from monitoring.choices import EVENT_LABELS
        from monitoring.services.risk import register_publisher

        register_labels(EVENT_LABELS)
        register_publisher()
        entry.connect()
