"""脱贫不脱政策: a lifted case reads 已脱贫(享受政策) through the county's transition period, 已脱贫 after it."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse

from assistance.models import CountySettings
from households.models import Case
from households.policy import IN_POLICY, case_label, label_cases
from tests.exits.flow import rolled_household

pytestmark = pytest.mark.django_db


@pytest.fixture
def lifted(county_tree):
    household = rolled_household(county_tree.dazhai)
    Case.objects.filter(household=household).update(state="lifted", left_year=2015)
    return household


def test_label_within_and_after_the_transition_period(lifted):
    case = lifted.cases.get()
    end = datetime.date(2020, 12, 31)
    assert case_label(case, end, datetime.date(2020, 12, 31)) == IN_POLICY
    assert case_label(case, end, datetime.date(2021, 1, 1)) == "已脱贫"
    assert case_label(case, None, datetime.date(2030, 1, 1)) == IN_POLICY  # no end set: not yet ended


def test_open_case_keeps_its_own_label(county_tree):
    case = rolled_household(county_tree.dazhai).cases.get()
    assert case_label(case, None) == "在册"


def test_label_cases_reads_the_county_setting(lifted, county_tree, calendar):
    CountySettings.objects.create(county=county_tree.county, transition_ends_on=datetime.date(2015, 10, 1))
    [case] = label_cases(lifted.cases.all(), lifted.group.code)
    assert (case.in_policy, case.state_label) == (False, "已脱贫")


def test_card_and_list_show_in_policy(client, lifted, users):
    client.force_login(users.alice)
    assert IN_POLICY in client.get(reverse("households:detail", args=[lifted.pk])).content.decode()
    assert f"扶贫{IN_POLICY}" in client.get(reverse("households:list")).content.decode()
