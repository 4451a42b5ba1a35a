"""Personal API tokens (个人 API 令牌) that expire and can be revoked.

DRF's authtoken gives one token per user, valid forever. Here a token is valid for
API_TOKEN_DAYS after it was issued (its `created`); an expired token is deleted when it is
presented, and the user gets a new one from POST /api/token/. The user revokes their own token
with DELETE /api/token/; city_admin revokes anyone's with DELETE /api/token/?user=<id> (or in
the admin). Token authentication comes first among the API's authenticators so that missing or
wrong credentials answer 401 with `WWW-Authenticate: Token`, not a bare 403."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.utils import timezone
from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication


def token_expires_at(token) -> dt.datetime:
    return token.created + dt.timedelta(days=settings.API_TOKEN_DAYS)


def token_expired(token, now=None) -> bool:
    return (now or timezone.now()) >= token_expires_at(token)


class ExpiringTokenAuthentication(TokenAuthentication):
    def authenticate_credentials(self, key):
        model = self.get_model()
        token = model.objects.select_related("user").filter(key=key).first()
        if token is None:
            raise exceptions.AuthenticationFailed("令牌无效。")
        if not token.user.is_active:
            raise exceptions.AuthenticationFailed("该账户已停用。")
        if token_expired(token):
            token.delete()
            raise exceptions.AuthenticationFailed("令牌已过期，请重新获取（POST /api/token/）。")
        return (token.user, token)
