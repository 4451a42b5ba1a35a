from django.conf import settings

from .navigation import menu_for


def navigation(request):
    # The platform's name is `platform_name`, not `site_name`: Django's LoginView puts its own
    # `site_name` (the request's host and port, without django.contrib.sites) into the context,
    # which overrode this one and titled the login page "127.0.0.1:8000".
    user = getattr(request, "user", None)
    return {"menu": menu_for(user) if user is not None else [], "platform_name": settings.PLATFORM_NAME}
