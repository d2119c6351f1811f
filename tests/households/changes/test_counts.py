"""A member removed by an approved 减少成员 leaves every count, list, ledger and the 户卡, and stays on record."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection

from households.card import build_card
from households.changes import services
from households.models import Member
from reports import rows
from reports.ledgers import roster_sql
from reports.statistics import figures_for
from tests.households.changes.conftest import member
from villages.indicators import registry_counts


@pytest.fixture
def removed(users, household):
    son = member(household, "张小军")
    change = services.change_file(
        actor=users.alice,
        household=household,
        kind="remove_member",
        reason="迁出",
        payload={"member_id": son.pk},
    )
    services.change_approve(actor=users.carol, change=change)
    return son


def fetch(sql: str, params: list) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def test_statistics_count_current_persons(removed, county_tree):
    figures = figures_for(county_tree.shanlong, user=None)
    assert (figures.households, figures.persons, figures.fupin.persons) == (1, 2, 2)


def test_registers_and_rosters_list_current_persons(removed, county_tree):
    prefix = county_tree.shanlong.scope_prefix
    assert rows.count(prefix, on_rolls=False) == (1, 2)
    assert len(fetch(rows.member_sql(on_rolls=False), [prefix + "%"])) == 2
    assert len(fetch(roster_sql(), [prefix + "%"])) == 2


def test_quota_indicators_count_current_persons(removed, county_tree):
    counts = registry_counts(county_tree.county, poverty_line=Decimal("2300"), income_year=2014)
    assert counts[county_tree.dazhai.pk][0] == 2


def test_the_card_lists_the_removed_member_apart_with_the_reason(removed, household):
    card = build_card(household, reveal=True)
    assert len(card.member_rows) == 2
    assert [(name, reason) for name, _, reason, _ in card.removed] == [("张小军", "迁出")]
    assert Member.everyone.get(pk=removed.pk).history.count() >= 2
