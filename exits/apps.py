from django.apps import AppConfig


class ExitsConfig(AppConfig):
    name = "exits"
    verbose_name = "动态管理与退出"
