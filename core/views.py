from django.contrib.auth.decorators import login_required
from django.db.models import Count, Sum
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import get_object_or_404, render

from .models import Job


@login_required
def home(request):
    """首页: counts of the estates in the user's scope by district, category and mode."""
    from communities.choices import EstateCategory, ManagementMode
    from communities.models import Estate

    estates = Estate.objects.visible_to(request.user)
    totals = estates.aggregate(count=Count("id"), area=Sum("building_area"), households=Sum("households"))
    by_district = list(
        estates.values("district__name", "district__code").annotate(count=Count("id"), area=Sum("building_area")).order_by("district__code")
    )
    category_counts = dict(estates.values_list("category").annotate(n=Count("id")))
    mode_counts = dict(estates.values_list("management_mode").annotate(n=Count("id")))
    by_category = [{"value": c.value, "label": c.label, "count": category_counts.get(c.value, 0)} for c in EstateCategory]
    by_mode = [{"value": m.value, "label": m.label, "count": mode_counts.get(m.value, 0)} for m in ManagementMode]
    return render(
        request,
        "core/home.html",
        {"totals": totals, "by_district": by_district, "by_category": by_category, "by_mode": by_mode},
    )


@login_required
def job_list(request):
    jobs = Job.objects.visible_to(request.user).select_related("created_by")[:100]
    return render(request, "core/job_list.html", {"jobs": jobs, "breadcrumbs": [("后台任务", "")]})


def _job_for(request, pk) -> Job:
    return get_object_or_404(Job.objects.visible_to(request.user), pk=pk)


@login_required
def job_detail(request, pk):
    job = _job_for(request, pk)
    return render(request, "core/job_detail.html", {"job": job, "breadcrumbs": [("后台任务", "/jobs/"), (job.title or job.kind, "")]})


@login_required
def job_progress(request, pk):
    job = _job_for(request, pk)
    return render(request, "core/job_progress.html", {"job": job})


@login_required
def job_download(request, pk):
    job = _job_for(request, pk)
    # A finished export, or the marked copy of a refused import.
    if job.status not in ("succeeded", "failed") or not job.output_file:
        raise Http404("文件不存在或已过期。")
    try:
        handle = job.output_file.open("rb")
    except FileNotFoundError as exc:
        raise Http404("文件不存在或已过期。") from exc
    return FileResponse(handle, as_attachment=True, filename=job.output_name or job.output_file.name.rsplit("/", 1)[-1])


def healthz(request):
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})
