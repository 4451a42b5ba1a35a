"""工作台 pages: the to-do list, 已办, reminders and the bell."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from accounts.choices import FINANCE_ROLES

from . import registry, services
from .models import HomeChoice, Reminder


@login_required
def index(request):
    """工作台: what needs doing (overdue first), what was done in 7 days, and for finance what
    it can pay."""
    now = timezone.now()
    context = {
        "items": registry.todo_for(request.user, now),
        "done": services.done_for(request.user, now),
        "now": now,
        "due_soon_hours": registry.due_soon_hours(),
        "home": services.home_of(request.user),
        "is_home": request.path == "/",
    }
    if not context["is_home"]:  # the home page itself carries no trail
        context["breadcrumbs"] = [("工作台", "")]
    if request.user.role in FINANCE_ROLES:
        from .kinds import finance_share, sheets_with_payments

        context["payments"] = list(
            sheets_with_payments(request.user)
            .select_related("district")
            .order_by("-year", "district__code", "version")[:100]
        )
        context["share_label"] = finance_share(request.user).label
    return render(request, "workbench/index.html", context)


@login_required
@require_POST
def set_home(request):
    home = request.POST.get("home", "")
    if home not in HomeChoice.values:
        return HttpResponseBadRequest("首页选择无效。".encode())
    services.set_home(request.user, home)
    messages.success(request, f"首页已设为{HomeChoice(home).label}。")
    return redirect("workbench:index" if home == HomeChoice.WORKBENCH else "/?view=dashboard")


@login_required
def reminders(request):
    qs = Reminder.objects.filter(user=request.user)
    if request.GET.get("unread") == "1":
        qs = qs.filter(read_at__isnull=True)
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "workbench/reminders.html",
        {
            "page_obj": page,
            "unread": services.unread_count(request.user),
            "breadcrumbs": [("工作台", "/workbench/"), ("提醒", "")],
        },
    )


@login_required
@require_POST
def reminder_read(request, pk):
    reminder = get_object_or_404(Reminder, pk=pk, user=request.user)
    services.mark_read(request.user, reminder.pk)
    if request.POST.get("go") and reminder.url.startswith("/"):
        return redirect(reminder.url)
    return redirect("workbench:reminders")


@login_required
@require_POST
def reminders_read_all(request):
    count = services.mark_read(request.user)
    messages.success(request, f"已将 {count} 条提醒标为已读。")
    return redirect("workbench:reminders")


@login_required
def bell(request):
    """The header's bell (loaded by htmx after the page, so no page pays for it): the count of
    unread reminders."""
    count = services.unread_count(request.user)
    return HttpResponse(f"{count}" if count else "", content_type="text/plain; charset=utf-8")
