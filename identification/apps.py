from django.apps import AppConfig


class IdentificationConfig(AppConfig):
    name = "identification"
    verbose_name = "贫困识别"

    def ready(self) -> None:
        from accounts.audit import register_labels
        from identification.choices import EVENT_LABELS
        from identification.services.notices import register_publishers

        register_publishers()
        register_labels(EVENT_LABELS)
        from identification.poor_villages.services import EVENT_LABELS as POOR_VILLAGE_EVENTS

        register_labels(POOR_VILLAGE_EVENTS)
