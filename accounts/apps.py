from django.apps import AppConfig, apps


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "用户与权限"

    def ready(self) -> None:
        from accounts import login_audit  # noqa: F401  (connects the sign-in audit receivers)

        # django-axes names its admin section "Axes" in a plain string (no translation hook); its
        # model and field names are translated by accounts/locale (zh_Hans).
        apps.get_app_config("axes").verbose_name = "登录保护"
