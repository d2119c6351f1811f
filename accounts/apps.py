from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "用户与权限"

    def ready(self) -> None:
        from accounts import login_audit  # noqa: F401  (connects the sign-in audit receivers)
