"""A Redis cache that degrades instead of failing: when Redis is down, reads miss, writes are
dropped and counters start again — requests are still served (throttles and cached pages
are conveniences; nothing the platform promises lives only in the cache). Each failure is
logged, at most once a minute per operation."""

from __future__ import annotations

import functools
import logging
import time
from typing import Any

from django.core.cache.backends.redis import RedisCache
from redis.exceptions import RedisError

log = logging.getLogger(__name__)
_last_warned: dict[str, float] = {}


def _tolerant(default: Any = None) -> Any:
    def wrap(method: Any) -> Any:
        @functools.wraps(method)
        def call(self: Any, *args: Any, **kwargs: Any) -> Any:
            try:
                return method(self, *args, **kwargs)
            except (RedisError, OSError) as exc:
                now = time.monotonic()
                if now - _last_warned.get(method.__name__, -60.0) >= 60:
                    _last_warned[method.__name__] = now
                    log.warning("Redis 不可用（%s），缓存操作 %s 已跳过", exc, method.__name__)
                if method.__name__ == "get":
                    return kwargs.get("default", args[1] if len(args) > 1 else None)
                return default() if callable(default) else default
        return call
    return wrap


class TolerantRedisCache(RedisCache):
    get = _tolerant()(RedisCache.get)
    get_many = _tolerant(dict)(RedisCache.get_many)
    set = _tolerant()(RedisCache.set)
    set_many = _tolerant(list)(RedisCache.set_many)
    add = _tolerant(False)(RedisCache.add)
    touch = _tolerant(False)(RedisCache.touch)
    delete = _tolerant(False)(RedisCache.delete)
    delete_many = _tolerant()(RedisCache.delete_many)
    has_key = _tolerant(False)(RedisCache.has_key)
    incr = _tolerant(1)(RedisCache.incr)
    clear = _tolerant()(RedisCache.clear)
