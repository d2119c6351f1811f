"""Scoped reads of monitoring: one door per model (accounts.scoping), used by every page and the demo."""

from __future__ import annotations

from django.db.models import Count, QuerySet

from accounts.models import Role, User
from households.choices import Relation
from households.models import Member
from monitoring.models import HardshipEvent, MonitoredHousehold, MonitoringRun, Warning

COUNTY_READERS = frozenset({Role.COUNTY_FUPIN, Role.COUNTY_MINZHENG, Role.ADMIN})


def warnings_for(user: User) -> QuerySet[Warning]:
    return Warning.objects.visible_to(user).select_related("household")


def monitored_for(user: User) -> QuerySet[MonitoredHousehold]:
    return (
        MonitoredHousehold.objects.visible_to(user)
        .select_related("household__group", "plan")
        .annotate(measure_count=Count("plan__measures"))
    )


def events_for(user: User) -> QuerySet[HardshipEvent]:
    return HardshipEvent.objects.visible_to(user).select_related("household", "recorded_by")


def runs_for(user: User) -> QuerySet[MonitoringRun]:
    """Runs cover the whole county: its county roles read them; nobody else."""
    if not user.is_authenticated or user.role not in COUNTY_READERS or user.area is None:
        return MonitoringRun.objects.none()
    return MonitoringRun.objects.all()


def heads(household_ids) -> dict[int, str]:
    return dict(
        Member.objects.filter(household_id__in=list(household_ids), relation=Relation.HEAD).values_list(
            "household_id", "name"
        )
    )
