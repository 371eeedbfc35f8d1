"""Ratings and the per-question facts behind brand insights (see the SQLite twin).

Collections: `ratings` (`_id` = thread id), `insight_facts` (`_id` = thread id: one document
per question) and `insight_terms` (one document per question and topic term). Period reads
are `$match` on the day range (strings YYYY-MM-DD) over the indexes `insight_facts_by_day`
and `insight_terms_by_day`, grouped on the server; nothing is loaded whole.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from pymongo import UpdateOne
from pymongo.asynchronous.collection import AsyncCollection

from app.store.mongo.base import Doc, MongoBase, check_str, strs
from insights.facts import Rating, ThreadFacts
from insights.kpis import Counts, DayRoomCounts, Query
from insights.topics import TermQuestions, gather


def _match(query: Query, *, terms: bool = False) -> Doc:
    """The period and filters; `insight_terms` holds counted questions only."""
    match: Doc = {"day": {"$gte": query.start.isoformat(), "$lte": query.end.isoformat()}}
    if not terms:
        match["counted"] = True
    if query.room is not None:
        match["room"] = check_str(query.room, "room")
    if query.category is not None:
        match["category"] = check_str(query.category, "category")
    return match


def _fact_doc(f: ThreadFacts) -> Doc:
    return {
        "room": f.room, "category": f.category, "day": f.day, "created_at": f.created_at,
        "counted": f.counted, "first_answer_seconds": f.first_answer_seconds,
        "answered_by": f.answered_by, "escalated": f.escalated, "resolved": f.resolved,
        "frustrated": f.frustrated, "helpful": f.helpful,
        "would_have_contacted": f.would_have_contacted,
    }  # fmt: skip


def _count_if(condition: Any) -> Doc:
    return {"$sum": {"$cond": [condition, 1, 0]}}


def _rating_from(doc: Doc) -> Rating:
    return Rating(doc["_id"], doc["visitor_id"], doc["helpful"],
                  doc["would_have_contacted"], doc["at"])  # fmt: skip


class MongoInsights(MongoBase):
    @property
    def _ratings(self) -> AsyncCollection[Doc]:
        return self._in_unit("ratings")

    @property
    def _facts(self) -> AsyncCollection[Doc]:
        return self._in_unit("insight_facts")

    @property
    def _terms(self) -> AsyncCollection[Doc]:
        return self._in_unit("insight_terms")

    async def save_rating(self, rating: Rating) -> None:
        doc = {"visitor_id": rating.visitor_id, "helpful": rating.helpful,
               "would_have_contacted": rating.would_have_contacted, "at": rating.at}  # fmt: skip
        await self._ratings.update_one(
            {"_id": check_str(rating.thread_id, "thread id")}, {"$set": doc}, upsert=True
        )

    async def get_rating(self, thread_id: str) -> Rating | None:
        if not isinstance(thread_id, str):
            return None
        doc = await self._ratings.find_one({"_id": thread_id})
        return None if doc is None else _rating_from(doc)

    async def ratings_of(self, thread_ids: list[str]) -> dict[str, Rating]:
        ids = strs(thread_ids)
        if not ids:
            return {}
        docs = await self._ratings.find({"_id": {"$in": ids}}).to_list(None)
        return {doc["_id"]: _rating_from(doc) for doc in docs}

    async def save_thread_facts(self, facts: Sequence[ThreadFacts]) -> None:
        if not facts:
            return
        await self._facts.bulk_write(
            [UpdateOne({"_id": f.thread_id}, {"$set": _fact_doc(f)}, upsert=True) for f in facts],
            ordered=False,
        )
        await self._terms.delete_many({"thread_id": {"$in": [f.thread_id for f in facts]}})
        terms = [
            {"_id": f"{f.thread_id}:{term}", "thread_id": f.thread_id, "term": term,
             "day": f.day, "room": f.room, "category": f.category, "frustrated": f.frustrated}
            for f in facts
            if f.counted
            for term in dict.fromkeys(f.terms)
        ]  # fmt: skip
        if terms:
            await self._terms.insert_many(terms, ordered=False)

    async def insight_counts(self, query: Query) -> list[DayRoomCounts]:
        answered = {"$ne": [{"$ifNull": ["$first_answer_seconds", None]}, None]}
        rated = {"$ne": [{"$ifNull": ["$helpful", None]}, None]}
        helped = {"$eq": ["$helpful", True]}
        cursor = await self._facts.aggregate(
            [
                {"$match": _match(query)},
                {
                    "$group": {
                        "_id": {"day": "$day", "room": "$room"},
                        "questions": {"$sum": 1},
                        "answered": _count_if(answered),
                        "by_community": _count_if({"$eq": ["$answered_by", "community"]}),
                        "by_staff": _count_if({"$eq": ["$answered_by", "staff"]}),
                        "escalated": _count_if({"$eq": ["$escalated", True]}),
                        "resolved": _count_if({"$eq": ["$resolved", True]}),
                        "frustrated": _count_if({"$eq": ["$frustrated", True]}),
                        "ratings": _count_if(rated),
                        "helpful": _count_if(helped),
                        "deflected": _count_if(
                            {"$and": [helped, {"$eq": ["$would_have_contacted", True]}]}
                        ),
                    }
                },
            ]
        )
        return [
            DayRoomCounts(
                d["_id"]["day"], d["_id"]["room"],
                Counts(d["questions"], d["answered"], d["by_community"], d["by_staff"],
                       d["escalated"], d["resolved"], d["frustrated"], d["ratings"],
                       d["helpful"], d["deflected"]),
            )
            for d in await cursor.to_list(None)
        ]  # fmt: skip

    async def first_answer_histogram(self, query: Query) -> list[tuple[int, int]]:
        match = {**_match(query), "first_answer_seconds": {"$type": "number"}}
        cursor = await self._facts.aggregate(
            [
                {"$match": match},
                {"$group": {"_id": "$first_answer_seconds", "n": {"$sum": 1}}},
                {"$sort": {"_id": 1}},
            ]
        )
        return [(int(d["_id"]), d["n"]) for d in await cursor.to_list(None)]

    async def nth_latest_day(self, query: Query, n: int) -> str | None:
        docs = self._facts.find(_match(query), {"day": 1}).sort("day", -1).skip(n - 1)
        found = await docs.limit(1).to_list(None)
        return str(found[0]["day"]) if found else None

    async def top_terms(self, query: Query, limit: int) -> list[tuple[str, str, int]]:
        cursor = await self._terms.aggregate(
            [
                {"$match": _match(query, terms=True)},
                {"$group": {"_id": {"room": "$room", "term": "$term"}, "n": {"$sum": 1}}},
                {"$match": {"n": {"$gte": 2}}},
                {"$sort": {"n": -1, "_id.room": 1, "_id.term": 1}},
                {"$limit": limit},
            ]
        )
        return [(d["_id"]["room"], d["_id"]["term"], d["n"]) for d in await cursor.to_list(None)]

    async def term_questions(
        self, query: Query, pairs: Sequence[tuple[str, str]]
    ) -> list[TermQuestions]:
        if not pairs:
            return []
        wanted = [{"room": check_str(room, "room"), "term": check_str(term, "term")}
                  for room, term in dict.fromkeys(pairs)]  # fmt: skip
        docs = self._terms.find(
            {**_match(query, terms=True), "$or": wanted},
            {"room": 1, "term": 1, "thread_id": 1, "frustrated": 1},
        )
        rows = [(d["room"], d["term"], d["thread_id"], bool(d["frustrated"]))
                for d in await docs.to_list(None)]  # fmt: skip
        return gather(pairs, rows)

    async def add_self_served(self, room: str, category: str, day: str, ref: str,
                              at: datetime) -> None:  # fmt: skip
        await self._in_unit("self_served").insert_one(
            {"day": day, "room": room, "category": category, "ref": ref, "at": at}
        )

    async def self_served_counts(self, query: Query) -> list[tuple[str, str, int]]:
        cursor = await self._in_unit("self_served").aggregate(
            [
                {"$match": _match(query, terms=True)},
                {"$group": {"_id": {"day": "$day", "room": "$room"}, "n": {"$sum": 1}}},
            ]
        )
        return [(d["_id"]["day"], d["_id"]["room"], d["n"]) for d in await cursor.to_list(None)]

    async def thread_ids_after(self, after: str, limit: int) -> list[str]:
        docs = self._db["threads"].find({"_id": {"$gt": check_str(after, "after")}}, {"_id": 1})
        return strs(d["_id"] for d in await docs.sort("_id", 1).limit(limit).to_list(None))
