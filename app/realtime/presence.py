"""How many people are in a room right now, across every process.

Without Redis a dict of sets; with Redis a sorted set per room (member = socket id, score =
last heartbeat) so a crashed process's sockets age out instead of being counted forever.
While Redis is out of reach a count is UNKNOWN and nothing is sent: joining a room never
waits for, or fails on, presence.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import defaultdict
from collections.abc import Awaitable, Callable
from typing import Protocol

from redis.asyncio import Redis
from redis.exceptions import RedisError

from app import keys

STALE_AFTER = 90.0  # seconds without a heartbeat before a socket stops counting
EMIT_EVERY = 1.0  # seconds: at most one `presence` message per room in this interval
UNKNOWN = -1  # a count Redis could not give
log = logging.getLogger(__name__)


class Presence(Protocol):
    async def enter(self, room: str, sid: str) -> int: ...

    async def leave(self, room: str, sid: str) -> int: ...

    async def heartbeat(self, rooms_by_sid: dict[str, set[str]]) -> None: ...

    async def count(self, room: str) -> int: ...


class LocalPresence:
    def __init__(self) -> None:
        self._rooms: defaultdict[str, set[str]] = defaultdict(set)

    async def enter(self, room: str, sid: str) -> int:
        self._rooms[room].add(sid)
        return len(self._rooms[room])

    async def leave(self, room: str, sid: str) -> int:
        members = self._rooms.get(room)
        if members is None:
            return 0
        members.discard(sid)
        if not members:
            del self._rooms[room]
        return len(members)

    async def heartbeat(self, rooms_by_sid: dict[str, set[str]]) -> None:
        return None

    async def count(self, room: str) -> int:
        return len(self._rooms.get(room, ()))


class RedisPresence:
    def __init__(self, redis: Redis) -> None:
        self._redis = redis
        self._warned = 0.0

    def _unknown(self, exc: RedisError) -> int:
        if time.monotonic() - self._warned > 10:
            self._warned = time.monotonic()
            log.warning("presence unknown while Redis is out of reach: %s", exc)
        return UNKNOWN

    async def _count(self, key: str, now: float, *first: tuple[str, str]) -> int:
        """Run the `first` commands (zadd/zrem of a socket), then count the room."""
        try:
            async with self._redis.pipeline(transaction=False) as pipe:
                for command, sid in first:
                    if command == "zadd":
                        pipe.zadd(key, {sid: now})
                    else:
                        pipe.zrem(key, sid)
                pipe.zremrangebyscore(key, 0, now - STALE_AFTER)
                pipe.zcard(key)
                *_, count = await pipe.execute()
        except RedisError as exc:
            return self._unknown(exc)
        return int(count)

    async def enter(self, room: str, sid: str) -> int:
        return await self._count(keys.presence(room), time.time(), ("zadd", sid))

    async def leave(self, room: str, sid: str) -> int:
        return await self._count(keys.presence(room), time.time(), ("zrem", sid))

    async def count(self, room: str) -> int:
        return await self._count(keys.presence(room), time.time())

    async def heartbeat(self, rooms_by_sid: dict[str, set[str]]) -> None:
        now = time.time()
        try:
            async with self._redis.pipeline(transaction=False) as pipe:
                for sid, rooms in rooms_by_sid.items():
                    for room in rooms:
                        pipe.zadd(keys.presence(room), {sid: now})
                await pipe.execute()
        except RedisError as exc:
            self._unknown(exc)


class PresenceBroadcast:
    """Counts people per room and tells the room, at most once per EMIT_EVERY seconds.

    The first change in a quiet room is sent at once; changes within the interval after it
    are folded into one trailing message with the latest count. Join/leave churn therefore
    costs each listener one message per interval, not one per step.
    """

    def __init__(
        self,
        presence: Presence,
        emit: Callable[[str, int], Awaitable[None]],
        every: float = EMIT_EVERY,
    ) -> None:
        self._presence = presence
        self._emit = emit
        self._every = every
        self._last: dict[str, float] = {}
        self._scheduled: set[str] = set()
        self._tasks: set[asyncio.Task[None]] = set()

    @property
    def presence(self) -> Presence:
        return self._presence

    async def enter(self, room: str, sid: str) -> None:
        await self._presence.enter(room, sid)
        await self._changed(room)

    async def leave(self, room: str, sid: str) -> None:
        await self._presence.leave(room, sid)
        await self._changed(room)

    async def _changed(self, room: str) -> None:
        if room in self._scheduled:
            return  # the trailing message will carry this change
        wait = self._last.get(room, -self._every) + self._every - time.monotonic()
        if wait <= 0:
            await self._send(room)
            return
        self._scheduled.add(room)
        task = asyncio.create_task(self._send_later(room, wait))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _send_later(self, room: str, wait: float) -> None:
        await asyncio.sleep(wait)  # the throttle's interval, not a wait for an event
        self._scheduled.discard(room)
        try:
            await self._send(room)
        except Exception:
            log.exception("presence of %s not sent", room)

    async def _send(self, room: str) -> None:
        self._last[room] = time.monotonic()
        if len(self._last) > 10_000:  # forget rooms quiet for a while
            cutoff = time.monotonic() - self._every
            self._last = {r: t for r, t in self._last.items() if t > cutoff}
        count = await self._presence.count(room)
        if count != UNKNOWN:
            await self._emit(room, count)

    async def close(self) -> None:
        for task in list(self._tasks):
            task.cancel()
