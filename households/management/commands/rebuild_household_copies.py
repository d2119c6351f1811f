"""Rebuild each household's area_code and persons from the area tree and the members, and each case's area_code."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from households.persons import rebuild_copies


class Command(BaseCommand):
    help = "按区划和家庭成员重算每户的村民小组代码和家庭人口数、每条对象的村民小组代码(数据库触发器平时自动维护;用于恢复备份等绕过触发器之后)。"

    def handle(self, *args, **options):
        wrong_area, wrong_persons, wrong_case_area = rebuild_copies()
        self.stdout.write(
            self.style.SUCCESS(
                f"已重算:村民小组代码不符 {wrong_area} 户、家庭人口数不符 {wrong_persons} 户、"
                f"对象的村民小组代码不符 {wrong_case_area} 条,均已改正。"
            )
        )
