"""Where rate-limit counters live: Redis when configured (shared by every process),
this process's memory otherwise."""

from __future__ import annotations

from limits.aio.storage import MemoryStorage, RedisStorage, Storage
from redis.asyncio import Redis

from app import keys


def limits_storage(redis: Redis | None) -> Storage:
    if redis is None:
        return MemoryStorage()
    # Share the app's pool: one set of connections, closed once.
    return RedisStorage(
        "async+redis://",
        implementation="redispy",
        key_prefix=keys.RATE_LIMIT_PREFIX,
        connection_pool=redis.connection_pool,  # type: ignore[arg-type]
        wrap_exceptions=True,  # Redis down or hung: limits.errors.StorageError
    )
