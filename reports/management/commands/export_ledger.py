"""Write a ledger from the command line (for the county's IT staff and cron):

    python manage.py export_ledger village-register --area 530323101 --out 村有册.xlsx
    python manage.py export_ledger household-card --area 530323101201 --household 5303231012010010001 --out card.xlsx
    python manage.py export_ledger quota-table --area 530323 --round 2013 --out 分解表.xlsx

It makes the same row in the reports table as the browser does (with no user: the county's own file,
personal numbers whole) and runs it here, in this process (a county archive's parts one after another).
"""

from __future__ import annotations

import shutil
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from households.models import Household
from identification.models import Round
from reports import exports, services
from reports.exports import ExportError
from reports.models import Kind, Report, Status
from villages.models import Area


class Command(BaseCommand):
    help = "导出台账(户卡、村有册、乡有簿、县电子档案、花名册、行政村/村民小组登记表、贫困人口分解表)。"

    def add_arguments(self, parser):
        parser.add_argument("kind", choices=Kind.values, help="台账类型")
        parser.add_argument("--area", required=True, help="区划代码,可只写前缀(如 530323101)")
        parser.add_argument("--round", type=int, help="识别批次的年度(贫困人口分解表必填)")
        parser.add_argument("--household", help="户编号(只导出一户的户卡)")
        parser.add_argument("--out", required=True, help="输出文件路径")

    def handle(self, *args, kind, area, round, household, out, **options):
        area_obj = _area(area)
        round_obj = _round(round) if round else None
        household_obj = None
        if household:
            household_obj = Household.objects.select_related("group__parent").filter(number=household).first()
            if household_obj is None:
                raise CommandError(f"没有户编号为“{household}”的户。")
        try:
            services.check_request(kind=kind, area=area_obj, round=round_obj, household=household_obj)
        except ExportError as error:
            raise CommandError(str(error)) from error
        report = Report.objects.create(kind=kind, area=area_obj, round=round_obj, household=household_obj)
        exports.run(report.pk, inline=True)
        report.refresh_from_db()
        if report.status != Status.DONE:
            raise CommandError(report.message or "导出失败。")
        target = Path(out)
        target.parent.mkdir(parents=True, exist_ok=True)
        with report.file.open("rb") as source, target.open("wb") as sink:
            shutil.copyfileobj(source, sink)
        seconds = report.duration.total_seconds() if report.duration else 0
        self.stdout.write(
            f"已写入 {target.resolve()}({report.rows} 行,{seconds:.1f} 秒;报表编号 {report.pk})"
        )


def _area(code: str) -> Area:
    code = code.strip()
    found = Area.objects.filter(code=code).first() or Area.objects.filter(code=code.ljust(12, "0")).first()
    if found is None:
        raise CommandError(f"没有区划代码为“{code}”的区划。")
    return found


def _round(year: int) -> Round:
    found = Round.objects.filter(year=year).order_by("-id").first()
    if found is None:
        raise CommandError(f"没有 {year} 年度的识别批次。")
    return found
