"""The county marks 贫困村 from a ranking; nobody else sets 是否贫困村."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from accounts.models import AuditEvent
from identification.poor_villages import services
from identification.transitions import WorkflowError
from villages import services as village_services
from villages.models import AreaProfile


def test_marking_sets_the_profile_with_the_year_and_audits_the_rank(done_run, ranked_tree, users):
    t = ranked_tree
    count = services.villages_mark(actor=users.fupin, run=done_run, village_ids=[t.shanlong.pk, t.yuzhu.pk])
    assert count == 2
    shanlong, yuzhu = (AreaProfile.objects.get(area=a) for a in (t.shanlong, t.yuzhu))
    assert shanlong.is_poor_village and shanlong.poor_village_year == 2012
    assert yuzhu.is_poor_village  # 雨柱村 had no profile: one is made for it
    assert not AreaProfile.objects.get(area=t.fazai).is_poor_village
    assert set(done_run.rows.filter(marked=True).values_list("area__name", flat=True)) == {"山龙村", "雨柱村"}
    events = AuditEvent.objects.filter(event_type="poor_village.marked").order_by("area_code")
    assert [e.area_code for e in events] == [t.shanlong.code, t.yuzhu.code]
    assert (
        events[0].actor == users.fupin and events[0].new["rank"] == 1 and events[0].new["run"] == done_run.pk
    )
    done_run.refresh_from_db()
    assert done_run.marked_by == users.fupin


def test_a_village_already_poor_is_refused_and_nothing_changes(done_run, ranked_tree, users):
    t = ranked_tree
    services.villages_mark(actor=users.fupin, run=done_run, village_ids=[t.shanlong.pk])
    with pytest.raises(WorkflowError, match="已是贫困村.*山龙村"):
        services.villages_mark(actor=users.fupin, run=done_run, village_ids=[t.fazai.pk, t.shanlong.pk])
    assert not AreaProfile.objects.get(area=t.fazai).is_poor_village


def test_groups_and_unknown_areas_cannot_be_marked(done_run, ranked_tree, users):
    with pytest.raises(WorkflowError, match="不是本次测算中的行政村"):
        services.villages_mark(actor=users.fupin, run=done_run, village_ids=[ranked_tree.dazhai.pk])
    with pytest.raises(WorkflowError, match="请勾选"):
        services.villages_mark(actor=users.fupin, run=done_run, village_ids=[])


def test_an_unfinished_run_cannot_be_marked_from(ranked_tree, users):
    run = services.RankingRun.objects.create(
        county=ranked_tree.county, year=2012, income_year=2011, weights={}, created_by=users.fupin
    )
    with pytest.raises(WorkflowError, match="测算完成"):
        services.villages_mark(actor=users.fupin, run=run, village_ids=[ranked_tree.shanlong.pk])


@pytest.mark.parametrize("who", ["alice", "carol", "minzheng", "admin"])
def test_only_the_county_fupin_office_marks(done_run, ranked_tree, users, who):
    with pytest.raises(WorkflowError) as refused:
        services.villages_mark(actor=getattr(users, who), run=done_run, village_ids=[ranked_tree.shanlong.pk])
    assert refused.value.code == "wrong_role"
    assert not AreaProfile.objects.filter(is_poor_village=True).exists()


def test_a_cadre_can_no_longer_set_is_poor_village(client, ranked_tree, users):
    t = ranked_tree
    client.force_login(users.alice)
    page = client.get(reverse("villages:profile_edit", args=[t.shanlong.code])).content.decode()
    assert "profile-is_poor_village" not in page and "农民人均纯收入" in page
    response = client.post(
        reverse("villages:profile_edit", args=[t.shanlong.code]),
        {
            "profile-is_poor_village": "on",
            "profile-collective_income": "100",
            "profile-net_income_per_capita": "2500",
        },
    )
    assert response.status_code == 302
    profile = AreaProfile.objects.get(area=t.shanlong)
    assert not profile.is_poor_village and profile.net_income_per_capita == 2500
    # The service refuses it outright, whoever asks.
    for user in (users.alice, users.carol, users.fupin, users.admin):
        with pytest.raises(PermissionDenied, match="县扶贫办"):
            village_services.profile_save(area=t.shanlong, actor=user, changes={"is_poor_village": True})
    assert not AreaProfile.objects.get(area=t.shanlong).is_poor_village
