"""Issue 10's test: a real-shaped roster, 1,000 households in the national layout with every variant,
imports with no error and, imported again, changes nothing."""

from __future__ import annotations

import pytest

from households.importer import import_roster
from households.models import Case, Household, Member
from tests.households.import_helpers import NATIONAL_HEADERS, national_roster, write_roster

pytestmark = pytest.mark.django_db

UNCHANGED = (
    "households_created",
    "households_updated",
    "members_created",
    "members_updated",
    "members_removed",
    "cases_opened",
)


def history_rows() -> int:
    return Household.history.count() + Member.history.count() + Case.history.count()


def test_national_roster_with_every_variant_imports_and_reimports_unchanged(tmp_path, users, county_tree):
    rows = national_roster(1000)
    path = write_roster(tmp_path / "national.xlsx", rows, headers=NATIONAL_HEADERS)

    first = import_roster(path=path, user=users.fupin, dry_run=False, year=2014)

    assert first.errors == []
    assert first.counts["households_created"] == 1000
    assert first.counts["members_created"] == len(rows) == Member.objects.count()
    # What was read from the variants, spot-checked against the national values.
    relations = set(Member.objects.values_list("relation", flat=True))
    assert {"户主", "配偶", "之子", "之女", "之母", "之父", "之孙子", "之儿媳", "之兄弟姐妹"} <= relations
    assert set(Household.objects.values_list("attribute", flat=True)) == {
        "一般贫困户",
        "低保贫困户",
        "特困供养贫困户",
    }
    assert set(Household.objects.values_list("standard", flat=True)) == {"国家标准", "市定标准", "省定标准"}
    assert Household.objects.filter(group=county_tree.xincun).count() > 0  # 新村 for 新村组
    assert not Member.objects.filter(person_number="").exists()  # blank 人编号 generated
    assert Member.objects.filter(health="残疾", disability_grade="").exists()  # flagged, not refused
    assert Member.objects.exclude(disability_certificate="").filter(disability_grade__gt="").exists()
    noted = {w.reason.split(",")[0].split(":")[0] for w in first.warnings}
    assert noted >= {"第一代15位身份证号", "20位残疾人证号", "残疾等级未填"}
    stored = history_rows()

    again = import_roster(path=path, user=users.fupin, dry_run=False, year=2014)

    assert again.errors == []
    assert {key: again.counts[key] for key in UNCHANGED} == dict.fromkeys(UNCHANGED, 0)
    assert again.counts["households_unchanged"] == 1000
    assert history_rows() == stored
