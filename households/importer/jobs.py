"""Import jobs: the preview and the import of one upload, run as Celery tasks, state in ImportJob."""

from __future__ import annotations

import logging
from pathlib import Path

from django.core.exceptions import PermissionDenied

from accounts.models import User
from config.storage import local_copy, save_local
from households.importer.pipeline import can_import, import_roster
from households.importer.workbook import write_error_workbook
from jobs.progress import side_channel

logger = logging.getLogger("households.importer")

MAX_STORED_ERRORS = 2000


def jobs_for(user: User):
    """The import jobs a user may open: their own, and only while they may import."""
    from households.models import ImportJob

    if not can_import(user):
        return ImportJob.objects.none()
    return ImportJob.objects.filter(user=user)


def _marked_copy(job, source: Path, result) -> str:
    """The upload with its errors marked, written beside the copy and stored; returns its stored name.
    Not for a file the guard refused (nothing readable to mark)."""
    if any(e.column == "文件" for e in result.errors):
        return ""
    target = source.with_name("errors.xlsx")
    write_error_workbook(source=source, errors=result.errors, target=target, header_row=result.header_row)
    storage = job.error_file.storage
    if job.error_file:  # the preview's copy, replaced by the import's
        storage.delete(job.error_file.name)
    return save_local(storage, f"imports/errors/job-{job.pk}.xlsx", target)


def run_import_job(*, job_id: int) -> None:
    """The preview (dry run) or the import of one job; safe to run again (the import is idempotent)."""
    from households.models import ImportJob

    job = ImportJob.claim(job_id, ImportJob.objects.select_related("user__area"))
    if job is None:  # finished, or a redelivered message while a worker is still at it
        return
    # Progress through a second connection: the import's own transaction is invisible until commit.
    report, close = side_channel(job)
    dry_run = job.phase == ImportJob.Phase.PREVIEW
    try:
        if job.year is None:
            raise PermissionDenied("该导入没有选择识别年度,请重新上传并选择识别年度。")
        # The upload may be in a bucket, not on this worker's disk: read a private local copy of it.
        with local_copy(job.file.storage, job.file.name) as source:
            result = import_roster(
                path=source, user=job.user, dry_run=dry_run, year=job.year, progress=report
            )
            error_file = _marked_copy(job, source, result) if result.errors else ""
    except PermissionDenied as denied:
        job.fail(str(denied))
        return
    except Exception as error:
        # Database errors quote row values (ID numbers): log the kind of error only.
        logger.error("花名册导入任务 %s 失败:%s", job.pk, type(error).__name__)
        job.fail("导入过程中出错,未写入任何数据。可以重试;仍然出错请联系系统管理员。")
        raise
    finally:
        close()
    refused = next((e for e in result.errors if e.column == "文件"), None)
    if refused is not None:
        # villages.guard would not read the file: the job fails with its reason (no marked copy to make).
        job.fail(refused.reason, progress=100, errors=[refused.as_dict()], error_count=1)
        return
    if result.errors and not dry_run:
        end, message = job.fail, "复核时发现错误(数据可能已被他人修改),未写入任何数据。"
    elif result.errors:
        end, message = job.finish, f"发现 {len(result.errors)} 处错误,请改正后重新上传。"
    else:
        end, message = job.finish, "预检通过,请核对后确认导入。" if dry_run else "导入完成。"
    end(
        message,
        progress=100,
        counts=result.counts,
        sample=result.sample,
        notes=result.notes,
        warnings=[w.as_dict() for w in result.warnings[:MAX_STORED_ERRORS]],
        warning_count=len(result.warnings),
        errors=[e.as_dict() for e in result.errors[:MAX_STORED_ERRORS]],
        error_count=len(result.errors),
        error_file=error_file,
    )
