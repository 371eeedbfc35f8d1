"""In-memory rate-limit counters: limits enforced as upstream, expired keys swept at most
once a second instead of after every write."""

from __future__ import annotations

import asyncio

from limits import parse
from limits.aio.strategies import SlidingWindowCounterRateLimiter

from app.adapters.redis_limits import SWEEP_EVERY, SweptMemoryStorage


async def test_limits_are_enforced() -> None:
    limiter = SlidingWindowCounterRateLimiter(SweptMemoryStorage())
    three = parse("3/minute")
    assert [await limiter.hit(three, "visitor-a") for _ in range(4)] == [True] * 3 + [False]
    assert await limiter.hit(three, "visitor-b")  # per key


async def test_one_sweep_per_interval_not_one_per_write() -> None:
    storage = SweptMemoryStorage()
    await storage.incr("a", expiry=60)
    first = storage.timer
    assert first is not None
    await first  # the sweep ran and ended: upstream would start another on the next write
    for n in range(50):
        await storage.incr(f"k{n}", expiry=60)
    assert storage.timer is first


async def test_expired_counters_still_leave_memory() -> None:
    storage = SweptMemoryStorage()
    await storage.incr("short", expiry=0.05)
    loop = asyncio.get_running_loop()
    end = loop.time() + SWEEP_EVERY + 5
    while "short" in storage.storage:
        assert loop.time() < end, "an expired counter was never swept"
        await storage.incr("other", expiry=60)  # writes are what schedule sweeps
        await asyncio.sleep(0.05)  # polling with a deadline
