"""The demo county's 帮扶 (assistance.demo, called by seed_demo): helpers, pairings, plans, visits, loans and
teams, the rules kept by most and broken by a few so that the 整改清单 has lines, and the `bangfu` account."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.db.models import Count, Q

from accounts.demo import DEMO_PASSWORD
from accounts.models import Role, User
from assistance import coverage
from assistance.models import Helper, Loan, Measure, Pairing, Plan, Visit, WorkTeam
from households.models import Household
from villages.models import AreaProfile

pytestmark = pytest.mark.django_db


@pytest.fixture
def seeded(db):
    call_command("seed_demo", "--seed", "7", "--households", "1000", stdout=StringIO())


def test_demo_county_has_its_assistance_with_a_few_breaches_and_a_helper_account(seeded):
    """One seeded county (seeding is the slow part), three checks."""
    rolled = Household.objects.filter(
        cases__program="fupin", cases__state__in=["active", "returned"]
    ).distinct()
    n = rolled.count()
    assert n > 100
    paired = Pairing.objects.filter(ended_on__isnull=True, household__in=rolled).count()
    assert 0.9 * n < paired < n
    assert 0.9 * n < Plan.objects.filter(household__in=rolled).values("household").distinct().count() <= n
    assert Measure.objects.count() > n
    assert Visit.objects.values("household").distinct().count() > 0.8 * n
    assert Loan.objects.exists()
    _helpers_hold_three_households_and_the_breaches_fill_the_coverage_list()
    _demo_helper_account_sees_three_households_of_shanlong()


def _helpers_hold_three_households_and_the_breaches_fill_the_coverage_list():
    held = Helper.objects.annotate(n=Count("pairings", filter=Q(pairings__ended_on__isnull=True)))
    assert held.filter(n__gt=3).count() == 1
    assert (
        Pairing.objects.filter(ended_on__isnull=False).exclude(end_reason="").exists()
    )  # history of changes
    # Every 贫困村 has a team, and the 整改清单 has lines to show.
    poor = AreaProfile.objects.filter(is_poor_village=True).count()
    assert WorkTeam.objects.filter(ended_on__isnull=True).count() == poor
    totals = coverage.totals("530323")
    for code in (
        "no_helper",
        "no_plan",
        "not_visited",
        "helper_over_limit",
        "helper_unqualified",
        "five_ones",
    ):
        assert totals[code] > 0, code


def _demo_helper_account_sees_three_households_of_shanlong():
    user = User.objects.get(username="bangfu")
    assert user.role == Role.HELPER and user.area is None and user.check_password(DEMO_PASSWORD)
    households = Household.objects.visible_to(user)
    assert households.count() == 3
    rolled_here = (
        Household.objects.filter(
            group__code__startswith="530323101201",
            cases__program="fupin",
            # 脱贫不脱政策: a household the exits demo lifts later keeps its helper.
            cases__state__in=["active", "returned", "lifted"],
        )
        .distinct()
        .count()
    )
    # The village cadre's own village first (where it has three households on the roll).
    assert households.filter(group__code__startswith="530323101201").count() == min(3, rolled_here)
