"""Locks in Redis for periodic work done once across processes and hosts: a sweeper tick,
a semantic backfill pass, an outbox recovery pass."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from redis.asyncio import Redis
from redis.exceptions import LockNotOwnedError

from app import keys
from app.services.sweeper import TickLock

log = logging.getLogger(__name__)


def pass_lock(redis: Redis, key: str, hold: float) -> TickLock:
    """A non-blocking lock per pass: its holder runs the pass, the others skip it. It
    expires after `hold` seconds, so a holder that dies only delays the next pass."""

    @asynccontextmanager
    async def one_pass() -> AsyncIterator[bool]:
        lock = redis.lock(key, timeout=hold, blocking=False)
        if not await lock.acquire():
            yield False
            return
        try:
            yield True
        finally:
            try:
                await lock.release()
            except LockNotOwnedError:  # the pass outlived `hold`: another may have started
                log.warning("%s: a pass took over %.0f s", key, hold)

    return one_pass


def sweeper_lock(redis: Redis, every: float) -> TickLock:
    return pass_lock(redis, keys.sweeper_lock(), hold=max(30.0, every * 6))


def backfill_lock(redis: Redis, hold: float) -> TickLock:
    """The processes that start together (`entraide run --workers N`) would otherwise each
    embed the same backlog."""
    return pass_lock(redis, keys.semantic_backfill_lock(), hold)


def outbox_recovery_lock(redis: Redis, hold: float) -> TickLock:
    """Two processes recovering a dead one's outbox items at once would both deliver them
    (a notification, an e-mail, a webhook call twice)."""
    return pass_lock(redis, keys.outbox_recovery_lock(), hold)
