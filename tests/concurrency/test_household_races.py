"""Two cadres registering at the same moment the same person, or the same 户编号 (issue 13: one got a
500 and the full ID number in the server log). Each of 20 trials: exactly one household is written,
the other cadre gets a Chinese message on the field, never a 500, and no log record holds the number.
"""

from __future__ import annotations

import logging
from functools import partial

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import Role
from households import services
from households.models import Household, Member
from tests.concurrency.conftest import TRIALS, race
from tests.factories import UserFactory, id_number_for
from tests.households.test_views import household_post, member_post

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def together(monkeypatch):
    """Both requests pass the form's and the service's own checks before either writes: the race the
    database constraint alone decides."""
    import contextlib
    import threading

    barrier = threading.Barrier(2)
    checked = services._check_members

    def check_then_wait(*args, **kwargs):
        checked(*args, **kwargs)
        with contextlib.suppress(threading.BrokenBarrierError):
            barrier.wait(timeout=5)

    monkeypatch.setattr(services, "_check_members", check_then_wait)
    return barrier


@pytest.fixture
def log_lines():
    lines: list[str] = []

    class Keep(logging.Handler):
        def emit(self, record):
            lines.append(logging.Formatter("%(message)s").format(record))

    handler = Keep()
    root = logging.getLogger()
    root.addHandler(handler)
    yield lines
    root.removeHandler(handler)


def errors_on(page: str) -> list[str]:
    """The form's error messages, for the assertion's report."""
    import re

    return re.findall(r'class="[^"]*error[^"]*"[^>]*>(.*?)</', page, re.S)


def submit(user, data):
    client = Client(raise_request_exception=False)
    client.force_login(user)
    return client.post(reverse("households:create"), data)


def cadres(county_tree, users):
    return users.alice, UserFactory(role=Role.VILLAGE_CADRE, area=county_tree.shanlong)


def test_two_cadres_registering_the_same_person_at_once(county_tree, users, together, log_lines, figures):
    first, second = cadres(county_tree, users)
    for trial in range(TRIALS):
        together.reset()
        person = id_number_for(5000 + trial)
        posts = [
            household_post(
                county_tree.dazhai,
                member_post(0, name="王家旺", id_number=person),
                number=f"5303231012010{trial:03d}{i:02d}",
            )
            for i in range(2)
        ]
        outcomes = race(
            [partial(submit, user, data) for user, data in zip((first, second), posts, strict=True)]
        )
        responses = [o.value for o in outcomes]
        assert all(o.ok for o in outcomes), [repr(o.error) for o in outcomes]
        assert sorted(r.status_code for r in responses) == [200, 302]
        [refused] = [r for r in responses if r.status_code == 200]
        page = refused.content.decode()
        assert "一人只能属于一户" in page, errors_on(page)  # on the member's field, in Chinese
        assert Member.objects.filter(id_number=person).count() == 1
        assert Household.objects.filter(number__in=[p["number"] for p in posts]).count() == 1
        assert not [line for line in log_lines if person in line]
    figures(
        f"并发: 两名村干部同时登记同一身份证号 {TRIALS} 次:每次只写入一户,另一人得到中文提示,无 500,日志无号码"
    )


def test_two_cadres_registering_the_same_household_number_at_once(
    county_tree, users, together, log_lines, figures
):
    first, second = cadres(county_tree, users)
    for trial in range(TRIALS):
        together.reset()
        number = f"530323101201100{trial:03d}"
        posts = [
            household_post(
                county_tree.dazhai,
                member_post(0, name="李四", id_number=id_number_for(6000 + 2 * trial + i)),
                number=number,
            )
            for i in range(2)
        ]
        outcomes = race(
            [partial(submit, user, data) for user, data in zip((first, second), posts, strict=True)]
        )
        responses = [o.value for o in outcomes]
        assert all(o.ok for o in outcomes), [repr(o.error) for o in outcomes]
        assert sorted(r.status_code for r in responses) == [200, 302]
        [refused] = [r for r in responses if r.status_code == 200]
        assert "户编号" in refused.context["form"].errors.get("number", [""])[0]
        assert Household.objects.filter(number=number).count() == 1
        assert not [line for line in log_lines if "Traceback" in line or "IntegrityError" in line]
    figures(f"并发: 两名村干部同时使用同一户编号建档 {TRIALS} 次:每次只写入一户,另一人在户编号栏得到中文提示")
