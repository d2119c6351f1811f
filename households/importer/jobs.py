"""Import jobs: the preview and the import of one upload, run as Celery tasks, state in ImportJob."""

from __future__ import annotations

import logging
from pathlib import Path

from django.conf import settings
from django.core.exceptions import PermissionDenied

from accounts.models import User
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
        result = import_roster(
            path=job.file.path, user=job.user, dry_run=dry_run, year=job.year, progress=report
        )
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
    error_file = ""
    if result.errors:
        error_file = f"imports/errors/job-{job.pk}.xlsx"
        target = Path(settings.MEDIA_ROOT) / error_file
        target.parent.mkdir(parents=True, exist_ok=True)
        write_error_workbook(
            source=job.file.path, errors=result.errors, target=target, header_row=result.header_row
        )
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
