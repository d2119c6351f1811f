"""Running an export: claim the row, write the file to a scratch path, publish it once, record the outcome.

Every kind of export is a function `(job: ExportJob) -> Written` registered in `reports.ledgers.WRITERS`.
The runner is the same for the browser (a Celery task), the nightly schedule and `manage.py export_ledger`.

A retry re-runs the same row: the scratch file of an earlier attempt is discarded and the published file
replaced, so a report has at most one file whatever happened before. A worker killed mid-export stops
sending heartbeats; jobs.stale marks such rows failed so the user can retry them (Report is a jobs.Job).
"""

from __future__ import annotations

import datetime
import logging
import shutil
import tempfile
import zipfile
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from celery import chord
from django.conf import settings
from django.core.files import File
from django.db.models import F
from django.db.models.functions import Least
from django.utils import timezone

from accounts.models import User
from config.storage import delete_folder, save_local
from jobs.progress import throttled
from reports.models import Report, Status
from villages.models import Area

logger = logging.getLogger(__name__)

HEARTBEAT_EVERY = 2.0  # seconds between progress writes, so a tight loop does not hammer the row


class ExportError(Exception):
    """A refusal or failure whose message (Chinese) is shown to the user as is."""


@dataclass
class Written:
    filename: str  # what the user's browser saves it as
    rows: int


@dataclass
class ExportJob:
    """What a writer needs: the report row, where to write, whose area, what shows whole (`reveals`,
    reports.privacy's classes, fixed on the row when it was asked for), progress.

    `area` is the report's area, except in the parts of a composite export (write_part: a county archive
    writes each township's book with its township as the area).
    """

    report: Report
    path: Path
    reveals: frozenset[str]
    progress: Callable[[int], None] = field(default=lambda percent: None)
    area: Area | None = None

    def __post_init__(self) -> None:
        if self.area is None:
            self.area = self.report.area


def scratch_dir(report: Report) -> Path:
    """This worker's own working folder for the attempt (never shared: parts go through the storage)."""
    return Path(settings.MEDIA_ROOT) / "reports" / "scratch" / f"{report.pk}-{report.attempts}"


def parts_folder(report: Report) -> str:
    """Where the attempt's parts wait for their join, in the storage: the parts of a county archive are
    written by whichever worker is free, on whichever machine, and zipped by another."""
    return f"reports/parts/{report.pk}-{report.attempts}"


def _discard_parts(report: Report, *, earlier: bool = False) -> None:
    """The stored parts of this attempt, or (`earlier`) of every attempt before it."""
    storage = Report._meta.get_field("file").storage
    if not earlier:
        delete_folder(storage, parts_folder(report))
        return
    try:
        folders, _files = storage.listdir("reports/parts")
    except FileNotFoundError:
        return
    for folder in folders:
        pk, _sep, attempt = folder.partition("-")
        if pk == str(report.pk) and attempt != str(report.attempts):
            delete_folder(storage, f"reports/parts/{folder}")


def reveals_of(report: Report) -> frozenset[str]:
    """The level the row was asked for at (reports.privacy.file_reveals), not the role of whoever runs it."""
    return frozenset(report.reveals)


def retention() -> datetime.timedelta:
    return datetime.timedelta(days=settings.REPORT_RETENTION_DAYS)


def run(report_id: int, *, inline: bool = False) -> Report | None:
    """Produce the file of one report row. Writers are looked up lazily (they import the models).

    An export made of parts (reports.ledgers.PARTS: the county archive, one part per township book…)
    runs its parts as a Celery chord — each part on whichever worker is free, the join when all are
    done — or one after another here when `inline` (the command) or when Celery runs eagerly.
    """
    from reports.ledgers import PARTS, WRITERS

    report = Report.claim(report_id)  # None: finished, or a redelivered message while a worker is at it
    if report is None:
        return None
    scratch = scratch_dir(report)
    for earlier in scratch.parent.glob(f"{report.pk}-*"):  # what a killed attempt left behind
        shutil.rmtree(earlier, ignore_errors=True)
    scratch.mkdir(parents=True)
    if report.kind in PARTS:
        _discard_parts(report, earlier=True)
        _run_parts(report, len(PARTS[report.kind](report, reveals_of(report))), inline=inline)
        return Report.objects.get(pk=report.pk)
    job = ExportJob(
        report=report,
        path=scratch / "out",
        reveals=reveals_of(report),
        progress=throttled(report, every=HEARTBEAT_EVERY),
    )
    with _failure_recorded(report):
        _finish(report, job.path, WRITERS[report.kind](job))
    return Report.objects.get(pk=report.pk)


def _run_parts(report: Report, count: int, *, inline: bool) -> None:
    from reports import tasks

    if inline or settings.CELERY_TASK_ALWAYS_EAGER:
        for index in range(count):
            write_part(report.pk, report.attempts, index)
        join_parts(report.pk, report.attempts)
        return
    header = [tasks.write_report_part.si(report.pk, report.attempts, i) for i in range(count)]
    chord(header)(tasks.join_report_parts.si(report.pk, report.attempts))


def _current(report_id: int, attempt: int) -> Report | None:
    """The row, if this attempt is still the one running (a retry makes older parts stand down)."""
    return Report.objects.filter(pk=report_id, status=Status.RUNNING, attempts=attempt).first()


