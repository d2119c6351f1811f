"""Formula injection: every workbook we write stores text beginning with = + - @ (or a tab/CR) as text
with a leading apostrophe, never as a formula — checked by reading each writer's cells back."""

from __future__ import annotations

import io
import zipfile
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from households.card import build_card, card_xlsx
from households.importer import RowError, write_error_workbook
from households.models import Household
from identification.models import Round
from identification.quota_table import write_quota_table
from reports import exports, privacy
from reports.models import Kind, Report, Status
from reports.xlsx import Sheet, write_workbook
from tests.factories import HouseholdFactory, MemberFactory, id_number_for
from villages.sheets import safe_text

pytestmark = pytest.mark.django_db

HOSTILE = [
    '=HYPERLINK("http://evil.example","点击")',
    "+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(A1:A9)",
    "\tTab",
    "\rCR",
]


def cells(data: bytes):
    """Every cell of every sheet of a workbook, as openpyxl reads it (data_type "f" is a formula)."""
    book = load_workbook(io.BytesIO(data))
    return [cell for sheet in book.worksheets for row in sheet.iter_rows() for cell in row]


def assert_escaped(data: bytes, texts: list[str]) -> None:
    found = cells(data)
    assert not [c.coordinate for c in found if c.data_type == "f"], "a formula was written"

    # A CR is stored escaped (_x000D_) by some writers and read back as LF by XML: compare them alike.
    def plain(value):
        return value.replace("_x000D_", "\r").replace("\r", "\n") if isinstance(value, str) else value

    values = {plain(c.value) for c in found}
    for text in texts:
        assert "'" + plain(text) in values, text


@pytest.mark.parametrize("text", HOSTILE)
def test_safe_text_prefixes_only_what_a_spreadsheet_would_evaluate(text):
    assert safe_text(text) == "'" + text


@pytest.mark.parametrize("value", ["张三", "-3.5", "+86", "1e5", 12, None, Decimal("-1"), ""])
def test_safe_text_leaves_plain_values_and_numbers_alone(value):
    """A number written as text cannot be a formula, so incomes such as "-1200.00" keep their sign."""
    assert safe_text(value) == value


def test_ledger_writer_rustpy(tmp_path):
    path = tmp_path / "l.xlsx"
    write_workbook(path, [Sheet("户", ["姓名", "数"], [(text, 1) for text in HOSTILE], title="=标题")])
    assert_escaped(path.read_bytes(), [*HOSTILE, "=标题"])


@pytest.fixture
def poisoned(county_tree):
    household = HouseholdFactory(
        number="530323101201001009",
        group=county_tree.dazhai,
        phone="13812345678",
        bank_account="6228480012345678",
    )
    MemberFactory(household=household, name=HOSTILE[0], id_number=id_number_for(9), relation="户主")
    MemberFactory(
        household=household, name=HOSTILE[3], id_number=id_number_for(10, gender="女"), relation="配偶"
    )
    household.cases.create(program="fupin", state="active", entered_year=2014)
    return household


def test_household_card_openpyxl(poisoned):
    household = Household.objects.select_related("group__parent__parent").get(pk=poisoned.pk)
    assert_escaped(card_xlsx(build_card(household, reveal=True)), [HOSTILE[0], HOSTILE[3]])


@pytest.mark.parametrize("kind", [Kind.VILLAGE_REGISTER, Kind.ROSTER])
def test_register_and_roster_exports(poisoned, users, county_tree, settings, tmp_path, kind):
    settings.MEDIA_ROOT = tmp_path
    report = Report.objects.create(
        kind=kind, area=county_tree.shanlong, user=users.fupin, reveals=sorted(privacy.EVERYTHING)
    )
    exports.run(report.pk, inline=True)
    report.refresh_from_db()
    assert report.status == Status.DONE, report.message
    assert_escaped(report.file.read(), [HOSTILE[0], HOSTILE[3]])


def test_village_cards_zip(poisoned, users, county_tree, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    report = Report.objects.create(
        kind=Kind.HOUSEHOLD_CARD, area=county_tree.shanlong, user=users.alice, reveals=["id_number"]
    )
    exports.run(report.pk, inline=True)
    report.refresh_from_db()
    with zipfile.ZipFile(report.file) as archive:
        (name,) = archive.namelist()
        assert_escaped(archive.read(name), [HOSTILE[0]])


def test_quota_table_openpyxl(county_tree):
    county_tree.fazai.name = '=HYPERLINK("x")村'
    county_tree.fazai.save()
    round = Round.objects.create(
        year=2012, name="@批次", poverty_line=Decimal("2300"), dibao_line=Decimal("1400")
    )
    buffer = io.BytesIO()
    write_quota_table(round, county_tree.danfeng, buffer)
    found = cells(buffer.getvalue())
    assert not [c.coordinate for c in found if c.data_type == "f"]
    assert '\'=HYPERLINK("x")村' in {c.value for c in found}


def test_import_error_workbook_xlsxwriter(tmp_path):
    source = tmp_path / "r.csv"
    source.write_text("户编号,姓名\n1,=1+1\n2,@cmd\n", encoding="utf-8")
    target = tmp_path / "errors.xlsx"
    write_error_workbook(source=source, errors=[RowError(2, "姓名", "=1+1", "=不对", 1)], target=target)
    assert_escaped(target.read_bytes(), ["=1+1", "@cmd"])
