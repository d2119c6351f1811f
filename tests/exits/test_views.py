"""The screens: each as the owner, a colleague and an outsider; the forms keep what was typed."""

from __future__ import annotations

import pytest
from django.urls import reverse

from exits.models import DibaoProposal, ExitApplication, ExitState
from notices.models import Notice
from tests.exits.flow import rolled_household

pytestmark = pytest.mark.django_db


@pytest.fixture
def household(county_tree):
    return rolled_household(county_tree.dazhai)


def test_worklist_shows_each_rolled_household_with_why(client, exit_flow, county_tree, users):
    rolled_household(county_tree.dazhai, dangerous_house=True, dangerous_house_grade="C级")
    client.force_login(users.alice)
    page = client.get(reverse("exits:worklist")).content.decode()
    assert "住房安全有保障(住房为C级危房)" in page
    assert "不愁吃(待入户核实)" in page
    assert "提出退出" in page


def test_worklist_hides_other_villages(client, exit_flow, county_tree, users):
    other = rolled_household(county_tree.xincun)
    client.force_login(users.alice)
    assert other.number not in client.get(reverse("exits:worklist")).content.decode()


def test_village_walks_an_exit_through_its_screens(client, exit_flow, household, users):
    client.force_login(users.alice)
    response = client.post(reverse("exits:propose", args=[household.pk]))
    exit = ExitApplication.objects.get(household=household)
    assert response.url == reverse("exits:exit", args=[exit.pk])
    today = exit_flow.calendar.today.isoformat()
    client.post(
        reverse("exits:step", args=[exit.pk, "survey"]),
        {
            "surveyed_on": today,
            "FOOD_answer": "yes",
            "FOOD_evidence": "存粮",
            "CLOTHING_answer": "yes",
            "CLOTHING_evidence": "衣被",
        },
    )
    client.post(
        reverse("exits:step", args=[exit.pk, "review"]), {"reviewed_on": today, "attendees": "支书、驻村队长"}
    )
    client.post(reverse("exits:step", args=[exit.pk, "agree"]), {"agreed_on": today, "signer": "户主"})
    exit.refresh_from_db()
    assert exit.state == ExitState.AGREED
    response = client.post(
        reverse("exits:notices"),
        {
            "starts_on": today,
            "ends_on": "2015-11-10",
            "issuing_body": "山龙村委会",
            "complaint_phone": "0874-1",
            "exits": [exit.pk],
        },
    )
    notice = Notice.objects.get(kind="exits.village")
    assert response.url == reverse("notices:notice", args=[notice.pk])
    page = client.get(reverse("exits:exit", args=[exit.pk])).content.decode()
    assert "已村内公示,待乡镇审核" in page and notice.title in page


def test_refused_review_keeps_what_was_typed_and_names_the_failing_items(client, exit_flow, household, users):
    exit = exit_flow.propose(household)
    client.force_login(users.alice)
    response = client.post(
        reverse("exits:step", args=[exit.pk, "review"]),
        {"reviewed_on": exit_flow.calendar.today.isoformat(), "attendees": "支书王五、驻村队长赵六"},
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "不符合退出标准" in page and "不愁吃(待入户核实)" in page
    assert "支书王五、驻村队长赵六" in page


def test_township_cannot_make_a_village_step(client, exit_flow, household, users):
    exit = exit_flow.propose(household)
    client.force_login(users.carol)
    response = client.post(
        reverse("exits:step", args=[exit.pk, "review"]), {"reviewed_on": "2015-11-02", "attendees": "x"}
    )
    assert response.status_code == 302
    exit.refresh_from_db()
    assert exit.state == ExitState.DRAFT


def test_exit_of_another_township_is_a_404(client, exit_flow, household, users):
    exit = exit_flow.propose(household)
    client.force_login(users.dave)
    assert client.get(reverse("exits:exit", args=[exit.pk])).status_code == 404
    client.force_login(users.bob)
    assert client.get(reverse("exits:exit", args=[exit.pk])).status_code == 404


def test_township_queue_lists_publicized_exits(client, exit_flow, household, users):
    exit = exit_flow.advance(exit_flow.propose(household), ExitState.PUBLICIZED)
    client.force_login(users.carol)
    page = client.get(reverse("exits:queue")).content.decode()
    assert household.number in page
    client.force_login(users.dave)
    assert household.number not in client.get(reverse("exits:queue")).content.decode()
    assert exit.pk


def test_minzheng_decides_from_the_queue(client, exit_flow, county_tree, users):
    rich = rolled_household(county_tree.dazhai, per_capita="5000", dibao=True)
    client.force_login(users.minzheng)
    client.post(reverse("exits:dibao"))
    proposal = DibaoProposal.objects.get(household=rich)
    assert rich.number in client.get(reverse("exits:dibao")).content.decode()
    client.post(
        reverse("exits:dibao_decide", args=[proposal.pk]), {"decision": "accept", "reason": "核实属实"}
    )
    proposal.refresh_from_db()
    assert proposal.status == "accepted"


def test_fupin_cannot_decide_a_dibao_proposal(client, exit_flow, county_tree, users):
    rich = rolled_household(county_tree.dazhai, per_capita="5000", dibao=True)
    client.force_login(users.minzheng)
    client.post(reverse("exits:dibao"))
    client.force_login(users.fupin)
    proposal = DibaoProposal.objects.get(household=rich)
    response = client.post(
        reverse("exits:dibao_decide", args=[proposal.pk]), {"decision": "accept", "reason": "x"}
    )
    assert response.status_code == 403


def test_signed_form_is_served_through_the_scope_only(
    client, exit_flow, household, users, settings, tmp_path
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from exits import services

    settings.MEDIA_ROOT = tmp_path
    exit = exit_flow.review(exit_flow.survey(exit_flow.propose(household)))
    scan = SimpleUploadedFile("认可书.png", b"\x89PNG signed", content_type="image/png")
    services.exit_agree(
        exit=exit, actor=users.alice, agreed_on=exit_flow.calendar.today, signer="户主", signed_form=scan
    )
    client.force_login(users.carol)
    response = client.get(reverse("exits:signed_form", args=[exit.pk]))
    assert response.status_code == 200 and b"".join(response.streaming_content) == b"\x89PNG signed"
    client.force_login(users.bob)
    assert client.get(reverse("exits:signed_form", args=[exit.pk])).status_code == 404


def test_signed_form_of_another_type_is_refused_and_the_form_kept(client, exit_flow, household, users):
    from django.core.files.uploadedfile import SimpleUploadedFile

    exit = exit_flow.review(exit_flow.survey(exit_flow.propose(household)))
    client.force_login(users.alice)
    response = client.post(
        reverse("exits:step", args=[exit.pk, "agree"]),
        {
            "agreed_on": "2015-11-02",
            "signer": "王大山",
            "signed_form": SimpleUploadedFile("认可书.docx", b"PK"),
        },
    )
    page = response.content.decode()
    assert "只能上传 JPG、PNG 图片或 PDF" in page and "王大山" in page
    exit.refresh_from_db()
    assert exit.state == ExitState.REVIEWED


def test_unknown_step_is_a_404(client, exit_flow, household, users):
    exit = exit_flow.propose(household)
    client.force_login(users.alice)
    assert client.post(reverse("exits:step", args=[exit.pk, "delete"])).status_code == 404


def test_county_queue_lists_verified_exits(client, exit_flow, household, users):
    exit_flow.advance(exit_flow.propose(household), ExitState.VERIFIED)
    client.force_login(users.fupin)
    assert household.number in client.get(reverse("exits:queue")).content.decode()
