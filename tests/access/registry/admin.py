"""The Django admin (/admin/), generated from the admin site's registry: every registered model gets
its changelist, add, change, delete and history pages swept with an object inside and outside the
user's area. Registering a model without naming, in OBJECTS, how to find one of its objects fails the
sweep (tests/access/test_sweep.py).

Only the 系统管理员 is staff; the other roles are sent to the admin's login page. Domain models are
read-only in the admin (their changes go through the services): adding, changing and deleting them is
a 403 there, viewing is allowed. Users (accounts) are the administrator's own work and stay editable.
"""

from __future__ import annotations

from django.contrib import admin as django_admin

from tests.access.registry import FORBIDDEN, LOGIN, MISSING, NOT_ALLOWED, OK, REDIRECT, Entry, codes


def _county_wide(get):
    return lambda world, role, place: get(world) if place is world.home else None


def _axes(model_name):
    def find(world):
        from axes.models import AccessAttempt, AccessFailureLog, AccessLog

        model = {"accessattempt": AccessAttempt, "accessfailurelog": AccessFailureLog, "accesslog": AccessLog}
        found = model[model_name].objects.order_by("pk").first()
        return found.pk if found else None

    return _county_wide(find)


def _of(attr):
    """The place's object named `attr`, where the world made one there."""
    return lambda world, role, place: getattr(getattr(place, attr), "pk", None)


# model label → (world, role, place) → the pk of one of its objects in `place` (None: none outside).
OBJECTS = {
    "accounts.user": lambda w, role, place: place.import_jobs[role].user.pk,
    "auth.group": _county_wide(lambda w: w.group.pk),
    "axes.accessattempt": _axes("accessattempt"),
    "axes.accessfailurelog": _axes("accessfailurelog"),
    "axes.accesslog": _axes("accesslog"),
    "households.household": lambda w, role, place: place.household.pk,
    "households.importjob": lambda w, role, place: place.import_jobs[role].pk,
    "accounts.auditevent": lambda w, role, place: place.audit_event.pk,
    "identification.round": _county_wide(lambda w: w.round.pk),
    "identification.decomposition": _county_wide(lambda w: w.decomposition.pk),
    "identification.quota": lambda w, role, place: place.quota.pk,
    "identification.application": lambda w, role, place: place.application.pk,
    "identification.meeting": lambda w, role, place: place.meeting.pk,
    "identification.spotcheck": lambda w, role, place: place.spot_check.pk,
    "identification.referral": lambda w, role, place: place.referral.pk,
    "notices.notice": lambda w, role, place: place.notice.pk,
    "notices.objection": lambda w, role, place: place.objection.pk,
    "assistance.unit": lambda w, role, place: place.unit.pk,
    "assistance.helper": lambda w, role, place: place.helper.pk,
    "assistance.pairing": lambda w, role, place: place.pairing.pk,
    "assistance.plan": lambda w, role, place: place.plan.pk,
    "assistance.measure": lambda w, role, place: place.measure.pk,
    "assistance.visit": lambda w, role, place: place.visit.pk,
    "assistance.creditrating": lambda w, role, place: place.rating.pk,
    "assistance.loan": lambda w, role, place: place.loan.pk,
    "assistance.workteam": lambda w, role, place: place.team.pk,
    "assistance.teammember": lambda w, role, place: place.team_member.pk,
    # The county's own settings: nothing of a township's (the township staff's sweep skips them).
    "assistance.countysettings": lambda w, role, place: (
        w.settings.pk if place is w.home and role != "township" else None
    ),
    "reports.report": lambda w, role, place: place.report.pk,
    "villages.area": lambda w, role, place: place.village.pk,
    "households.changerequest": _of("change_request"),
    "exits.exitapplication": _of("exit"),
    "exits.dibaoproposal": _of("dibao_proposal"),
    "exits.villageexit": lambda w, role, place: w.village_exits[place.village.code].pk,
    "monitoring.hardshipevent": _of("hardship_event"),
    "monitoring.warning": _of("warning"),
    "monitoring.monitoredhousehold": _of("monitored"),
}

# Models the administrator edits in the admin (accounts, and django-axes' lockouts, which the
# administrator lifts by deleting them); every other model is read-only there.
EDITABLE = {"accounts.user", "auth.group", "axes.accessattempt", "axes.accessfailurelog", "axes.accesslog"}
# Models nobody adds by hand: rows written by django-axes itself.
NO_ADD = {"axes.accessattempt", "axes.accessfailurelog", "axes.accesslog"}

STAFF_ONLY = {"village": LOGIN, "township": LOGIN, "fupin": LOGIN, "minzheng": LOGIN}


def _url(prefix: str, find, suffix: str):
    def url(world, role, place):
        pk = find(world, role, place)
        return None if pk is None else f"{prefix}{pk}/{suffix}"

    return url


