"""Personal numbers: whole for the roles that need them, masked for everyone else and in every list."""

from __future__ import annotations

import pytest
from django.template import Context, Template

from households.privacy import can_see_personal_numbers, mask_bank_account, mask_phone

NUMBER = "530323196805120037"


@pytest.mark.parametrize(
    ("who", "sees"),
    [("alice", True), ("carol", True), ("fupin", True), ("minzheng", True), ("admin", False)],
)
def test_who_sees_personal_numbers_whole(users, who, sees):
    user = getattr(users, who)
    assert can_see_personal_numbers(user) is sees
    rendered = Template(
        "{% load privacy %}{{ n|id_number:user }} {{ p|phone:user }} {{ b|bank_account:user }} {{ n|masked_id }}"
    ).render(Context({"n": NUMBER, "p": "13812345678", "b": "6228480012345678", "user": user}))
    if sees:
        assert rendered == f"{NUMBER} 13812345678 6228480012345678 530323********0037"
    else:
        assert rendered == "530323********0037 138****5678 ************5678 530323********0037"


def test_anonymous_user_sees_nothing_whole(db):
    from django.contrib.auth.models import AnonymousUser

    assert not can_see_personal_numbers(AnonymousUser())


def test_masks():
    assert mask_phone("13812345678") == "138****5678"
    assert mask_phone("12345") == "*****"
    assert mask_bank_account("6228480012345678") == "************5678"
    assert mask_bank_account("") == ""
