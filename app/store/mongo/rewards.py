"""The points ledger, its revocation records, and the reads awards and stats need.

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
on the state of all records. Each mirror write returns the state it replaced, so the
writer that flipped an entry (active <-> revoked) knows it did, and only that writer moves
the entry's buckets.

Times are BSON dates (milliseconds): records appended within the same millisecond keep
their append order.

The board totals live in `boards.py` (`MongoBoards`, which this class extends): every
ledger change moves them.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from pymongo import ASCENDING, DESCENDING, ReturnDocument
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.errors import BulkWriteError

from app.domain.models import CastVote, MessageKind, Visibility
from app.store.mongo.base import (
    Doc,
    check_int,
    check_opt_str,
    check_str,
    strs,
    utc,
    utc_or_none,
)
from app.store.mongo.boards import MongoBoards
from app.store.mongo.ledger_docs import (
    cleared,
    entry_doc,
    entry_from,
    revocation_from,
)
from rewards.badges import ContributorStats, stats_from_counts
from rewards.ledger import LedgerEntry, Revocation, apply_revocations, require_aware

DUPLICATE_KEY = 11000


class MongoRewards(MongoBoards):
    @property
    def _revocations(self) -> AsyncCollection[Doc]:
        return self._db["revocations"]

    # ledger ------------------------------------------------------------------------------
    async def add_ledger_entries(self, entries: Sequence[LedgerEntry]) -> list[LedgerEntry]:
        """Append entries; an id already stored (or repeated in `entries`) is skipped.

        Returns the entries stored now, in the effective view (clear, unless revocation
        records for their ids were appended before them). The stored entries are added to
        their `boards_for` buckets as stored (clear) in one bulk write, then their mirror
        is refreshed and the entries it revoked are shifted off like any flip: every change
        of an entry's state moves its buckets once, whichever writer makes it (see
        `add_revocations`). No transaction: a crash between the steps leaves the totals
        behind the ledger (and a retry skips the stored ids), until
        `entraide rebuild-leaderboards`.
        """
        docs = [entry_doc(e) for e in entries]
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
        await self._add_to_boards([cleared(e) for e in stored])
        view, flipped = await self._refresh([e.id for e in stored])
        await self._shift_boards(flipped)
        return [view.get(e.id) or cleared(e) for e in stored]

    async def add_revocations(self, records: Sequence[Revocation]) -> None:
        """Append the records, recompute the mirror of their entries, then shift the
        buckets of the entries this call flipped (`_shift_boards`).

        No transaction. What can still go wrong, until `entraide rebuild-leaderboards`:
        - a crash after the records are stored leaves the mirror or the totals behind
          until the next record for those entries;
        - a flip is shifted once, by the writer whose mirror write made it, but shifts of
          one bucket by racing writers may land in any order. Points are `$inc`s, so they
          add up, except when a subtraction lands before the addition it undoes (an award
          or restore of the same entry racing its revocation): on a missing row it is
          dropped, or it takes the row to 0 and deletes it, and the addition then leaves
          the bucket that entry's points too high;
        - `reached_at` after a revocation is looked up in the ledger as it is then: an
          award or restore to the same bucket, earlier than the revoked entry, written
          just after the look-up is missed, so `reached_at` can be left too early (the row
          only ranks ahead of its equals on points; a later `$max` is never undone);
        - a visitor recounted (a ban) is read then written: an award to them in between
          is counted twice or not at all.
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
        _, flipped = await self._refresh(list(dict.fromkeys(d["entry_id"] for d in docs)))
        await self._shift_boards(flipped)

    async def _refresh(
        self, entry_ids: list[str]
    ) -> tuple[dict[str, LedgerEntry], list[LedgerEntry]]:
        """Recompute the mirrored state of these entries from all their records: the
        effective view of those with records (the others stay clear and are left out), and
        the entries whose active state this call flipped, as they are now.

        Each mirror is written only over a state computed from fewer records, by one
        find_one_and_update that returns the state it replaced: a flip is reported by the
        writer whose write made it and by no other, however writers race, so the flips
        reported over time add up to the entry's final state.
        """
        if not entry_ids:
            return {}, []
        cursor = self._revocations.find({"entry_id": {"$in": entry_ids}}, {"_id": 0}).sort(
            "seq", ASCENDING
        )
        records = [revocation_from(d) for d in await cursor.to_list(None)]
        if not records:
            return {}, []
        seen: dict[str, int] = {}
        for record in records:
            seen[record.entry_id] = seen.get(record.entry_id, 0) + 1
        found = await self._ledger.find({"_id": {"$in": list(seen)}}).to_list(None)
        effective = apply_revocations([entry_from(d) for d in found], records)
        flipped: list[LedgerEntry] = []
        for entry in effective:
            count = seen[entry.id]
            before = await self._ledger.find_one_and_update(
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
                projection={"revoked_at": 1},
                return_document=ReturnDocument.BEFORE,
            )
            if before is not None and (before.get("revoked_at") is None) != entry.active:
                flipped.append(entry)
        return {e.id: e for e in effective}, flipped

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

    async def contributor_stats(self, visitor_ids: Sequence[str]) -> dict[str, ContributorStats]:
        """Two round trips for the whole list (this runs before and after every award):
        one aggregation whose `$match` reads the visitors' active entries once
        (`ledger_by_visitor`) and whose `$facet` counts them per (reason, language) and
        counts distinct thanking people, then their all-time rows (`points_totals`)."""
        wanted = list(dict.fromkeys(strs(visitor_ids)))
        counts: dict[str, dict[str, int]] = {v: {} for v in wanted}
        langs: dict[str, dict[str, int]] = {v: {} for v in wanted}
        thankers = dict.fromkeys(wanted, 0)
        if wanted:
            # the person, else the visitor id (as `stats_for`: an empty person is none)
            giver = {
                "$cond": [
                    {"$eq": [{"$ifNull": ["$giver_person", ""]}, ""]},
                    "$giver_id",
                    "$giver_person",
                ]
            }
            rows = await self._ledger.aggregate(
                [
                    {"$match": {"visitor_id": {"$in": wanted}, "revoked_at": None}},
                    {
                        "$facet": {
                            "counts": [
                                {
                                    "$group": {
                                        "_id": {
                                            "v": "$visitor_id",
                                            "reason": "$reason",
                                            "lang": "$lang",
                                        },
                                        "n": {"$sum": 1},
                                    }
                                }
                            ],
                            "thankers": [
                                {"$match": {"reason": {"$in": ["helpful_vote", "accepted"]}}},
                                {"$group": {"_id": {"v": "$visitor_id", "giver": giver}}},
                                {"$match": {"_id.giver": {"$nin": [None, ""]}}},
                                {"$group": {"_id": "$_id.v", "n": {"$sum": 1}}},
                            ],
                        }
                    },
                ]
            )
            for facets in await rows.to_list(None):
                for r in facets["counts"]:
                    visitor, reason, n = r["_id"]["v"], r["_id"]["reason"], int(r["n"])
                    counts[visitor][reason] = counts[visitor].get(reason, 0) + n
                    lang = r["_id"].get("lang")
                    if reason == "answer" and isinstance(lang, str) and lang:
                        langs[visitor][lang] = n
                for r in facets["thankers"]:
                    thankers[r["_id"]] = int(r["n"])
        points = await self.points_totals(wanted)
        return {v: stats_from_counts(points[v], counts[v], thankers[v], langs[v]) for v in wanted}

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

    async def participation_times(self, visitor_id: str, first: int) -> list[datetime]:
        if not isinstance(visitor_id, str) or check_int(first, "first") <= 0:
            return []
        oldest = [("created_at", ASCENDING)]
        questions = self._threads.find(
            {"author_id": visitor_id, "seq": {"$gt": 0}, "held": {"$ne": True}},
            {"_id": 0, "created_at": 1},
        )
        answers = self._messages.find(
            {
                "author_id": visitor_id,
                "kind": MessageKind.ANSWER.value,
                "visibility": {"$in": [Visibility.PUBLIC.value, None]},
                "hidden": False,
            },
            {"_id": 0, "created_at": 1},
        )
        times = [
            utc(d["created_at"])
            for found in (questions, answers)
            for d in await found.sort(oldest).limit(first).to_list(None)
        ]
        return sorted(times)[:first]

    async def votes_by(self, voter_id: str) -> list[CastVote]:
        if not isinstance(voter_id, str):
            return []
        cursor = self._votes.find({"voter_id": voter_id}).sort(
            [("created_at", ASCENDING), ("message_id", ASCENDING)]
        )
        return [
            CastVote(d["message_id"], int(d["value"]), utc(d["created_at"]),
                     utc_or_none(d.get("author_banned_until")))
            for d in await cursor.to_list(None)
        ]  # fmt: skip
