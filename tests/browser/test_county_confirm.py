"""The county confirmation page never decides a row the official did not tick, including after an error."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from identification.choices import State
from identification.models import Application
from tests.auth import sign_in
from tests.identification.conftest import calendar, flow, round_2012  # noqa: F401

pytestmark = pytest.mark.browser


@pytest.fixture
def publicized(flow):  # noqa: F811
    apps = flow.advance([flow.new() for _ in range(4)], State.PUBLICIZED)
    flow.county_checks()
    # One the survey found ineligible (as after a re-survey): the county may only reject it.
    blocked = apps[3]
    Application.objects.filter(pk=blocked.pk).update(eligibility={**blocked.eligibility, "fupin": False})
    return [Application.objects.select_related("household").get(pk=a.pk) for a in apps]


def test_only_ticked_rows_are_submitted_even_after_a_refusal(live_server, publicized, page, screenshot):
    base = live_server.url
    first, second, third, blocked = publicized
    sign_in(page, base, "fupin")
    page.goto(f"{base}/identification/county/confirm/")

    boxes = page.locator("input[name=applications]")
    expect(boxes).to_have_count(4)
    for i in range(4):
        expect(boxes.nth(i)).not_to_be_checked()
    expect(page.get_by_role("button", name="提交扶贫认定(已勾选 0 户)")).to_be_disabled()

    # Tick one confirmable row and the blocked one; clear the blocked row's suggested reason: a refusal.
    page.get_by_label(f"认定 {first.household.number}").check()
    page.get_by_label(f"认定 {blocked.household.number}").check()
    page.get_by_label(f"不予认定理由 {blocked.household.number}").fill("")
    expect(page.locator("#ticked-count")).to_have_text("2")
    page.get_by_role("button", name="提交扶贫认定").click()
    expect(page.locator(".messages")).to_contain_text("只能不予认定")
    screenshot("32-identification-county-confirm-refused")

    # After the refusal exactly the two ticked rows are still ticked; nothing was decided.
    expect(page.get_by_label(f"认定 {first.household.number}")).to_be_checked()
    expect(page.get_by_label(f"认定 {blocked.household.number}")).to_be_checked()
    expect(page.get_by_label(f"认定 {second.household.number}")).not_to_be_checked()
    expect(page.get_by_label(f"认定 {third.household.number}")).not_to_be_checked()
    expect(page.locator("#ticked-count")).to_have_text("2")

    # Untick the blocked row and submit: only the first household is decided.
    page.get_by_label(f"认定 {blocked.household.number}").uncheck()
    page.get_by_role("button", name="提交扶贫认定(已勾选 1 户)").click()
    expect(page.locator(".messages")).to_contain_text("已作出扶贫认定 1 户")
    states = dict(Application.objects.values_list("pk", "state"))
    assert states == {
        first.pk: State.CONFIRMED,
        second.pk: State.PUBLICIZED,
        third.pk: State.PUBLICIZED,
        blocked.pk: State.PUBLICIZED,
    }
