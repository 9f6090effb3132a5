"""Password reset requests, counted per address and per client address for an hour.

Counts live in the cache (Redis in production): a reset request is no login, and while
Redis is down the counts start again, which costs a few extra mails at worst. Logins are
throttled by django-axes in the database (reviewapp/throttling.py)."""

import hashlib

from django.core.cache import cache

WINDOW_SECONDS = 3600


def _key(kind: str, value: str) -> str:
    digest = hashlib.sha256(value.strip().lower().encode()).hexdigest()[:32]
    return f"reset-throttle:{kind}:{digest}"


def throttle_hit(kind: str, value: str, *, limit: int) -> bool:
    """Count one request; True while the count stays within `limit`."""
    key = _key(kind, value)
    cache.add(key, 0, WINDOW_SECONDS)
    try:
        count = cache.incr(key)
    except ValueError:  # gone between add and incr (evicted, or the cache is down)
        cache.set(key, 1, WINDOW_SECONDS)
        count = 1
    return count <= limit
