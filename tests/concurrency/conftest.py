"""Races against the real PostgreSQL: real threads, each with its own connection, released together
by a barrier so that both moves are in flight at the same moment."""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection

from identification.models import Quota, Round
from tests.access.figures import figures, pytest_terminal_summary  # noqa: F401
from tests.identification.conftest import calendar, flow  # noqa: F401

TRIALS = 20


@pytest.fixture
def round_2012(county_tree):
    """The identification tests' round, with quotas large enough for twenty trials in one group."""
    round = Round.objects.create(
        year=2012, name="2012年贫困识别", poverty_line=Decimal("2300"), dibao_line=Decimal("1400")
    )
    t = county_tree
    for group in (t.dazhai, t.xiaozhai, t.xincun, t.potou):
        Quota.objects.create(round=round, area=group, persons=10_000)
    return round


@dataclass
class Outcome:
    value: Any = None
    error: BaseException | None = None

    @property
    def ok(self) -> bool:
        return self.error is None


def race(
    moves: Sequence[Callable[[], Any]], *, before_release: Callable[[], None] | None = None
) -> list[Outcome]:
    """Run `moves` in as many threads at once; each outcome is the move's value or its exception."""
    barrier = threading.Barrier(len(moves))
    outcomes = [Outcome() for _ in moves]

    def run(index: int, move: Callable[[], Any]) -> None:
        try:
            barrier.wait(timeout=20)
            outcomes[index].value = move()
        except BaseException as error:  # noqa: BLE001 - every outcome is inspected by the test
            outcomes[index].error = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, m)) for i, m in enumerate(moves)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(t.is_alive() for t in threads), "a racing move did not finish within 60 s"
    return outcomes
