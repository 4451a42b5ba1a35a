"""Rate limits of the public form (限流), counted in Django's cache — Redis when configured, so
every gunicorn worker and node shares the counts. Keys carry an HMAC of the mobile number,
never the number itself."""

from __future__ import annotations

import hashlib
import hmac

from django.conf import settings
from django.core.cache import cache

HOUR = 60 * 60
DAY = 24 * HOUR
TOO_MANY = "提交过于频繁，请稍后再试；紧急情况请直接拨打街道应急维修服务站电话。"


def client_ip(request) -> str:
    # The same reading of the address as the login lockout (django-axes, AXES_IPWARE_PROXY_COUNT).
    from axes.helpers import get_client_ip_address

    return get_client_ip_address(request) or "unknown"


def _mobile_key(mobile: str) -> str:
    digest = hmac.new(settings.SECRET_KEY.encode(), mobile.encode(), hashlib.sha256).hexdigest()[:32]
    return f"residents:mobile:{digest}"


def _ip_key(ip: str) -> str:
    return f"residents:ip:{ip}"


def count(key: str) -> int:
    return cache.get(key, 0)


def reports_from_ip(ip: str) -> int:
    return count(_ip_key(ip))


def _take(key: str, limit: int, window: int) -> bool:
    cache.add(key, 0, window)  # starts the window; a no-op when it is running
    try:
        taken = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.add(key, 1, window)
        taken = 1
    return taken <= limit


def _give_back(key: str) -> None:
    try:
        cache.decr(key)
    except ValueError:
        pass


def take(ip: str, mobile: str) -> bool:
    """Count one report for the address and the number; False (nothing counted) past a limit.
    Incrementing first makes concurrent requests agree: the one past the limit is refused."""
    ip_key, mobile_key = _ip_key(ip), _mobile_key(mobile)
    if not _take(ip_key, settings.RESIDENTS_REPORTS_PER_IP_PER_HOUR, HOUR):
        _give_back(ip_key)
        return False
    if not _take(mobile_key, settings.RESIDENTS_REPORTS_PER_MOBILE_PER_DAY, DAY):
        _give_back(mobile_key)
        _give_back(ip_key)
        return False
    return True


def give_back(ip: str, mobile: str) -> None:
    """A report that was refused after counting (bad photo, …) does not use up the limit."""
    _give_back(_ip_key(ip))
    _give_back(_mobile_key(mobile))
