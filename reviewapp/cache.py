"""A Redis cache that the site survives losing.

The cache holds only what can be rebuilt (sessions have the database behind them, progress
figures and stage counts are recounted), so with Redis unreachable every call answers as a
miss instead of raising, and the site keeps working on the database. After a failure the
cache is not asked again for OUTAGE_SECONDS: a page makes many cache calls, and each would
otherwise wait for the connection to fail. The outage is noted in reviewapp.outages, for the
leads' banner.
"""

import logging

from django.core.cache.backends.redis import RedisCache
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

from reviewapp.outages import is_down, outage_report

logger = logging.getLogger(__name__)

# After a failure the cache is skipped this long, then tried again.
RETRY_SECONDS = 5.0
UNREACHABLE = (RedisConnectionError, RedisTimeoutError, OSError)


def cache_outage() -> bool:
    return is_down("cache")


def _mark_down(error: Exception) -> None:
    if outage_report("cache", RETRY_SECONDS):
        logger.warning("cache unreachable, working without it: %s", error)


def _tolerant(name: str, missing):
    method = getattr(RedisCache, name)

    def call(self, *args, **kwargs):
        if cache_outage():
            return missing(*args, **kwargs)
        try:
            return method(self, *args, **kwargs)
        except UNREACHABLE as error:
            _mark_down(error)
            return missing(*args, **kwargs)

    call.__name__ = name
    call.__doc__ = method.__doc__
    return call


def _default(*args, **kwargs):
    # get(key, default=None): the caller's default, as on a miss.
    return kwargs.get("default", args[1] if len(args) > 1 else None)


def _keep_going(*args, **kwargs):
    return None


class TolerantRedisCache(RedisCache):
    """Django's Redis cache, answering as a miss while Redis is unreachable."""

    get = _tolerant("get", _default)
    get_many = _tolerant("get_many", lambda *a, **k: {})
    has_key = _tolerant("has_key", lambda *a, **k: False)
    # add() reports "not added", so nobody takes a lock the cache cannot hold.
    add = _tolerant("add", lambda *a, **k: False)
    set = _tolerant("set", _keep_going)
    set_many = _tolerant("set_many", lambda *a, **k: [])
    touch = _tolerant("touch", lambda *a, **k: False)
    delete = _tolerant("delete", lambda *a, **k: False)
    delete_many = _tolerant("delete_many", _keep_going)
    clear = _tolerant("clear", lambda *a, **k: False)

    def incr(self, key, delta=1, version=None):
        try:
            if cache_outage():
                raise RedisConnectionError("cache marked unreachable")
            return super().incr(key, delta, version)
        except UNREACHABLE as error:
            _mark_down(error)
            raise ValueError(f"Key {key!r} not found (cache unreachable)") from error
