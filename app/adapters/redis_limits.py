"""Where rate-limit counters live: Redis when configured (shared by every process),
this process's memory otherwise."""

from __future__ import annotations

import time

from limits.aio.storage import MemoryStorage, RedisStorage, Storage
from redis.asyncio import Redis

from app import keys

SWEEP_EVERY = 1.0  # seconds between two sweeps of expired in-memory counters


class SweptMemoryStorage(MemoryStorage):
    """limits' in-memory counters, with expired keys swept at most once a second.

    Upstream (limits 5.8) starts a sweep of every key after every increment: O(keys) per
    write, 3-6% of the server's CPU at 250 writes/s from 1,000 visitors (py-spy,
    bench/README.md). Reads already ignore expired counters, so sweeping less often only
    keeps expired keys in memory a second longer. Overrides the name-mangled private
    `__schedule_expiry`: the pinned version is checked by tests/unit/test_ratelimit_storage.py.
    """

    _next_sweep = 0.0

    async def _MemoryStorage__schedule_expiry(self) -> None:
        now = time.monotonic()
        if now >= self._next_sweep:
            self._next_sweep = now + SWEEP_EVERY
            await super()._MemoryStorage__schedule_expiry()  # type: ignore[misc]


def limits_storage(redis: Redis | None) -> Storage:
    if redis is None:
        return SweptMemoryStorage()
    # Share the app's pool: one set of connections, closed once.
    return RedisStorage(
        "async+redis://",
        implementation="redispy",
        key_prefix=keys.RATE_LIMIT_PREFIX,
        connection_pool=redis.connection_pool,  # type: ignore[arg-type]
        wrap_exceptions=True,  # Redis down or hung: limits.errors.StorageError
    )
