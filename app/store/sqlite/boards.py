"""Leaderboards kept as totals per bucket, and who is left off them (disqualified).

Boards are kept as totals per bucket (`board_totals`: one row per `rewards.leaderboard.Board`
id and visitor, `reached_at` to the whole second), written in the same transaction as the
ledger: a new active entry adds its points to each of its `boards_for` buckets, a
revocation or restore shifts the flipped entries' buckets by their points, and a visitor
with more than RECOUNT_OVER flips at once (a ban) is recomputed from their entries
(`rewards.leaderboard.totals_by_board`); the rebuild does the same for everyone, 500
visitors per transaction. A board read walks the index
`(board, points DESC, reached_at, visitor_id DESC)`, the order of `rewards.leaderboard.order`
(BINARY collation compares UTF-8 bytes, as the reference does), so it costs the rows it
returns: the aggregate over the ledger it replaces took 1.6 s at a million entries
(bench/leaderboards.md). Disqualified visitors are left out at read time.
A database opened without finished totals (`meta.boards` != 'ready') is filled when the
store opens.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from app.store.sqlite.base import SqliteBase
from app.store.sqlite.ledger_rows import (
    LEDGER_COLUMNS,
    chunks,
    entry_from,
    parse_stamp,
    placeholders,
    stamp,
)
from app.store.sqlite.writer import WriterConnection
from rewards.leaderboard import Board, BoardRow, boards_for, totals_by_board
from rewards.ledger import LedgerEntry
from rewards.periods import period_bounds

ALL_TIME_ID = Board("all", "all").id  # the all-time global board: everyone's total
# Above this many flips for one visitor at once (a ban), recompute their buckets instead.
RECOUNT_OVER = 50
REBUILD_VISITORS = 500  # visitors per rebuild transaction (~0.7 s at 1M entries)
SET_BOARDS_STATE_SQL = (
    "INSERT INTO meta (key, value) VALUES ('boards', ?)"
    " ON CONFLICT (key) DO UPDATE SET value = excluded.value"
)
NOT_DISQUALIFIED = "visitor_id NOT IN (SELECT visitor_id FROM disqualified)"
ADD_TO_BOARD_SQL = (
    "INSERT INTO board_totals (board, visitor_id, points, reached_at) VALUES (?, ?, ?, ?)"
    " ON CONFLICT (board, visitor_id) DO UPDATE SET points = points + excluded.points,"
    " reached_at = max(reached_at, excluded.reached_at)"
)
SET_ON_BOARD_SQL = (
    "INSERT INTO board_totals (board, visitor_id, points, reached_at) VALUES (?, ?, ?, ?)"
    " ON CONFLICT (board, visitor_id) DO UPDATE SET points = excluded.points,"
    " reached_at = excluded.reached_at"
)


def _second(value: datetime) -> str:
    """A board's reached_at: the whole second, as text that sorts as time."""
    return stamp(value)[:19]


def board_rows(e: LedgerEntry) -> list[tuple[str, str, int, str]]:
    """What a new (or restored) active entry adds: its points on each of its buckets."""
    if e.points <= 0:
        return []
    return [(b.id, e.visitor_id, e.points, _second(e.created_at)) for b in boards_for(e)]


def _board_row(row: sqlite3.Row) -> BoardRow:
    return BoardRow(row["visitor_id"], row["points"], parse_stamp(row["reached_at"] + "+00:00"))


def _check_window(limit: int, offset: int) -> None:
    if limit < 0 or offset < 0:
        raise ValueError("limit and offset must not be negative")


