"""The helper scope behind the one door (accounts.scoping): a 帮扶责任人 sees the households paired with them
now and their rows, and nothing area-bound besides."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError

from accounts.models import AuditEvent, Role
from assistance.models import Helper, Measure, Pairing, Plan, Unit, Visit
from households.models import Household
from reports.models import Report
from tests.factories import UserFactory
from villages.models import Area


def test_helper_sees_only_the_households_paired_with_them(world):
    assert list(Household.objects.visible_to(world.helper_wang)) == [world.a]
    assert not Household.objects.visible_to(world.helper_li).exists()


def test_helper_sees_the_rows_of_paired_households_only(world):
    plan_a = Plan.objects.create(household=world.a, year=2026, target_year=2026)
    Plan.objects.create(household=world.b, year=2026, target_year=2026)
    Visit.objects.create(
        helper=world.wang, household=world.a, visited_on=datetime.date(2026, 1, 2), content="x"
    )
    assert list(Plan.objects.visible_to(world.helper_wang)) == [plan_a]
    assert Visit.objects.visible_to(world.helper_wang).count() == 1
    assert Pairing.objects.visible_to(world.helper_wang).count() == 1
    assert not Measure.objects.visible_to(world.helper_li).exists()


@pytest.mark.parametrize("model", [Area, Helper, Unit, AuditEvent, Report])
def test_helper_sees_nothing_of_models_without_a_helper_scope(world, model):
    assert not model.objects.visible_to(world.helper_wang).exists()


def test_ended_pairing_ends_the_helpers_view(world):
    world.pairing.ended_on = datetime.date(2026, 1, 1)
    world.pairing.end_reason = "其他"
    world.pairing.save()
    assert not Household.objects.visible_to(world.helper_wang).exists()


def test_inactive_helper_sees_nothing(world):
    world.helper_wang.is_active = False
    world.helper_wang.save()
    assert not Household.objects.visible_to(world.helper_wang).exists()


def test_area_users_keep_their_area_scope(world):
    assert set(Household.objects.visible_to(world.alice)) == {world.a, world.b}
    assert set(Household.objects.visible_to(world.dave)) == {world.c}


def test_helper_role_has_no_area(county_tree):
    UserFactory.build(username="h", role=Role.HELPER, area=None).clean()
    with pytest.raises(ValidationError, match="不设所属区划"):
        UserFactory.build(username="h2", role=Role.HELPER, area=county_tree.county).clean()
