"""The screens: the township's queue and a warning's forms, the village's 突发 form, the county's runs."""

from __future__ import annotations

import datetime
from unittest import mock

import pytest
from django.urls import reverse

from config.queue import QueueUnavailable
from monitoring.choices import Trigger, WarningStatus
from monitoring.models import HardshipEvent, MonitoringRun, Warning
from monitoring.triggers import check
from tests.monitoring.conftest import TODAY, make_household

pytestmark = pytest.mark.django_db


@pytest.fixture
def queue(county_tree, round_2014):
    """A low-income household in each of 丹凤镇's two villages and one in 雄壁镇."""
    for group in (county_tree.dazhai, county_tree.xincun, county_tree.potou):
        make_household(group, incomes={2013: 3000})
    check(today=TODAY)
    return Warning.objects.order_by("area_code")


def test_the_township_queue_shows_its_villages_only_and_filters_by_village_and_trigger(
    client, users, queue, county_tree
):
    client.force_login(users.carol)
    page = client.get(reverse("monitoring:warnings")).content.decode()
    assert page.count("收入低于监测线") >= 2
    assert queue.get(area_code=county_tree.potou.code).household.number not in page
    page = client.get(reverse("monitoring:warnings"), {"village": county_tree.fazai.code}).content.decode()
    assert queue.get(area_code=county_tree.xincun.code).household.number in page
    assert queue.get(area_code=county_tree.dazhai.code).household.number not in page
    page = client.get(reverse("monitoring:warnings"), {"trigger": Trigger.LOAN_OVERDUE}).content.decode()
    assert "没有符合条件的预警" in page


def test_another_township_s_warning_is_a_404(client, users, queue, county_tree):
    client.force_login(users.dave)
    assert (
        client.get(
            reverse("monitoring:warning", args=[queue.get(area_code=county_tree.dazhai.code).pk])
        ).status_code
        == 404
    )


def test_a_refused_visit_keeps_what_was_typed(client, users, queue, county_tree):
    warning = queue.get(area_code=county_tree.dazhai.code)
    client.force_login(users.carol)
    future = datetime.date.today() + datetime.timedelta(days=3)
    response = client.post(
        reverse("monitoring:warning_verify", args=[warning.pk]),
        {"visited_on": future.isoformat(), "visitors": "李明、王芳", "findings": "外出务工收入减少"},
    )
    page = response.content.decode()
    assert response.status_code == 200 and "核实日期不能晚于今天" in page and "外出务工收入减少" in page
    warning.refresh_from_db()
    assert warning.status == WarningStatus.PENDING


def test_the_township_verifies_and_dismisses_through_the_page(client, users, queue, county_tree):
    warning = queue.get(area_code=county_tree.dazhai.code)
    client.force_login(users.carol)
    client.post(
        reverse("monitoring:warning_verify", args=[warning.pk]),
        {"visited_on": datetime.date.today().isoformat(), "visitors": "李明", "findings": "属实"},
    )
    response = client.post(
        reverse("monitoring:warning_decide", args=[warning.pk]), {"decision": "dismissed", "reason": "已恢复"}
    )
    assert response.status_code == 302
    warning.refresh_from_db()
    assert warning.status == WarningStatus.DISMISSED


def test_a_village_cadre_cannot_decide(client, users, queue, county_tree):
    warning = queue.get(area_code=county_tree.dazhai.code)
    client.force_login(users.alice)
    response = client.post(
        reverse("monitoring:warning_verify", args=[warning.pk]),
        {"visited_on": datetime.date.today().isoformat(), "visitors": "李明", "findings": "属实"},
    )
    assert response.status_code == 403


def test_the_village_records_an_event_found_by_household_number(
    client, users, county_tree, round_2014, django_capture_on_commit_callbacks
):
    household = make_household(county_tree.dazhai, lifted=True, incomes={2013: 9000})
    client.force_login(users.alice)
    response = client.get(reverse("monitoring:events"), {"number": household.number})
    assert response.url == reverse("monitoring:event_create", args=[household.pk])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            response.url,
            {
                "kind": "因灾",
                "occurred_on": datetime.date.today().isoformat(),
                "amount": "6000",
                "description": "山体滑坡",
            },
        )
    assert response.status_code == 302
    assert HardshipEvent.objects.filter(household=household).count() == 1
    assert Warning.objects.filter(household=household, trigger=Trigger.DISASTER).exists()


def test_the_county_starts_a_run_and_reads_its_counts(
    client, users, queue, django_capture_on_commit_callbacks
):
    client.force_login(users.fupin)
    with django_capture_on_commit_callbacks(execute=True):  # the task is sent after the commit (eager here)
        response = client.post(reverse("monitoring:runs"))
    run = MonitoringRun.objects.get()
    assert response.url == reverse("monitoring:run", args=[run.pk])
    assert run.status == "done" and run.households_checked == 3  # the queue's three, checked again
    page = client.get(response.url).content.decode()
    assert "检查户数 3" in page and "收入低于监测线" in page


def test_with_the_queue_down_the_run_is_taken_back_and_the_page_says_so(client, users):
    client.force_login(users.fupin)
    # config.queue raises QueueUnavailable once it has taken the row back; here it refuses at once.
    with mock.patch("monitoring.services.runs.send_after_commit", side_effect=QueueUnavailable):
        response = client.post(reverse("monitoring:runs"), follow=True)
    assert "任务队列暂不可用" in response.content.decode()
    assert not MonitoringRun.objects.exists()


def test_runs_are_the_county_s(client, users):
    client.force_login(users.carol)
    assert client.get(reverse("monitoring:runs")).status_code == 403
