"""Leaderboards kept as totals per bucket, and who is left off them (disqualified).

`board_totals` holds one document per
`rewards.leaderboard.Board` id and visitor, `_id` = `{"board", "visitor_id"}` (in that
order, so `_id` order is (board, visitor id) and `board_page` walks the `_id` index),
`points`, and `reached_at` rounded down to its second. A new entry adds its points to each
of its `boards_for` buckets (`$inc`, `$max`); a revocation or restore shifts the flipped
entry's buckets by its points (`reached_at` looked up again only when the revoked entry was
the latest); a visitor with more than RECOUNT_OVER flips at once (a ban) is recomputed from
their entries (`rewards.leaderboard.totals_by_board`).
A board read walks `board_totals_order` (board, points desc, reached_at, visitor_id desc),
the order of `rewards.leaderboard.order` (strings compare by UTF-8 bytes, as the reference
does), so it costs the rows it returns; disqualified visitors are left out at read time.
Without transactions the totals can fall behind the ledger (see `add_ledger_entries` and
`add_revocations`); `rebuild_boards` (`entraide rebuild-leaderboards`) recomputes them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from pymongo import ASCENDING, DESCENDING, DeleteOne, ReturnDocument, UpdateOne
from pymongo.asynchronous.collection import AsyncCollection

from app.store.mongo.base import (
    Doc,
    MongoBase,
    check_int,
    check_str,
    now,
    strs,
    utc,
)
from app.store.mongo.ledger_docs import ACTIVE_WITH_POINTS, entry_from
from rewards.leaderboard import Board, BoardRow, boards_for, totals_by_board
from rewards.ledger import LedgerEntry
from rewards.periods import period_bounds

# Above this many flips for one visitor at once (a ban), recompute their buckets instead.
RECOUNT_OVER = 50
REBUILD_VISITORS = 500  # visitors per rebuild range (and ledger keys per id-walk read)


def _check_window(limit: object, offset: object) -> None:
    if check_int(limit, "limit") < 0 or check_int(offset, "offset") < 0:
        raise ValueError("limit and offset must not be negative")


def _row_id(board_id: str, visitor_id: str) -> Doc:
    """A bucket row's `_id`. Always built here, fields in this order: documents compare
    field by field, so `_id` order is (board id, visitor id)."""
    return {"board": board_id, "visitor_id": visitor_id}


def _set_row(board_id: str, visitor_id: str, points: int, reached_at: datetime) -> UpdateOne:
    return UpdateOne(
        {"_id": _row_id(board_id, visitor_id)},
        {
            "$set": {
                "board": board_id,
                "visitor_id": visitor_id,
                "points": points,
                "reached_at": reached_at,
            }
        },
        upsert=True,
    )


def _board_row(doc: Mapping[str, Any]) -> BoardRow:
    return BoardRow(doc["visitor_id"], int(doc["points"]), utc(doc["reached_at"]))


class MongoBoards(MongoBase):
    """Per-board totals (reads, shifts, rebuild), and the ledger collections they read."""

    @property
    def _ledger(self) -> AsyncCollection[Doc]:
        return self._db["ledger"]

    @property
    def _disqualified(self) -> AsyncCollection[Doc]:
        return self._db["disqualified"]

    @property
    def _board_totals(self) -> AsyncCollection[Doc]:
        return self._db["board_totals"]

    async def _add_to_boards(self, entries: Sequence[LedgerEntry]) -> None:
        """Add each active entry's points to its buckets, `reached_at` the latest second.

        Entries of one bucket are summed first: one upsert per (board, visitor)."""
        counted = totals_by_board(e for e in entries if e.active and e.points > 0)
        if not counted:
            return
        await self._board_totals.bulk_write(
            [
                UpdateOne(
                    {"_id": _row_id(board_id, visitor_id)},
                    {
                        "$inc": {"points": points},
                        "$max": {"reached_at": reached_at},
                        "$setOnInsert": {"board": board_id, "visitor_id": visitor_id},
                    },
                    upsert=True,
                )
                for (board_id, visitor_id), (points, reached_at) in counted.items()
            ],
            ordered=False,
        )

    async def _shift_boards(self, flipped: Sequence[LedgerEntry]) -> None:
        """Move the buckets of entries that were just revoked or restored (as they are now).

        A restored entry adds to its buckets like a new one; a revoked one subtracts
        (`_take_off`). A visitor with more than RECOUNT_OVER flips at once (a ban) is
        recomputed from their remaining entries instead: one read, not hundreds of writes.
        """
        by_visitor: dict[str, list[LedgerEntry]] = {}
        for e in flipped:
            if e.points > 0:
                by_visitor.setdefault(e.visitor_id, []).append(e)
        restored: list[LedgerEntry] = []
        revoked: list[LedgerEntry] = []
        for visitor_id, mine in by_visitor.items():
            if len(mine) > RECOUNT_OVER:
                await self._recount(visitor_id, {b.id for e in mine for b in boards_for(e)})
                continue
            restored += [e for e in mine if e.active]
            revoked += [e for e in mine if not e.active]
        # Additions first: a bucket losing one entry and gaining another stays on the board.
        await self._add_to_boards(restored)
        await self._take_off(revoked)

    async def _take_off(self, revoked: Sequence[LedgerEntry]) -> None:
        """Subtract revoked entries from their buckets, summed per bucket: one
        find_one_and_update per (board, visitor). A row left at 0 or less goes; a row whose
        `reached_at` was one of these entries' seconds (then the latest of them) gets the
        latest remaining active entry of its bucket (`_reach_again`)."""
        taken: dict[tuple[str, str], tuple[Board, int, datetime]] = {}
        for e in revoked:
            second = e.created_at.replace(microsecond=0)
            for board in boards_for(e):
                key = (board.id, e.visitor_id)
                _, points, latest = taken.get(key, (board, 0, second))
                taken[key] = (board, points + e.points, max(latest, second))
        for (board_id, visitor_id), (board, points, latest) in taken.items():
            row_id = _row_id(board_id, visitor_id)
            row = await self._board_totals.find_one_and_update(
                {"_id": row_id},
                {"$inc": {"points": -points}},
                projection={"points": 1, "reached_at": 1},
                return_document=ReturnDocument.AFTER,
            )
            if row is None:
                continue
            if row["points"] <= 0:
                # only while still empty: an award may have raised it again meanwhile
                await self._board_totals.delete_one({"_id": row_id, "points": {"$lte": 0}})
            elif utc(row["reached_at"]) == latest:
                await self._reach_again(board, visitor_id, latest)

    async def _reach_again(self, board: Board, visitor_id: str, was: datetime) -> None:
        """Set a bucket's `reached_at` to the latest second of the visitor's active
        non-zero entries in its period and scope: one entry read on `ledger_by_visitor`
        (visitor, created_at desc). Written only if `reached_at` is still `was`, so a later
        `$max` by a concurrent award stays."""
        query: Doc = {**ACTIVE_WITH_POINTS, "visitor_id": visitor_id}
        start, end = period_bounds(board.period, was)  # bounds are whole seconds
        window: Doc = {}
        if start is not None:
            window["$gte"] = start
        if end is not None:
            window["$lt"] = end
        if window:
            query["created_at"] = window
        if board.room is not None:
            query["room"] = board.room
        if board.category is not None:
            query["category"] = board.category
        cursor = (
            self._ledger.find(query, {"_id": 0, "created_at": 1})
            .sort("created_at", DESCENDING)
            .hint("ledger_by_visitor")
            .limit(1)
        )
        found = await cursor.to_list(None)
        # The ledger is already in its final state: nothing found means the other entries
        # of this batch take the row to 0 (and delete it) in turn.
        if found:
            latest = utc(found[0]["created_at"]).replace(microsecond=0)
            await self._board_totals.update_one(
                {"_id": _row_id(board.id, visitor_id), "reached_at": was},
                {"$set": {"reached_at": latest}},
            )

    async def _recount(self, visitor_id: str, board_ids: set[str]) -> None:
        """Recompute these buckets of one visitor from all their active entries.

        Absolute values, read then written: an award to the same visitor landing between
        the read and the write is counted twice or not at all (no transactions)."""
        query = {**ACTIVE_WITH_POINTS, "visitor_id": visitor_id}
        mine = [entry_from(d) for d in await self._ledger.find(query).to_list(None)]
        totals = totals_by_board(mine)
        ops: list[UpdateOne | DeleteOne] = []
        for board_id in sorted(board_ids):
            kept = totals.get((board_id, visitor_id))
            if kept is None:
                ops.append(DeleteOne({"_id": _row_id(board_id, visitor_id)}))
            else:
                ops.append(_set_row(board_id, visitor_id, *kept))
        if ops:
            await self._board_totals.bulk_write(ops, ordered=False)

    # boards ------------------------------------------------------------------------------
    async def _excluded(self) -> list[str]:
        return sorted(await self.disqualified())

    async def board(self, board: Board, *, limit: int = 50, offset: int = 0) -> list[BoardRow]:
        _check_window(limit, offset)
        board_id = board.id
        # limit(0) means "no limit" to MongoDB
        if limit == 0 or not isinstance(board_id, str):
            return []
        query: Doc = {"board": board_id}
        excluded = await self._excluded()
        if excluded:
            query["visitor_id"] = {"$nin": excluded}
        cursor = (
            self._board_totals.find(query)
            .sort([("points", DESCENDING), ("reached_at", ASCENDING), ("visitor_id", DESCENDING)])
            .skip(offset)
            .limit(limit)
        )
        return [_board_row(d) for d in await cursor.to_list(None)]

    async def board_position(self, visitor_id: str, board: Board) -> tuple[int, BoardRow] | None:
        """The visitor's row (`_id`), then a count of the rows ahead of it on the order
        index: more points, or as many reached earlier, or tied with a greater id. Points
        awarded between the two reads must not put the visitor behind themselves, so their
        own row is never counted."""
        board_id = board.id
        if not isinstance(visitor_id, str) or not isinstance(board_id, str):
            return None
        if await self._disqualified.find_one({"_id": visitor_id}, {"_id": 1}) is not None:
            return None
        mine = await self._board_totals.find_one({"_id": _row_id(board_id, visitor_id)})
        if mine is None:
            return None
        points, reached = mine["points"], mine["reached_at"]
        query: Doc = {
            "board": board_id,
            "$or": [
                {"points": {"$gt": points}},
                {"points": points, "reached_at": {"$lt": reached}},
                {"points": points, "reached_at": reached, "visitor_id": {"$gt": visitor_id}},
            ],
        }
        query["visitor_id"] = {"$nin": [*await self._excluded(), visitor_id]}
        ahead = await self._board_totals.count_documents(query)
        return ahead + 1, _board_row(mine)

    async def board_rows_of(self, visitor_id: str) -> dict[str, BoardRow]:
        if not isinstance(visitor_id, str):
            return {}
        docs = await self._board_totals.find({"visitor_id": visitor_id}).to_list(None)
        return {d["board"]: _board_row(d) for d in docs}

    async def board_page(
        self, after: tuple[str, str] | None, limit: int
    ) -> list[tuple[str, BoardRow]]:
        """Walks the `_id` index: `_id` order is (board id, visitor id)."""
        _check_window(limit, 0)
        if limit == 0:
            return []
        query: Doc = {}
        if after is not None:
            board_id, visitor_id = after
            query["_id"] = {
                "$gt": _row_id(check_str(board_id, "board id"), check_str(visitor_id, "visitor id"))
            }
        cursor = self._board_totals.find(query).sort("_id", ASCENDING).limit(limit)
        return [(d["board"], _board_row(d)) for d in await cursor.to_list(None)]

    async def rebuild_boards(self) -> int:
        """Recompute the totals by ranges of REBUILD_VISITORS ledger visitors (in id order),
        then drop the rows of visitor ids past the last one in the ledger. The boards are
        never emptied: each range's rows are replaced in one bulk write (`_rebuild_range`),
        and rows already right are not written at all.

        No transaction: an award or revocation for a visitor of the range being replaced,
        landing between that range's reads and its write (a few milliseconds per range),
        can be counted twice (its entry was read, its `$inc` lands after the write) or lost
        (its `$inc` was read into the row, its entry was not) on the rows the rebuild
        rewrites; a visitor whose first entry lands past the last range's read can lose
        their new rows to the final delete. Other visitors' writes are never at risk. Run
        it again when quiet to be sure."""
        kept = 0
        after = ""
        await self._set_boards_state("filling")
        while visitors := await self._visitors_after(after):
            kept += await self._rebuild_range(after, visitors[-1])
            after = visitors[-1]
        await self._board_totals.delete_many({"visitor_id": {"$gt": after}})
        await self._set_boards_state("ready")
        return kept

    async def _set_boards_state(self, state: str) -> None:
        await self._db["meta"].update_one(
            {"_id": "boards"}, {"$set": {"state": state}}, upsert=True
        )

    async def _visitors_after(self, after: str) -> list[str]:
        """The next REBUILD_VISITORS distinct ledger visitor ids after `after`, in order.

        Covered reads of `ledger_by_visitor` (index keys only, no documents), each of
        REBUILD_VISITORS keys and resuming after the last visitor it saw, so a visitor with
        many entries costs one read, not all their keys: over the whole rebuild about one
        pass over the index, in ledger entries / REBUILD_VISITORS round trips at most.
        (A `$group` aggregation would have to group every visitor after `after` before its
        `$limit`, each range: quadratic in the number of visitors.)"""
        found: list[str] = []
        while len(found) < REBUILD_VISITORS:
            cursor = (
                self._ledger.find({"visitor_id": {"$gt": after}}, {"_id": 0, "visitor_id": 1})
                .sort("visitor_id", ASCENDING)
                .hint("ledger_by_visitor")
                .limit(REBUILD_VISITORS)
            )
            ids = list(dict.fromkeys(d["visitor_id"] for d in await cursor.to_list(None)))
            if not ids:
                break
            found += ids
            after = ids[-1]
        return found[:REBUILD_VISITORS]

    async def _rebuild_range(self, after: str, last: str) -> int:
        """Make the rows of the visitors in (after, last] the totals of their active
        non-zero entries: upsert the rows that differ, delete the rows that should not be,
        in one unordered bulk write. Returns the number of rows the range keeps."""
        in_range: Doc = {"visitor_id": {"$gt": after, "$lte": last}}
        cursor = self._ledger.find({**ACTIVE_WITH_POINTS, **in_range})
        totals = totals_by_board(entry_from(d) for d in await cursor.to_list(None))
        ops: list[UpdateOne | DeleteOne] = []
        missing = dict(totals)
        for row in await self._board_totals.find(in_range).to_list(None):
            wanted = missing.pop((row["board"], row["visitor_id"]), None)
            if wanted is None:
                ops.append(DeleteOne({"_id": row["_id"]}))
            elif wanted != (row["points"], utc(row["reached_at"])):
                ops.append(_set_row(row["board"], row["visitor_id"], *wanted))
        ops += [_set_row(b, v, points, at) for (b, v), (points, at) in missing.items()]
        if ops:
            await self._board_totals.bulk_write(ops, ordered=False)
        return len(totals)

    async def _fill_boards_if_missing(self) -> None:
        """Fill the totals unless a rebuild finished: a database from before they existed,
        or one whose rebuild was cut off (it writes range by range, so a killed rebuild
        leaves some visitors filled; `meta.boards` says 'ready' only at its very end)."""
        meta = await self._db["meta"].find_one({"_id": "boards"})
        if meta is not None and meta.get("state") == "ready":
            return
        if await self._ledger.find_one(ACTIVE_WITH_POINTS, {"_id": 1}) is not None:
            await self.rebuild_boards()
        else:
            await self._set_boards_state("ready")

    async def open(self) -> None:
        await super().open()
        await self._fill_boards_if_missing()

    async def points_totals(self, visitor_ids: Sequence[str]) -> dict[str, int]:
        """Every requested visitor id -> all-time active points (0 without any): their row
        on the all-time global board (entries are never negative), one `_id` look-up each."""
        wanted = list(dict.fromkeys(strs(visitor_ids)))
        totals = dict.fromkeys(wanted, 0)
        if not wanted:
            return totals
        everyone = Board("all", "all").id
        rows = self._board_totals.find(
            {"_id": {"$in": [_row_id(everyone, v) for v in wanted]}},
            {"visitor_id": 1, "points": 1},
        )
        totals.update((r["visitor_id"], int(r["points"])) for r in await rows.to_list(None))
        return totals

    # disqualification --------------------------------------------------------------------
    async def set_disqualified(self, visitor_id: str, disqualified: bool) -> None:
        visitor_id = check_str(visitor_id, "visitor id")
        if disqualified:
            await self._disqualified.update_one(
                {"_id": visitor_id}, {"$setOnInsert": {"at": now()}}, upsert=True
            )
        else:
            await self._disqualified.delete_one({"_id": visitor_id})

    async def disqualified(self) -> set[str]:
        docs = await self._disqualified.find({}, {"_id": 1}).to_list(None)
        return {d["_id"] for d in docs}
