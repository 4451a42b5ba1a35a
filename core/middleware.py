"""Sessions end after SESSION_IDLE_SECONDS without a user action (等保 2.0: idle timeout).

A request counts as a user action unless it is background polling: htmx requests sent with the
header X-Background-Poll (progress bars), so an open progress page does not keep a session
alive forever."""

from __future__ import annotations

import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import Http404, HttpResponse
from django.shortcuts import redirect

from core.errors import OutOfScope

SESSION_KEY = "last_action_at"
POLL_HEADER = "HTTP_X_BACKGROUND_POLL"


def start_idle_clock(sender, request, user, **kwargs):
    """At login the idle clock starts (user_logged_in): the session is being written anyway, and
    the pages that follow within a minute then need not write it again."""
    if request is not None and hasattr(request, "session"):
        request.session[SESSION_KEY] = int(time.time())


class IdleSessionMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and hasattr(request, "session"):
            now = int(time.time())
            last = request.session.get(SESSION_KEY)
            if last is not None and now - last > settings.SESSION_IDLE_SECONDS:
                logout(request)
                if request.headers.get("HX-Request"):
                    # htmx: ask the browser to go to the login page.
                    response = HttpResponse(status=204)
                    response["HX-Redirect"] = settings.LOGIN_URL_PATH
                    return response
                if request.path.startswith("/api/"):
                    return self.get_response(request)
                messages.info(request, "由于长时间未操作，您已退出登录，请重新登录。")
                return redirect(f"{settings.LOGIN_URL_PATH}?next={request.get_full_path()}")
            # The clock is rewritten at most once per 1/30 of the idle limit (a minute for 30
            # minutes): writing it on every request saved the session — an UPDATE and a commit —
            # on every page view (docs/performance.md). A session may so end up to that much early.
            stale = last is None or now - last >= max(1, settings.SESSION_IDLE_SECONDS // 30)
            if stale and (last is None or not request.META.get(POLL_HEADER)):
                request.session[SESSION_KEY] = now
        return self.get_response(request)


class HealthCheckMiddleware:
    """/healthz/ for a load balancer or a container's health probe, answered first: before the
    HTTPS redirect (a probe speaks plain http inside the container) and before the host check
    (it asks for 127.0.0.1, which production's ALLOWED_HOSTS need not hold). It says whether the
    database and the cache answer, and nothing else."""

    path = "/healthz/"

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        # a probe sends no query; a request with one takes the whole stack (input guard included)
        if (
            request.path_info == self.path
            and request.method in ("GET", "HEAD")
            and not request.META.get("QUERY_STRING")
        ):
            from .views import healthz

            return healthz(request)
        return self.get_response(request)


class OutOfScopeMiddleware:
    """A service's `OutOfScope` (the object does not exist for this user) is a 404 page: the one
    place pages turn it into HTTP, so services never raise Http404."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, OutOfScope):
            raise Http404(exception.message) from exception
        return None
