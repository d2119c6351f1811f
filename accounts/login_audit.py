"""Sign-in events in the audit log: Django's and django-axes' authentication signals are the one place
every password check passes (the login page, the admin, a test client), so they are listened to here
rather than in each view. The second factor is recorded by the code page itself (accounts.views)."""

from __future__ import annotations

from axes.signals import user_locked_out
from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from accounts import audit


def _area_code(user) -> str:
    return user.area.code if getattr(user, "area_id", None) else ""


@receiver(user_logged_in, dispatch_uid="audit_login")
def record_login(sender, request, user, **kwargs) -> None:
    audit.record(event_type="login.succeeded", actor=user, obj=user, area_code=_area_code(user))


@receiver(user_logged_out, dispatch_uid="audit_logout")
def record_logout(sender, request, user, **kwargs) -> None:
    if user is not None:
        audit.record(event_type="logout", actor=user, obj=user, area_code=_area_code(user))


@receiver(user_login_failed, dispatch_uid="audit_login_failed")
def record_login_failure(sender, credentials, request=None, **kwargs) -> None:
    # `credentials` has the password masked by Django; only the username is kept.
    username = str(credentials.get("username", ""))[:150]
    user = get_user_model().objects.filter(username=username).select_related("area").first()
    audit.record(
        event_type="login.failed",
        actor=None,
        obj=user,
        area_code=_area_code(user),
        new={"username": username},
    )


@receiver(user_locked_out, dispatch_uid="audit_locked_out")
def record_lockout(sender, request, username, ip_address, **kwargs) -> None:
    user = get_user_model().objects.filter(username=username).select_related("area").first()
    audit.record(
        event_type="login.locked_out",
        actor=None,
        obj=user,
        area_code=_area_code(user),
        new={"username": str(username)[:150]},
    )