def write_part(report_id: int, attempt: int, index: int) -> None:
    """One part of a composite export into the attempt's scratch folder; a failure fails the report."""
    from reports.ledgers import PARTS, WRITERS

    report = _current(report_id, attempt)
    if report is None:
        return
    reveals = reveals_of(report)
    parts = PARTS[report.kind](report, reveals)
    part = parts[index]
    # A folder of its own: other parts of the same report may run beside it on this machine.
    with (
        _failure_recorded(report, cleanup=False),
        tempfile.TemporaryDirectory(prefix="jiandang-part-") as folder,
    ):
        job = ExportJob(report=report, path=Path(folder) / "part", reveals=reveals, area=part.area)
        written = WRITERS[part.kind](job)
        # Stored, not left on this machine: the join may run on another worker. The row count rides
        # in the name, so the join needs no second file.
        save_local(storage_of_reports(), f"{parts_folder(report)}/part-{index}-{written.rows}", job.path)
        Report.objects.filter(pk=report_id, status=Status.RUNNING, attempts=attempt).update(
            progress=Least(F("progress") + 95 // len(parts), 95), heartbeat_at=timezone.now()
        )


def join_parts(report_id: int, attempt: int) -> None:
    """Zip the parts, in their order, into the report's file."""
    from reports.ledgers import PARTS, archive_name

    report = _current(report_id, attempt)
    if report is None:
        return
    parts = PARTS[report.kind](report, reveals_of(report))
    storage = storage_of_reports()
    scratch = scratch_dir(report)
    scratch.mkdir(parents=True, exist_ok=True)
    out = scratch / "out"
    with _failure_recorded(report):
        stored = dict(_stored_part(name) for name in storage.listdir(parts_folder(report))[1])
        rows = 0
        with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED, allowZip64=True) as archive:
            for index, part in enumerate(parts):
                name, count = stored[index]
                # xlsx files are zips already: stored, not squeezed again; copied in chunks, not in memory.
                entry = zipfile.ZipInfo(part.name, _zip_time())
                with (
                    storage.open(f"{parts_folder(report)}/{name}", "rb") as source,
                    archive.open(entry, "w", force_zip64=True) as target,
                ):
                    shutil.copyfileobj(source, target, 1024 * 1024)
                rows += count
        _finish(report, out, Written(archive_name(report), rows))
    # Outside: a storage error while tidying up must not turn a finished report into a failed one.
    _discard_parts(report)


def storage_of_reports():
    return Report._meta.get_field("file").storage


def _stored_part(name: str) -> tuple[int, tuple[str, int]]:
    """ "part-3-120" → (3, ("part-3-120", 120)): a part's index and its row count, from its stored name."""
    _part, index, rows = name.split("-")[:3]
    return int(index), (name, int(rows.split("_")[0]))


def _zip_time() -> tuple[int, int, int, int, int, int]:
    return timezone.localtime().timetuple()[:6]


@contextmanager
def _failure_recorded(report: Report, *, cleanup: bool = True):
    """Any error fails the report with a Chinese message (ExportError's own, or a generic one) and is
    logged with the report's id only; the scratch folder goes unless other parts still need it."""
    try:
        yield
    except Exception as error:
        message = str(error) if isinstance(error, ExportError) else "生成失败(系统错误),请重试或联系管理员。"
        logger.exception("report %s (%s) failed", report.pk, report.kind)
        report.fail(message, current_only=True)
        shutil.rmtree(scratch_dir(report), ignore_errors=True)
        _discard_parts(report)
    else:
        if cleanup:
            shutil.rmtree(scratch_dir(report), ignore_errors=True)


def _finish(report: Report, path: Path, written: Written) -> None:
    _publish(report, path, written)
    if report.standing:
        supersede(report)


def _publish(report: Report, path: Path, written: Written) -> None:
    old = report.file.name if report.file else ""
    with path.open("rb") as handle:
        report.file.save(f"{report.pk}-{written.filename}", File(handle), save=False)
    if old and old != report.file.name:
        report.file.storage.delete(old)
    report.finish(
        file=report.file.name,
        filename=written.filename,
        rows=written.rows,
        size=report.file.size,
        expires_at=timezone.now() + retention(),
    )


def supersede(report: Report) -> None:
    """A new standing report replaces the older copies of the same kind, area and round."""
    older = Report.objects.filter(
        standing=True, kind=report.kind, area=report.area, round=report.round, status=Status.DONE
    ).exclude(pk=report.pk)
    for old in older:
        delete(old)


def delete_expired(now: datetime.datetime | None = None) -> int:
    """Files past their retention period go, with their rows."""
    now = now or timezone.now()
    expired = list(Report.objects.filter(expires_at__lte=now))
    for report in expired:
        delete(report)
    return len(expired)


def delete(report: Report) -> None:
    if report.file:
        report.file.storage.delete(report.file.name)
    # Parts an interrupted county archive left in the storage (a retry clears them too).
    _discard_parts(report)
    _discard_parts(report, earlier=True)
    report.delete()


def owner_or_county(user: User, report: Report) -> bool:
    """Who may delete or retry a report: whoever asked for it, or anyone whose area is the county."""
    return report.user_id == user.pk or (user.area is not None and user.area.level == "county")
