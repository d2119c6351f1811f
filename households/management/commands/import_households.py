from __future__ import annotations

import time
from pathlib import Path

from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError

from accounts.models import Role, User
from households.importer import current_round_year, import_roster, write_error_workbook

COUNT_LABELS = (
    ("households_created", "新增户"),
    ("households_updated", "更新户"),
    ("households_unchanged", "不变户"),
    ("members_created", "新增成员"),
    ("members_updated", "更新成员"),
    ("members_unchanged", "不变成员"),
    ("members_removed", "删除成员"),
    ("cases_opened", "新纳入名册(对象)"),
    ("blank_rows", "跳过空行"),
)


class Command(BaseCommand):
    help = "导入全国扶贫开发信息系统导出的花名册(.xlsx,每人一行)。有任何错误则不写入,列出全部错误并以非零状态退出。"

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path, help="花名册 .xlsx 文件")
        parser.add_argument("--dry-run", action="store_true", help="只预检,不写入")
        parser.add_argument("--user", help="以该用户的身份和管辖范围导入(默认:第一个系统管理员)")
        parser.add_argument(
            "--year",
            type=int,
            help="花名册所属的识别年度(新纳入名册的对象记入该年度,人均纯收入与上一年的收入核对;默认:当前识别批次的年度)",
        )
        parser.add_argument("--error-file", type=Path, help="有错误时,把标注了错误的副本写到此路径")

    def handle(
        self, *args, file: Path, dry_run: bool, user: str | None, year: int | None, error_file, **options
    ):
        if not file.is_file():
            raise CommandError(f"找不到文件 {file}")
        importer = self._user(user)
        year = year or self._current_round_year()
        started = time.monotonic()
        try:
            result = import_roster(path=file, user=importer, dry_run=dry_run, year=year)
        except PermissionDenied as denied:
            raise CommandError(str(denied)) from None
        elapsed = time.monotonic() - started
        for note in result.notes:
            self.stdout.write(f"提示:{note}")
        for warning in result.warnings:
            self.stdout.write(f"提示:第{warning.row}行 {warning.column}:{warning.reason}")
        if result.errors:
            self.stdout.write("行号\t列\t内容\t错误原因")
            for e in result.errors:
                self.stdout.write(f"{e.row}\t{e.column}\t{e.value}\t{e.reason}")
            if error_file:
                write_error_workbook(
                    source=file, errors=result.errors, target=error_file, header_row=result.header_row
                )
                self.stdout.write(f"已写出标注了错误的副本:{error_file}")
            raise CommandError(f"发现 {len(result.errors)} 处错误,未写入任何数据。")
        counts = ",".join(f"{label} {result.counts.get(key, 0)}" for key, label in COUNT_LABELS)
        verb = "预检通过(未写入)" if dry_run else "导入完成"
        self.stdout.write(self.style.SUCCESS(f"{verb}:{counts}。用时 {elapsed:.1f} 秒。"))

    def _current_round_year(self) -> int:
        year = current_round_year()
        if year is None:
            raise CommandError("还没有识别批次:请用 --year 指定花名册所属的识别年度。")
        return year

    def _user(self, username: str | None) -> User:
        users = User.objects.select_related("area").filter(is_active=True)
        if username:
            found = users.filter(username=username).first()
            if found is None:
                raise CommandError(f"没有用户“{username}”")
            return found
        found = users.filter(role=Role.ADMIN).order_by("pk").first()
        if found is None:
            raise CommandError("没有系统管理员,请用 --user 指定导入用户。")
        return found
