"""FAQ entries (see the SQLite twin): `faq` documents carry their search `terms`; the index
`faq_by_room_terms` serves the search, ranked by shared terms in Python (at most a room's
FAQ, a few dozen entries). Vectors: `vectors` documents (`_id` "<model>|<ref>", the
vector as bytes) read by room and model, and a version per room in `vector_rooms`."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from pymongo import ASCENDING, ReturnDocument
from pymongo.asynchronous.collection import AsyncCollection

from app.domain.knowledge import Embeddable, FaqEntry, Kind, Vector
from app.domain.models import ThreadStatus
from app.store.mongo.base import NO_TERMS, Doc, MongoBase, check_str, utc

_ANSWERED = [ThreadStatus.ANSWERED.value, ThreadStatus.RESOLVED.value]


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
        await drop_vectors(self._in_unit("vectors"), self._in_unit("vector_rooms"),
                           [f"faq:{e.id}"])  # the question may have changed  # fmt: skip

    async def get_faq(self, faq_id: str) -> FaqEntry | None:
        doc = await self._faq.find_one({"_id": check_str(faq_id, "faq id")}, NO_TERMS)
        return None if doc is None else _entry(doc)

    async def faq_for_thread(self, thread_id: str) -> FaqEntry | None:
        doc = await self._faq.find_one({"thread_id": check_str(thread_id, "thread id")}, NO_TERMS)
        return None if doc is None else _entry(doc)

    async def delete_faq(self, faq_id: str) -> FaqEntry | None:
        doc = await self._faq.find_one_and_delete({"_id": check_str(faq_id, "faq id")})
        await drop_vectors(self._in_unit("vectors"), self._in_unit("vector_rooms"),
                           [f"faq:{faq_id}"])  # fmt: skip
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

    # vectors -----------------------------------------------------------------------------
    async def unembedded(
        self, kind: Kind, model: str, *, after: str = "", ids: Sequence[str] | None = None,
        limit: int = 100,
    ) -> tuple[list[Embeddable], str | None]:  # fmt: skip
        coll, text = (self._faq, "question") if kind == "faq" else (self._threads, "body")
        query: Doc = {text: {"$nin": ["", None]}}
        if kind == "thread":
            query.update(status={"$in": _ANSWERED}, seq={"$gt": 0}, held={"$ne": True})
        if ids is not None:
            query["_id"] = {"$in": [check_str(i, "id") for i in list(ids)[:limit]]}
        else:
            query["_id"] = {"$gt": check_str(after, "cursor")}
        docs = await coll.find(query, {"room": 1, text: 1}).sort("_id", ASCENDING).limit(
            limit
        ).to_list(None)  # fmt: skip
        keys = [f"{model}|{kind}:{d['_id']}" for d in docs]
        done = {d["_id"] for d in await self._vectors.find({"_id": {"$in": keys}}, {"_id": 1})
                .to_list(None)}  # fmt: skip
        found = [Embeddable(kind, d["_id"], d["room"], d[text])
                 for d, key in zip(docs, keys, strict=True) if key not in done]  # fmt: skip
        more = ids is None and len(docs) == limit
        return found, docs[-1]["_id"] if more else None

    async def save_vectors(self, model: str, vectors: Sequence[Vector]) -> None:
        versions = await _bump(self._in_unit("vector_rooms"), {v.room for v in vectors})
        for v in vectors:
            await self._vectors.replace_one(
                {"_id": f"{model}|{v.ref}"},
                {"ref": v.ref, "model": model, "room": v.room, "lang": v.lang, "vec": v.data,
                 "version": versions[v.room]},
                upsert=True,
            )  # fmt: skip

    async def room_vectors(self, room: str, model: str, after: int = 0) -> list[Vector]:
        docs = self._vectors.find(
            {"room": check_str(room, "room"), "model": model, "version": {"$gt": after}}
        )
        found = await docs.sort("ref", ASCENDING).to_list(None)
        return [Vector(d["ref"], room, d["lang"], bytes(d["vec"])) for d in found]

    async def vectors_version(self, room: str) -> tuple[int, int]:
        doc = await self._in_unit("vector_rooms").find_one({"_id": check_str(room, "room")})
        return (0, 0) if doc is None else (int(doc["version"]), int(doc.get("dropped", 0)))

    @property
    def _vectors(self) -> AsyncCollection[Doc]:
        return self._in_unit("vectors")


async def _bump(
    versions: AsyncCollection[Doc], rooms: Iterable[str], *, dropping: bool = False
) -> dict[str, int]:
    """Each room's next version (also its `dropped` version when dropping)."""
    found = {}
    for room in sorted(rooms):
        doc = await versions.find_one_and_update(
            {"_id": room}, {"$inc": {"version": 1}}, upsert=True,
            return_document=ReturnDocument.AFTER,
        )  # fmt: skip
        assert doc is not None  # upserted
        found[room] = int(doc["version"])
        if dropping:
            await versions.update_one({"_id": room}, {"$set": {"dropped": found[room]}})
    return found


async def drop_vectors(
    vectors: AsyncCollection[Doc], versions: AsyncCollection[Doc], refs: Sequence[str]
) -> None:
    """Drop these texts' vectors (every model); their rooms' versions move."""
    if not refs:
        return
    query = {"ref": {"$in": list(refs)}}
    rooms = set(await vectors.distinct("room", query))
    await vectors.delete_many(query)
    await _bump(versions, rooms, dropping=True)
