"""The import from file to database, in one transaction; see the package docstring."""

from __future__ import annotations

import gc
from pathlib import Path

from django.core.exceptions import PermissionDenied
from django.db import connection, transaction

from accounts import freshness
from accounts.models import Role, User
from accounts.scoping import scope_prefix
from households.importer.checking import Plan
from households.importer.columns import ImportResult, Progress, RowError
from households.importer.process import ReadingProcess
from households.importer.reading import Scattered
from households.importer.writing import Writer
from villages.guard import SheetRefused

IMPORTING_ROLES = (Role.COUNTY_FUPIN, Role.ADMIN)
# with autovacuum lagging or off, the next county export planned on "empty" tables took minutes, not seconds.
ANALYZE_MIN_ROWS = 10_000
ANALYZED_TABLES = ("households_household", "households_member", "households_case", "households_incomerecord")
WRITE_COUNTS = (
    "households_created",
    "households_updated",
    "members_created",
    "members_updated",
    "members_removed",
    "cases_opened",
)


def current_round_year() -> int | None:
    """The default 识别年度 of an import: the year of the round people are working in."""
    from identification.selectors import current_round  # identification builds on households

    round_ = current_round()
    return round_.year if round_ is not None else None


def can_import(user: User) -> bool:
    return user.is_authenticated and user.role in IMPORTING_ROLES and scope_prefix(user) is not None


def import_roster(
    *,
    path: Path | str,
    user: User,
    dry_run: bool,
    year: int,
    progress: Progress | None = None,
) -> ImportResult:
    """Validate the whole file, then (unless `dry_run` or anything is wrong) write what changed.

    `year` is the 识别年度 the file's rolls belong to (the cases it opens enter that year; 人均纯收入 is
    compared with the incomes of the year before). The caller asks the user for it: never the clock."""
    if not can_import(user):
        raise PermissionDenied("只有县扶贫办和系统管理员可以导入花名册。")
    # Millions of small dicts and no reference cycles: the cyclic collector would only rescan them.
    collecting = gc.isenabled()
    gc.disable()
    try:
        return _import(
            path=path,
            user=user,
            dry_run=dry_run,
            year=year,
            report=progress or (lambda percent: None),
        )
    finally:
        if collecting:
            gc.enable()


def _import(*, path: Path | str, user: User, dry_run: bool, year: int, report: Progress) -> ImportResult:
    try:
        return _import_file(path=path, user=user, dry_run=dry_run, year=year, report=report, whole=False)
    except Scattered:
        # Batches tied together (rolled back): the whole file again, as one batch.
        return _import_file(path=path, user=user, dry_run=dry_run, year=year, report=report, whole=True)


def _import_file(
    *, path: Path | str, user: User, dry_run: bool, year: int, report: Progress, whole: bool
) -> ImportResult:
    """Check and write batch by batch while the reader goes on (households.importer.reading.Batches),
    all in one transaction: an error in any batch stops the writes, the checks go on so that every
    error is reported, and the transaction is rolled back. A dry run writes nothing."""
    result = ImportResult(dry_run=dry_run)
    # Forked before this process starts any thread or transaction of the import's.
    reading = ReadingProcess(path, whole=whole, progress=report)
    sheet = reading.sheet
    result.errors.extend(reading.errors)
    if sheet is None or result.errors:
        reading.close()
        return result
    try:
        result.header_row = sheet.header_row + 1
        if sheet.unknown:
            result.notes.append(f"以下列未能识别,已忽略:{'、'.join(sheet.unknown)}")
        with transaction.atomic():
            # One import at a time: two concurrent imports could each miss the other's new members.
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(hashtext('households.import_roster'))")
            plan = Plan(user=user, sheet=sheet, result=result, year=year)
            writer = Writer(user=user, total_rows=sheet.total_rows)
            try:
                for households, whole_file in reading.batches(result.errors, result.warnings):
                    plan.check(households, whole_file=whole_file)
                    if not (result.errors or dry_run):
                        rows = sum(len(h.members) for h in households.values())
                        writer.write(plan, batch_rows=rows, whole_file=whole_file)
            except SheetRefused as refused:
                # A piece the reader could not read (the guard passed the file as a whole).
                result.errors[:] = [RowError(1, "文件", "", refused.message)]
                transaction.set_rollback(True)
                return result
            result.counts.update(rows=reading.rows, blank_rows=reading.blank)
            plan.finish()
            report(70)
            if result.errors or dry_run:
                transaction.set_rollback(True)
                return result
            writer.close()
            report(95)  # what is left: the commit
            # The cached counts and dashboards of the importer's area (accounts.freshness), once committed.
            freshness.changed_on_commit([user.area.code if user.area_id else ""])
    finally:
        reading.close()  # the reading process ends here, whatever happened
    report(97)
    written = sum(result.counts.get(key, 0) for key in WRITE_COUNTS)
    if written > ANALYZE_MIN_ROWS:
        _analyze(ANALYZED_TABLES)
    report(100)
    return result


def _analyze(tables: tuple[str, ...]) -> None:
    """Fresh planner statistics for the tables an import filled, as autovacuum would gather them later."""
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {', '.join(connection.ops.quote_name(t) for t in tables)}")
