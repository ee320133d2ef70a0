"""Throttling of public verification per client IP (the cache holds the counters): every lookup
counts against a per-minute rate, and a miss (an unknown code) against a much smaller budget —
repeated guessing answers 429 long before 128-bit codes could be found."""

from __future__ import annotations

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest
from ninja.throttling import BaseThrottle


def _ip(request: HttpRequest) -> str:
    """The client's address as the API's own throttles see it: behind `TONGBAN_NUM_PROXIES`
    trusted proxies, from X-Forwarded-For; otherwise REMOTE_ADDR."""
    return BaseThrottle().get_ident(request) or "unknown"


def _limits() -> tuple[int, int, int]:
    """(lookups per minute, misses per window, window seconds)."""
    return (int(getattr(settings, "TONGBAN_VERIFY_RATE", 60)), int(getattr(settings, "TONGBAN_VERIFY_MISSES", 10)),
            int(getattr(settings, "TONGBAN_VERIFY_MISS_WINDOW", 600)))


def _count(key: str, window: int) -> int:
    if cache.add(key, 1, window):
        return 1
    try:
        return cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, window)
        return 1


def allowed(request: HttpRequest) -> bool:
    """Count this lookup; False when the caller is over the per-minute rate."""
    return _count(f"licverify:rate:{_ip(request)}", 60) <= _limits()[0]


def missed(request: HttpRequest) -> bool:
    """Count a miss; True when the caller is over the miss budget (answer 429, not 404): a
    guesser learns nothing more, while genuine codes from the same address still answer."""
    _, misses, window = _limits()
    return _count(f"licverify:miss:{_ip(request)}", window) > misses
