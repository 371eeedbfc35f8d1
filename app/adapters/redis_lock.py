"""The sweeper's tick lock in Redis: one sweeper at a time across processes and hosts."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from redis.asyncio import Redis

from app import keys
from app.services.sweeper import TickLock


def sweeper_lock(redis: Redis, every: float) -> TickLock:
    """A non-blocking lock per tick; it expires on its own if its holder dies."""

    @asynccontextmanager
    async def tick() -> AsyncIterator[bool]:
        lock = redis.lock(keys.sweeper_lock(), timeout=max(30.0, every * 6), blocking=False)
        if not await lock.acquire():
            yield False
            return
        try:
            yield True
        finally:
            await lock.release()

    return tick
