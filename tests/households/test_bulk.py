import pytest
from django.db import transaction

from households.bulk import copy_insert
from households.models import Household
from tests.factories import HouseholdFactory


def test_copy_insert_gives_ids_and_writes_history_with_user_and_reason(users, county_tree):
    HouseholdFactory(group=county_tree.dazhai)  # the sequence continues after existing rows
    households = [
        Household(number=f"X{i}", group=county_tree.dazhai, other_causes=["因病"]) for i in range(3)
    ]
    with transaction.atomic():
        copy_insert(households, user=users.fupin, reason="导入花名册")
    assert all(h.pk for h in households)
    stored = Household.objects.get(pk=households[1].pk)
    assert stored.number == "X1" and stored.other_causes == ["因病"] and stored.created_at is not None
    history = Household.history.filter(number="X1").get()
    assert (history.history_type, history.history_user, history.history_change_reason) == (
        "+",
        users.fupin,
        "导入花名册",
    )


def test_copy_insert_is_all_or_nothing(users, county_tree):
    HouseholdFactory(number="DUP", group=county_tree.dazhai)
    households = [
        Household(number="NEW", group=county_tree.dazhai),
        Household(number="DUP", group=county_tree.dazhai),
    ]
    with pytest.raises(Exception, match="unique"), transaction.atomic():
        copy_insert(households)
    assert not Household.objects.filter(number="NEW").exists()
    assert not Household.history.filter(number="NEW").exists()
