"""The sweeper: runs the moderation tick (SLA ladder, overdue claims) every few seconds.

In one process it runs in the web server; scaled out it runs as the Procfile `worker`, and a
Redis lock taken for each tick keeps it to one sweeper at a time wherever it runs.
"""

from __future__ import annotations

import asyncio
import logging

from redis.asyncio import Redis

from app import keys
from app.services.moderation import ModerationService

log = logging.getLogger(__name__)


async def sweep_once(moderation: ModerationService, redis: Redis | None, every: float) -> bool:
    """One tick, if this process holds the lock (or there is no Redis). True if it swept."""
    if redis is None:
        await moderation.sweep()
        return True
    lock = redis.lock(keys.sweeper_lock(), timeout=max(30.0, every * 6), blocking=False)
    if not await lock.acquire():
        return False
    try:
        await moderation.sweep()
    finally:
        await lock.release()
    return True


async def sweep_forever(moderation: ModerationService, redis: Redis | None, every: float) -> None:
    """Tick until cancelled; a failing tick is logged and the next one tries again."""
    while True:
        try:
            await sweep_once(moderation, redis, every)
        except Exception:
            log.exception("sweeper tick failed")
        await asyncio.sleep(every)
