"""The 报表 page: ask for an export, watch its progress, download, retry or delete it.

Every lookup goes through Report.objects.visible_to(user): a report of another area is a 404, whatever
its id, exactly like a missing one.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from config.queue import QueueUnavailable
from reports import exports, privacy, services
from reports.exports import ExportError
from reports.forms import ReportRequestForm
from reports.models import Report

LIST_SIZE = 50


def _reports(request: HttpRequest):
    return Report.objects.visible_to(request.user).select_related("area", "round", "user", "household")


def _report(request: HttpRequest, pk: int) -> Report:
    return _flagged(request, [get_object_or_404(_reports(request), pk=pk)])[0]


def _flagged(request: HttpRequest, reports) -> list[Report]:
    """Each report with `download_allowed`: the row shows 下载 only where reports.privacy allows it."""
    reports = list(reports)
    for report in reports:
        report.download_allowed = privacy.may_download(request.user, kind=report.kind, reveals=report.reveals)
    return reports


@login_required
def report_list(request: HttpRequest) -> HttpResponse:
    form = ReportRequestForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        household = data["household"]
        area = household.group.parent if household else data["area"]
        try:
            report = services.request_report(
                user=request.user, kind=data["kind"], area=area, round=data["round"], household=household
            )
        except (ExportError, QueueUnavailable) as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, f"已开始生成“{report}”,完成后可在下表下载。")
            return redirect("reports:list")
    return render(
        request,
        "reports/report_list.html",
        {
            "form": form,
            "reports": _flagged(request, _reports(request)[:LIST_SIZE]),
            "retention_days": exports.retention().days,
        },
    )


@login_required
def report_status(request: HttpRequest, pk: int) -> HttpResponse:
    """One row of the table; it polls itself until the report is done or failed."""
    report = _report(request, pk)
    report.fail_if_stale()  # a worker that died shows as failed without waiting for beat
    return render(request, "reports/partials/report_row.html", {"report": report})


@login_required
def report_download(request: HttpRequest, pk: int) -> FileResponse:
    report = _report(request, pk)
    if not report.is_downloadable:
        raise Http404("该报表没有可下载的文件。")
    # The file's level was fixed by whoever asked for it; the downloader may not see more than theirs.
    if not privacy.may_download(request.user, kind=report.kind, reveals=report.reveals):
        raise PermissionDenied(privacy.DOWNLOAD_REFUSED)
    return FileResponse(report.file.open("rb"), as_attachment=True, filename=report.filename)


@login_required
@require_POST
def report_retry(request: HttpRequest, pk: int) -> HttpResponse:
    report = _report(request, pk)
    if not exports.owner_or_county(request.user, report):
        raise PermissionDenied("只有申请人或县级用户可以重试该报表。")
    try:
        services.retry(report)
    except (ExportError, QueueUnavailable) as error:
        messages.error(request, str(error))
    return redirect("reports:list")


@login_required
@require_POST
def report_delete(request: HttpRequest, pk: int) -> HttpResponse:
    report = _report(request, pk)
    if not exports.owner_or_county(request.user, report):
        raise PermissionDenied("只有申请人或县级用户可以删除该报表。")
    exports.delete(report)
    messages.success(request, "报表及其文件已删除。")
    return redirect("reports:list")
