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
their append order. `board` and `board_position` are aggregation pipelines implementing
`rewards.leaderboard.tally` + `order`: the whole second of `reached_at` is the date minus
its milliseconds, and `_id` (the visitor id) sorts by its UTF-8 bytes, as the reference.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import datetime
from typing import Any

from pymongo import ASCENDING, DESCENDING, ReturnDocument
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
from rewards.ledger import LedgerEntry, Revocation, apply_revocations, require_aware

DUPLICATE_KEY = 11000
# The whole second of the group's reached_at (a date minus its milliseconds is a date).
_SECOND = {"$subtract": ["$reached_at", {"$millisecond": "$reached_at"}]}


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


def _scope(
    start: datetime | None, end: datetime | None, room: str | None, category: str | None
) -> Doc | None:
    """The $match of a board's entries; None when a scope value cannot match anything."""
    match: Doc = {"revoked_at": None, "points": {"$gt": 0}}
    period: Doc = {}
    if start is not None:
        period["$gte"] = require_aware("start", start)
    if end is not None:
        period["$lt"] = require_aware("end", end)
    if period:
        match["created_at"] = period
    for field, value in (("room", room), ("category", category)):
        if value is not None:
            if not isinstance(value, str):
                return None
            match[field] = value
    return match


_GROUP = {
    "$group": {
        "_id": "$visitor_id",
        "points": {"$sum": "$points"},
        "reached_at": {"$max": "$created_at"},
    }
}


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

    # ledger ------------------------------------------------------------------------------
    async def add_ledger_entries(self, entries: Sequence[LedgerEntry]) -> list[LedgerEntry]:
        """Append entries; an id already stored (or repeated in `entries`) is skipped.

        Returns the entries stored now, in the effective view (clear, unless revocation
        records for their ids were appended before them).
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
        return [view.get(e.id) or _cleared(e) for e in stored]

    async def add_revocations(self, records: Sequence[Revocation]) -> None:
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
        await self._refresh(list(dict.fromkeys(d["entry_id"] for d in docs)))

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
        match = _scope(start, end, room, category)
        if limit == 0 or match is None:
            return []
        excluded = sorted(await self.disqualified())
        if excluded:
            match["visitor_id"] = {"$nin": excluded}
        pipeline: list[Doc] = [
            {"$match": match},
            _GROUP,
            {"$match": {"points": {"$gt": 0}}},
            {"$addFields": {"second": _SECOND}},
            {"$sort": {"points": -1, "second": 1, "_id": -1}},
        ]
        if offset:
            pipeline.append({"$skip": offset})
        pipeline.append({"$limit": limit})
        rows = await (await self._ledger.aggregate(pipeline)).to_list(None)
        return [BoardRow(r["_id"], int(r["points"]), utc(r["reached_at"])) for r in rows]

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
        match = _scope(start, end, room, category)
        if match is None or not isinstance(visitor_id, str):
            return None
        if await self._disqualified.find_one({"_id": visitor_id}, {"_id": 1}) is not None:
            return None
        mine = await (
            await self._ledger.aggregate([{"$match": {**match, "visitor_id": visitor_id}}, _GROUP])
        ).to_list(None)
        if not mine or mine[0]["points"] <= 0:
            return None
        points, reached = int(mine[0]["points"]), utc(mine[0]["reached_at"])
        second = reached.replace(microsecond=0)
        excluded = sorted(await self.disqualified())
        if excluded:
            match["visitor_id"] = {"$nin": excluded}
        ahead = await (
            await self._ledger.aggregate(
                [
                    {"$match": match},
                    _GROUP,
                    {"$addFields": {"second": _SECOND}},
                    {
                        "$match": {
                            "$or": [
                                {"points": {"$gt": points}},
                                {"points": points, "second": {"$lt": second}},
                                {"points": points, "second": second, "_id": {"$gt": visitor_id}},
                            ]
                        }
                    },
                    {"$count": "n"},
                ]
            )
        ).to_list(None)
        rank = (int(ahead[0]["n"]) if ahead else 0) + 1
        return rank, BoardRow(visitor_id, points, reached)

    async def points_totals(self, visitor_ids: Sequence[str]) -> dict[str, int]:
        """Every requested visitor id -> all-time active points (0 without any)."""
        wanted = list(dict.fromkeys(strs(visitor_ids)))
        totals = dict.fromkeys(wanted, 0)
        if not wanted:
            return totals
        rows = await self._ledger.aggregate(
            [
                {"$match": {"visitor_id": {"$in": wanted}, "revoked_at": None}},
                {"$group": {"_id": "$visitor_id", "points": {"$sum": "$points"}}},
            ]
        )
        totals.update((r["_id"], int(r["points"])) for r in await rows.to_list(None))
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
