"""Leaderboards as Redis sorted sets (several processes share them).

Redis keeps one sorted set per bucket, scored with `rewards.leaderboard_score`; each new
ledger entry adds to its buckets through a Lua script (concurrent writers never lose an
update), and a revocation resets the touched visitors from the store's totals. `rebuild`
recomputes the store's totals from the ledger and copies them into fresh sets that replace
the live ones at once. Implements `app.services.leaderboards.Leaderboards`.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence

from redis.asyncio import Redis

from app import keys
from app.store.port import RewardsStore
from rewards.leaderboard import (
    Board,
    BoardRow,
    boards_for,
    decode_leaderboard_score,
    leaderboard_score,
)
from rewards.ledger import LedgerEntry

# KEYS: rebuild marker, touched set, then the board sets; ARGV: member, points,
# inverted second of the entry (see leaderboard_score).
ADD_LUA = """
local member, add, inv = ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3])
if redis.call('EXISTS', KEYS[1]) == 1 then redis.call('SADD', KEYS[2], member) end
for i = 3, #KEYS do
  local old = redis.call('ZSCORE', KEYS[i], member)
  local points, oldinv = 0, inv
  if old then
    old = tonumber(old)
    points = math.floor(old / 4294967296)
    oldinv = old - points * 4294967296
  end
  redis.call('ZADD', KEYS[i], (points + add) * 4294967296 + math.min(oldinv, inv), member)
end
return 1
"""
COPY_PAGE = 5_000  # store rows per Redis round trip while rebuilding
REBUILD_TTL = 3_600  # seconds the rebuild marker outlives a crashed rebuild


def _member(raw: bytes | str) -> str:
    return raw.decode() if isinstance(raw, bytes) else raw


def _inverted_second(entry: LedgerEntry) -> int:
    return leaderboard_score(0, entry.created_at)


def _score(row: BoardRow) -> int:
    return leaderboard_score(row.points, row.reached_at)


class RedisLeaderboards:
    def __init__(self, redis: Redis, store: RewardsStore) -> None:
        self._redis = redis
        self._store = store
        self._add = redis.register_script(ADD_LUA)

    async def record(self, entries: Sequence[LedgerEntry]) -> None:
        for entry in entries:
            if entry.active and entry.points:
                boards = [keys.leaderboard(b.id) for b in boards_for(entry)]
                await self._add(
                    keys=[keys.leaderboard_rebuilding(), keys.leaderboard_touched(), *boards],
                    args=[entry.visitor_id, entry.points, _inverted_second(entry)],
                )

    async def recompute(self, entries: Sequence[LedgerEntry]) -> None:
        """The store has recomputed these visitors' totals: copy them over."""
        touched: dict[str, set[str]] = defaultdict(set)
        for e in entries:
            touched[e.visitor_id].update(b.id for b in boards_for(e))
        if touched and await self._redis.exists(keys.leaderboard_rebuilding()):
            await self._redis.sadd(keys.leaderboard_touched(), *touched)
        for visitor_id, board_ids in touched.items():
            await self._reset(visitor_id, board_ids)

    async def _reset(
        self, visitor_id: str, board_ids: Iterable[str], *, all_rows: bool = False
    ) -> None:
        """Set one visitor's score on these boards (and on every board they have a row on,
        with `all_rows`) to the store's totals, or remove it."""
        rows = await self._store.board_rows_of(visitor_id)
        async with self._redis.pipeline(transaction=True) as pipe:
            for board_id in {*board_ids, *rows} if all_rows else set(board_ids):
                row = rows.get(board_id)
                if row is not None:
                    pipe.zadd(keys.leaderboard(board_id), {visitor_id: _score(row)})
                else:
                    pipe.zrem(keys.leaderboard(board_id), visitor_id)
            await pipe.execute()

    async def forget(self, visitor_id: str) -> None:
        """Remove the visitor from every board they have a row on."""
        rows = await self._store.board_rows_of(visitor_id)
        async with self._redis.pipeline(transaction=True) as pipe:
            for board_id in rows:
                pipe.zrem(keys.leaderboard(board_id), visitor_id)
            await pipe.execute()

    async def top(self, board: Board, *, limit: int, offset: int = 0) -> list[BoardRow]:
        key = keys.leaderboard(board.id)
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

    async def position(self, visitor_id: str, board: Board) -> tuple[int, BoardRow] | None:
        banned = await self._store.disqualified()
        if visitor_id in banned:
            return None
        key = keys.leaderboard(board.id)
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
        """Recompute the store's totals, copy them into fresh sets, then swap those in.

        The live boards keep serving meanwhile and are replaced in one MULTI (RENAME per
        board, stale boards deleted). Writers that run during the copy note their visitors
        (the marker key), and those visitors are reset from the store after the swap.
        """
        kept = await self._store.rebuild_boards()
        await self._redis.set(keys.leaderboard_rebuilding(), 1, ex=REBUILD_TTL)
        await self._redis.delete(keys.leaderboard_touched())
        await self._delete_matching(keys.leaderboard_rebuild_pattern())
        built = await self._copy_totals()
        stale = [
            _member(key)
            async for key in self._redis.scan_iter(match=keys.leaderboard_pattern(), count=1000)
            if _member(key).removeprefix(keys.leaderboard("")) not in built
        ]
        async with self._redis.pipeline(transaction=True) as pipe:
            for board_id in built:
                pipe.rename(keys.leaderboard_rebuild(board_id), keys.leaderboard(board_id))
            if stale:
                pipe.delete(*stale)
            pipe.delete(keys.leaderboard_rebuilding())
            await pipe.execute()
        # A write that straddles the swap itself (its store commit read by the copy, its
        # Redis add after the MULTI) would count twice: a window of one write's latency.
        touched: set[bytes] = await self._redis.smembers(keys.leaderboard_touched())  # type: ignore[assignment]
        await self._redis.delete(keys.leaderboard_touched())
        for visitor_id in touched:
            await self._reset(_member(visitor_id), built, all_rows=True)
        return kept

    async def _copy_totals(self) -> set[str]:
        """Every store total into `keys.leaderboard_rebuild` sets; returns the board ids."""
        built: set[str] = set()
        after: tuple[str, str] | None = None
        while page := await self._store.board_page(after, COPY_PAGE):
            by_board: dict[str, dict[str, int]] = defaultdict(dict)
            for board_id, row in page:
                by_board[board_id][row.visitor_id] = _score(row)
            async with self._redis.pipeline(transaction=False) as pipe:
                for board_id, scores in by_board.items():
                    pipe.zadd(keys.leaderboard_rebuild(board_id), scores)
                await pipe.execute()
            built.update(by_board)
            board_id, last = page[-1]
            after = (board_id, last.visitor_id)
        return built

    async def _delete_matching(self, pattern: str) -> None:
        async for key in self._redis.scan_iter(match=pattern, count=1000):
            await self._redis.delete(key)
