from __future__ import annotations

from celery import shared_task

from assistance import services


@shared_task
def end_pairings_after_transition() -> int:
    """Nightly (CELERY_BEAT_SCHEDULE): once a county's transition period is over, the pairings of households
    no longer on the 扶贫 roll end (seed 004: not before). Returns how many ended."""
    return services.end_pairings_after_transition(actor=None)
