"""
Fixed-window failure counters in Django's cache, shared by every worker when
CACHE_URL points to Redis. They slow down guessing of passwords; they are not
an audit trail.
"""

import hashlib

from django.core.cache import cache


def is_throttled(*, key: str, limit: int) -> bool:
    return cache.get(_cache_key(key), 0) >= limit


def failure_record(*, key: str, window_seconds: int) -> None:
    cache_key = _cache_key(key)
    # add() starts the window only if none is running; incr() is atomic on
    # the shared backends.
    cache.add(cache_key, 0, timeout=window_seconds)
    try:
        cache.incr(cache_key)
    except ValueError:
        cache.set(cache_key, 1, timeout=window_seconds)


def failures_clear(*, key: str) -> None:
    cache.delete(_cache_key(key))


def _cache_key(key: str) -> str:
    # Hashed: the key holds what the person typed (an email address of up
    # to 254 characters, any unicode), and memcached refuses keys over 250
    # characters or with spaces or control characters.
    return f"throttle:{hashlib.sha256(key.encode()).hexdigest()}"
