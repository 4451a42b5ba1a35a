"""The central change log's pages (变更记录): the list with its filters, and its export."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import InvalidPage, Paginator
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from . import audit


def _require(user):
    if not audit.can_see(user):
        raise PermissionDenied("变更记录仅市房产局和审计/纪检可查看。")


def _page(request, index):
    paginator = Paginator(index if index is not None else [], audit.PAGE_SIZE)
    try:
        return paginator.page(request.GET.get("page") or 1)
    except InvalidPage:
        return paginator.page(1)


@login_required
def history_log(request):
    _require(request.user)
    form = audit.AuditFilterForm(request.GET or None, viewer=request.user)
    page = entries = None
    if not form.is_bound or form.is_valid():
        cleaned = form.cleaned_data if form.is_bound else {}
        page = _page(request, audit.record_index(request.user, cleaned))
        entries = audit.entries_for(list(page.object_list))
    params = request.GET.copy()
    params.pop("page", None)
    return render(
        request,
        "core/history_log.html",
        {
            "form": form,
            "page_obj": page,
            "entries": entries,
            "query_string": params.urlencode(),
            "breadcrumbs": [("变更记录", "")],
        },
    )


@login_required
@require_POST
def history_export(request):
    """The list as filtered (the query string) to .xlsx: a job, then its page with the download."""
    _require(request.user)
    form = audit.AuditFilterForm(request.GET, viewer=request.user)
    if not form.is_valid():
        return render(
            request,
            "core/history_log.html",
            {
                "form": form,
                "page_obj": None,
                "entries": None,
                "query_string": request.GET.urlencode(),
                "breadcrumbs": [("变更记录", "")],
            },
            status=400,
        )
    job = audit.start_export(request.user, form.as_params())
    return redirect("core:job_detail", pk=job.pk)
