"""The screens every notice shares: the notice with its list and objections, the print, closing, handling.

Publishing is the publishing app's page (it knows what may be published); everything after is here.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from accounts import clock
from accounts.actions import attempt
from notices import forms, selectors, services
from notices.models import Notice


def _notice(request: HttpRequest, pk: int) -> Notice:
    return get_object_or_404(selectors.notices_for(request.user).select_related("published_by"), pk=pk)


def _rows(notice: Notice) -> list[dict]:
    publisher = notice.publisher
    return [
        {
            "entry": entry,
            "cells": entry.row,
            "url": publisher.subject_url(entry) if publisher.subject_url else "",
        }
        for entry in selectors.standing_entries(notice)
    ]


@login_required
def notice_detail(request: HttpRequest, pk: int) -> HttpResponse:
    notice = _notice(request, pk)
    publisher = notice.publisher
    form = forms.ObjectionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        entry = selectors.standing_entries(notice).filter(key=d["key"].strip()).first()
        if entry is None:
            form.add_error("key", "该对象不在这份公示名单上。")
        else:
            ok, _ = attempt(
                request,
                lambda: services.objection_record(
                    notice=notice,
                    entry=entry,
                    actor=request.user,
                    content=d["content"],
                    complainant=d["complainant"],
                    received_at=d["received_at"],
                ),
                form,
            )
            if ok:
                messages.success(request, f"已登记对 {entry.key} 的异议,请核实处理。")
                return redirect("notices:notice", pk=pk)
    objections = list(
        selectors.objections_for(request.user)
        .filter(notice=notice)
        .select_related("handled_by", "recorded_by")
    )
    return render(
        request,
        "notices/notice_detail.html",
        {
            "notice": notice,
            "publisher": publisher,
            "rows": _rows(notice),
            "objections": objections,
            "objection_form": form,
            "handle_form": forms.ObjectionHandleForm(outcomes=dict(publisher.outcomes)),
            "may_handle": request.user.role in publisher.handle_roles,
            "can_close": notice.status == Notice.Status.RUNNING and clock.today() > notice.ends_on,
            "list_url": publisher.list_url(notice) if publisher.list_url else "",
        },
    )


@login_required
def notice_print(request: HttpRequest, pk: int) -> HttpResponse:
    notice = _notice(request, pk)
    lead = notice.publisher.lead.format(
        area=notice.area.name,
        starts_on=notice.starts_on.strftime("%Y年%-m月%-d日"),
        ends_on=notice.ends_on.strftime("%Y年%-m月%-d日"),
        phone=notice.complaint_phone,
    )
    return render(
        request, "notices/notice_print.html", {"notice": notice, "rows": _rows(notice), "lead": lead}
    )


@login_required
@require_POST
def notice_close(request: HttpRequest, pk: int) -> HttpResponse:
    notice = _notice(request, pk)
    ok, standing = attempt(request, lambda: services.notice_close(notice=notice, actor=request.user))
    if ok:
        messages.success(request, f"已结束{notice.kind_label},{len(standing)} 个对象公示无异议,进入下一步。")
    return redirect("notices:notice", pk=pk)


@login_required
@require_POST
def objection_handle(request: HttpRequest, pk: int) -> HttpResponse:
    objection = get_object_or_404(selectors.objections_for(request.user), pk=pk)
    outcomes = dict(objection.notice.publisher.outcomes)
    form = forms.ObjectionHandleForm(request.POST, outcomes=outcomes)
    if not form.is_valid():
        messages.error(request, "请选择核实结论并填写核实情况。")
    else:
        result = form.cleaned_data["result"]
        ok, _ = attempt(
            request,
            lambda: services.objection_handle(
                objection=objection,
                actor=request.user,
                upheld=result != "dismiss",
                note=form.cleaned_data["note"],
                outcome="" if result == "dismiss" else result,
            ),
        )
        if ok:
            messages.success(request, f"异议已处理:{dict(form.fields['result'].choices)[result]}。")
    return redirect("notices:notice", pk=objection.notice_id)
