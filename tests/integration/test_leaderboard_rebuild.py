"""`rebuild` recomputes the boards from the ledger and swaps them in whole: wrong or stray
Redis boards are replaced, the live boards keep serving until the swap, and a point earned
while the copy runs counts exactly once. Real redis-server, real SQLite store."""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from redis.asyncio import Redis

from app import keys
from app.adapters.redis_leaderboards import RedisLeaderboards
from app.store.sqlite import SqliteStore
from rewards.leaderboard import Board, BoardRow, board_for
from rewards.ledger import LedgerEntry, Revocation
from rewards.rules import Reason, RevokeReason

NOW = datetime.now(UTC)
REBUILD_DB = 14  # the other Redis tests pick databases by hash; this one is emptied after


def points(n: int, visitor: str, value: int, room: str = "montre", minutes: int = 0) -> LedgerEntry:
    return LedgerEntry(
        id=f"e{n}", visitor_id=visitor, person=f"visitor:{visitor}", points=value,
        reason=Reason.HELPFUL_VOTE, rule="test", ref_kind="message", ref_id=f"m{n}",
        thread_id="t1", room=room, category="montres", giver_id=None, giver_person=None,
        lang="fr", note=None, created_at=NOW - timedelta(minutes=minutes),
    )  # fmt: skip


class PausingStore(SqliteStore):
    """The real store, with a hook run once when the rebuild starts copying its totals:
    how a test makes a live write land in the middle of a rebuild."""

    during_copy: Callable[[], Awaitable[None]] | None = None

    async def board_page(
        self, after: tuple[str, str] | None, limit: int
    ) -> list[tuple[str, BoardRow]]:
        hook, self.during_copy = self.during_copy, None
        page = await super().board_page(after, limit)
        if hook is not None:
            await hook()
        return page


@pytest.fixture
async def redis(redis_url: str) -> AsyncIterator[Redis]:
    client = Redis.from_url(redis_url.rsplit("/", 1)[0] + f"/{REBUILD_DB}")
    await client.flushdb()
    yield client
    await client.flushdb()
    await client.aclose()


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[PausingStore]:
    opened = PausingStore(str(tmp_path / "boards.db"))
    await opened.open()
    yield opened
    await opened.close()


async def earn(store: SqliteStore, boards: RedisLeaderboards, entries: list[LedgerEntry]) -> None:
    """What the rewards service does: append to the ledger, then add to the boards."""
    await boards.record(await store.add_ledger_entries(entries))


BOARDS: list[Board] = [
    board_for(period, NOW, room=room)
    for period in ("week", "month", "all")
    for room in (None, "montre", "sac")
]


async def redis_boards(boards: RedisLeaderboards) -> list[list[Any]]:
    return [await boards.top(b, limit=100) for b in BOARDS]


async def store_boards(store: SqliteStore) -> list[list[Any]]:
    return [await store.board(b, limit=100) for b in BOARDS]


async def test_rebuild_replaces_wrong_and_stray_boards_with_the_ledger(
    store: PausingStore, redis: Redis
) -> None:
    boards = RedisLeaderboards(redis, store)
    await earn(store, boards, [points(1, "ana", 5), points(2, "bob", 15, room="sac"),
                               points(3, "ana", 10, minutes=2), points(4, "chloé", 5)])  # fmt: skip
    await store.add_revocations([Revocation("e4", NOW, RevokeReason.CONTENT_HIDDEN)])
    await boards.recompute([points(4, "chloé", 5)])
    right = await store_boards(store)
    assert await redis_boards(boards) == right
    # all-time: 15 points each in the same second, so the greater id first (as in Redis)
    assert right[6] == [BoardRow("bob", 15, NOW.replace(microsecond=0)),
                        BoardRow("ana", 15, NOW.replace(microsecond=0))]  # fmt: skip

    # Boards gone wrong: a phantom contributor, a lost board, a board for nothing.
    await redis.zadd(keys.leaderboard(BOARDS[6].id), {"ghost": 10**12})
    await redis.delete(keys.leaderboard(BOARDS[1].id))
    stray = keys.leaderboard("week:2020-W01:all")
    await redis.zadd(stray, {"ana": 1})
    assert await redis_boards(boards) != right

    assert await boards.rebuild() == 18  # ana: 9 buckets, bob: 9 (chloé's are revoked)
    assert await redis_boards(boards) == right
    assert not await redis.exists(stray)
    assert not [k async for k in redis.scan_iter(match=keys.leaderboard_rebuild_pattern())]
    assert not await redis.exists(keys.leaderboard_rebuilding(), keys.leaderboard_touched())


async def test_a_point_earned_while_the_rebuild_copies_counts_once(
    store: PausingStore, redis: Redis
) -> None:
    boards = RedisLeaderboards(redis, store)
    await earn(store, boards, [points(1, "ana", 5), points(2, "bob", 7)])
    seen_live: list[list[BoardRow]] = []

    async def meanwhile() -> None:
        # The live boards still serve during the copy, and a vote lands for each.
        seen_live.append(await boards.top(BOARDS[6], limit=10))
        await earn(store, boards, [points(3, "bob", 5), points(4, "zoé", 2)])
        await store.add_revocations([Revocation("e1", NOW, RevokeReason.CONTENT_HIDDEN)])
        await boards.recompute([points(1, "ana", 5)])

    store.during_copy = meanwhile
    await boards.rebuild()
    assert seen_live == [[BoardRow("bob", 7, NOW.replace(microsecond=0)),
                          BoardRow("ana", 5, NOW.replace(microsecond=0))]]  # fmt: skip
    assert await redis_boards(boards) == await store_boards(store)
    assert [(r.visitor_id, r.points) for r in await boards.top(BOARDS[6], limit=10)] == [
        ("bob", 12),
        ("zoé", 2),
    ]
    # and later writes keep adding to the swapped-in boards
    await earn(store, boards, [dataclasses.replace(points(5, "zoé", 15), room="sac")])
    assert await redis_boards(boards) == await store_boards(store)
