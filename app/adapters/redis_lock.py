"""Locks in Redis for periodic work: one sweeper tick, one semantic backfill pass at a time
across processes and hosts."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from redis.asyncio import Redis
from redis.exceptions import LockNotOwnedError

from app import keys
from app.services.sweeper import TickLock

log = logging.getLogger(__name__)


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


def backfill_lock(redis: Redis, hold: float) -> TickLock:
    """A non-blocking lock per semantic backfill pass: the processes that start together
    (`entraide run --workers N`) would otherwise each embed the same backlog. It expires
    after `hold` seconds, so a holder that dies only delays the next pass."""

    @asynccontextmanager
    async def one_pass() -> AsyncIterator[bool]:
        lock = redis.lock(keys.semantic_backfill_lock(), timeout=hold, blocking=False)
        if not await lock.acquire():
            yield False
            return
        try:
            yield True
        finally:
            try:
                await lock.release()
            except LockNotOwnedError:  # the pass outlived `hold`: another may have started
                log.warning("semantic backfill pass took over %.0f s", hold)

    return one_pass
