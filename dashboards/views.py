from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from communities.services import registry_summary

from .panels import cached_dashboard


@login_required
def home(request):
    """首页: the estates of the user's scope by unit, and the dashboard (dashboards/panels.py)."""
    context = dict(registry_summary(request.user))
    if context["totals"]["count"]:
        context.update(cached_dashboard(request.user, request.GET, large=context["totals"]["sums_skipped"]))
    return render(request, "dashboards/home.html", context)
