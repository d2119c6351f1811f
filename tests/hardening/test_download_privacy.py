"""Masking follows the person downloading (reports.privacy): the file keeps the level it was made at,
and a download by someone allowed less is refused. The matrix, role by role, read back from the files."""

from __future__ import annotations

import io
import zipfile

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from households.idnumber import mask
from households.privacy import mask_bank_account, mask_phone
from reports import services, standing
from reports.models import Kind, Report, Status
from tests.factories import HouseholdFactory, MemberFactory, id_number_for

pytestmark = pytest.mark.django_db

ID = id_number_for(21)
PHONE, BANK = "13812345678", "6228480012345678"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def household(county_tree):
    h = HouseholdFactory(
        number="530323101201001021", group=county_tree.dazhai, phone=PHONE, bank_account=BANK
    )
    MemberFactory(
        household=h, name="王残", id_number=ID, relation="户主", health="残疾", disability_grade="二级"
    )
    h.cases.create(program="fupin", state="active", entered_year=2014)
    return h


def _made(django_capture_on_commit_callbacks, **kwargs) -> Report:
    with django_capture_on_commit_callbacks(execute=True):
        report = services.request_report(**kwargs)
    report.refresh_from_db()
    assert report.status == Status.DONE, report.message
    return report


def _register(report: Report) -> dict[str, dict[str, str]]:
    """The household's row of each sheet of a 村有册, as {header: value}."""
    book = load_workbook(report.file, read_only=True)
    found = {}
    for sheet in book.worksheets:
        rows = list(sheet.iter_rows(values_only=True))
        headers = rows[1]
        for row in rows[2:]:
            if "530323101201001021" in row:
                found[sheet.title[-1]] = dict(zip(headers, row, strict=False))
    return found


# role → (身份证号, 联系电话, 银行账号, 健康状况) as the file must show them
WHOLE_ID, MASKED_ID = ID, mask(ID)
MATRIX = {
    "alice": (WHOLE_ID, PHONE, mask_bank_account(BANK), "残疾"),  # 村级录入员
    "carol": (WHOLE_ID, PHONE, mask_bank_account(BANK), "残疾"),  # 乡镇审核员
    "fupin": (WHOLE_ID, PHONE, BANK, "残疾"),  # 县扶贫办
    "minzheng": (WHOLE_ID, PHONE, BANK, "残疾"),  # 县民政局
    "admin": (MASKED_ID, mask_phone(PHONE), mask_bank_account(BANK), ""),  # 系统管理员
}


@pytest.mark.parametrize("who", sorted(MATRIX))
def test_register_shows_what_the_matrix_gives_the_role(
    who, users, household, django_capture_on_commit_callbacks
):
    user = getattr(users, who)
    report = _made(django_capture_on_commit_callbacks, user=user, kind=Kind.VILLAGE_REGISTER, area=user.area)
    rows = _register(report)
    id_number, phone, bank, health = MATRIX[who]
    assert rows["户"]["户主身份证号"] == id_number
    assert rows["户"]["联系电话"] == phone
    assert rows["户"]["银行账号"] == bank
    assert rows["人"]["身份证号"] == id_number
    assert (rows["人"]["健康状况"] or "") == health
    assert (rows["人"]["残疾等级"] or "") == ("二级" if health else "")


def test_village_cadres_card_masks_the_bank_account(users, household, django_capture_on_commit_callbacks):
    report = _made(
        django_capture_on_commit_callbacks,
        user=users.alice,
        kind=Kind.HOUSEHOLD_CARD,
        area=users.alice.area,
        household=household,
    )
    text = " ".join(
        str(c) for row in load_workbook(report.file).active.iter_rows(values_only=True) for c in row if c
    )
    assert ID in text and PHONE in text and BANK not in text and mask_bank_account(BANK) in text


def test_admin_downloading_the_county_fupins_register_is_refused(
    client, users, household, django_capture_on_commit_callbacks
):
    """Issue 13, defect 1: the file stays at 县扶贫办's level; the 系统管理员 is not given more than
    the matrix gives them — the download is refused, the list offers no link."""
    report = _made(
        django_capture_on_commit_callbacks,
        user=users.fupin,
        kind=Kind.VILLAGE_REGISTER,
        area=users.fupin.area,
    )
    url = reverse("reports:download", args=[report.pk])

    client.force_login(users.admin)
    refused = client.get(url)
    assert refused.status_code == 403
    assert "不能查看的完整个人信息" in refused.content.decode()
    page = client.get(reverse("reports:list")).content.decode()
    assert url not in page and "无权下载" in page

    client.force_login(users.minzheng)  # same level: allowed
    assert client.get(url).status_code == 200
    client.force_login(users.fupin)
    assert client.get(url).status_code == 200


def test_township_official_may_download_the_village_cadres_file_of_the_same_level(
    client, users, household, django_capture_on_commit_callbacks
):
    report = _made(
        django_capture_on_commit_callbacks,
        user=users.alice,
        kind=Kind.VILLAGE_REGISTER,
        area=users.alice.area,
    )
    client.force_login(users.carol)
    assert client.get(reverse("reports:download", args=[report.pk])).status_code == 200


def test_nightly_county_archive_is_the_countys_level(
    client, users, household, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        made = standing.regenerate()
    archive = Report.objects.get(pk__in=made, kind=Kind.COUNTY_ARCHIVE)
    assert archive.status == Status.DONE
    with zipfile.ZipFile(archive.file) as files:
        assert "花名册.xlsx" in files.namelist()
        register = load_workbook(io.BytesIO(files.read("村有册.xlsx")), read_only=True)
        values = {
            v for sheet in register.worksheets for row in sheet.iter_rows(values_only=True) for v in row
        }
        assert BANK in values
    url = reverse("reports:download", args=[archive.pk])
    client.force_login(users.admin)
    assert client.get(url).status_code == 403
    client.force_login(users.fupin)
    assert client.get(url).status_code == 200


def test_count_only_ledgers_are_downloadable_by_everyone_who_sees_the_area(
    client, users, household, django_capture_on_commit_callbacks
):
    report = _made(
        django_capture_on_commit_callbacks, user=users.fupin, kind=Kind.VILLAGE_FORM, area=users.fupin.area
    )
    assert report.reveals == []
    client.force_login(users.admin)
    assert client.get(reverse("reports:download", args=[report.pk])).status_code == 200
