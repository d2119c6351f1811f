"""The ledgers' contents, read back from the files, and the export runner's failure, retry and retention."""

from __future__ import annotations

import datetime

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from households.importer import import_roster
from households.models import Case, Household, Member
from jobs.stale import fail_stale
from reports import exports, services, standing
from reports.exports import ExportError
from reports.models import Kind, Report, Status
from tests.reports.helpers import sheets, table, zip_member, zip_names

pytestmark = pytest.mark.django_db


@pytest.fixture
def run(committed):
    def run(user, kind, area, **kwargs) -> Report:
        with committed():
            report = services.request_report(user=user, kind=kind, area=area, **kwargs)
        report.refresh_from_db()
        return report

    return run


def _read(report: Report) -> bytes:
    with report.file.open("rb") as handle:
        return handle.read()


def _on_rolls(prefix: str):
    return Household.objects.filter(group__code__startswith=prefix, cases__isnull=False).distinct()


def test_village_register_lists_the_households_on_the_rolls_and_their_members(
    run, users, county_tree, registry
):
    report = run(users.alice, Kind.VILLAGE_REGISTER, county_tree.shanlong)
    assert report.status == Status.DONE, report.message
    book = sheets(_read(report))
    assert list(book) == ["户", "人"]
    assert book["户"][0][0] == "师宗县丹凤镇山龙村建档立卡贫困户花名册(户)"
    households = table(book["户"])
    expected = _on_rolls(county_tree.shanlong.scope_prefix).order_by("number")
    assert [h["户编号"] for h in households] == [h.number for h in expected]
    first = expected[0]
    head = first.members.get(relation="户主")
    assert households[0]["户主身份证号"] == head.id_number  # a cadre sees whole numbers, as text
    assert households[0]["家庭人口"] == first.members.count()
    fupin = first.cases.filter(program="fupin").first()
    if fupin:
        assert households[0]["扶贫状态"] == fupin.get_state_display()
    persons = table(book["人"])
    assert len(persons) == Member.objects.filter(household__in=expected).count()
    assert all(len(p["身份证号"]) == 18 for p in persons)
    assert {p["户编号"] for p in persons} == {h.number for h in expected}
    assert report.rows == len(households) + len(persons)
    # 序号 leads each sheet; years and incomes are numbers, not text (a sheet can sum them).
    assert [h["序号"] for h in households] == list(range(1, len(households) + 1))
    assert [p["序号"] for p in persons] == list(range(1, len(persons) + 1))
    assert all(isinstance(h["识别年度"], int | float) for h in households if h["识别年度"] != "")
    assert all(isinstance(h["家庭人口"], int | float) for h in households)
    assert all(isinstance(h["年人均纯收入(元)"], float) for h in households if h["年人均纯收入(元)"] != "")


def test_register_masks_personal_numbers_for_the_administrator(run, users, county_tree, registry):
    report = run(users.admin, Kind.VILLAGE_REGISTER, county_tree.danfeng)
    persons = table(sheets(_read(report))["人"])
    assert persons and all("********" in p["身份证号"] for p in persons)


def test_a_township_register_holds_only_its_own_villages(run, users, county_tree, registry):
    report = run(users.carol, Kind.VILLAGE_REGISTER, county_tree.danfeng)
    households = table(sheets(_read(report))["户"])
    assert {h["乡(镇)"] for h in households} == {"丹凤镇"}
    assert len(households) == _on_rolls(county_tree.danfeng.scope_prefix).count()


def test_nobody_exports_outside_their_area(users, county_tree, registry):
    with pytest.raises(ExportError, match="管辖范围"):
        services.request_report(user=users.alice, kind=Kind.VILLAGE_REGISTER, area=county_tree.fazai)
    with pytest.raises(ExportError, match="管辖范围"):
        services.request_report(user=users.carol, kind=Kind.VILLAGE_REGISTER, area=county_tree.county)
    assert not Report.objects.exists()


def test_a_kind_is_refused_for_the_wrong_level(users, county_tree):
    with pytest.raises(ExportError, match="乡有簿只能按乡镇导出"):
        services.request_report(user=users.fupin, kind=Kind.TOWNSHIP_BOOK, area=county_tree.shanlong)
    with pytest.raises(ExportError, match="识别批次"):
        services.request_report(user=users.fupin, kind=Kind.QUOTA_TABLE, area=county_tree.county)


def test_roster_re_imports_without_any_change(run, users, county_tree, registry, tmp_path):
    report = run(users.fupin, Kind.ROSTER, county_tree.county)
    assert report.status == Status.DONE, report.message
    path = tmp_path / "roster.xlsx"
    path.write_bytes(_read(report))
    result = import_roster(path=path, user=users.fupin, dry_run=True, year=2012)
    assert result.ok, [e.as_dict() for e in result.errors[:5]]
    assert not [n for n in result.notes if "未能识别" in n]  # 序号 is known to the import
    counts = result.counts
    assert counts["households_created"] == counts["households_updated"] == 0
    assert counts["members_created"] == counts["members_updated"] == counts["members_removed"] == 0
    assert counts["cases_opened"] == 0
    assert counts["households_unchanged"] == Household.objects.count()
    assert counts["members_unchanged"] == Member.objects.count()


