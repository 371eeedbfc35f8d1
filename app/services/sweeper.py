"""The sweeper: runs the periodic jobs (the moderation tick: SLA ladder, overdue claims; the
weekly digest) every few seconds.

In one process it runs in the web server; scaled out it runs as the Procfile `worker`, and a
lock taken for each tick (Redis: `app/adapters/redis_lock.py`) keeps it to one sweeper at a
time wherever it runs.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from contextlib import AbstractAsyncContextManager

log = logging.getLogger(__name__)
# A fresh context manager per tick, entered as `async with lock() as held:`; `held` is
# False when another process holds it. None: this is the only process.
TickLock = Callable[[], AbstractAsyncContextManager[bool]]
Job = Callable[[], Awaitable[object]]


async def _run(jobs: Sequence[Job]) -> None:
    for job in jobs:
        try:
            await job()
        except Exception:  # one failing job does not keep the others from running
            log.exception("sweeper job %r failed", job)


async def sweep_once(jobs: Sequence[Job], lock: TickLock | None) -> bool:
    """One tick, if this process holds the lock (or there is none). True if it swept."""
    if lock is None:
        await _run(jobs)
        return True
    async with lock() as held:
        if held:
            await _run(jobs)
        return held


async def sweep_forever(jobs: Sequence[Job], lock: TickLock | None, every: float) -> None:
    """Tick until cancelled; a failing tick is logged and the next one tries again."""
    while True:
        try:
            await sweep_once(jobs, lock)
        except Exception:
            log.exception("sweeper tick failed")
        await asyncio.sleep(every)
