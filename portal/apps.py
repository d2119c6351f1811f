from django.apps import AppConfig


class PortalConfig(AppConfig):
    """The top of the project: pages and commands that bring the apps below together.

    Imports run one way, reports → domain apps → villages → accounts; only this app may import
    them all (tests/test_layering.py).
    """

    name = "portal"
    verbose_name = "门户"
