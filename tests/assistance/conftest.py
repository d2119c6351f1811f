"""A small 帮扶 world on the shared county tree (tests/conftest.py):

- three households on the 扶贫 roll: `a` and `b` in 山龙村 大寨组, `c` in 雨柱村 坡头组 (雄壁镇);
- a county unit (县直) and an enterprise; helpers `wang` (县直, 在编, with a login `helper_wang`) and
  `li` (same unit, with a login `helper_li`), both managed by the county;
- `wang` is paired with `a`; `li` with nobody yet.
"""

from __future__ import annotations

import datetime
from types import SimpleNamespace

import pytest

from accounts.models import Role
from assistance.models import Helper, Pairing, Unit
from households.models import Case
from tests.factories import HouseholdFactory, MemberFactory, UserFactory

TODAY = datetime.date(2026, 6, 15)


def rolled_household(group, number: str, *, head: str, **fields):
    household = HouseholdFactory(group=group, number=number, **fields)
    MemberFactory(household=household, name=head)
    Case.objects.create(household=household, program="fupin", entered_year=2014, poverty_class=3)
    return household


@pytest.fixture
def world(users, county_tree):
    t = county_tree
    county_unit = Unit.objects.create(name="县农业农村局", level="县直", area=t.county)
    company = Unit.objects.create(name="师宗某公司", level="企业", area=t.county)
    helper_wang = UserFactory(username="helper_wang", role=Role.HELPER, area=None)
    helper_li = UserFactory(username="helper_li", role=Role.HELPER, area=None)
    wang = Helper.objects.create(
        name="王帮扶", unit=county_unit, position="科员", phone="13812345678", area=t.county, user=helper_wang
    )
    li = Helper.objects.create(name="李帮扶", unit=county_unit, area=t.county, user=helper_li)
    a = rolled_household(t.dazhai, "530323101201001001", head="张大")
    b = rolled_household(t.dazhai, "530323101201001002", head="张二")
    c = rolled_household(t.potou, "530323102202001001", head="赵三")
    pairing = Pairing.objects.create(helper=wang, household=a, started_on=datetime.date(2016, 3, 1))
    return SimpleNamespace(
        county_unit=county_unit,
        company=company,
        wang=wang,
        li=li,
        helper_wang=helper_wang,
        helper_li=helper_li,
        a=a,
        b=b,
        c=c,
        pairing=pairing,
        **vars(users),
    )
