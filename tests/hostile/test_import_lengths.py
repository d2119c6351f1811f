"""Defect 9: a 5,000,000-character 姓名 passed the import preview and failed the write with a 500.
Every text column is checked against its database length on the preview, with a message on the cell."""

from __future__ import annotations

import pytest

from households.importer import import_roster
from households.models import Household, Member
from tests.households.import_helpers import family, person, write_roster

pytestmark = pytest.mark.django_db


def test_an_overlong_name_is_refused_on_its_cell_in_the_preview_and_the_import(tmp_path, users, county_tree):
    rows = [
        person("530323101201001001", 1, 姓名="张" * 5_000_000, persons=1),
        *family("530323101201001002", 3),
    ]
    path = write_roster(tmp_path / "花名册.xlsx", rows)
    for dry_run in (True, False):
        result = import_roster(path=path, user=users.fupin, dry_run=dry_run, year=2012)
        [error] = [e for e in result.errors if e.column == "姓名"]
        # A sheet cell holds at most 32,767 characters (the reader stops there); the message gives
        # the length it read and the limit.
        assert error.reason.startswith("内容过长:共") and error.reason.endswith("个字符,最多40个")
        assert len(error.value) < 100  # the report shows the start of the cell, not five million characters
    assert not Household.objects.exists() and not Member.objects.exists()


def test_an_overlong_address_or_phone_is_refused_too(tmp_path, users, county_tree):
    rows = [person("530323101201001001", 1, 联系电话="1" * 500, persons=1)]
    result = import_roster(
        path=write_roster(tmp_path / "r.xlsx", rows), user=users.fupin, dry_run=True, year=2012
    )
    assert any(e.column == "联系电话" and e.reason.startswith("内容过长") for e in result.errors)
