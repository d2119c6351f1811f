"""The browser flow of the 花名册 import (upload → preview → confirm → done) and who may use it."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from households.models import Household, ImportJob, Member
from tests.households.import_helpers import H1, H2, family, person, write_roster

pytestmark = pytest.mark.django_db

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def upload(client, path, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        return client.post(
            reverse("households:import_upload"),
            {"file": SimpleUploadedFile("花名册.xlsx", path.read_bytes(), content_type=XLSX), "year": 2012},
        )


def test_upload_preview_confirm_import(
    client, users, county_tree, tmp_path, django_capture_on_commit_callbacks
):
    client.force_login(users.fupin)
    path = write_roster(tmp_path / "r.xlsx", family(H1, 1, 2) + family(H2, 10, 3))

    response = upload(client, path, django_capture_on_commit_callbacks)

    job = ImportJob.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("households:import_job", args=[job.pk])
    assert (job.phase, job.status, job.progress, job.error_count) == ("preview", "done", 100, 0)
    assert job.task_id
    assert job.counts["households_created"] == 2
    assert Household.objects.count() == 0
    page = client.get(response.url)
    assert "预检结果" in page.content.decode()
    assert "确认导入" in page.content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("households:import_confirm", args=[job.pk]))

    job.refresh_from_db()
    assert response.status_code == 302
    assert (job.phase, job.status) == ("import", "done")
    assert Household.objects.count() == 2
    assert Member.objects.count() == 5
    assert "导入结果" in client.get(reverse("households:import_job", args=[job.pk])).content.decode()


def test_preview_with_errors_lists_them_and_offers_the_marked_file(
    client, users, county_tree, tmp_path, django_capture_on_commit_callbacks
):
    client.force_login(users.fupin)
    path = write_roster(tmp_path / "r.xlsx", [*family(H1, 1, 2), person(H2, 20, persons=1, 自然村="无此组")])

    upload(client, path, django_capture_on_commit_callbacks)

    job = ImportJob.objects.get()
    assert job.error_count == 1
    assert not job.can_confirm
    page = client.get(reverse("households:import_job", args=[job.pk])).content.decode()
    assert "村民小组“无此组”不存在" in page
    assert "下载标注了错误的花名册" in page
    download = client.get(reverse("households:import_error_file", args=[job.pk]))
    assert download.status_code == 200
    assert download["Content-Disposition"].startswith("attachment")
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("households:import_confirm", args=[job.pk]))
    assert Household.objects.count() == 0


def test_id_numbers_in_the_error_table_are_masked(
    client, users, county_tree, tmp_path, django_capture_on_commit_callbacks
):
    client.force_login(users.fupin)
    rows = family(H1, 1, 2)
    rows[1]["证件号码"] = rows[1]["证件号码"][:-1] + ("0" if rows[1]["证件号码"][-1] != "0" else "1")

    upload(client, write_roster(tmp_path / "r.xlsx", rows), django_capture_on_commit_callbacks)

    page = client.get(reverse("households:import_job", args=[ImportJob.objects.get().pk])).content.decode()
    assert "身份证号校验位错误" in page
    assert rows[1]["证件号码"] not in page


def test_status_partial_polls_until_done(client, users, county_tree, tmp_path):
    client.force_login(users.fupin)
    job = ImportJob.objects.create(
        user=users.fupin, file="imports/x.xlsx", original_name="x.xlsx", progress=40
    )
    url = reverse("households:import_status", args=[job.pk])

    running = client.get(url, headers={"HX-Request": "true"})
    assert 'hx-trigger="every 1s"' in running.content.decode()
    assert "HX-Refresh" not in running

    ImportJob.objects.filter(pk=job.pk).update(status="done", progress=100)
    done = client.get(url, headers={"HX-Request": "true"})
    assert done["HX-Refresh"] == "true"
    assert "every 1s" not in done.content.decode()


def test_wrong_file_type_is_refused(client, users, county_tree):
    """.xlsx and .csv are read (villages.guard); an old .xls is refused at once, with the way out."""
    client.force_login(users.fupin)

    response = client.post(
        reverse("households:import_upload"),
        {"file": SimpleUploadedFile("r.xls", b"\xd0\xcf\x11\xe0", content_type="application/vnd.ms-excel")},
    )

    assert response.status_code == 200
    assert ".xlsx" in response.content.decode()
    assert not ImportJob.objects.exists()


@pytest.mark.parametrize("who", ["alice", "carol", "minzheng"])
def test_other_roles_cannot_import(client, users, county_tree, who):
    client.force_login(getattr(users, who))

    assert client.get(reverse("households:import_upload")).status_code == 403
    assert client.post(reverse("households:import_upload"), {}).status_code == 403


@pytest.mark.parametrize("who", ["alice", "carol", "admin"])
def test_nobody_else_can_open_a_users_import_job(client, users, county_tree, who):
    job = ImportJob.objects.create(
        user=users.fupin, file="imports/x.xlsx", original_name="x.xlsx", status="done"
    )
    client.force_login(getattr(users, who))

    for name in ("import_job", "import_status", "import_error_file"):
        assert client.get(reverse(f"households:{name}", args=[job.pk])).status_code == 404
    assert client.post(reverse("households:import_confirm", args=[job.pk])).status_code == 404


def test_anonymous_is_sent_to_login(client, county_tree):
    response = client.get(reverse("households:import_upload"))

    assert response.status_code == 302
    assert "login" in response.url
