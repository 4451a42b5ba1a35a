"""Issuing and revoking personal API tokens (core.api.auth)."""

import math
import re

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.authtoken.models import Token
from rest_framework.authtoken.serializers import AuthTokenSerializer
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from core import permissions

from .auth import token_expired, token_expires_at


class TokenSerializer(serializers.Serializer):
    token = serializers.CharField()
    expires_at = serializers.DateTimeField()


def lockout_minutes_left(username: str, request) -> int:
    """Minutes until a locked (username, address) pair may try again, as django-axes counts."""
    from axes.helpers import get_client_ip_address, get_cool_off
    from axes.models import AccessAttempt

    attempt = (
        AccessAttempt.objects.filter(username=username, ip_address=get_client_ip_address(request))
        .order_by("-attempt_time")
        .first()
    )
    cool_off = get_cool_off(request)
    if attempt is None or cool_off is None:
        return math.ceil(settings.AXES_COOLOFF_TIME.total_seconds() / 60)
    left = (attempt.attempt_time + cool_off - timezone.now()).total_seconds()
    return max(1, math.ceil(left / 60))


class ObtainTokenView(APIView):
    """Issue the API token of a user (POST username and password); revoke it (DELETE)."""

    permission_classes = [AllowAny]

    def perform_authentication(self, request):
        # Issuing takes a password, not a token or a session (no CSRF); revoking takes either.
        if request.method != "POST":
            super().perform_authentication(request)

    @extend_schema(request=AuthTokenSerializer, responses={200: TokenSerializer})
    def post(self, request):
        serializer = AuthTokenSerializer(data=request.data, context={"request": request})
        if not serializer.is_valid():
            # django-axes refuses a locked-out pair inside authenticate() and marks the request;
            # the password is then not even checked: say so, as the login page does (429).
            if getattr(request, "axes_locked_out", False) or getattr(request._request, "axes_locked_out", False):
                minutes = lockout_minutes_left(str(request.data.get("username", "")), request._request)
                return Response(
                    {
                        "detail": f"账户已锁定：登录失败次数过多，请约 {minutes} 分钟后再试，或联系本单位管理员。",
                        "retry_after_minutes": minutes,
                    },
                    status=429,
                    headers={"Retry-After": str(minutes * 60)},
                )
            return Response({"detail": "用户名或密码错误。"}, status=400)
        user = serializer.validated_data["user"]
        with transaction.atomic():
            token = Token.objects.select_for_update().filter(user=user).first()
            if token is not None and token_expired(token):
                token.delete()
                token = None
            if token is None:
                token = Token.objects.create(user=user)
        return Response({"token": token.key, "expires_at": token_expires_at(token)})

    @extend_schema(
        parameters=[OpenApiParameter("user", int, description="city_admin：撤销该用户的令牌（默认撤销自己的）")],
        responses={204: None, 403: inline_serializer("TokenRevokeRefused", {"detail": serializers.CharField()})},
    )
    def delete(self, request):
        if not request.user.is_authenticated:
            from rest_framework.exceptions import NotAuthenticated

            raise NotAuthenticated()
        target = request.user
        other = request.query_params.get("user")
        if other not in (None, "", str(request.user.pk)):
            if not permissions.administers(request.user):
                return Response({"detail": "只有市级管理员可以撤销他人的令牌。"}, status=403)
            if not re.fullmatch(r"[0-9]{1,18}", other):  # ASCII digits within bigint
                return Response({"detail": "用户编号应为整数。"}, status=400)
            target = get_user_model().objects.filter(pk=int(other)).first()
            if target is None:
                return Response({"detail": "未找到该用户。"}, status=404)
        Token.objects.filter(user=target).delete()
        return Response(status=204)
