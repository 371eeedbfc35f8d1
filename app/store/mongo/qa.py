"""Visitors, rooms, threads, messages, votes and the room event log (the Q&A collections).

Write order, without transactions:

1. insert the entity; the unique (author_id, client_id) index turns a retried send into
   DuplicateClientId before anything else is written;
2. apply the thread change under an optimistic `version` filter (Conflict undoes step 1);
3. allocate the room's next seq with an atomic `$inc` (a missing room undoes steps 1-2);
4. give a new thread its seq, then insert the event.

A crash after step 1 or 2 leaves an entity stored but never announced: such a thread keeps
seq 0 and `list_threads` skips it, and the client's retry with the same client_id gets
DuplicateClientId, so the service replays the stored entity instead of writing it twice.

Held threads are stored with seq 0 and no search terms (never listed, never found) and no
event. `release_thread` allocates the seq first, then publishes the thread (seq, terms,
`held` false) under the version filter, then appends the event: a conflict or a crash
before the save costs a seq gap, and the thread stays held, so the release can be retried.
Private and held messages are stored, and change their thread, without an event.

Search does not use `$text` (mongomock, which the contract suite runs on without a server,
does not implement it, and its stemming is not ours). Each published thread stores the stems
from `app.domain.text.search_terms` in a `terms` array with a multikey (room, terms) index;
the query finds answered threads sharing any stem and ranks them here by how many they
share, then newest first.

Votes: upsert the voter's vote, then recount the message. The recount heals any earlier
drift; two votes on the same message racing can store a count one vote behind until the next
vote on that message recounts it.
"""

from __future__ import annotations

import contextlib
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from pymongo import ASCENDING, DESCENDING, ReturnDocument
from pymongo.errors import DuplicateKeyError

from app.domain.errors import Conflict, DuplicateClientId, Stale
from app.domain.models import (
    Event,
    EventType,
    Message,
    MessageKind,
    Room,
    Thread,
    ThreadStatus,
    Visibility,
    Visitor,
)
from app.store.mongo.base import (
    NO_TERMS,
    THREAD_CHANGES,
    Doc,
    MongoBase,
    check_date,
    check_int,
    check_opt_str,
    check_str,
    now,
    strs,
    thread_at_version,
    thread_changes,
    thread_from,
    utc,
    utc_or_none,
)

# search_answered ranks at most this many of the newest matching threads: a bound on the
# work a very common stem can cause in a big room.
SEARCH_CANDIDATES = 1000
_ANSWERED = [ThreadStatus.ANSWERED.value, ThreadStatus.RESOLVED.value]


def message_from(doc: Mapping[str, Any]) -> Message:
    return Message(
        id=doc["_id"],
        thread_id=doc["thread_id"],
        room=doc["room"],
        kind=MessageKind(doc["kind"]),
        author_id=doc["author_id"],
        author_name=doc["author_name"],
        body=doc["body"],
        client_id=doc["client_id"],
        created_at=utc(doc["created_at"]),
        votes=doc["votes"],
        hidden=bool(doc["hidden"]),
        visibility=Visibility(doc.get("visibility", Visibility.PUBLIC.value)),
        verified_owner=bool(doc.get("verified_owner", False)),
    )


def _event(doc: Mapping[str, Any]) -> Event:
    return Event(
        room=doc["room"],
        seq=doc["seq"],
        type=EventType(doc["type"]),
        entity_id=doc["entity_id"],
        created_at=utc(doc["created_at"]),
    )


def _terms(terms: list[str]) -> list[str]:
    return sorted(set(strs(terms)))


