"""Warnings at once on data entry: the registry's and 帮扶's saves are heard here, in MonitoringConfig.ready.

Chosen over a hook registry in the lower apps: households and assistance need no change and keep not
knowing that monitoring exists (tests/test_layering.py). The receivers hold no business step: they only
note the household and, once the saving transaction has committed, run the same set-based triggers as the
nightly run for that household (monitoring.triggers). A failure there is logged and never undoes or
fails the save; the nightly run raises whatever it missed. Bulk paths (the 花名册 import's COPY) send no
signals: the nightly run covers them.
"""

from __future__ import annotations

import logging

from django.db import transaction
from django.db.models.signals import post_save

logger = logging.getLogger(__name__)


def _pending() -> set[int]:
    connection = transaction.get_connection()
    pending = getattr(connection, "_monitoring_pending", None)
    if pending is None:
        pending = connection._monitoring_pending = set()
    return pending


def household_changed(household_id: int) -> None:
    """Check `household_id` after the current transaction commits. Every save queues a flush; the first
    one checks all the households noted so far, the others find nothing left."""
    _pending().add(household_id)
    transaction.on_commit(_flush)


def _flush() -> None:
    from monitoring.services.runs import check_households

    connection = transaction.get_connection()
    ids = sorted(getattr(connection, "_monitoring_pending", set()))
    connection._monitoring_pending = set()
    if not ids:
        return
    try:
        with transaction.atomic():
            check_households(ids)
    except Exception:
        logger.exception("monitoring check on entry failed for %d households", len(ids))


def _on_household_row(sender, instance, raw=False, **kwargs) -> None:
    if not raw and instance.household_id:
        household_changed(instance.household_id)


def connect() -> None:
    from assistance.models import Loan
    from households.models import Case, IncomeRecord, Member

    for model in (IncomeRecord, Member, Loan, Case):
        post_save.connect(_on_household_row, sender=model, dispatch_uid=f"monitoring.entry.{model.__name__}")
