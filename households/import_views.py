"""Browser flow of the 花名册 import: upload → preview (a Celery task) → confirm → import → summary."""

from __future__ import annotations

import uuid
from functools import partial

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from config.queue import QueueUnavailable, send_after_commit
from households import import_jobs
from households.forms_import import RosterUploadForm
from households.importer import can_import, jobs_for
from households.models import ImportJob
from households.tasks import run_roster_import


def _enqueue(job: ImportJob, *, undo) -> None:
    """After commit, with the task id chosen here so the job row names it before the task runs;
    config.queue runs `undo` and raises QueueUnavailable when the queue is down."""
    job.task_id = str(uuid.uuid4())
    job.save(update_fields=["task_id"])
    send_after_commit(run_roster_import, (job.pk,), task_id=job.task_id, undo=undo)


def _forget(job: ImportJob) -> None:
    """A new job whose task could not be queued: no row and no stored upload stay behind."""
    job.file.delete(save=False)
    ImportJob.objects.filter(pk=job.pk).delete()


def _job(request, pk: int) -> ImportJob:
    return get_object_or_404(jobs_for(request.user), pk=pk)


@login_required
def import_upload(request):
    if not can_import(request.user):
        raise PermissionDenied("只有县扶贫办和系统管理员可以导入花名册。")
    form = RosterUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            with transaction.atomic():
                job = ImportJob.objects.create(
                    user=request.user,
                    file=upload,
                    original_name=upload.name[:200],
                    year=form.cleaned_data["year"],
                )
                _enqueue(job, undo=partial(_forget, job))
        except QueueUnavailable as down:
            form.add_error(None, down.message)
        else:
            return redirect("households:import_job", pk=job.pk)
    jobs = jobs_for(request.user)[:10]
    return render(request, "households/import_upload.html", {"form": form, "jobs": jobs})


@login_required
def import_job(request, pk: int):
    job = _job(request, pk)
    return render(request, "households/import_job.html", {"job": job})


@login_required
def import_status(request, pk: int):
    """The progress partial that the job page polls; once the job ends, the page reloads."""
    job = _job(request, pk)
    if job.status == ImportJob.Status.RUNNING:
        import_jobs.fail_stale()  # a job whose worker died shows as failed without waiting for beat
        job.refresh_from_db()
    response = render(request, "households/partials/import_status.html", {"job": job})
    if job.is_finished and request.htmx:
        response["HX-Refresh"] = "true"
    return response


@login_required
@require_POST
def import_confirm(request, pk: int):
    job = _job(request, pk)
    try:
        with transaction.atomic():
            job = ImportJob.objects.select_for_update().get(pk=job.pk)
            if not job.can_confirm:
                messages.error(request, "该导入当前不能确认(预检未通过,或已在导入)。")
                return redirect("households:import_job", pk=job.pk)
            # Queue down: the job goes back to what it was, so 确认导入 is offered again.
            before = {name: getattr(job, name) for name in ("phase", "status", "progress", "message")}
            job.phase = ImportJob.Phase.IMPORT
            job.status = ImportJob.Status.QUEUED
            job.progress = 0
            job.message = ""
            job.save(update_fields=["phase", "status", "progress", "message"])
            _enqueue(job, undo=partial(ImportJob.objects.filter(pk=job.pk).update, **before))
    except QueueUnavailable as down:
        messages.error(request, down.message)
    return redirect("households:import_job", pk=job.pk)


@login_required
def import_error_file(request, pk: int):
    job = _job(request, pk)
    if not job.error_file:
        raise Http404
    return FileResponse(
        job.error_file.open("rb"), as_attachment=True, filename=f"错误标注-{job.original_name}"
    )