@pytest.mark.parametrize("who", ["admin", "alice", "carol"])
def test_roster_is_refused_to_those_who_may_not_see_every_number_whole(users, county_tree, registry, who):
    """The 花名册 re-imports as is, so it is made whole or not at all (reports.privacy.WHOLE_ONLY)."""
    user = getattr(users, who)
    with pytest.raises(ExportError, match="身份证号"):
        services.request_report(user=user, kind=Kind.ROSTER, area=user.area)
    assert not Report.objects.exists()


def test_the_coverage_list_names_patients_so_the_administrator_may_not_make_it(users, county_tree, registry):
    with pytest.raises(ExportError, match="健康信息"):
        services.request_report(user=users.admin, kind=Kind.COVERAGE, area=users.admin.area)
    assert not Report.objects.exists()
    services.request_report(user=users.carol, kind=Kind.COVERAGE, area=users.carol.area)
    assert Report.objects.get().user == users.carol


def test_a_roster_row_at_a_masked_level_fails_in_the_writer_too(users, county_tree, registry):
    report = Report.objects.create(
        kind=Kind.ROSTER, area=county_tree.county, user=users.fupin, reveals=["phone"]
    )
    exports.run(report.pk, inline=True)
    report.refresh_from_db()
    assert report.status == Status.FAILED and "身份证号" in report.message and not report.file


def test_one_household_card_and_a_village_of_cards(run, users, county_tree, registry):
    household = _on_rolls(county_tree.shanlong.scope_prefix).first()
    single = run(users.alice, Kind.HOUSEHOLD_CARD, county_tree.shanlong, household=household)
    assert single.filename == f"户卡-{household.number}.xlsx"
    card = sheets(_read(single))["贫困户登记表"]
    assert any(household.number in str(cell) for row in card for cell in row)

    village = run(users.alice, Kind.HOUSEHOLD_CARD, county_tree.shanlong)
    names = zip_names(_read(village))
    assert len(names) == _on_rolls(county_tree.shanlong.scope_prefix).count() == village.rows
    assert all(name.endswith(".xlsx") for name in names)
    assert sheets(zip_member(_read(village), names[0]))["贫困户登记表"]


def test_a_failed_export_says_why_and_a_retry_makes_one_file(
    run, committed, users, county_tree, registry, monkeypatch
):
    from reports import ledgers

    real = ledgers.WRITERS[Kind.VILLAGE_REGISTER]

    def broken(job):
        job.path.write_bytes(b"half a file")
        raise OSError("disk full")

    monkeypatch.setitem(ledgers.WRITERS, Kind.VILLAGE_REGISTER, broken)
    report = run(users.alice, Kind.VILLAGE_REGISTER, county_tree.shanlong)
    assert report.status == Status.FAILED and "系统错误" in report.message and not report.file
    assert not exports.scratch_dir(report).exists()

    monkeypatch.setitem(ledgers.WRITERS, Kind.VILLAGE_REGISTER, real)
    with committed():
        services.retry(report)
    report.refresh_from_db()
    assert report.status == Status.DONE and report.attempts == 2
    files = list(
        (exports.scratch_dir(report).parent.parent / timezone.now().strftime("%Y/%m")).glob(f"{report.pk}-*")
    )
    assert [f.name for f in files] == [report.file.name.rsplit("/", 1)[1]]
    with pytest.raises(ExportError):
        services.retry(report)  # a finished report is not run twice
    exports.run(report.pk)  # nor by a redelivered message
    report.refresh_from_db()
    assert report.attempts == 2


def test_a_report_whose_worker_died_fails_and_can_be_retried(committed, users, county_tree, registry):
    report = Report.objects.create(kind=Kind.VILLAGE_REGISTER, area=county_tree.shanlong, user=users.alice)
    Report.objects.filter(pk=report.pk).update(status=Status.RUNNING, heartbeat_at=timezone.now(), attempts=1)
    assert exports.run(report.pk) is None  # a second message while the first worker is alive does nothing
    assert fail_stale() == 0
    long_ago = timezone.now() - Report.STALE_AFTER - datetime.timedelta(seconds=1)
    Report.objects.filter(pk=report.pk).update(heartbeat_at=long_ago)
    assert fail_stale() == 1  # no heartbeat for 10 minutes: the sweeper fails it
    report.refresh_from_db()
    assert report.status == Status.FAILED and "重试" in report.message
    with committed():
        services.retry(report)
    report.refresh_from_db()
    assert report.status == Status.DONE and report.file


def test_expired_files_are_deleted_with_their_rows(run, users, county_tree, registry):
    report = run(users.alice, Kind.VILLAGE_REGISTER, county_tree.shanlong)
    storage, name = report.file.storage, report.file.name
    assert report.expires_at > timezone.now() + datetime.timedelta(days=29)
    assert exports.delete_expired() == 0
    assert exports.delete_expired(report.expires_at) == 1
    assert not Report.objects.filter(pk=report.pk).exists() and not storage.exists(name)


