"""Per-area data versions (accounts.freshness): what moves when an area's data change, and what not."""

from __future__ import annotations

import pytest

from accounts import audit, freshness

pytestmark = pytest.mark.django_db


def test_a_code_names_its_own_area_and_every_area_above_it():
    assert freshness.prefixes("530323101000") == ["", "53", "5303", "530323", "530323101"]
    assert freshness.prefixes("530323101201001") == ["", "53", "5303", "530323", "530323101", "530323101201",
                                                     "530323101201001"]  # fmt: skip
    assert freshness.prefixes("530323") == freshness.prefixes("530323000000") == ["", "53", "5303", "530323"]
    assert freshness.prefixes("") == [""]


def test_a_change_in_a_village_moves_it_and_the_areas_above_it_only(county_tree):
    t = county_tree
    before = {
        a.code: freshness.version(a.scope_prefix)
        for a in (t.shanlong, t.fazai, t.danfeng, t.xiongbi, t.county)
    }

    freshness.changed([t.dazhai.code])  # a household of 山龙村's 大寨组

    after = {
        a.code: freshness.version(a.scope_prefix)
        for a in (t.shanlong, t.fazai, t.danfeng, t.xiongbi, t.county)
    }
    moved = {code for code in before if before[code] != after[code]}
    assert moved == {t.shanlong.code, t.danfeng.code, t.county.code}  # not 法杂村, not 雄壁镇


def test_a_county_wide_change_moves_every_area_below(county_tree):
    t = county_tree
    areas = (t.shanlong, t.fazai, t.yuzhu, t.danfeng, t.xiongbi, t.county)
    before = [freshness.version(a.scope_prefix) for a in areas]

    freshness.changed([t.county.code])  # a county-level quota, a new round

    assert all(
        b != a for b, a in zip(before, [freshness.version(a.scope_prefix) for a in areas], strict=True)
    )


def test_the_version_moves_when_the_transaction_commits_not_before(
    county_tree, django_capture_on_commit_callbacks
):
    before = freshness.version(county_tree.shanlong.scope_prefix)
    with django_capture_on_commit_callbacks(execute=True):
        freshness.changed_on_commit([county_tree.shanlong.code])
        # A reader inside the open transaction still sees the old version (and the old data).
        assert freshness.version(county_tree.shanlong.scope_prefix) == before
    assert freshness.version(county_tree.shanlong.scope_prefix) != before


def test_an_audited_change_moves_its_area_and_a_sign_in_does_not(
    users, county_tree, django_capture_on_commit_callbacks
):
    shanlong = county_tree.shanlong.scope_prefix
    before = freshness.version(shanlong)
    with django_capture_on_commit_callbacks(execute=True):
        audit.record(
            event_type="login.succeeded",
            actor=users.alice,
            obj=users.alice,
            area_code=county_tree.shanlong.code,
        )
    assert freshness.version(shanlong) == before

    with django_capture_on_commit_callbacks(execute=True):
        audit.record(
            event_type="area_updated",
            actor=users.admin,
            obj=county_tree.dazhai,
            area_code=county_tree.dazhai.code,
        )
    assert freshness.version(shanlong) != before


def test_a_bulk_of_audited_changes_moves_each_of_their_areas(
    users, county_tree, django_capture_on_commit_callbacks
):
    t = county_tree
    before = [freshness.version(a.scope_prefix) for a in (t.shanlong, t.yuzhu, t.fazai)]
    events = [
        audit.event(event_type="area_updated", actor=users.admin, obj=area, area_code=area.code)
        for area in (t.dazhai, t.potou)
    ]
    with django_capture_on_commit_callbacks(execute=True):
        audit.record_many(events)
    after = [freshness.version(a.scope_prefix) for a in (t.shanlong, t.yuzhu, t.fazai)]
    assert (after[0] != before[0], after[1] != before[1], after[2] == before[2]) == (True, True, True)
