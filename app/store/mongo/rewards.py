"""The points ledger, its revocation records, disqualifications and the board queries.

Collections:
- `ledger`: one document per `LedgerEntry` (`_id` = entry id, so a replayed or racing
  award lands once), every field, plus the *mirrored* effective state (`revoked_at`,
  `revoked_reason`) and `revocations_seen`, the number of records that state was computed
  from;
- `revocations`: the append-only records, each with a `seq` from an atomic counter
  (`counters`, `_id` "revocations"): the append order `apply_revocations` breaks ties with;
- `disqualified`: `_id` = visitor id.

No transactions (see base.py). `add_revocations` inserts its records, then recomputes the
mirror of the touched entries from *all* their records with
`rewards.ledger.apply_revocations`, and writes it only over a state computed from fewer
records (`revocations_seen`). Records are never deleted, so a read that saw more records
saw a superset, and the last writer to read has seen every record: racing writers converge
on the state of all records.

Times are BSON dates (milliseconds): records appended within the same millisecond keep
their append order.

Boards are kept as totals per bucket in `board_totals`: one document per
`rewards.leaderboard.Board` id and visitor, `_id` = `{"board", "visitor_id"}` (in that
order, so `_id` order is (board, visitor id) and `board_page` walks the `_id` index),
`points`, and `reached_at` rounded down to its second. A new active entry adds its points
to each of its `boards_for` buckets (`$inc`, `$max`); a revocation or restore recomputes
the touched visitors' buckets from their entries (`rewards.leaderboard.totals_by_board`).
A board read walks `board_totals_order` (board, points desc, reached_at, visitor_id desc),
the order of `rewards.leaderboard.order` (strings compare by UTF-8 bytes, as the reference
does), so it costs the rows it returns; disqualified visitors are left out at read time.
Without transactions the totals can fall behind the ledger (see `add_ledger_entries` and
`add_revocations`); `rebuild_boards` (`entraide rebuild-leaderboards`) recomputes them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace
from datetime import datetime
from typing import Any

from pymongo import ASCENDING, DESCENDING, DeleteOne, ReturnDocument, UpdateOne
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.errors import BulkWriteError

from app.domain.models import MessageKind, Visibility
from app.store.mongo.base import (
    Doc,
    MongoBase,
    check_date,
    check_int,
    check_opt_str,
    check_str,
    now,
    strs,
    utc,
    utc_or_none,
)
from app.store.port import BoardRow
from rewards.badges import ContributorStats, stats_from_counts
from rewards.leaderboard import Board, boards_for, totals_by_board
from rewards.ledger import LedgerEntry, Revocation, apply_revocations, require_aware

DUPLICATE_KEY = 11000
# Board writes sent per bulk_write while rebuilding.
BATCH = 1000
_ACTIVE_WITH_POINTS: Doc = {"revoked_at": None, "points": {"$gt": 0}}


def _entry_doc(e: LedgerEntry) -> Doc:
    """A new document: the effective state starts clear; only revocation records set it."""
    return {
        "_id": check_str(e.id, "entry id"),
        "visitor_id": check_str(e.visitor_id, "visitor id"),
        "person": check_str(e.person, "person"),
        "points": check_int(e.points, "points"),
        "reason": e.reason.value,
        "rule": check_str(e.rule, "rule"),
        "ref_kind": check_str(e.ref_kind, "ref kind"),
        "ref_id": check_str(e.ref_id, "ref id"),
        "thread_id": check_opt_str(e.thread_id, "thread id"),
        "room": check_opt_str(e.room, "room"),
        "category": check_opt_str(e.category, "category"),
        "giver_id": check_opt_str(e.giver_id, "giver id"),
        "giver_person": check_opt_str(e.giver_person, "giver person"),
        "lang": check_opt_str(e.lang, "lang"),
        "note": check_opt_str(e.note, "note"),
        "created_at": check_date(e.created_at, "created_at"),
        "revoked_at": None,
        "revoked_reason": None,
        "revocations_seen": 0,
    }


def _cleared(e: LedgerEntry) -> LedgerEntry:
    return replace(e, revoked_at=None, revoked_reason=None)


def entry_from(doc: Mapping[str, Any]) -> LedgerEntry:
    return LedgerEntry(
        id=doc["_id"],
        visitor_id=doc["visitor_id"],
        person=doc["person"],
        points=doc["points"],
        reason=doc["reason"],
        rule=doc["rule"],
        ref_kind=doc["ref_kind"],
        ref_id=doc["ref_id"],
        thread_id=doc.get("thread_id"),
        room=doc.get("room"),
        category=doc.get("category"),
        giver_id=doc.get("giver_id"),
        giver_person=doc.get("giver_person"),
        lang=doc.get("lang"),
        note=doc.get("note"),
        created_at=utc(doc["created_at"]),
        revoked_at=utc_or_none(doc.get("revoked_at")),
        revoked_reason=doc.get("revoked_reason"),
    )


def _revocation_from(doc: Mapping[str, Any]) -> Revocation:
    return Revocation(
        entry_id=doc["entry_id"],
        at=utc(doc["at"]),
        reason=doc["reason"],
        action=doc["action"],
        by=doc.get("by"),
    )


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


class MongoRewards(MongoBase):
    @property
    def _ledger(self) -> AsyncCollection[Doc]:
        return self._db["ledger"]

    @property
    def _revocations(self) -> AsyncCollection[Doc]:
        return self._db["revocations"]

    @property
    def _disqualified(self) -> AsyncCollection[Doc]:
        return self._db["disqualified"]

    @property
    def _board_totals(self) -> AsyncCollection[Doc]:
        return self._db["board_totals"]

    # ledger ------------------------------------------------------------------------------
    async def add_ledger_entries(self, entries: Sequence[LedgerEntry]) -> list[LedgerEntry]:
        """Append entries; an id already stored (or repeated in `entries`) is skipped.

        Returns the entries stored now, in the effective view (clear, unless revocation
        records for their ids were appended before them). Then adds the active ones with
        points to their `boards_for` buckets in one bulk write. No transaction: a crash
        between the two steps leaves the entries stored but the totals behind them (and a
        retry skips the stored ids), until `entraide rebuild-leaderboards`.
        """
        docs = [_entry_doc(e) for e in entries]
        if not docs:
            return []
        failed: set[int] = set()
        try:
            await self._ledger.insert_many(docs, ordered=False)
        except BulkWriteError as exc:
            errors = exc.details.get("writeErrors", [])
            if exc.details.get("writeConcernErrors") or any(
                err.get("code") != DUPLICATE_KEY for err in errors
            ):
                raise
            failed = {int(err["index"]) for err in errors}
        stored = [e for i, e in enumerate(entries) if i not in failed]
        view = await self._refresh([e.id for e in stored])
        effective = [view.get(e.id) or _cleared(e) for e in stored]
        await self._add_to_boards(effective)
        return effective

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

    async def add_revocations(self, records: Sequence[Revocation]) -> None:
        """Append the records, recompute the mirror of their entries, then the touched
        visitors' buckets (`_recount`).

        No transaction: a crash after the records are stored leaves the mirror or the totals
        behind until the next record for those entries, or `entraide rebuild-leaderboards`.
        """
        if not records:
            return
        docs: list[Doc] = [
            {
                "entry_id": check_str(r.entry_id, "entry id"),
                "at": require_aware("at", r.at),
                "reason": r.reason.value,
                "action": r.action,
                "by": check_opt_str(r.by, "by"),
            }
            for r in records
        ]
        counter = await self._db["counters"].find_one_and_update(
            {"_id": "revocations"},
            {"$inc": {"seq": len(docs)}},
            upsert=True,
            return_document=ReturnDocument.AFTER,
        )
        assert counter is not None
        first = int(counter["seq"]) - len(docs) + 1
        for offset, doc in enumerate(docs):
            doc["seq"] = first + offset
        await self._revocations.insert_many(docs)
        view = await self._refresh(list(dict.fromkeys(d["entry_id"] for d in docs)))
        await self._recount(view.values())

    async def _recount(self, changed: Iterable[LedgerEntry]) -> None:
        """Recompute, from all their active entries, the buckets these entries count in for
        their visitors (an entry's revocation state changed: its buckets may have moved).

        Absolute values, read then written: an award to the same visitor landing between
        the read and the write is counted twice or not at all (no transactions), until
        `entraide rebuild-leaderboards`. Revocations are rare moderation actions.
        """
        touched: dict[str, set[str]] = {}
        for e in changed:
            if e.points > 0:
                touched.setdefault(e.visitor_id, set()).update(b.id for b in boards_for(e))
        ops: list[UpdateOne | DeleteOne] = []
        for visitor_id, board_ids in touched.items():
            query = {**_ACTIVE_WITH_POINTS, "visitor_id": visitor_id}
            mine = [entry_from(d) for d in await self._ledger.find(query).to_list(None)]
            totals = totals_by_board(mine)
            for board_id in sorted(board_ids):
                kept = totals.get((board_id, visitor_id))
                if kept is None:
                    ops.append(DeleteOne({"_id": _row_id(board_id, visitor_id)}))
                else:
                    ops.append(_set_row(board_id, visitor_id, *kept))
        if ops:
            await self._board_totals.bulk_write(ops, ordered=False)

    async def _refresh(self, entry_ids: list[str]) -> dict[str, LedgerEntry]:
        """Recompute the mirrored state of these entries from all their records.

        Entries without any record are left as they are (clear) and not returned.
        """
        if not entry_ids:
            return {}
        cursor = self._revocations.find({"entry_id": {"$in": entry_ids}}, {"_id": 0}).sort(
            "seq", ASCENDING
        )
        records = [_revocation_from(d) for d in await cursor.to_list(None)]
        if not records:
            return {}
        seen: dict[str, int] = {}
        for record in records:
            seen[record.entry_id] = seen.get(record.entry_id, 0) + 1
        found = await self._ledger.find({"_id": {"$in": list(seen)}}).to_list(None)
        effective = apply_revocations([entry_from(d) for d in found], records)
        for entry in effective:
            count = seen[entry.id]
            await self._ledger.update_one(
                {"_id": entry.id, "revocations_seen": {"$not": {"$gte": count}}},
                {
                    "$set": {
                        "revoked_at": entry.revoked_at,
                        "revoked_reason": (
                            entry.revoked_reason.value if entry.revoked_reason else None
                        ),
                        "revocations_seen": count,
                    }
                },
            )
        return {e.id: e for e in effective}

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
        if limit is not None and check_int(limit, "limit") <= 0:
            if limit < 0:
                raise ValueError("limit must not be negative")
            return []
        query: Doc = {}
        for field, value in (
            ("visitor_id", visitor_id),
            ("person", person),
            ("giver_person", giver_person),
        ):
            if value is not None:
                if not isinstance(value, str):
                    return []
                query[field] = value
        if ref_ids is not None:
            wanted = list(dict.fromkeys(strs(ref_ids)))
            if not wanted:
                return []
            query["ref_id"] = {"$in": wanted}
        if since is not None:
            query["created_at"] = {"$gte": require_aware("since", since)}
        if limit is None:
            cursor = self._ledger.find(query).sort([("created_at", ASCENDING), ("_id", ASCENDING)])
            return [entry_from(d) for d in await cursor.to_list(None)]
        cursor = (
            self._ledger.find(query)
            .sort([("created_at", DESCENDING), ("_id", DESCENDING)])
            .limit(limit)
        )
        return [entry_from(d) for d in reversed(await cursor.to_list(None))]

    async def ledger_page(self, after_id: str | None, limit: int) -> list[LedgerEntry]:
        if check_int(limit, "limit") <= 0:
            if limit < 0:
                raise ValueError("limit must not be negative")
            return []
        query: Doc = {}
        if after_id is not None:
            query["_id"] = {"$gt": check_str(after_id, "after_id")}
        cursor = self._ledger.find(query).sort("_id", ASCENDING).limit(limit)
        return [entry_from(d) for d in await cursor.to_list(None)]

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
        index: more points, or as many reached earlier, or tied with a greater id."""
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
        excluded = await self._excluded()
        if excluded:
            query["visitor_id"] = {"$nin": excluded}
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
        """Empty the totals, then walk the active entries visitor by visitor.

        No transaction: awards or revocations written meanwhile may be missed or counted
        twice, so run it while the app is not writing (or run it again after)."""
        await self._board_totals.delete_many({})
        kept = 0
        ops: list[UpdateOne] = []
        visitor: str | None = None
        mine: list[LedgerEntry] = []
        cursor = self._ledger.find(_ACTIVE_WITH_POINTS).sort("visitor_id", ASCENDING)
        async for doc in cursor:
            if doc["visitor_id"] != visitor and mine:
                ops += self._totals_rows(mine)
                mine = []
                if len(ops) >= BATCH:
                    kept += await self._write_rows(ops)
                    ops = []
            visitor = doc["visitor_id"]
            mine.append(entry_from(doc))
        ops += self._totals_rows(mine)
        return kept + await self._write_rows(ops)

    @staticmethod
    def _totals_rows(entries: list[LedgerEntry]) -> list[UpdateOne]:
        return [
            _set_row(board_id, visitor_id, points, reached_at)
            for (board_id, visitor_id), (points, reached_at) in totals_by_board(entries).items()
        ]

    async def _write_rows(self, ops: list[UpdateOne]) -> int:
        if ops:
            await self._board_totals.bulk_write(ops, ordered=False)
        return len(ops)

    async def _fill_boards_if_missing(self) -> None:
        """A database from before `board_totals` existed gets its totals once."""
        if await self._board_totals.find_one({}, {"_id": 1}) is not None:
            return
        if await self._ledger.find_one(_ACTIVE_WITH_POINTS, {"_id": 1}) is not None:
            await self.rebuild_boards()

    async def open(self) -> None:
        await super().open()
        await self._fill_boards_if_missing()

    async def contributor_stats(self, visitor_ids: Sequence[str]) -> dict[str, ContributorStats]:
        wanted = list(dict.fromkeys(strs(visitor_ids)))
        counts = await self.ledger_counts(wanted)
        points = await self.points_totals(wanted)
        thankers: dict[str, int] = {}
        langs: dict[str, dict[str, int]] = {v: {} for v in wanted}
        if wanted:
            active = {"visitor_id": {"$in": wanted}, "revoked_at": None}
            giver = {"$ifNull": ["$giver_person", "$giver_id"]}
            rows = await self._ledger.aggregate(
                [
                    {"$match": {**active, "reason": {"$in": ["helpful_vote", "accepted"]}}},
                    {"$group": {"_id": "$visitor_id", "givers": {"$addToSet": giver}}},
                ]
            )
            for r in await rows.to_list(None):
                thankers[r["_id"]] = len([g for g in r["givers"] if g])
            rows = await self._ledger.aggregate(
                [
                    {"$match": {**active, "reason": "answer", "lang": {"$type": "string"}}},
                    {"$group": {"_id": {"v": "$visitor_id", "lang": "$lang"}, "n": {"$sum": 1}}},
                ]
            )
            for r in await rows.to_list(None):
                langs[r["_id"]["v"]][r["_id"]["lang"]] = int(r["n"])
        return {
            v: stats_from_counts(points[v], counts[v], thankers.get(v, 0), langs[v]) for v in wanted
        }

    async def ledger_counts(self, visitor_ids: Sequence[str]) -> dict[str, dict[str, int]]:
        wanted = list(dict.fromkeys(strs(visitor_ids)))
        counts: dict[str, dict[str, int]] = {v: {} for v in wanted}
        if not wanted:
            return counts
        rows = await self._ledger.aggregate(
            [
                {"$match": {"visitor_id": {"$in": wanted}, "revoked_at": None}},
                {
                    "$group": {
                        "_id": {"visitor_id": "$visitor_id", "reason": "$reason"},
                        "n": {"$sum": 1},
                    }
                },
            ]
        )
        for r in await rows.to_list(None):
            counts[r["_id"]["visitor_id"]][r["_id"]["reason"]] = int(r["n"])
        return counts

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

    # what the awards need from the Q&A collections ---------------------------------------
    async def participations(self, visitor_id: str) -> int:
        """Published questions (seq > 0, not held) + public, visible answers."""
        if not isinstance(visitor_id, str):
            return 0
        questions = await self._threads.count_documents(
            {"author_id": visitor_id, "seq": {"$gt": 0}, "held": {"$ne": True}}
        )
        answers = await self._messages.count_documents(
            {
                "author_id": visitor_id,
                "kind": MessageKind.ANSWER.value,
                # None: written before messages had a visibility, so public
                "visibility": {"$in": [Visibility.PUBLIC.value, None]},
                "hidden": False,
            }
        )
        return questions + answers

    async def votes_by(self, voter_id: str) -> list[tuple[str, int]]:
        """Every vote the visitor cast (withdrawn ones, value 0, included), oldest first."""
        if not isinstance(voter_id, str):
            return []
        cursor = self._votes.find(
            {"voter_id": voter_id}, {"_id": 0, "message_id": 1, "value": 1}
        ).sort([("created_at", ASCENDING), ("message_id", ASCENDING)])
        return [(d["message_id"], int(d["value"])) for d in await cursor.to_list(None)]
