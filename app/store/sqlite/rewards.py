"""The points ledger, its revocation records, disqualifications and the board queries.

`ledger` holds every `LedgerEntry` field, keyed by the entry id (a replayed or racing award
lands once), plus the *mirrored* effective state (`revoked_at`, `revoked_reason`).
`revocations` is the append-only record of revocations and restores; its rowid (`pos`) is
the append order. `add_revocations` appends records and recomputes the mirror of the
touched entries with `rewards.ledger.apply_revocations` in the same transaction, so a read
always sees the effective view.

Ledger timestamps are stored in one fixed format (`stamp`: UTC, microseconds, `+00:00`),
so text order is time order and `substr(t, 1, 19)` is the whole second the boards compare.

`board` and `board_position` implement `rewards.leaderboard.tally` + `order` in SQL: sum of
active, non-zero points per visitor in [start, end) and the scope, disqualified visitors
left out; points desc, reached_at to the second asc, visitor id desc (BINARY collation
compares UTF-8 bytes, as the reference does). The board reads partial covering indexes
over active, non-zero entries.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

import aiosqlite

from app.store.port import BoardRow
from app.store.sqlite.base import SqliteBase
from rewards.ledger import LedgerEntry, Revocation, apply_revocations, require_aware


def _marks(n: int) -> str:
    return ", ".join("?" * n)


LEDGER_FIELDS = (
    "id", "visitor_id", "person", "points", "reason", "rule", "ref_kind", "ref_id",
    "thread_id", "room", "category", "giver_id", "giver_person", "lang", "note", "created_at",
    "revoked_at", "revoked_reason",
)  # fmt: skip
LEDGER_COLUMNS = ", ".join(LEDGER_FIELDS)
INSERT_ENTRY_SQL = (
    f"INSERT INTO ledger ({LEDGER_COLUMNS}) VALUES ({_marks(len(LEDGER_FIELDS))})"
    " ON CONFLICT (id) DO NOTHING"
)
# A board's rows: the same terms as the partial indexes' WHERE, so the planner may use them.
BOARD_WHERE = (
    "revoked_at IS NULL AND points > 0 AND visitor_id NOT IN (SELECT visitor_id FROM disqualified)"
)
# Bound parameters per statement stay far below SQLite's limit.
CHUNK = 500


def stamp(value: datetime) -> str:
    """The one ledger timestamp format: fixed width, so text order is time order."""
    return require_aware("timestamp", value).isoformat(timespec="microseconds")


def _stamp_or_none(value: datetime | None) -> str | None:
    return stamp(value) if value is not None else None


def _parse(value: str) -> datetime:
    return datetime.fromisoformat(value).astimezone(UTC)


def _chunks(values: Sequence[str]) -> Iterable[Sequence[str]]:
    for start in range(0, len(values), CHUNK):
        yield values[start : start + CHUNK]


def _cleared(e: LedgerEntry) -> LedgerEntry:
    return replace(e, revoked_at=None, revoked_reason=None)


def entry_from(row: sqlite3.Row) -> LedgerEntry:
    return LedgerEntry(
        id=row["id"],
        visitor_id=row["visitor_id"],
        person=row["person"],
        points=row["points"],
        reason=row["reason"],
        rule=row["rule"],
        ref_kind=row["ref_kind"],
        ref_id=row["ref_id"],
        thread_id=row["thread_id"],
        room=row["room"],
        category=row["category"],
        giver_id=row["giver_id"],
        giver_person=row["giver_person"],
        lang=row["lang"],
        note=row["note"],
        created_at=_parse(row["created_at"]),
        revoked_at=_parse(row["revoked_at"]) if row["revoked_at"] is not None else None,
        revoked_reason=row["revoked_reason"],
    )


def entry_values(e: LedgerEntry) -> tuple[Any, ...]:
    """A new row: the effective state starts clear; only revocation records set it."""
    return (
        e.id, e.visitor_id, e.person, e.points, e.reason.value, e.rule, e.ref_kind, e.ref_id,
        e.thread_id, e.room, e.category, e.giver_id, e.giver_person, e.lang, e.note,
        stamp(e.created_at), None, None,
    )  # fmt: skip


def _revocation_from(row: sqlite3.Row) -> Revocation:
    return Revocation(
        entry_id=row["entry_id"],
        at=_parse(row["at"]),
        reason=row["reason"],
        action=row["action"],
        by=row["by_id"],
    )


def _scope(
    start: datetime | None, end: datetime | None, room: str | None, category: str | None
) -> tuple[str, list[Any]]:
    """The period and scope terms of a board query (AND-ed after BOARD_WHERE)."""
    sql = ""
    params: list[Any] = []
    if start is not None:
        sql += " AND created_at >= ?"
        params.append(stamp(start))
    if end is not None:
        sql += " AND created_at < ?"
        params.append(stamp(end))
    if room is not None:
        sql += " AND room = ?"
        params.append(room)
    if category is not None:
        sql += " AND category = ?"
        params.append(category)
    return sql, params


def _check_window(limit: int, offset: int) -> None:
    if limit < 0 or offset < 0:
        raise ValueError("limit and offset must not be negative")


class SqliteRewards(SqliteBase):
    # ledger ------------------------------------------------------------------------------
    async def add_ledger_entries(self, entries: Sequence[LedgerEntry]) -> list[LedgerEntry]:
        """Append entries; an id already stored (or repeated in `entries`) is skipped.

        Returns the entries stored now, in the effective view (clear, unless revocation
        records for their ids were appended before them).
        """
        stored: list[LedgerEntry] = []
        async with self._transaction() as db:
            for entry in entries:
                async with db.execute(INSERT_ENTRY_SQL, entry_values(entry)) as cur:
                    if cur.rowcount == 1:
                        stored.append(entry)
            view = await self._refresh(db, [e.id for e in stored])
        return [view.get(e.id) or _cleared(e) for e in stored]

    async def add_revocations(self, records: Sequence[Revocation]) -> None:
        if not records:
            return
        async with self._transaction() as db:
            await db.executemany(
                "INSERT INTO revocations (entry_id, at, reason, action, by_id)"
                " VALUES (?, ?, ?, ?, ?)",
                [(r.entry_id, stamp(r.at), r.reason.value, r.action, r.by) for r in records],
            )
            await self._refresh(db, list(dict.fromkeys(r.entry_id for r in records)))

    @staticmethod
    async def _refresh(db: aiosqlite.Connection, entry_ids: list[str]) -> dict[str, LedgerEntry]:
        """Recompute the mirrored state of these entries from all their records.

        Entries without any record are left as they are (clear) and not returned.
        """
        view: dict[str, LedgerEntry] = {}
        for ids in _chunks(entry_ids):
            marks = _marks(len(ids))
            async with db.execute(
                f"SELECT entry_id, at, reason, action, by_id FROM revocations"
                f" WHERE entry_id IN ({marks}) ORDER BY pos",
                tuple(ids),
            ) as cur:
                records = [_revocation_from(r) for r in await cur.fetchall()]
            if not records:
                continue
            touched = list(dict.fromkeys(r.entry_id for r in records))
            async with db.execute(
                f"SELECT {LEDGER_COLUMNS} FROM ledger WHERE id IN ({_marks(len(touched))})",
                tuple(touched),
            ) as cur:
                entries = [entry_from(r) for r in await cur.fetchall()]
            effective = apply_revocations(entries, records)
            await db.executemany(
                "UPDATE ledger SET revoked_at = ?, revoked_reason = ? WHERE id = ?",
                [
                    (
                        _stamp_or_none(e.revoked_at),
                        e.revoked_reason.value if e.revoked_reason is not None else None,
                        e.id,
                    )
                    for e in effective
                ],
            )
            view.update((e.id, e) for e in effective)
        return view

    async def ledger_entries(
        self,
        *,
        visitor_id: str | None = None,
        person: str | None = None,
        giver_person: str | None = None,
        ref_ids: Sequence[str] | None = None,
        since: datetime | None = None,
        limit: int | None = None,
    ) -> list[LedgerEntry]:
        """Entries matching every given filter, oldest first (ties by id); `limit` keeps
        the newest `limit` of them."""
        if ref_ids is not None and not ref_ids:
            return []
        if limit is not None and limit <= 0:
            if limit < 0:
                raise ValueError("limit must not be negative")
            return []
        sql = f"SELECT {LEDGER_COLUMNS} FROM ledger WHERE 1 = 1"
        params: list[Any] = []
        for column, value in (
            ("visitor_id", visitor_id),
            ("person", person),
            ("giver_person", giver_person),
        ):
            if value is not None:
                sql += f" AND {column} = ?"
                params.append(value)
        if ref_ids is not None:
            wanted = list(dict.fromkeys(ref_ids))
            sql += f" AND ref_id IN ({_marks(len(wanted))})"
            params += wanted
        if since is not None:
            sql += " AND created_at >= ?"
            params.append(stamp(since))
        if limit is None:
            rows = await self._read_all(sql + " ORDER BY created_at, id", tuple(params))
        else:
            sql += " ORDER BY created_at DESC, id DESC LIMIT ?"
            rows = (await self._read_all(sql, (*params, limit)))[::-1]
        return [entry_from(r) for r in rows]

    async def ledger_page(self, after_id: str | None, limit: int) -> list[LedgerEntry]:
        if limit <= 0:
            if limit < 0:
                raise ValueError("limit must not be negative")
            return []
        if after_id is None:
            rows = await self._read_all(
                f"SELECT {LEDGER_COLUMNS} FROM ledger ORDER BY id LIMIT ?",
                (limit,),
            )
        else:
            rows = await self._read_all(
                f"SELECT {LEDGER_COLUMNS} FROM ledger WHERE id > ? ORDER BY id LIMIT ?",
                (after_id, limit),
            )
        return [entry_from(r) for r in rows]

    # boards ------------------------------------------------------------------------------
    async def board(
        self,
        *,
        start: datetime | None,
        end: datetime | None,
        room: str | None = None,
        category: str | None = None,
        limit: int = 50,
        offset: int = 0,
    ) -> list[BoardRow]:
        _check_window(limit, offset)
        if limit == 0:
            return []
        scope, params = _scope(start, end, room, category)
        rows = await self._read_all(
            "SELECT visitor_id, SUM(points) AS total, MAX(created_at) AS reached_at"
            f" FROM ledger WHERE {BOARD_WHERE}{scope}"
            " GROUP BY visitor_id HAVING total > 0"
            " ORDER BY total DESC, substr(reached_at, 1, 19), visitor_id DESC"
            " LIMIT ? OFFSET ?",
            (*params, limit, offset),
        )
        return [BoardRow(r["visitor_id"], r["total"], _parse(r["reached_at"])) for r in rows]

    async def board_position(
        self,
        visitor_id: str,
        *,
        start: datetime | None,
        end: datetime | None,
        room: str | None = None,
        category: str | None = None,
    ) -> tuple[int, BoardRow] | None:
        """The visitor's own row (index on visitor_id), then a count of the rows before it."""
        scope, params = _scope(start, end, room, category)
        mine = await self._read_one(
            "SELECT SUM(points) AS total, MAX(created_at) AS reached_at"
            f" FROM ledger WHERE visitor_id = ? AND {BOARD_WHERE}{scope}",
            (visitor_id, *params),
        )
        if mine is None or mine["total"] is None or mine["total"] <= 0:
            return None
        total, reached = mine["total"], mine["reached_at"]
        second = reached[:19]
        ahead = await self._read_one(
            "SELECT COUNT(*) AS n FROM ("
            " SELECT visitor_id, SUM(points) AS total,"
            " substr(MAX(created_at), 1, 19) AS second"
            f" FROM ledger WHERE {BOARD_WHERE}{scope} GROUP BY visitor_id"
            " HAVING total > ? OR (total = ? AND (second < ? OR (second = ? AND visitor_id > ?)))"
            ")",
            (*params, total, total, second, second, visitor_id),
        )
        return ahead["n"] + 1, BoardRow(visitor_id, total, _parse(reached))

    async def points_totals(self, visitor_ids: Sequence[str]) -> dict[str, int]:
        """Every requested visitor id -> all-time active points (0 without any)."""
        wanted = list(dict.fromkeys(visitor_ids))
        totals = dict.fromkeys(wanted, 0)
        for ids in _chunks(wanted):
            rows = await self._read_all(
                "SELECT visitor_id, SUM(points) AS total FROM ledger"
                f" WHERE visitor_id IN ({_marks(len(ids))}) AND revoked_at IS NULL"
                " GROUP BY visitor_id",
                tuple(ids),
            )
            totals.update((r["visitor_id"], r["total"]) for r in rows)
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

    # what the awards need from the Q&A tables --------------------------------------------
    async def participations(self, visitor_id: str) -> int:
        """Published questions (seq > 0, not held) + public, visible answers."""
        row = await self._read_one(
            "SELECT (SELECT COUNT(*) FROM threads"
            "  WHERE author_id = ? AND seq > 0 AND held = 0)"
            " + (SELECT COUNT(*) FROM messages WHERE author_id = ? AND kind = 'answer'"
            "  AND visibility = 'public' AND hidden = 0) AS n",
            (visitor_id, visitor_id),
        )
        return int(row["n"])

    async def votes_by(self, voter_id: str) -> list[tuple[str, int]]:
        """Every vote the visitor cast (withdrawn ones, value 0, included), oldest first."""
        rows = await self._read_all(
            "SELECT message_id, value FROM votes WHERE voter_id = ?"
            " ORDER BY created_at, message_id",
            (voter_id,),
        )
        return [(r["message_id"], r["value"]) for r in rows]