class SqliteBoards(SqliteBase):
    """Per-board totals: the shifts the ledger's transactions make, reads, rebuilds."""

    async def _shift_boards(self, db: WriterConnection, flipped: list[LedgerEntry]) -> None:
        """Move the buckets of entries that were just revoked or restored.

        Restored entries add to their buckets like new ones; revoked ones subtract, rows
        that reach 0 go, and `reached_at` is looked up again only where a revoked entry was
        the latest. A few statements per visitor (executemany), whatever the flips. A visitor
        with many flips at once (a ban) is recomputed from their remaining entries instead.
        """
        by_visitor: dict[str, list[LedgerEntry]] = {}
        for e in flipped:
            by_visitor.setdefault(e.visitor_id, []).append(e)
        for visitor_id, mine in by_visitor.items():
            if len(mine) > RECOUNT_OVER:
                await self._recount(db, visitor_id, {b.id for e in mine for b in boards_for(e)})
                continue
            restored = [row for e in mine if e.active for row in board_rows(e)]
            await db.executemany(ADD_TO_BOARD_SQL, restored)
            await self._take_off(db, visitor_id, [e for e in mine if not e.active])

    @staticmethod
    async def _take_off(db: WriterConnection, visitor_id: str, revoked: list[LedgerEntry]) -> None:
        """Subtract one visitor's revoked entries from their buckets (the ledger already
        says they are revoked, so a `reached_at` looked up here is the final one)."""
        taken: dict[str, int] = {}
        seconds: dict[str, set[str]] = {}  # board id -> the revoked entries' seconds
        boards: dict[str, tuple[Board, datetime]] = {}
        for e in revoked:
            for board in boards_for(e):
                taken[board.id] = taken.get(board.id, 0) + e.points
                seconds.setdefault(board.id, set()).add(_second(e.created_at))
                boards[board.id] = (board, e.created_at)
        if not taken:
            return
        await db.executemany(
            "UPDATE board_totals SET points = points - ? WHERE board = ? AND visitor_id = ?",
            [(points, board_id, visitor_id) for board_id, points in taken.items()],
        )
        await db.execute(
            "DELETE FROM board_totals WHERE visitor_id = ? AND points <= 0", (visitor_id,)
        )
        async with db.execute(
            "SELECT board, reached_at FROM board_totals"
            f" WHERE visitor_id = ? AND board IN ({placeholders(len(taken))})",
            (visitor_id, *taken),
        ) as cur:
            stale = [
                r["board"] for r in await cur.fetchall() if r["reached_at"] in seconds[r["board"]]
            ]
        for board_id in stale:
            board, at = boards[board_id]
            sql = (
                "SELECT MAX(created_at) AS latest FROM ledger WHERE visitor_id = ?"
                " AND revoked_at IS NULL AND points > 0"
            )
            params: list[Any] = [visitor_id]
            start, end = period_bounds(board.period, at)
            for term, value in (
                ("created_at >= ?", start and stamp(start)),
                ("created_at < ?", end and stamp(end)),
                ("room = ?", board.room),
                ("category = ?", board.category),
            ):
                if value is not None:
                    sql += f" AND {term}"
                    params.append(value)
            async with db.execute(sql, tuple(params)) as cur:
                found = await cur.fetchone()
            if found is not None and found["latest"] is not None:
                await db.execute(
                    "UPDATE board_totals SET reached_at = ? WHERE board = ? AND visitor_id = ?",
                    (found["latest"][:19], board_id, visitor_id),
                )

    @staticmethod
    async def _recount(db: WriterConnection, visitor_id: str, board_ids: set[str]) -> None:
        """Recompute these buckets of one visitor from all their active entries."""
        async with db.execute(
            f"SELECT {LEDGER_COLUMNS} FROM ledger"
            " WHERE visitor_id = ? AND revoked_at IS NULL AND points > 0",
            (visitor_id,),
        ) as cur:
            mine = [entry_from(r) for r in await cur.fetchall()]
        totals = totals_by_board(mine)
        kept = [(b, totals[(b, visitor_id)]) for b in board_ids if (b, visitor_id) in totals]
        await db.executemany(
            SET_ON_BOARD_SQL,
            [(b, visitor_id, points, _second(at)) for b, (points, at) in kept],
        )
        await db.executemany(
            "DELETE FROM board_totals WHERE board = ? AND visitor_id = ?",
            [(b, visitor_id) for b in board_ids if (b, visitor_id) not in totals],
        )

    # boards ------------------------------------------------------------------------------
    async def board(self, board: Board, *, limit: int = 50, offset: int = 0) -> list[BoardRow]:
        _check_window(limit, offset)
        if limit == 0:
            return []
        rows = await self._read_all(
            "SELECT visitor_id, points, reached_at FROM board_totals"
            f" WHERE board = ? AND {NOT_DISQUALIFIED}"
            " ORDER BY points DESC, reached_at, visitor_id DESC LIMIT ? OFFSET ?",
            (board.id, limit, offset),
        )
        return [_board_row(r) for r in rows]

    async def board_position(self, visitor_id: str, board: Board) -> tuple[int, BoardRow] | None:
        """The visitor's row (primary key), then the rows ahead of it counted on the order
        index: those with more points, then those with as many reached earlier or tied
        with a greater id. The count walks the rows ahead (no counts in SQLite B-trees).
        Two reads: points awarded in between must not put the visitor behind themselves,
        so their own row is never counted."""
        mine = await self._read_one(
            "SELECT visitor_id, points, reached_at FROM board_totals"
            f" WHERE board = ? AND visitor_id = ? AND {NOT_DISQUALIFIED}",
            (board.id, visitor_id),
        )
        if mine is None:
            return None
        points, reached = mine["points"], mine["reached_at"]
        ahead = await self._read_one(
            "SELECT (SELECT COUNT(*) FROM board_totals"
            f"  WHERE board = ?1 AND points > ?2 AND visitor_id != ?4 AND {NOT_DISQUALIFIED})"
            " + (SELECT COUNT(*) FROM board_totals WHERE board = ?1 AND points = ?2"
            f"  AND (reached_at < ?3 OR (reached_at = ?3 AND visitor_id > ?4))"
            f"  AND {NOT_DISQUALIFIED}) AS n",
            (board.id, points, reached, visitor_id),
        )
        return ahead["n"] + 1, _board_row(mine)

    async def board_rows_of(self, visitor_id: str) -> dict[str, BoardRow]:
        rows = await self._read_all(
            "SELECT board, visitor_id, points, reached_at FROM board_totals WHERE visitor_id = ?",
            (visitor_id,),
        )
        return {r["board"]: _board_row(r) for r in rows}

    async def board_page(
        self, after: tuple[str, str] | None, limit: int
    ) -> list[tuple[str, BoardRow]]:
        _check_window(limit, 0)
        board, visitor = after if after is not None else ("", "")
        rows = await self._read_all(
            "SELECT board, visitor_id, points, reached_at FROM board_totals"
            " WHERE (board, visitor_id) > (?, ?) ORDER BY board, visitor_id LIMIT ?",
            (board, visitor, limit),
        )
        return [(r["board"], _board_row(r)) for r in rows]

    async def rebuild_boards(self) -> int:
        """Recompute the totals visitor by visitor, REBUILD_VISITORS per transaction: each
        visitor's rows are replaced in the same transaction that reads their entries, so a
        concurrent award lands before or after it, never lost or counted twice, and other
        writers (another process) wait one short transaction, not the whole rebuild."""
        kept = 0
        after = ""
        await self._set_boards_state("filling")
        while True:
            last = await self._read_one(
                "SELECT MAX(visitor_id) AS last FROM (SELECT DISTINCT visitor_id FROM ledger"
                " WHERE visitor_id > ? ORDER BY visitor_id LIMIT ?)",
                (after, REBUILD_VISITORS),
            )
            async with self._transaction(bulk=True) as db:  # ~0.7 s at 1M entries
                if last["last"] is None:  # past the last visitor: drop rows of nobody
                    await db.execute("DELETE FROM board_totals WHERE visitor_id > ?", (after,))
                    await db.execute(SET_BOARDS_STATE_SQL, ("ready",))
                    return kept
                kept += await self._rebuild_range(db, after, last["last"])
            after = last["last"]

    @staticmethod
    async def _rebuild_range(db: WriterConnection, after: str, last: str) -> int:
        """Replace the totals of the visitors in (after, last] from their active entries."""
        await db.execute(
            "DELETE FROM board_totals WHERE visitor_id > ? AND visitor_id <= ?", (after, last)
        )
        async with db.execute(
            f"SELECT {LEDGER_COLUMNS} FROM ledger WHERE visitor_id > ? AND visitor_id <= ?"
            " AND revoked_at IS NULL AND points > 0",
            (after, last),
        ) as cur:
            entries = [entry_from(row) for row in await cur.fetchall()]
        rows = [
            (board, visitor, points, _second(at))
            for (board, visitor), (points, at) in totals_by_board(entries).items()
        ]
        await db.executemany(
            "INSERT INTO board_totals (board, visitor_id, points, reached_at) VALUES (?, ?, ?, ?)",
            rows,
        )
        return len(rows)

    async def _set_boards_state(self, state: str) -> None:
        async with self._transaction() as db:
            await db.execute(SET_BOARDS_STATE_SQL, (state,))

    async def _fill_boards_if_missing(self) -> None:
        """Fill the totals unless a rebuild finished: a database from before they existed,
        or one whose rebuild was cut off (it commits visitor by visitor, so a killed rebuild
        leaves some visitors filled; `meta.boards` says 'ready' only at its very end)."""
        row = await self._read_one(
            "SELECT (SELECT value FROM meta WHERE key = 'boards') AS state,"
            " EXISTS (SELECT 1 FROM ledger WHERE revoked_at IS NULL AND points > 0) AS owed",
            (),
        )
        if row["state"] == "ready":
            return
        if row["owed"]:
            await self.rebuild_boards()
        else:
            await self._set_boards_state("ready")

    async def open(self) -> None:
        await super().open()
        await self._fill_boards_if_missing()

    async def points_totals(self, visitor_ids: Sequence[str]) -> dict[str, int]:
        """Every requested visitor id -> all-time active points (0 without any): their row
        on the all-time global board (entries are never negative), one key look-up each."""
        wanted = list(dict.fromkeys(visitor_ids))
        totals = dict.fromkeys(wanted, 0)
        for ids in chunks(wanted):
            rows = await self._read_all(
                "SELECT visitor_id, points FROM board_totals"
                f" WHERE board = ? AND visitor_id IN ({placeholders(len(ids))})",
                (ALL_TIME_ID, *ids),
            )
            totals.update((r["visitor_id"], r["points"]) for r in rows)
        return totals

    # disqualification --------------------------------------------------------------------
    async def set_disqualified(self, visitor_id: str, disqualified: bool) -> None:
        async with self._transaction() as db:
            if disqualified:
                await db.execute(
                    "INSERT INTO disqualified (visitor_id, at) VALUES (?, ?)"
                    " ON CONFLICT (visitor_id) DO NOTHING",
                    (visitor_id, stamp(datetime.now(UTC))),
                )
            else:
                await db.execute("DELETE FROM disqualified WHERE visitor_id = ?", (visitor_id,))

    async def disqualified(self) -> set[str]:
        rows = await self._read_all("SELECT visitor_id FROM disqualified", ())
        return {r["visitor_id"] for r in rows}
