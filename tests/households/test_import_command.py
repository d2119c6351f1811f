"""`manage.py import_households FILE [--dry-run] [--user U]`."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command

from households.models import Case, Household, Member
from identification.models import Round
from tests.households.import_helpers import H1, H2, family, person, write_roster

pytestmark = pytest.mark.django_db


def test_command_imports_and_prints_counts(tmp_path, users, county_tree, capsys):
    path = write_roster(tmp_path / "r.xlsx", family(H1, 1, 2))

    call_command("import_households", str(path), "--user", "fupin", "--year", "2012")

    assert "导入完成:新增户 1,更新户 0,不变户 0,新增成员 2" in capsys.readouterr().out
    assert Member.objects.count() == 2


def test_command_dry_run_writes_nothing(tmp_path, users, county_tree, capsys):
    call_command(
        "import_households",
        str(write_roster(tmp_path / "r.xlsx", family(H1, 1, 2))),
        "--dry-run",
        "--user",
        "fupin",
        "--year",
        "2012",
    )

    assert "预检通过(未写入)" in capsys.readouterr().out
    assert not Household.objects.exists()


def test_command_prints_every_error_and_fails(tmp_path, users, county_tree, capsys):
    rows = [*family(H1, 1, 2), person(H2, 20, persons=1, 自然村="无此组", 民族="X")]
    marked = tmp_path / "marked.xlsx"

    with pytest.raises(CommandError, match="发现 2 处错误,未写入任何数据"):
        call_command(
            "import_households",
            str(write_roster(tmp_path / "r.xlsx", rows)),
            "--user",
            "fupin",
            "--error-file",
            str(marked),
            "--year",
            "2012",
        )

    out = capsys.readouterr().out
    assert "5\t民族\tX\t“X”不是有效的民族" in out
    assert "5\t自然村\t无此组\t村民小组“无此组”不存在或不在您的管辖范围内" in out
    assert marked.exists()
    assert not Household.objects.exists()


def test_command_defaults_to_the_admin_and_refuses_other_roles(tmp_path, users, county_tree):
    path = write_roster(tmp_path / "r.xlsx", family(H1, 1, 2))

    with pytest.raises(CommandError, match="只有县扶贫办和系统管理员"):
        call_command("import_households", str(path), "--user", "alice", "--year", "2012")
    call_command("import_households", str(path), "--year", "2012")
    assert Household.history.get().history_user == users.admin


def test_command_takes_the_year_of_the_current_round_never_the_clock(tmp_path, users, county_tree):
    path = write_roster(tmp_path / "r.xlsx", family(H1, 1, 2))
    with pytest.raises(CommandError, match="请用 --year 指定"):
        call_command("import_households", str(path), "--user", "fupin")
    assert not Household.objects.exists()

    Round.objects.create(year=2014, name="2014年动态调整", poverty_line=2736, dibao_line=2000)
    call_command("import_households", str(path), "--user", "fupin")

    assert set(Case.objects.values_list("entered_year", flat=True)) == {2014}