def test_standing_reports_replace_last_nights_copy(committed, users, county_tree, registry):
    from villages.models import Area

    # A prefecture's database: every county gets its own copies.
    luoping = Area.objects.create(code="530324000000", name="罗平县", level=Area.Level.COUNTY)
    with committed():
        first = standing.regenerate()
    with committed():
        second = standing.regenerate()
    left = Report.objects.filter(standing=True)
    assert set(left.values_list("pk", flat=True)) == set(second) and not set(first) & set(second)
    kinds = {Kind.COUNTY_ARCHIVE, Kind.VILLAGE_REGISTER, Kind.VILLAGE_FORM, Kind.GROUP_FORM}
    for county in (county_tree.county, luoping):
        # No round yet: no quota table.
        assert {r.kind for r in left if r.area_id == county.pk} == kinds
    assert all(r.status == Status.DONE and r.user is None for r in left)


def test_county_archive_holds_the_books_register_roster_and_forms(run, users, county_tree, registry):
    report = run(users.fupin, Kind.COUNTY_ARCHIVE, county_tree.county)
    assert report.status == Status.DONE, report.message
    assert zip_names(_read(report)) == sorted(
        ["乡有簿/丹凤镇.xlsx", "乡有簿/雄壁镇.xlsx", "村有册.xlsx", "花名册.xlsx", "行政村登记表.xlsx",
         "村民小组登记表.xlsx"]
    )  # fmt: skip


def test_export_ledger_command_writes_the_file_and_says_where(county_tree, registry, tmp_path, capsys):
    out = tmp_path / "村有册.xlsx"
    call_command("export_ledger", "village-register", "--area", "530323101", "--out", str(out))
    printed = capsys.readouterr().out
    assert printed.startswith(f"已写入 {out.resolve()}")
    households = table(sheets(out.read_bytes())["户"])
    assert len(households) == _on_rolls("530323101").count()
    with pytest.raises(CommandError, match="没有区划代码"):
        call_command("export_ledger", "roster", "--area", "999999", "--out", str(out))
    with pytest.raises(CommandError, match="乡有簿只能按乡镇导出"):
        call_command("export_ledger", "township-book", "--area", "530323", "--out", str(out))


def test_lifted_households_stay_in_the_register_with_their_state(run, users, county_tree, registry):
    """脱贫不脱政策: within the county's transition period (no end date set, or one not yet passed) the register
    reads 已脱贫(享受政策), as the household list and the 户卡 do; after it, 已脱贫."""
    from assistance.models import CountySettings

    case = Case.objects.filter(
        program="fupin", state="active", household__group__code__startswith="530323101201"
    ).first()
    Case.objects.filter(pk=case.pk).update(state="lifted", left_year=2015)

    def state_in_register() -> str:
        households = table(sheets(_read(run(users.alice, Kind.VILLAGE_REGISTER, county_tree.shanlong)))["户"])
        return next(h for h in households if h["户编号"] == case.household.number)["扶贫状态"]

    assert state_in_register() == "已脱贫(享受政策)"
    settings = CountySettings.objects.create(
        county=county_tree.county, transition_ends_on=datetime.date(2020, 12, 31)
    )
    assert state_in_register() == "已脱贫"
    settings.transition_ends_on = datetime.date(2099, 12, 31)
    settings.save()
    assert state_in_register() == "已脱贫(享受政策)"


def test_quota_table_export_and_command(run, users, county_tree, tmp_path, capsys):
    from identification.models import Quota, Round

    round_ = Round.objects.create(year=2013, name="2013年动态调整", poverty_line=2736, dibao_line=1680)
    Quota.objects.create(round=round_, area=county_tree.danfeng, persons=22207)
    Quota.objects.create(round=round_, area=county_tree.xiongbi, persons=12154)
    report = run(users.fupin, Kind.QUOTA_TABLE, county_tree.county, round=round_)
    assert report.status == Status.DONE, report.message
    rows = sheets(_read(report))["贫困人口分解表"]
    assert rows[1][0] == "乡镇名" and "规模控制识别贫困人口数" in rows[1]
    by_name = {row[0]: row for row in rows[2:]}
    assert by_name["丹凤镇"][5] == 22207 and by_name["合计"][5] == 22207 + 12154
    assert round(by_name["丹凤镇"][6], 2) == 18.71  # 22207 ÷ 118696 乡村人口数, as the annex prints it

    out = tmp_path / "分解表.xlsx"
    call_command("export_ledger", "quota-table", "--area", "530323", "--round", "2013", "--out", str(out))
    assert sheets(out.read_bytes())["贫困人口分解表"] == rows
    with pytest.raises(CommandError, match="没有 2012 年度的识别批次"):
        call_command("export_ledger", "quota-table", "--area", "530323", "--round", "2012", "--out", str(out))
