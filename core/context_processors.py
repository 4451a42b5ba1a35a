from .navigation import menu_for


def navigation(request):
    user = getattr(request, "user", None)
    return {"menu": menu_for(user) if user is not None else [], "site_name": "老旧小区管理平台"}