class MongoQA(MongoBase):
    # thread saves ----------------------------------------------------------------------
    async def _save_thread(self, thread: Thread, extra: Doc | None = None) -> Doc:
        """Apply `thread`'s changes if it is still at `thread.version`; return the old fields.

        The caller bumps `thread.version` once the whole write succeeded.
        """
        before = await self._threads.find_one_and_update(
            thread_at_version(thread),
            {"$set": {**thread_changes(thread), **(extra or {})}, "$inc": {"version": 1}},
            projection=dict.fromkeys(THREAD_CHANGES, 1),
            return_document=ReturnDocument.BEFORE,
        )
        if before is None:
            raise Stale("the question changed meanwhile; reload and try again")
        return before

    async def _undo_save_thread(self, before: Doc, version: int) -> None:
        restore = {k: before[k] for k in THREAD_CHANGES if k in before}
        absent = {k: "" for k in THREAD_CHANGES if k not in before}  # written by an older app
        update: Doc = {"$set": {**restore, "version": version}}
        if absent:
            update["$unset"] = absent
        await self._threads.update_one({"_id": before["_id"], "version": version + 1}, update)

    async def _save_and_announce(
        self, thread: Thread, room: str, type_: EventType | None, entity_id: str
    ) -> Event | None:
        """Save the thread (step 2), then append an event of `type_` to `room` (unless None)."""
        before = await self._save_thread(thread)
        event = None
        if type_ is not None:
            try:
                seq = await self._next_seq(room)
            except Conflict:
                await self._undo_save_thread(before, thread.version)
                raise
            event = await self._append_event(room, seq, type_, entity_id)
        thread.version += 1
        return event

    # visitors --------------------------------------------------------------------------
    async def add_visitor(self, visitor: Visitor) -> None:
        await self._visitors.insert_one(
            {
                "_id": check_str(visitor.id, "visitor id"),
                "name": visitor.name,
                "created_at": visitor.created_at,
                "banned_until": check_date(visitor.banned_until, "banned_until"),
                "shopper_id": visitor.shopper_id,
                "network_key": check_opt_str(visitor.network_key, "network key"),
            }
        )

    async def get_visitor(self, visitor_id: str) -> Visitor | None:
        if not isinstance(visitor_id, str):
            return None
        doc = await self._visitors.find_one({"_id": visitor_id})
        if doc is None:
            return None
        return Visitor(
            id=doc["_id"],
            name=doc["name"],
            created_at=utc(doc["created_at"]),
            banned_until=utc_or_none(doc.get("banned_until")),
            shopper_id=doc.get("shopper_id"),
            network_key=doc.get("network_key"),
            erased_at=utc_or_none(doc.get("erased_at")),
        )

    async def update_visitor(self, visitor: Visitor) -> None:
        await self._visitors.update_one(
            {"_id": check_str(visitor.id, "visitor id")},
            {
                "$set": {
                    "name": check_str(visitor.name, "name"),
                    "banned_until": check_date(visitor.banned_until, "banned_until"),
                }
            },
        )

    # rooms -----------------------------------------------------------------------------
    async def ensure_room(self, room: Room) -> Room:
        existing = await self.get_room(room.key)
        if existing is not None:
            return existing
        # Created concurrently: the stored room wins, as with SQLite's INSERT OR IGNORE.
        with contextlib.suppress(DuplicateKeyError):
            await self._rooms.insert_one(
                {
                    "_id": check_str(room.key, "room key"),
                    "title": room.title,
                    "url": room.url,
                    "category": room.category,
                    "created_at": room.created_at,
                    "seq": 0,
                }
            )
        stored = await self.get_room(room.key)
        assert stored is not None
        return stored

    async def get_room(self, key: str) -> Room | None:
        if not isinstance(key, str):
            return None
        doc = await self._rooms.find_one({"_id": key})
        if doc is None:
            return None
        return Room(
            key=doc["_id"],
            title=doc["title"],
            url=doc["url"],
            category=doc["category"],
            created_at=utc(doc["created_at"]),
            seq=doc["seq"],
        )

    # reads -----------------------------------------------------------------------------
    async def get_thread(self, thread_id: str) -> Thread | None:
        if not isinstance(thread_id, str):
            return None
        doc = await self._threads.find_one({"_id": thread_id}, NO_TERMS)
        return thread_from(doc) if doc is not None else None

    async def get_thread_for_update(self, thread_id: str) -> Thread | None:
        return await self.get_thread(thread_id)  # no transaction: the version check guards

    async def get_message(self, message_id: str) -> Message | None:
        if not isinstance(message_id, str):
            return None
        doc = await self._messages.find_one({"_id": message_id})
        return message_from(doc) if doc is not None else None

    async def get_threads(self, thread_ids: list[str]) -> list[Thread]:
        ids = strs(thread_ids)
        return await self._find_threads({"_id": {"$in": ids}}) if ids else []

    async def get_messages(self, message_ids: list[str]) -> list[Message]:
        ids = strs(message_ids)
        if not ids:
            return []
        docs = await self._messages.find({"_id": {"$in": ids}}).to_list(None)
        return [message_from(d) for d in docs]

    async def find_thread_by_client_id(self, author_id: str, client_id: str) -> Thread | None:
        if not (isinstance(author_id, str) and isinstance(client_id, str)):
            return None
        doc = await self._threads.find_one(
            {"author_id": author_id, "client_id": client_id}, NO_TERMS
        )
        return thread_from(doc) if doc is not None else None

    async def find_message_by_client_id(self, author_id: str, client_id: str) -> Message | None:
        if not (isinstance(author_id, str) and isinstance(client_id, str)):
            return None
        doc = await self._messages.find_one({"author_id": author_id, "client_id": client_id})
        return message_from(doc) if doc is not None else None

    async def list_threads(
        self,
        room: str,
        *,
        status: ThreadStatus | None = None,
        before_seq: int | None = None,
        limit: int = 20,
    ) -> list[Thread]:
        if not isinstance(room, str) or check_int(limit, "limit") <= 0:
            return []
        # seq 0: held, or a thread whose creation event was never written (see module doc).
        seq: Doc = {"$gt": 0}
        if before_seq is not None:
            seq["$lt"] = check_int(before_seq, "before_seq")
        query: Doc = {"room": room, "seq": seq}
        if status is not None:
            query["status"] = ThreadStatus(status).value
        return await self._find_threads(query, [("seq", DESCENDING)], limit)

    async def held_threads_of(self, author_id: str, room: str, limit: int = 20) -> list[Thread]:
        if not (isinstance(author_id, str) and isinstance(room, str)):
            return []
        query: Doc = {"author_id": author_id, "held": True, "room": room}
        return await self._find_threads(
            query, [("created_at", DESCENDING)], check_int(limit, "limit")
        )

    async def list_messages(self, thread_id: str) -> list[Message]:
        if not isinstance(thread_id, str):
            return []
        cursor = self._messages.find({"thread_id": thread_id}).sort(
            [("created_at", ASCENDING), ("_id", ASCENDING)]
        )
        return [message_from(d) for d in await cursor.to_list(None)]

    async def messages_of(self, thread_ids: list[str]) -> dict[str, list[Message]]:
        ids = strs(thread_ids)
        found: dict[str, list[Message]] = {thread_id: [] for thread_id in ids}
        if ids:
            cursor = self._messages.find({"thread_id": {"$in": ids}}).sort(
                [("created_at", ASCENDING), ("_id", ASCENDING)]
            )
            for doc in await cursor.to_list(None):
                message = message_from(doc)
                found[message.thread_id].append(message)
        return found

    async def search_answered(self, room: str, terms: list[str], limit: int = 5) -> list[Thread]:
        wanted = set(strs(terms))
        if not isinstance(room, str) or not wanted or check_int(limit, "limit") <= 0:
            return []
        cursor = (
            self._threads.find(
                {"room": room, "status": {"$in": _ANSWERED}, "terms": {"$in": sorted(wanted)}},
                {"terms": 1, "seq": 1},
            )
            .sort("seq", DESCENDING)
            .limit(SEARCH_CANDIDATES)
        )
        candidates = await cursor.to_list(None)
        candidates.sort(
            key=lambda d: (len(wanted.intersection(d["terms"])), d["seq"]), reverse=True
        )
        best = [d["_id"] for d in candidates[:limit]]
        found = {t.id: t for t in await self.get_threads(best)}
        return [found[i] for i in best if i in found]

    async def events_since(self, room: str, since: int, limit: int = 500) -> list[Event]:
        if not isinstance(room, str) or check_int(limit, "limit") <= 0:
            return []
        cursor = (
            self._events.find({"room": room, "seq": {"$gt": check_int(since, "since")}}, {"_id": 0})
            .sort("seq", ASCENDING)
            .limit(limit)
        )
        return [_event(d) for d in await cursor.to_list(None)]

    # writes ----------------------------------------------------------------------------
    async def insert_thread(self, thread: Thread, terms: list[str]) -> Event | None:
        room = check_str(thread.room, "room")
        doc: Doc = {
            "_id": check_str(thread.id, "thread id"),
            "room": room,
            "author_id": check_str(thread.author_id, "author id"),
            "author_name": thread.author_name,
            "body": thread.body,
            "client_id": check_str(thread.client_id, "client id"),
            "created_at": thread.created_at,
            "version": check_int(thread.version, "version"),
            "category": check_str(thread.category, "category"),
            **thread_changes(thread),
            "seq": 0,  # set once the creation event's seq is allocated
            "terms": [] if thread.held else _terms(terms),  # held: out of search
        }
        try:
            await self._threads.insert_one(doc)
        except DuplicateKeyError as exc:
            raise DuplicateClientId from exc
        if thread.held:
            thread.seq = 0
            return None
        try:
            seq = await self._next_seq(room)
        except Conflict:
            await self._threads.delete_one({"_id": thread.id, "seq": 0})
            raise
        await self._threads.update_one({"_id": thread.id}, {"$set": {"seq": seq}})
        event = await self._append_event(room, seq, EventType.THREAD_CREATED, thread.id)
        thread.seq = seq
        return event

    async def release_thread(self, thread: Thread, terms: list[str]) -> Event:
        room = check_str(thread.room, "room")
        thread_at_version(thread)  # refuse a malformed thread before allocating a seq
        seq = await self._next_seq(room)
        held, old_seq = thread.held, thread.seq
        thread.held, thread.seq = False, seq
        try:
            await self._save_thread(thread, {"terms": _terms(terms)})
        except Conflict:  # the allocated seq stays unused: a harmless gap
            thread.held, thread.seq = held, old_seq
            raise
        event = await self._append_event(room, seq, EventType.THREAD_CREATED, thread.id)
        thread.version += 1
        return event

    async def insert_message(self, message: Message, thread: Thread) -> Event | None:
        room = check_str(message.room, "room")
        # Refuse a malformed thread before writing anything.
        thread_at_version(thread)
        thread_changes(thread)
        try:
            await self._messages.insert_one(
                {
                    "_id": check_str(message.id, "message id"),
                    "thread_id": check_str(message.thread_id, "thread id"),
                    "room": room,
                    "kind": MessageKind(message.kind).value,
                    "author_id": check_str(message.author_id, "author id"),
                    "author_name": message.author_name,
                    "body": message.body,
                    "client_id": check_str(message.client_id, "client id"),
                    "created_at": message.created_at,
                    "votes": check_int(message.votes, "votes"),
                    "hidden": bool(message.hidden),
                    "visibility": Visibility(message.visibility).value,
                    "verified_owner": bool(message.verified_owner),
                }
            )
        except DuplicateKeyError as exc:
            raise DuplicateClientId from exc
        announced = message.visibility is Visibility.PUBLIC and not thread.held
        try:
            return await self._save_and_announce(
                thread, room, EventType.MESSAGE_CREATED if announced else None, message.id
            )
        except Conflict:
            await self._messages.delete_one({"_id": message.id})
            raise

    async def update_thread(self, thread: Thread) -> Event | None:
        room = check_str(thread.room, "room")
        type_ = None if thread.held else EventType.THREAD_UPDATED
        return await self._save_and_announce(thread, room, type_, check_str(thread.id, "id"))

    async def set_vote(
        self, message_id: str, voter_id: str, value: int,
        author_banned_until: datetime | None = None,
    ) -> tuple[Message, Event]:  # fmt: skip
        message_id = check_str(message_id, "message id")
        voter_id = check_str(voter_id, "voter id")
        value = check_int(value, "vote")
        banned = check_date(author_banned_until, "author_banned_until")
        if await self._messages.find_one({"_id": message_id}, {"_id": 1}) is None:
            raise Conflict("that answer no longer exists")
        # The server retries an upsert that races another on the same unique key.
        await self._votes.update_one(
            {"message_id": message_id, "voter_id": voter_id},
            {
                "$set": {"value": value, "author_banned_until": banned},
                "$setOnInsert": {"created_at": now()},
            },
            upsert=True,
        )
        counted = await self._votes.aggregate(
            [
                {"$match": {"message_id": message_id}},
                {"$group": {"_id": None, "total": {"$sum": "$value"}}},
            ]
        )
        rows = await counted.to_list(None)
        doc = await self._messages.find_one_and_update(
            {"_id": message_id},
            {"$set": {"votes": int(rows[0]["total"]) if rows else 0}},
            return_document=ReturnDocument.AFTER,
        )
        if doc is None:
            raise Conflict("that answer no longer exists")
        message = message_from(doc)
        return message, await self._announce(message.room, EventType.MESSAGE_UPDATED, message.id)

    async def update_message(
        self, message: Message, event_type: EventType = EventType.MESSAGE_UPDATED
    ) -> Event | None:
        room = check_str(message.room, "room")
        event_type = EventType(event_type)
        visibility = Visibility(message.visibility)
        result = await self._messages.update_one(
            {"_id": check_str(message.id, "message id")},
            {
                "$set": {
                    "hidden": bool(message.hidden),
                    "body": check_str(message.body, "body"),
                    "visibility": visibility.value,
                }
            },
        )
        if result.matched_count != 1:  # no event for a message that does not exist
            raise Conflict("that answer no longer exists")
        if visibility is not Visibility.PUBLIC:
            return None
        return await self._announce(room, event_type, message.id)
