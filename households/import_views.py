"""Browser flow of the 花名册 import: upload → preview (a Celery task) → confirm → import → summary."""

from __future__ import annotations

from functools import partial

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from config.queue import QueueUnavailable
from households.forms_import import RosterUploadForm
from households.importer import can_import, jobs_for
from households.models import ImportJob
from households.tasks import run_roster_import
from jobs import dispatch


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
                dispatch.submit(job, run_roster_import, undo=partial(_forget, job))
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
    job.fail_if_stale()  # a job whose worker died shows as failed without waiting for beat
    context = {"job": job, "poll": "households:import_status", "label": job.get_phase_display()}
    response = render(request, "jobs/progress.html", context)
    if job.is_finished and request.htmx:
        response["HX-Refresh"] = "true"
    return response


@login_required
@require_POST
def import_confirm(request, pk: int):
    job = _job(request, pk)
    try:
        # Queue down: the job goes back to what it was, so 确认导入 is offered again.
        queued = dispatch.retry(
            job, run_roster_import, allowed=lambda locked: locked.can_confirm, phase=ImportJob.Phase.IMPORT
        )
    except QueueUnavailable as down:
        messages.error(request, down.message)
    else:
        if not queued:
            messages.error(request, "该导入当前不能确认(预检未通过,或已在导入)。")
    return redirect("households:import_job", pk=job.pk)


@login_required
def import_error_file(request, pk: int):
    job = _job(request, pk)
    if not job.error_file:
        raise Http404
    return FileResponse(
        job.error_file.open("rb"), as_attachment=True, filename=f"错误标注-{job.original_name}"
    )
