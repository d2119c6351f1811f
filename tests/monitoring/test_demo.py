"""seed_demo's 防返贫监测: warnings waiting in 丹凤镇's queue, the decisions walked, a 返贫 filed into the round."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from accounts.models import User
from monitoring import selectors
from monitoring.choices import ReferralKind, WarningStatus
from monitoring.models import MonitoringRun

pytestmark = pytest.mark.django_db


def test_the_demo_leaves_work_in_danfeng_s_queue_and_a_return_to_poverty():
    out = StringIO()
    call_command("seed_demo", "--seed", "7", "--households", "600", stdout=out)
    assert "防返贫监测预警" in out.getvalue()
    run = MonitoringRun.objects.get()
    assert run.status == "done" and run.raised_total > 0
    queue = selectors.warnings_for(User.objects.get(username="xiangzhen"))
    assert queue.filter(status=WarningStatus.PENDING).exists()
    assert {w.area_code[:9] for w in queue} == {"530323101"}
    returned = queue.get(status=WarningStatus.APPLIED)
    assert returned.referral_kind == ReferralKind.RETURNED and returned.application.round.closed is False
    assert (
        queue.filter(status=WarningStatus.DISMISSED).exists()
        and queue.filter(status=WarningStatus.MONITORED).exists()
    )
