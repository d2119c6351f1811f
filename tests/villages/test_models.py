import pytest
from django.db import IntegrityError, connection, transaction

from villages.models import Area


def test_scope_prefix_is_the_significant_part_of_the_code_of_each_level(county_tree):
    t = county_tree
    assert t.county.scope_prefix == "530323"
    assert t.danfeng.scope_prefix == "530323101"
    assert t.shanlong.scope_prefix == "530323101201"
    assert t.dazhai.scope_prefix == "530323101201001"


def test_an_area_contains_its_descendants_and_not_its_neighbours(county_tree):
    t = county_tree
    assert t.danfeng.contains(t.dazhai)
    assert t.danfeng.contains(t.danfeng)
    assert not t.danfeng.contains(t.potou)
    assert not t.shanlong.contains(t.xincun)


def test_ancestors_run_from_the_county_down(county_tree):
    t = county_tree
    assert t.dazhai.ancestors() == [t.county, t.danfeng, t.shanlong]
    assert t.county.ancestors() == []
    assert t.dazhai.full_name == "丹凤镇山龙村大寨组"


@pytest.mark.parametrize(
    ("code", "level"),
    [
        ("53032310120", "village"),
        ("530323101201001", "village"),
        ("530323101201", "group"),
        ("53032310120100x", "group"),
    ],
)
def test_database_refuses_a_code_of_the_wrong_shape_for_its_level(county_tree, code, level):
    with pytest.raises(IntegrityError), transaction.atomic():
        Area.objects.create(code=code, name="错", level=level, parent=county_tree.shanlong)


def test_only_the_county_has_no_parent(county_tree):
    with pytest.raises(IntegrityError), transaction.atomic():
        Area.objects.create(code="530323109000", name="无上级镇", level="township", parent=None)


def test_prefix_filter_uses_an_index(county_tree):
    # The pattern-ops index is what keeps "everything inside this area" fast at county scale.
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")  # the tiny test table would be scanned anyway
    plan = Area.objects.filter(code__startswith="530323101").only("id").explain()
    assert "Index" in plan and "villages_area_code" in plan, plan
