"""Per-visitor rate limits on writes, shared across processes when Redis is configured.

Built on the `limits` library (sliding-window counters); the counters' storage (Redis, or
this process's memory) is chosen by `create_app` (`app/adapters/redis_limits.py`). While the
shared storage is out of reach (Redis down or hung), each process counts on its own (the
`fallback` storage): writes go on, limited per process, instead of waiting or failing.
"""

from __future__ import annotations

import logging
import time

from limits import RateLimitItem, parse_many
from limits.aio.storage import Storage
from limits.aio.strategies import SlidingWindowCounterRateLimiter
from limits.errors import StorageError

from app.domain.errors import RateLimited

log = logging.getLogger(__name__)
LIMITED = {"write": "messages", "report": "reports", "room": "new rooms",
           "visitor": "new visitors", "sign-in": "sign-in attempts",
           "self-served": "instant answers marked"}  # fmt: skip


class RateLimits:
    def __init__(
        self, *, write_rate: str, visitor_rate: str, room_rate: str, storage: Storage,
        fallback: Storage | None = None,
    ) -> None:  # fmt: skip
        # Sliding-window counters: two counters per key and window, no per-hit timestamps.
        # The exact moving window's in-memory cleanup handed every key to a thread on
        # each pass (bench/README.md: 48,900 context switches/s at 50 posts/s).
        self._limiter = SlidingWindowCounterRateLimiter(storage)
        self._fallback = None if fallback is None else SlidingWindowCounterRateLimiter(fallback)
        self._warned = 0.0
        self._write: list[RateLimitItem] = parse_many(write_rate)
        self._visitor: list[RateLimitItem] = parse_many(visitor_rate)
        self._room: list[RateLimitItem] = parse_many(room_rate)
        self._sign_in: list[RateLimitItem] = parse_many("30/10minutes")
        # Each report opens or raises a case (and, with a webhook, a helpdesk ticket).
        self._report: list[RateLimitItem] = parse_many("5/minute;20/day")
        # "This answered my question" counts in the shop's insights: a brake on padding.
        self._self_served: list[RateLimitItem] = parse_many("10/minute;60/day")

    async def _check(self, items: list[RateLimitItem], *key: str) -> None:
        for item in items:
            try:
                allowed = await self._limiter.hit(item, *key)
            except StorageError as exc:
                if self._fallback is None:
                    raise
                if time.monotonic() - self._warned > 10:
                    self._warned = time.monotonic()
                    log.warning("rate limits counted per process: shared storage: %s", exc)
                allowed = await self._fallback.hit(item, *key)
            if not allowed:
                what = LIMITED.get(key[0], "requests")
                raise RateLimited(f"too many {what}; the limit is {item}, try again shortly")

    async def check_write(self, visitor_id: str) -> None:
        await self._check(self._write, "write", visitor_id)

    async def check_report(self, visitor_id: str) -> None:
        await self._check(self._report, "report", visitor_id)

    async def check_new_room(self, client_address: str) -> None:
        """Rooms are permanent rows: each network address opens only so many new ones."""
        await self._check(self._room, "room", client_address)

    async def check_new_visitor(self, client_address: str) -> None:
        await self._check(self._visitor, "visitor", client_address)

    async def check_self_served(self, client_address: str) -> None:
        await self._check(self._self_served, "self-served", client_address)

    async def check_sign_in(self, client_address: str) -> None:
        """Per-address brake on staff sign-in attempts (accounts also back off on their own)."""
        await self._check(self._sign_in, "sign-in", client_address)
