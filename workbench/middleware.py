"""The home page leads with the 工作台: the hook that keeps the home view itself untouched.

A signed-in user's GET of `/` is answered by the workbench (the URL stays `/`), unless they
chose the analytics dashboard as their home (WorkbenchSetting) or asked for it with
`/?view=dashboard` (the link on the workbench) — any query string goes to the dashboard, whose
filters are query parameters. Only the path `/` is looked at, so the home
view may live in any app."""

from __future__ import annotations


class WorkbenchHomeMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if request.path_info != "/" or request.method not in ("GET", "HEAD") or request.GET:
            return None
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None
        from .models import HomeChoice
        from .services import home_of

        if home_of(user) == HomeChoice.DASHBOARD:
            return None
        from .views import index

        return index(request)
