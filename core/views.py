from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import get_object_or_404, render

from .models import Job


@login_required
def job_list(request):
    jobs = Job.objects.visible_to(request.user).select_related("created_by")[:100]
    return render(request, "core/job_list.html", {"jobs": jobs, "breadcrumbs": [("后台任务", "")]})


def _job_for(request, pk) -> Job:
    return get_object_or_404(Job.objects.visible_to(request.user), pk=pk)


@login_required
def job_detail(request, pk):
    job = _job_for(request, pk)
    return render(
        request,
        "core/job_detail.html",
        {"job": job, "breadcrumbs": [("后台任务", "/jobs/"), (job.title or job.kind, "")]},
    )


@login_required
def job_progress(request, pk):
    job = _job_for(request, pk)
    return render(request, "core/job_progress.html", {"job": job})


@login_required
def job_download(request, pk):
    # Only the person who started a job gets its file: an export carries what that person may
    # see (unmasked names for the handling street), which city_admin and the auditor, who can
    # follow every job's status, must not receive second-hand.
    job = get_object_or_404(Job.objects.visible_to(request.user), pk=pk, created_by=request.user)
    # A finished export, or the marked copy of a refused import.
    if job.status not in ("succeeded", "failed") or not job.output_file:
        raise Http404("文件不存在或已过期。")
    try:
        handle = job.output_file.open("rb")
    except FileNotFoundError as exc:
        raise Http404("文件不存在或已过期。") from exc
    return FileResponse(handle, as_attachment=True, filename=job.output_name or job.output_file.name.rsplit("/", 1)[-1])


def healthz(request):
    """Healthy when the database and the shared cache both answer; 503 otherwise."""
    from django.core.cache import cache
    from django.db import DatabaseError, connection

    checks = {}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        checks["database"] = "ok"
    except DatabaseError:
        checks["database"] = "error"
    try:
        cache.set("healthz", 1, 10)
        checks["cache"] = "ok" if cache.get("healthz") == 1 else "error"
    except Exception:  # any client error of the cache backend means the cache is down
        checks["cache"] = "error"
    healthy = all(value == "ok" for value in checks.values())
    return JsonResponse({"status": "ok" if healthy else "error", **checks}, status=200 if healthy else 503)


def not_found(request, exception=None):
    """404 (handler404): under /api/ the API's JSON shape {"detail": "未找到。"} — a path that no
    route matches (an id that is not digits, core/api/routers.py) answers like a missing row;
    elsewhere the page."""
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": "未找到。"}, status=404, json_dumps_params={"ensure_ascii": False})
    from django.views.defaults import page_not_found

    return page_not_found(request, exception)
