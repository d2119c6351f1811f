"""templates/jobs/progress.html: one partial for every kind's status, polling only while unfinished."""

from __future__ import annotations

import pytest
from django.template.loader import render_to_string

from jobs.models import Status
from reports.models import Report

pytestmark = pytest.mark.django_db


def render(job, **context) -> str:
    return render_to_string("jobs/progress.html", {"job": job, "poll": "reports:status", **context})


def test_a_running_job_shows_its_words_progress_and_polls_its_url(report):
    report.status, report.progress, report.message = Status.RUNNING, 40, "第 2 个村"

    html = render(report, every="2s", target="closest tr")

    assert "生成中" in html and 'value="40"' in html and "第 2 个村" in html
    assert 'hx-trigger="every 2s"' in html and 'hx-target="closest tr"' in html


def test_a_finished_job_stops_polling_and_shows_no_bar(report):
    report.status, report.message = Status.FAILED, "生成中断"

    html = render(report, label="导入")

    assert "hx-get" not in html and "<progress" not in html
    assert "导入:" in html and 'class="error">失败' in html and "生成中断" in html


def test_polling_defaults_to_every_second_and_to_this_block(report):
    html = render(report)

    assert 'hx-trigger="every 1s"' in html and "hx-target" not in html and "排队中" in html


def test_the_url_polled_is_the_kinds_own(report):
    from django.urls import reverse

    assert f'hx-get="{reverse("reports:status", args=[report.pk])}"' in render(report)


def test_a_message_is_escaped(report):
    Report.objects.filter(pk=report.pk).update(message="<script>x</script>")
    report.refresh_from_db()

    assert "<script>" not in render(report)
