"""The key page of city_admin (接口密钥管理): list and revoke; keys are issued on the command line
(`manage.py create_api_key`) so that a key is never shown in a browser or kept in its history."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from accounts.choices import Role

from .keys import revoke_key
from .models import SystemAPIKey

CRUMB = ("系统对接", "")


def _require_city_admin(user):
    if not user.is_role(Role.CITY_ADMIN):
        raise PermissionDenied("只有市房产局管理员可以管理接口密钥。")


@login_required
def key_list(request):
    _require_city_admin(request.user)
    keys = SystemAPIKey.objects.prefetch_related("districts").select_related("created_by", "revoked_by")
    return render(
        request,
        "integrations/key_list.html",
        {
            "keys": keys.order_by("revoked", "-created"),
            "breadcrumbs": [CRUMB, ("接口密钥", "")],
        },
    )


@login_required
@require_POST
def key_revoke(request, prefix: str):
    _require_city_admin(request.user)
    key = get_object_or_404(SystemAPIKey, prefix=prefix)
    revoke_key(key, by=request.user)
    messages.success(request, f"已吊销接口密钥“{key.name}”，使用该密钥的系统将无法再提交工单。")
    return redirect("integrations:key_list")
