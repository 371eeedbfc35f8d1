"""How many people are in a room right now, across every process.

Without Redis a dict of sets; with Redis a sorted set per room (member = socket id, score =
last heartbeat) so a crashed process's sockets age out instead of being counted forever.
"""

from __future__ import annotations

import time
from collections import defaultdict
from typing import Protocol

from redis.asyncio import Redis

from app import keys

STALE_AFTER = 90.0  # seconds without a heartbeat before a socket stops counting


class Presence(Protocol):
    async def enter(self, room: str, sid: str) -> int: ...

    async def leave(self, room: str, sid: str) -> int: ...

    async def heartbeat(self, rooms_by_sid: dict[str, set[str]]) -> None: ...


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


class RedisPresence:
    def __init__(self, redis: Redis) -> None:
        self._redis = redis

    async def _count(self, key: str, now: float) -> int:
        async with self._redis.pipeline(transaction=False) as pipe:
            pipe.zremrangebyscore(key, 0, now - STALE_AFTER)
            pipe.zcard(key)
            _, count = await pipe.execute()
        return int(count)

    async def enter(self, room: str, sid: str) -> int:
        now = time.time()
        key = keys.presence(room)
        await self._redis.zadd(key, {sid: now})
        return await self._count(key, now)

    async def leave(self, room: str, sid: str) -> int:
        key = keys.presence(room)
        await self._redis.zrem(key, sid)
        return await self._count(key, time.time())

    async def heartbeat(self, rooms_by_sid: dict[str, set[str]]) -> None:
        now = time.time()
        async with self._redis.pipeline(transaction=False) as pipe:
            for sid, rooms in rooms_by_sid.items():
                for room in rooms:
                    pipe.zadd(keys.presence(room), {sid: now})
            await pipe.execute()
