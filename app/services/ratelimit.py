"""Per-visitor rate limits on writes, shared across processes when Redis is configured.

Built on the `limits` library (moving windows); in-process memory without Redis.
"""

from __future__ import annotations

from limits import RateLimitItem, parse_many
from limits.aio.storage import MemoryStorage, RedisStorage, Storage
from limits.aio.strategies import MovingWindowRateLimiter

from app.domain.errors import RateLimited


class RateLimits:
    def __init__(self, *, write_rate: str, visitor_rate: str, redis_url: str | None) -> None:
        storage: Storage
        if redis_url:
            storage = RedisStorage(
                "async+" + redis_url, implementation="redispy", key_prefix="entraide:rl"
            )
        else:
            storage = MemoryStorage()
        self._limiter = MovingWindowRateLimiter(storage)
        self._write: list[RateLimitItem] = parse_many(write_rate)
        self._visitor: list[RateLimitItem] = parse_many(visitor_rate)

    async def _check(self, items: list[RateLimitItem], *key: str) -> None:
        for item in items:
            if not await self._limiter.hit(item, *key):
                raise RateLimited(f"too many messages; the limit is {item}, try again shortly")

    async def check_write(self, visitor_id: str) -> None:
        await self._check(self._write, "write", visitor_id)

    async def check_new_visitor(self, client_address: str) -> None:
        await self._check(self._visitor, "visitor", client_address)
