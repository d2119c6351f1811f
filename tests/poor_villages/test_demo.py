"""seed_demo: a ranking run done, 贫困村 marked from its top, one village of 丹凤镇 that exited in 2014."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from accounts.models import AuditEvent
from exits.models import VillageExit
from identification.poor_villages.models import RankingRun
from villages.models import AreaProfile


@pytest.fixture
def seeded(db):
    out = StringIO()
    call_command("seed_demo", "--seed", "7", "--households", "400", stdout=out)
    return out.getvalue()


def test_demo_has_a_ranking_marked_villages_and_one_exit(seeded):
    run = RankingRun.objects.get()
    assert run.status == "done" and run.summary["village"]["units"] == 115
    marked = list(run.rows.filter(marked=True).values_list("rank", flat=True))
    poor = AreaProfile.objects.filter(is_poor_village=True)
    # Marked from the top of the ranking (社区 skipped); the one that exited is no longer poor.
    assert len(marked) == poor.count() + 1 and all(p.poor_village_year == 2012 for p in poor)
    assert not poor.filter(area__code__regex=r"^\d{9}0").exists()
    exit = VillageExit.objects.get()
    assert exit.state == "approved" and exit.year == 2014 and exit.village.code.startswith("530323101")
    assert exit.village.code != "530323101201"
    profile = AreaProfile.objects.get(area=exit.village)
    assert not profile.is_poor_village and profile.poor_village_exit_year == 2014
    assert float(exit.figures["poverty_rate"]) < 3
    assert AuditEvent.objects.filter(event_type="village_exit.approved").count() == 1
    assert "贫困村" in seeded and "已于2014年退出" in seeded
