"""帮扶 in the ledgers: the 整改清单 export, the 户卡's sections (page and .xlsx), the 村有册's columns, and
the dashboards' counts agreeing with the 整改清单."""

from __future__ import annotations

import datetime
import io

import pytest
from django.core.management import call_command
from django.urls import reverse
from openpyxl import load_workbook

from assistance import coverage
from assistance.models import Measure, Plan, Visit
from households.card import build_card, card_xlsx
from reports import services, statistics
from reports.models import Kind, Report, Status
from tests.reports.helpers import sheets, table

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def run(django_capture_on_commit_callbacks):
    def run(user, kind, area) -> Report:
        with django_capture_on_commit_callbacks(execute=True):
            report = services.request_report(user=user, kind=kind, area=area)
        report.refresh_from_db()
        return report

    return run


def _read(report: Report) -> bytes:
    with report.file.open("rb") as handle:
        return handle.read()


def test_coverage_export_lists_every_line_with_its_fix_link(run, world, county_tree):
    report = run(world.fupin, Kind.COVERAGE, county_tree.county)
    assert report.status == Status.DONE, report.message
    book = sheets(_read(report))
    assert list(book) == ["汇总", "整改清单"]
    lines = table(book["整改清单"])
    no_helper = [line for line in lines if line["问题类别"] == "扶贫对象户没有帮扶责任人"]
    assert [(line["乡(镇)"], line["行政村"], line["村民小组"]) for line in no_helper] == [
        ("丹凤镇", "山龙村", "大寨组"),
        ("雄壁镇", "雨柱村", "坡头组"),
    ]
    assert no_helper[0]["整改页面"] == reverse("assistance:household", args=[world.b.pk])
    summary = table(book["汇总"])
    assert summary[-1]["条数"] == len(lines) == report.rows - len(summary)
    assert sum(coverage.totals("530323").values()) == len(lines)


def test_coverage_export_is_for_townships_and_the_county_only(world, county_tree):
    from reports.exports import ExportError

    with pytest.raises(ExportError, match="只能按"):
        services.request_report(user=world.alice, kind=Kind.COVERAGE, area=county_tree.shanlong)


def test_township_official_exports_only_their_township(run, world, county_tree):
    report = run(world.carol, Kind.COVERAGE, county_tree.danfeng)
    lines = table(sheets(_read(report))["整改清单"])
    assert {line["乡(镇)"] for line in lines if line["乡(镇)"]} == {"丹凤镇"}


def test_export_ledger_command_writes_the_coverage_list(world, tmp_path):
    out = tmp_path / "整改清单.xlsx"
    call_command("export_ledger", "coverage", "--area", "530323", "--out", str(out), stdout=io.StringIO())
    assert "整改清单" in load_workbook(out).sheetnames


def test_household_card_has_the_assistance_sections(world):
    year = datetime.date.today().year
    plan = Plan.objects.create(household=world.a, year=year, target_year=year, wishes="养牛")
    Measure.objects.create(
        plan=plan,
        household=world.a,
        category="养殖",
        content="能繁母牛",
        funding_source="财政专项",
        started_on=datetime.date(year, 1, 1),
    )
    Visit.objects.create(
        helper=world.wang, household=world.a, visited_on=datetime.date(year, 1, 2), content="入户"
    )
    card = build_card(world.a, reveal=False)
    assert card.assistance.helpers[0][:2] == ["王帮扶", "县农业农村局"]
    assert card.assistance.helpers[0][3] == "138****5678"
    assert card.assistance.paths == ["发展生产脱贫一批"]
    workbook = load_workbook(io.BytesIO(card_xlsx(card)))
    cells = [c for row in workbook.active.iter_rows(values_only=True) for c in row if c]
    for text in ("帮扶责任人", "王帮扶", "能繁母牛", "走访记录", "入户", "扶贫小额信贷"):
        assert text in cells


def test_village_register_has_the_helper_and_this_years_measures(run, world, county_tree):
    year = datetime.date.today().year
    plan = Plan.objects.create(household=world.a, year=year, target_year=year)
    Measure.objects.create(
        plan=plan,
        household=world.a,
        category="种植",
        content="烤烟",
        funding_source="社会帮扶",
        started_on=datetime.date(year, 1, 1),
    )
    report = run(world.alice, Kind.VILLAGE_REGISTER, county_tree.shanlong)
    rows = {row["户编号"]: row for row in table(sheets(_read(report))["户"])}
    assert rows[world.a.number]["帮扶责任人"] == "王帮扶(县农业农村局)"
    assert rows[world.a.number]["本年度帮扶措施"] == "种植:烤烟"
    assert rows[world.b.number]["帮扶责任人"] == ""


def test_dashboard_figures_agree_with_the_coverage_list(world, county_tree):
    figures = statistics.assistance_figures(county_tree.county, user=world.fupin)
    assert (figures.rolled, figures.rolled_with_helper, figures.pairings) == (3, 1, 1)
    assert figures.coverage == coverage.totals("530323")
    assert figures.coverage["no_helper"] == 2
    with pytest.raises(Exception, match="无权查看"):
        statistics.assistance_figures(county_tree.county, user=world.helper_wang)
