"""The cache of one of several parallel test processes (pytest-xdist's
workers) sharing one Redis database."""

from django.core.cache.backends.redis import RedisCache


class WorkerRedisCache(RedisCache):
    """Redis with `clear()` limited to this process's keys (its KEY_PREFIX):
    the tests clear the cache after each test, and a clear of the whole
    database would wipe the counters another process is testing."""

    def clear(self) -> bool:
        client = self._cache.get_client(write=True)
        keys = list(client.scan_iter(match=f"{self.key_prefix}:*"))
        if keys:
            client.delete(*keys)
        return True
