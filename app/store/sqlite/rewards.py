"""The points ledger, its revocation records, and the reads awards and stats need.

`ledger` holds every `LedgerEntry` field, keyed by the entry id (a replayed or racing award
lands once), plus the *mirrored* effective state (`revoked_at`, `revoked_reason`).
`revocations` is the append-only record of revocations and restores; its rowid (`pos`) is
the append order. `add_revocations` appends records and recomputes the mirror of the
touched entries with `rewards.ledger.apply_revocations` in the same transaction, so a read
always sees the effective view.

Ledger timestamps are stored in one fixed format (`ledger_rows.stamp`: UTC, microseconds,
`+00:00`), so text order is time order and `substr(t, 1, 19)` is the whole second the
boards compare.

The board totals live in `boards.py` (`SqliteBoards`, which this class extends): the
ledger's transactions move them.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from app.domain.models import CastVote
from app.store.sqlite import counts
from app.store.sqlite.base import dt
from app.store.sqlite.boards import (
    ADD_TO_BOARD_SQL,
    ALL_TIME_ID,
    RECOUNT_OVER,
    SqliteBoards,
    board_rows,
)
from app.store.sqlite.ledger_rows import (
    INSERT_ENTRY_SQL,
    LEDGER_COLUMNS,
    chunks,
    cleared,
    entry_from,
    entry_values,
    placeholders,
    revocation_from,
    stamp,
    stamp_or_none,
)
from app.store.sqlite.writer import BULK_ROWS, WriterConnection
from rewards.badges import ContributorStats, stats_from_counts
from rewards.ledger import LedgerEntry, Revocation, apply_revocations


class SqliteRewards(SqliteBoards):
    # ledger ------------------------------------------------------------------------------
    async def add_ledger_entries(self, entries: Sequence[LedgerEntry]) -> list[LedgerEntry]:
        """Append entries; an id already stored (or repeated in `entries`) is skipped.

        Returns the entries stored now, in the effective view (clear, unless revocation
        records for their ids were appended before them).
        """
        stored: list[LedgerEntry] = []
        async with self._transaction(bulk=len(entries) > BULK_ROWS) as db:  # loads, imports
            for entry in entries:
                async with db.execute(INSERT_ENTRY_SQL, entry_values(entry)) as cur:
                    if cur.rowcount == 1:
                        stored.append(entry)
            view, _ = await self._refresh(db, [e.id for e in stored])
            effective = [view.get(e.id) or cleared(e) for e in stored]
            active = [e for e in effective if e.active]
            await db.executemany(ADD_TO_BOARD_SQL, [row for e in active for row in board_rows(e)])
            await counts.shift(db, active, 1)
        return effective

    async def add_revocations(self, records: Sequence[Revocation]) -> None:
        if not records:
            return
        # A ban revokes a visitor's whole history: their boards are recounted (_recount).
        async with self._transaction(bulk=len(records) > RECOUNT_OVER) as db:
            await db.executemany(
                "INSERT INTO revocations (entry_id, at, reason, action, by_id)"
                " VALUES (?, ?, ?, ?, ?)",
                [(r.entry_id, stamp(r.at), r.reason.value, r.action, r.by) for r in records],
            )
            ids = list(dict.fromkeys(r.entry_id for r in records))
            _, flipped = await self._refresh(db, ids)
            await self._shift_boards(db, [e for e in flipped if e.points > 0])
            await counts.shift(db, [e for e in flipped if e.active], 1)
            await counts.shift(db, [e for e in flipped if not e.active], -1)

    @staticmethod
    async def _refresh(
        db: WriterConnection, entry_ids: list[str]
    ) -> tuple[dict[str, LedgerEntry], list[LedgerEntry]]:
        """Recompute the mirrored state of these entries from all their records: the
        effective view of those with records (the others stay clear and are left out), and
        the entries whose active/revoked state flipped, as they are now.
        """
        view: dict[str, LedgerEntry] = {}
        flipped: list[LedgerEntry] = []
        for ids in chunks(entry_ids):
            marks = placeholders(len(ids))
            async with db.execute(
                f"SELECT entry_id, at, reason, action, by_id FROM revocations"
                f" WHERE entry_id IN ({marks}) ORDER BY pos",
                tuple(ids),
            ) as cur:
                records = [revocation_from(r) for r in await cur.fetchall()]
            if not records:
                continue
            touched = list(dict.fromkeys(r.entry_id for r in records))
            async with db.execute(
                f"SELECT {LEDGER_COLUMNS} FROM ledger WHERE id IN ({placeholders(len(touched))})",
                tuple(touched),
            ) as cur:
                entries = [entry_from(r) for r in await cur.fetchall()]
            effective = apply_revocations(entries, records)
            await db.executemany(
                "UPDATE ledger SET revoked_at = ?, revoked_reason = ? WHERE id = ?",
                [
                    (
                        stamp_or_none(e.revoked_at),
                        e.revoked_reason.value if e.revoked_reason is not None else None,
                        e.id,
                    )
                    for e in effective
                ],
            )
            view.update((e.id, e) for e in effective)
            was = {e.id: e.active for e in entries}
            flipped += [e for e in effective if e.active != was[e.id]]
        return view, flipped

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
            sql += f" AND ref_id IN ({placeholders(len(wanted))})"
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

    async def contributor_stats(self, visitor_ids: Sequence[str]) -> dict[str, ContributorStats]:
        """One round trip per chunk, from the counters (`counts`) and the all-time board:
        this runs around every award, whatever the length of the contributor's ledger."""
        wanted = list(dict.fromkeys(visitor_ids))
        per_reason: dict[str, dict[str, int]] = {v: {} for v in wanted}
        langs: dict[str, dict[str, int]] = {v: {} for v in wanted}
        thankers = dict.fromkeys(wanted, 0)
        points = dict.fromkeys(wanted, 0)
        for ids in chunks(wanted):
            marks = placeholders(len(ids))
            rows = await self._read_all(
                "SELECT visitor_id, 'count' AS kind, reason, lang, n FROM ledger_counts"
                f" WHERE visitor_id IN ({marks}) AND n > 0"
                " UNION ALL SELECT visitor_id, 'thankers', NULL, NULL, COUNT(*)"
                f" FROM ledger_thankers WHERE visitor_id IN ({marks}) AND n > 0"
                " GROUP BY visitor_id"
                " UNION ALL SELECT visitor_id, 'points', NULL, NULL, points FROM board_totals"
                f" WHERE board = ? AND visitor_id IN ({marks})",
                (*ids, *ids, ALL_TIME_ID, *ids),
            )
            for r in rows:
                visitor, n = r["visitor_id"], r["n"]
                if r["kind"] == "points":
                    points[visitor] = n
                elif r["kind"] == "thankers":
                    thankers[visitor] = n
                else:
                    mine = per_reason[visitor]
                    mine[r["reason"]] = mine.get(r["reason"], 0) + n
                    if r["reason"] == "answer" and r["lang"]:
                        langs[visitor][r["lang"]] = n
        return {
            v: stats_from_counts(points[v], per_reason[v], thankers[v], langs[v]) for v in wanted
        }

    async def ledger_counts(self, visitor_ids: Sequence[str]) -> dict[str, dict[str, int]]:
        wanted = list(dict.fromkeys(visitor_ids))
        found: dict[str, dict[str, int]] = {v: {} for v in wanted}
        for ids in chunks(wanted):
            rows = await self._read_all(
                "SELECT visitor_id, reason, SUM(n) AS n FROM ledger_counts"
                f" WHERE visitor_id IN ({placeholders(len(ids))}) AND n > 0"
                " GROUP BY visitor_id, reason",
                tuple(ids),
            )
            for r in rows:
                found[r["visitor_id"]][r["reason"]] = r["n"]
        return found

    async def open(self) -> None:
        await super().open()
        async with self._transaction(bulk=True) as db:  # a recount reads the whole ledger
            async with db.execute("SELECT value FROM meta WHERE key = 'counts'") as cur:
                ready = await cur.fetchone() is not None
            if not ready:  # a database from before the counters
                await counts.recount(db)

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

    async def participation_times(self, visitor_id: str, first: int) -> list[datetime]:
        if first <= 0:
            return []
        rows = await self._read_all(
            "SELECT created_at FROM threads WHERE author_id = ? AND seq > 0 AND held = 0"
            " UNION ALL SELECT created_at FROM messages WHERE author_id = ?"
            " AND kind = 'answer' AND visibility = 'public' AND hidden = 0"
            " ORDER BY created_at LIMIT ?",
            (visitor_id, visitor_id, first),
        )
        return [datetime.fromisoformat(r["created_at"]) for r in rows]

    async def votes_by(self, voter_id: str) -> list[CastVote]:
        rows = await self._read_all(
            "SELECT message_id, value, created_at, author_banned_until FROM votes"
            " WHERE voter_id = ? ORDER BY created_at, message_id",
            (voter_id,),
        )
        return [
            CastVote(r["message_id"], r["value"], datetime.fromisoformat(r["created_at"]),
                     dt(r["author_banned_until"]))
            for r in rows
        ]  # fmt: skip