def _model_entries(model, model_admin) -> dict[str, Entry]:
    label = model._meta.label_lower
    find = OBJECTS.get(label)
    if find is None:
        return {}  # reported as unswept by the sweep: the change pages have no entry
    info = f"{model._meta.app_label}_{model._meta.model_name}"
    prefix = f"/admin/{model._meta.app_label}/{model._meta.model_name}/"
    editable = label in EDITABLE
    writable = codes(OK, **STAFF_ONLY) if editable else codes(FORBIDDEN, **STAFF_ONLY)
    addable = codes(FORBIDDEN, **STAFF_ONLY) if label in NO_ADD else writable
    # A readable page the admin sees; POSTing to a read-only model's change page is refused.
    view = codes(OK, **STAFF_ONLY)
    entries = {
        f"admin:{info}_changelist": Entry(get=view, post=view),
        f"admin:{info}_add": Entry(get=addable, post=addable),
        f"admin:{info}_change": Entry(
            url=_url(prefix, find, "change/"),
            get=view,
            # An empty POST is an invalid form (200), or a valid one where every field is read-only (302).
            post=codes((OK, REDIRECT), **STAFF_ONLY) if editable else writable,
        ),
        f"admin:{info}_delete": Entry(
            url=_url(prefix, find, "delete/"),
            get=writable,
            # An empty POST confirms a deletion (rolled back by the sweep): a redirect, or the
            # confirmation page again where the deletion is protected (a user who left a trail).
            post=codes((OK, REDIRECT), **STAFF_ONLY) if editable else writable,
        ),
        f"admin:{info}_history": Entry(url=_url(prefix, find, "history/"), get=view, post=view),
        # The bare object URL redirects to its change page whatever the id: it reveals nothing.
        f"admin:admin/{model._meta.app_label}/{model._meta.model_name}/<path:object_id>/": Entry(
            url=_url(prefix, find, ""),
            get=codes(REDIRECT, **STAFF_ONLY),
            post=codes(REDIRECT, **STAFF_ONLY),
            outside=codes((REDIRECT, MISSING), **STAFF_ONLY),
        ),
    }
    if hasattr(model_admin, "history_form_view"):
        entries[f"admin:{info}_simple_history"] = Entry(
            url=_history_version_url(prefix, find),
            get=view,
            post=codes(FORBIDDEN, **STAFF_ONLY),
        )
    if label == "accounts.user":
        entries["admin:auth_user_password_change"] = Entry(
            url=_url(prefix, find, "password/"), get=view, post=view
        )
    return entries


def _history_version_url(prefix, find):
    def url(world, role, place):
        pk = find(world, role, place)
        if pk is None:
            return None
        from households.models import Household

        version = Household.history.filter(id=pk).order_by("history_id").first()
        return f"{prefix}{pk}/history/{version.history_id}/"

    return url


def _once(url: str):
    """A page without an object: asked once per role (the inside pass)."""
    return lambda world, role, place: url if place is world.home else None


def _site_entries() -> dict[str, Entry]:
    staff = codes(OK, **STAFF_ONLY)
    return {
        "admin:index": Entry(get=staff, post=staff),
        # One sign-in for everyone (the admin's own page would skip the second factor): a redirect to it.
        "admin:login": Entry(get=codes(LOGIN), post=codes(LOGIN)),
        "admin:logout": Entry(
            get=codes(REDIRECT, admin=NOT_ALLOWED),
            post=codes(REDIRECT, admin=LOGIN),
            may_write=frozenset({"axes_accesslog"}),
        ),
        "admin:password_change": Entry(get=staff, post=staff),
        "admin:password_change_done": Entry(get=staff, post=codes(NOT_ALLOWED, **STAFF_ONLY)),
        "admin:jsi18n": Entry(get=staff, post=codes(NOT_ALLOWED, **STAFF_ONLY)),
        # Without its parameters the autocomplete refuses; with them it searches the scoped queryset.
        "admin:autocomplete": Entry(
            get=codes(FORBIDDEN, **STAFF_ONLY), post=codes(NOT_ALLOWED, **STAFF_ONLY)
        ),
        "admin:app_list": Entry(url=_once("/admin/households/"), get=staff, post=staff),
        "admin:view_on_site": Entry(
            url=_once("/admin/r/1/1/"), get=codes(MISSING, **STAFF_ONLY), post=codes(MISSING, **STAFF_ONLY)
        ),
        "admin:admin/(?P<url>.*)$": Entry(
            url=_once("/admin/no-such-page/"),
            get=codes(MISSING, **STAFF_ONLY),
            post=codes(MISSING, **STAFF_ONLY),
        ),
    }


def _build() -> dict[str, Entry]:
    entries = _site_entries()
    for model, model_admin in django_admin.site._registry.items():
        entries.update(_model_entries(model, model_admin))
    return entries


ENTRIES = _build()
