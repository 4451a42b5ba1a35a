"""Call-backs (回访): the list of closed cases to ask, and recording a resident's answer."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from accounts.rules import can
from core.forms import apply_errors

from .. import privacy, services
from ..case_views import HOME, writable_or_403
from ..forms import (
    CallbackForm,
)
from ..models import (
    DisputeCase,
    RepairRequest,
)

# --- call-backs (回访) -------------------------------------------------------------------------
CALLBACK_KINDS = {"disputes": DisputeCase, "repairs": RepairRequest}


@login_required
def callback_list(request):
    """回访: cases the resident rated 不满意, waiting for a clerk's call (the street's list)."""
    dispute_rows, repair_rows = services.callback_cases(request.user)
    rows = [("repairs", c) for c in repair_rows] + [("disputes", c) for c in dispute_rows]
    privacy.apply(request.user, [c for _kind, c in rows])
    return render(
        request,
        "disputes/callback_list.html",
        {
            "rows": rows,
            "form": CallbackForm(),
            "may_write": can(request.user, "case"),
            "breadcrumbs": [HOME, ("回访", "")],
        },
    )


@sensitive_post_parameters("note")
@login_required
@require_POST
def callback_record(request, kind, pk):
    """Record the call-back of one case: what was said, a satisfaction, or reopen."""
    model = CALLBACK_KINDS.get(kind)
    if model is None:
        raise Http404
    case = get_object_or_404(model.objects.visible_to(request.user), pk=pk)
    writable_or_403(model, case, request.user, "case")
    form = CallbackForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.record_callback(
                case, by=request.user, note=data["note"], satisfaction=data["satisfaction"], reopen=data["reopen"]
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, f"已登记 {case.number} 的回访{'，案件已重新办理' if data['reopen'] else ''}。")
            return redirect("disputes:callback_list")
    dispute_rows, repair_rows = services.callback_cases(request.user)
    rows = [("repairs", c) for c in repair_rows] + [("disputes", c) for c in dispute_rows]
    privacy.apply(request.user, [c for _kind, c in rows])
    return render(
        request,
        "disputes/callback_list.html",
        {
            "rows": rows,
            "form": CallbackForm(),
            "failed": (kind, case.pk),
            "failed_form": form,
            "may_write": True,
            "breadcrumbs": [HOME, ("回访", "")],
        },
        status=400,
    )
