"""Leaderboards: Redis sorted sets when Redis is configured, the store otherwise.

Both give the order of `rewards.leaderboard` (points desc, earlier achiever first, then
visitor id desc). Redis keeps one sorted set per board (`rewards.leaderboard.boards_for`),
scored with `rewards.leaderboard_score`; each new ledger entry adds to its boards through a
Lua script, so concurrent writers never lose an update. Revocations recompute the touched
visitors' scores from the ledger. `rebuild` recreates every set from the ledger.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Protocol

from redis.asyncio import Redis

from app import keys
from app.store.port import BoardRow, Store
from rewards.leaderboard import (
    Board,
    boards_for,
    decode_leaderboard_score,
    leaderboard_score,
    tally,
)
from rewards.ledger import LedgerEntry
from rewards.periods import Period, period_bounds, period_key

SCORE_BASE = 2**32
# KEYS: board sets; ARGV: member, points, inverted-second of the entry (see leaderboard_score)
ADD_LUA = """
local member, add, inv = ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3])
for _, key in ipairs(KEYS) do
  local old = redis.call('ZSCORE', key, member)
  local points, oldinv = 0, inv
  if old then
    old = tonumber(old)
    points = math.floor(old / 4294967296)
    oldinv = old - points * 4294967296
  end
  redis.call('ZADD', key, (points + add) * 4294967296 + math.min(oldinv, inv), member)
end
return 1
"""


class Leaderboards(Protocol):
    async def record(self, entries: Sequence[LedgerEntry]) -> None: ...

    async def recompute(self, entries: Sequence[LedgerEntry]) -> None:
        """Entries whose revocation state changed: fix their visitors' boards."""

    async def top(
        self, period: Period, now: datetime, *, room: str | None, category: str | None,
        limit: int, offset: int = 0,
    ) -> list[BoardRow]: ...  # fmt: skip

    async def position(
        self, visitor_id: str, period: Period, now: datetime, *, room: str | None,
        category: str | None,
    ) -> tuple[int, BoardRow] | None: ...  # fmt: skip


class StoreLeaderboards:
    """No Redis: a read is one aggregate query on the ledger's indexes. Those cost up to
    ~1.6 s all-time at a million entries (bench/leaderboards.md), so boards are kept until
    this process writes or revokes points; the single-process set-up is the only one
    without Redis, so no other process can change them behind its back."""

    def __init__(self, store: Store) -> None:
        self._store = store
        self._boards: dict[tuple[object, ...], list[BoardRow]] = {}

    async def record(self, entries: Sequence[LedgerEntry]) -> None:
        if entries:
            self._boards.clear()

    async def recompute(self, entries: Sequence[LedgerEntry]) -> None:
        self._boards.clear()

    async def top(
        self, period: Period, now: datetime, *, room: str | None, category: str | None,
        limit: int, offset: int = 0,
    ) -> list[BoardRow]:  # fmt: skip
        key = (period_key(period, now), room, category, limit, offset)
        if key not in self._boards:
            start, end = period_bounds(period, now)
            self._boards[key] = await self._store.board(
                start=start, end=end, room=room, category=category, limit=limit, offset=offset
            )
        return self._boards[key]

    async def position(
        self, visitor_id: str, period: Period, now: datetime, *, room: str | None,
        category: str | None,
    ) -> tuple[int, BoardRow] | None:  # fmt: skip
        start, end = period_bounds(period, now)
        return await self._store.board_position(
            visitor_id, start=start, end=end, room=room, category=category
        )


def _member(raw: bytes | str) -> str:
    return raw.decode() if isinstance(raw, bytes) else raw


def _inverted_second(at: datetime) -> int:
    return leaderboard_score(0, at)


class RedisLeaderboards:
    def __init__(self, redis: Redis, store: Store) -> None:
        self._redis = redis
        self._store = store
        self._add = redis.register_script(ADD_LUA)

    @staticmethod
    def _key(board: Board) -> str:
        return keys.leaderboard(board.key, room=board.room, category=board.category)

    async def record(self, entries: Sequence[LedgerEntry]) -> None:
        for entry in entries:
            if entry.active and entry.points:
                boards = [self._key(b) for b in boards_for(entry)]
                await self._add(
                    keys=boards,
                    args=[entry.visitor_id, entry.points, _inverted_second(entry.created_at)],
                )

    async def recompute(self, entries: Sequence[LedgerEntry]) -> None:
        for visitor_id in {e.visitor_id for e in entries}:
            mine = await self._store.ledger_entries(visitor_id=visitor_id)
            # Each board with a moment inside its period (the entry's own time).
            boards = {b: e.created_at for e in entries if e.visitor_id == visitor_id
                      for b in boards_for(e)}  # fmt: skip
            async with self._redis.pipeline(transaction=True) as pipe:
                for board, at in boards.items():
                    totals = tally(mine, board.period, at, room=board.room, category=board.category)
                    if visitor_id in totals:
                        points, reached = totals[visitor_id]
                        pipe.zadd(
                            self._key(board), {visitor_id: leaderboard_score(points, reached)}
                        )
                    else:
                        pipe.zrem(self._key(board), visitor_id)
                await pipe.execute()

    async def top(
        self, period: Period, now: datetime, *, room: str | None, category: str | None,
        limit: int, offset: int = 0,
    ) -> list[BoardRow]:  # fmt: skip
        key = keys.leaderboard(period_key(period, now), room=room, category=category)
        banned = await self._store.disqualified()
        rows: list[BoardRow] = []
        start = 0
        wanted = offset + limit
        while len(rows) < wanted:
            stop = start + wanted + len(banned) - 1
            chunk: list[tuple[bytes, float]] = await self._redis.zrevrange(  # type: ignore[assignment]
                key, start, stop, withscores=True
            )
            if not chunk:
                break
            for member, score in chunk:
                visitor_id = _member(member)
                if visitor_id in banned:
                    continue
                points, reached = decode_leaderboard_score(score)
                rows.append(BoardRow(visitor_id, points, reached))
            start += len(chunk)
        return rows[offset:wanted]

    async def position(
        self, visitor_id: str, period: Period, now: datetime, *, room: str | None,
        category: str | None,
    ) -> tuple[int, BoardRow] | None:  # fmt: skip
        banned = await self._store.disqualified()
        if visitor_id in banned:
            return None
        key = keys.leaderboard(period_key(period, now), room=room, category=category)
        score = await self._redis.zscore(key, visitor_id)
        if score is None:
            return None
        ahead = await self._redis.zcount(key, f"({score}", "+inf")
        if banned:  # disqualified people ahead do not count
            scores = await self._redis.zmscore(key, list(banned))
            ahead -= sum(1 for s in scores if s is not None and s > score)
        points, reached = decode_leaderboard_score(score)
        # Equal scores (same points, same second) are ordered by member descending.
        same: list[bytes] = await self._redis.zrangebyscore(key, score, score)  # type: ignore[assignment]
        ahead += sum(1 for m in same if _member(m) > visitor_id and _member(m) not in banned)
        return ahead + 1, BoardRow(visitor_id, points, reached)

    async def rebuild(self) -> int:
        """Drop every board and replay the whole ledger into them. Returns entries replayed."""
        async for key in self._redis.scan_iter(match=keys.leaderboard_pattern(), count=500):
            await self._redis.delete(key)
        replayed = 0
        after: str | None = None
        while True:
            page = await self._store.ledger_page(after, 1000)
            if not page:
                return replayed
            await self.record(page)
            replayed += len(page)
            after = page[-1].id
