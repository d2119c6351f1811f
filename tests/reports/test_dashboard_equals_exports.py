"""What the dashboard shows is what the ledgers say: the same figures, read from the page's context and
counted back from the exported files."""

from __future__ import annotations

from collections import Counter

import pytest
from django.urls import reverse

from reports import services
from reports.models import Kind, Report
from tests.reports.helpers import sheets, table

pytestmark = pytest.mark.django_db

OPEN = {"在册", "返贫"}


@pytest.fixture
def export(committed):
    def export(user, kind, area) -> dict[str, list[list]]:
        with committed():
            report = services.request_report(user=user, kind=kind, area=area)
        report = Report.objects.get(pk=report.pk)
        with report.file.open("rb") as handle:
            return sheets(handle.read())

    return export


def test_township_dashboard_equals_the_township_book(client, users, county_tree, registry, export):
    client.force_login(users.carol)
    page = client.get(reverse("reports:area_dashboard", args=[county_tree.danfeng.code]))
    shown = {row.name: row for row in page.context["table"].all_rows}
    book = export(users.carol, Kind.TOWNSHIP_BOOK, county_tree.danfeng)
    summary = {row["行政村"]: row for row in table(book["汇总"])}
    assert set(summary) == {"山龙村", "法杂村", "合计"}
    for name, row in summary.items():
        figures = shown["丹凤镇" if name == "合计" else name]
        assert (row["总户数"], row["总人口"]) == (figures.households, figures.persons)
        assert (row["贫困户数"], row["贫困人口"]) == (figures.fupin.households, figures.fupin.persons)
        assert (row["低保户数"], row["特困户数"]) == (figures.dibao.households, figures.tekun.households)
        # A number in the sheet, as the form has it (issue 10: numbers are numbers).
        assert row["贫困发生率(%)"] == ("" if figures.incidence is None else float(figures.incidence))

    # …and the village registers inside the book count the same open 扶贫 households.
    for village in ("山龙村", "法杂村"):
        households = table(book[f"{village}-户"])
        assert sum(h["扶贫状态"] in OPEN for h in households) == shown[village].fupin.households
        persons = Counter(p["户编号"] for p in table(book[f"{village}-人"]))
        open_numbers = {h["户编号"] for h in households if h["扶贫状态"] in OPEN}
        assert sum(persons[n] for n in open_numbers) == shown[village].fupin.persons


def test_county_dashboard_equals_the_county_register_and_village_form(
    client, users, county_tree, registry, export
):
    client.force_login(users.fupin)
    page = client.get(reverse("reports:dashboard"))
    total = page.context["total"]
    causes = {share.label: share.tally.households for share in page.context["causes"]}

    households = table(export(users.fupin, Kind.VILLAGE_REGISTER, county_tree.county)["户"])
    on_fupin = [h for h in households if h["扶贫状态"] in OPEN]
    assert len(on_fupin) == total.fupin.households
    assert sum(h["家庭人口"] for h in on_fupin) == total.fupin.persons
    assert sum(h["低保状态"] in OPEN for h in households) == total.dibao.households
    counted = Counter(h["主要致贫原因"] or "未填写" for h in on_fupin)
    assert {label: n for label, n in causes.items() if n} == dict(counted)

    form = table(export(users.fupin, Kind.VILLAGE_FORM, county_tree.county)["行政村登记表"])
    assert sum(row["贫困人口"] for row in form) == total.fupin.persons
    assert sum(row["总户数"] for row in form) == total.households
