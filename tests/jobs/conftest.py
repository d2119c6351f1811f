"""One row of each kind of job, made directly (the jobs app is tested on the real kinds, not a stand-in)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from households.models import ImportJob
from identification.models import Decomposition, Round
from reports.models import Kind, Report


@pytest.fixture
def report(county_tree, users):
    return Report.objects.create(kind=Kind.VILLAGE_REGISTER, area=county_tree.shanlong, user=users.alice)


@pytest.fixture
def import_job(users):
    return ImportJob.objects.create(
        user=users.fupin, file="imports/x.xlsx", original_name="x.xlsx", year=2012
    )


@pytest.fixture
def decomposition(county_tree, users):
    round = Round.objects.create(year=2012, name="2012年贫困识别", poverty_line=2300, dibao_line=1400)
    return Decomposition.objects.create(
        round=round, scope=county_tree.county, control_number=100, created_by=users.fupin,
        weight_rural=Decimal(40), weight_low_income=Decimal(30), weight_dibao=Decimal(20),
        weight_disabled=Decimal(10),
    )  # fmt: skip
