"""The first checks of every visitor write, in the protocol's order: identity, ban, rate limit.

Payload, lifecycle and moderation follow in the use case (`qa.py`, `moderation.py`), so a
banned or flooding visitor is refused before their payload is even read.
"""

from __future__ import annotations

from typing import Literal

from app.domain.errors import Forbidden, Unauthorized
from app.domain.models import Visitor, utcnow
from app.services.ratelimit import RateLimits
from app.store.port import VisitorStore


class Gate:
    def __init__(self, visitors: VisitorStore, limits: RateLimits) -> None:
        self._visitors = visitors
        self._limits = limits

    async def admit(
        self, visitor: Visitor | None, *, budget: Literal["write", "report"] = "write"
    ) -> Visitor:
        """The visitor as stored now (a ban applies at once, even on an open connection),
        or the protocol error that refuses the write."""
        if visitor is None:
            raise Unauthorized("connect with a visitor token to post")
        fresh = await self._visitors.get_visitor(visitor.id)
        if fresh is None or fresh.erased_at is not None:
            raise Unauthorized("this visitor no longer exists")
        if fresh.banned_until is not None and fresh.banned_until > utcnow():
            until = fresh.banned_until.isoformat()
            shown = fresh.banned_until.strftime("%Y-%m-%d %H:%M UTC")
            raise Forbidden(f"you cannot post until {shown}", banned_until=until)
        if budget == "report":
            await self._limits.check_report(fresh.id)
        else:
            await self._limits.check_write(fresh.id)
        return fresh
