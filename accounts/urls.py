from django.conf import settings
from django.contrib.auth import views as auth_views
from django.urls import path

from accounts import views

urlpatterns = [
    path(
        "login/",
        auth_views.LoginView.as_view(
            template_name="accounts/login.html", extra_context={"lockout_limit": settings.AXES_FAILURE_LIMIT}
        ),
        name="login",
    ),
    path("login/verify/", views.two_factor_verify, name="two_factor_verify"),
    # Django's LogoutView answers POST only (a link or an <img> cannot sign anyone out).
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("account/security/", views.security, name="security"),
    path("account/security/setup/", views.two_factor_setup, name="two_factor_setup"),
    path("account/security/recovery-codes/", views.recovery_codes, name="recovery_codes"),
    path("account/security/disable/", views.two_factor_disable, name="two_factor_disable"),
]
