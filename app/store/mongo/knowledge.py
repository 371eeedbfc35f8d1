"""FAQ entries (see the SQLite twin): `faq` documents carry their search `terms`; the index
`faq_by_room_terms` serves the search, ranked by shared terms in Python (at most a room's
FAQ, a few dozen entries)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pymongo import ASCENDING
from pymongo.asynchronous.collection import AsyncCollection

from app.domain.knowledge import FaqEntry
from app.store.mongo.base import NO_TERMS, Doc, MongoBase, check_str, utc


def _entry(d: Mapping[str, Any]) -> FaqEntry:
    return FaqEntry(
        d["room"], d["question"], d["answer"], d["thread_id"], d["lang"], d["created_by"],
        utc(d["created_at"]), utc(d["updated_at"]), d["_id"],
    )  # fmt: skip


class MongoKnowledge(MongoBase):
    @property
    def _faq(self) -> AsyncCollection[Doc]:
        return self._in_unit("faq")

    async def save_faq(self, entry: FaqEntry, terms: list[str]) -> None:
        e = entry
        await self._faq.replace_one(
            {"_id": check_str(e.id, "faq id")},
            {"room": e.room, "thread_id": e.thread_id, "question": e.question,
             "answer": e.answer, "lang": e.lang, "created_by": e.created_by,
             "created_at": e.created_at, "updated_at": e.updated_at,
             "terms": sorted(set(terms))},
            upsert=True,
        )  # fmt: skip

    async def get_faq(self, faq_id: str) -> FaqEntry | None:
        doc = await self._faq.find_one({"_id": check_str(faq_id, "faq id")}, NO_TERMS)
        return None if doc is None else _entry(doc)

    async def faq_for_thread(self, thread_id: str) -> FaqEntry | None:
        doc = await self._faq.find_one({"thread_id": check_str(thread_id, "thread id")}, NO_TERMS)
        return None if doc is None else _entry(doc)

    async def delete_faq(self, faq_id: str) -> FaqEntry | None:
        doc = await self._faq.find_one_and_delete({"_id": check_str(faq_id, "faq id")})
        return None if doc is None else _entry(doc)

    async def room_faq(self, room: str) -> list[FaqEntry]:
        docs = self._faq.find({"room": check_str(room, "room")}, NO_TERMS)
        found = await docs.sort([("created_at", ASCENDING), ("_id", ASCENDING)]).to_list(None)
        return [_entry(d) for d in found]

    async def answered_rooms(self, limit: int) -> list[str]:
        answered = await self._threads.distinct(
            "room", {"status": {"$in": ["answered", "resolved"]}, "seq": {"$gt": 0}}
        )
        with_faq = await self._faq.distinct("room", {})
        return sorted({*answered, *with_faq})[:limit]

    async def search_faq(self, room: str, terms: list[str], limit: int) -> list[FaqEntry]:
        wanted = set(terms)
        if not wanted:
            return []
        docs = await self._faq.find(
            {"room": check_str(room, "room"), "terms": {"$in": sorted(wanted)}}
        ).to_list(None)
        docs.sort(key=lambda d: (-len(wanted.intersection(d["terms"])), d["created_at"], d["_id"]))
        return [_entry(d) for d in docs[:limit]]
