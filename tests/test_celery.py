from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session

from accounts.tasks import clear_expired_sessions


def make_sessions():
    for expired in (True, True, False):
        store = SessionStore()
        store["x"] = 1
        store.set_expiry(-60 if expired else 3600)
        store.create()


def test_task_runs_eagerly_in_tests_without_a_worker(db):
    make_sessions()
    assert clear_expired_sessions.delay().get() == 2
    assert Session.objects.count() == 1


def test_round_trip_through_the_real_redis_broker(celery_worker):
    make_sessions()
    result = clear_expired_sessions.delay()
    assert result.get(timeout=30) == 2
    assert result.backend.__class__.__name__ == "RedisBackend"
    assert Session.objects.count() == 1
