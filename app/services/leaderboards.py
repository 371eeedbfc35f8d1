"""Leaderboards: the port the rewards service uses, and the store's own boards.

Both implementations (this one, and Redis sorted sets in `app/adapters/redis_leaderboards.py`
when Redis is configured) give the order of `rewards.leaderboard` (points desc, earlier
achiever first, then visitor id desc) for one kept bucket (`rewards.leaderboard.Board`). The
store keeps a total per bucket and visitor, updated in the ledger's own transaction, so
without Redis there is nothing more to do here.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from app.store.port import BoardsStore
from rewards.leaderboard import Board, BoardRow
from rewards.ledger import LedgerEntry


class Leaderboards(Protocol):
    async def record(self, entries: Sequence[LedgerEntry]) -> None:
        """Entries the store just appended (in its effective view)."""

    async def recompute(self, entries: Sequence[LedgerEntry]) -> None:
        """Entries whose revocation state the store just changed."""

    async def top(self, board: Board, *, limit: int, offset: int = 0) -> list[BoardRow]: ...

    async def position(self, visitor_id: str, board: Board) -> tuple[int, BoardRow] | None: ...

    async def rebuild(self) -> int:
        """Recompute the boards from the ledger. Returns the (board, visitor) rows kept."""

    async def forget(self, visitor_id: str) -> None:
        """An erased visitor leaves every board (the store already disqualified them)."""


class StoreLeaderboards:
    """No Redis: the store's per-bucket totals are the boards (kept in its ledger
    transactions), so writes need nothing more and reads go straight to it."""

    def __init__(self, store: BoardsStore) -> None:
        self._store = store

    async def record(self, entries: Sequence[LedgerEntry]) -> None:
        pass

    async def recompute(self, entries: Sequence[LedgerEntry]) -> None:
        pass

    async def top(self, board: Board, *, limit: int, offset: int = 0) -> list[BoardRow]:
        return await self._store.board(board, limit=limit, offset=offset)

    async def position(self, visitor_id: str, board: Board) -> tuple[int, BoardRow] | None:
        return await self._store.board_position(visitor_id, board)

    async def rebuild(self) -> int:
        return await self._store.rebuild_boards()

    async def forget(self, visitor_id: str) -> None:
        pass  # the store's boards leave disqualified visitors out at read time
