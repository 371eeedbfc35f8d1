"""MongoDB adapter through PyMongo's async API (`pymongo.AsyncMongoClient`).

Motor reached end of life on 2026-05-14; PyMongo Async is its maintainers' successor.

Layout: one collection per entity (`visitors`, `rooms`, `threads`, `messages`, `votes`) and
`events`, one document per change. `_id` is the entity id (a room's key); a room document
holds the room's `seq` counter.

No transactions: multi-document transactions need a replica set and this adapter must also
run on a standalone server. Each write is a short sequence of single-document operations
ordered so that the event is always the last step:

1. insert the entity; the unique (author_id, client_id) index turns a retried send into
   DuplicateClientId before anything else is written;
2. apply the thread change under an optimistic `version` filter (Conflict undoes step 1);
3. allocate the room's next seq with an atomic `$inc` (a missing room undoes steps 1-2);
4. give a new thread its seq, then insert the event.

So a crash never leaves an event pointing at nothing. At worst it leaves a seq gap (crash
after step 3; `events_since` asks for `seq > since`, so a gap is harmless to replay) or an
entity stored but never announced (crash after step 1 or 2): such a thread keeps seq 0 and
`list_threads` skips it, and the client's retry with the same client_id gets
DuplicateClientId, so the service replays the stored entity instead of writing it twice.

Search does not use `$text` (mongomock, which the contract suite runs on without a server,
does not implement it, and its stemming is not ours). Each thread stores the stems from
`app.domain.text.search_terms` in a `terms` array with a multikey (room, terms) index; the
query finds answered threads sharing any stem and ranks them here by how many they share,
then newest first.

Datetimes are BSON dates: milliseconds, read back as aware UTC; sub-millisecond parts of the
caller's values are truncated by the driver.

Every id argument must be a `str`: reads given anything else find nothing, writes raise
TypeError. An operator-looking value such as `{"$ne": None}` never reaches a query.

Votes: upsert the voter's vote, then recount the message. The recount heals any earlier
drift; two votes on the same message racing can store a count one vote behind until the next
vote on that message recounts it.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from pymongo import ASCENDING, DESCENDING, AsyncMongoClient, ReturnDocument
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from app.domain.errors import Conflict, DuplicateClientId
from app.domain.models import (
    Event,
    EventType,
    Message,
    MessageKind,
    Room,
    Thread,
    ThreadStatus,
    Visitor,
    utcnow,
)

Doc = dict[str, Any]

DEFAULT_DATABASE = "entraide"
# search_answered ranks at most this many of the newest matching threads: a bound on the
# work a very common stem can cause in a big room.
SEARCH_CANDIDATES = 1000
_ANSWERED = [ThreadStatus.ANSWERED.value, ThreadStatus.RESOLVED.value]
_NO_TERMS = {"terms": 0}
# name -> (collection, keys, unique)
INDEXES: dict[str, tuple[str, list[tuple[str, int]], bool]] = {
    "threads_by_room_seq": ("threads", [("room", ASCENDING), ("seq", DESCENDING)], False),
    "threads_by_room_status_seq": (
        "threads",
        [("room", ASCENDING), ("status", ASCENDING), ("seq", DESCENDING)],
        False,
    ),
    "threads_by_room_terms": ("threads", [("room", ASCENDING), ("terms", ASCENDING)], False),
    "threads_by_client_id": ("threads", [("author_id", ASCENDING), ("client_id", ASCENDING)], True),
    "messages_by_thread": (
        "messages",
        [("thread_id", ASCENDING), ("created_at", ASCENDING), ("_id", ASCENDING)],
        False,
    ),
    "messages_by_client_id": (
        "messages",
        [("author_id", ASCENDING), ("client_id", ASCENDING)],
        True,
    ),
    "votes_by_message_voter": (
        "votes",
        [("message_id", ASCENDING), ("voter_id", ASCENDING)],
        True,
    ),
    "events_by_room_seq": ("events", [("room", ASCENDING), ("seq", ASCENDING)], True),
}


# conversions -------------------------------------------------------------------------------
def _utc(value: datetime) -> datetime:
    """BSON dates carry no zone: a naive value read back is UTC by definition."""
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


def _utc_or_none(value: datetime | None) -> datetime | None:
    return _utc(value) if value is not None else None


def _now() -> datetime:
    """utcnow at BSON precision, so a returned Event equals the one read back later."""
    now = utcnow()
    return now.replace(microsecond=now.microsecond // 1000 * 1000)


def _str(value: object, what: str) -> str:
    if not isinstance(value, str):
        raise TypeError(f"{what} must be a str, not {type(value).__name__}")
    return value


def _int(value: object, what: str) -> int:
    if not isinstance(value, int) or isinstance(value, bool):
        raise TypeError(f"{what} must be an int, not {type(value).__name__}")
    return value


def _strs(values: Iterable[object]) -> list[str]:
    return [v for v in values if isinstance(v, str)]


def _thread(doc: Mapping[str, Any]) -> Thread:
    return Thread(
        id=doc["_id"],
        room=doc["room"],
        author_id=doc["author_id"],
        author_name=doc["author_name"],
        body=doc["body"],
        client_id=doc["client_id"],
        created_at=_utc(doc["created_at"]),
        status=ThreadStatus(doc["status"]),
        answer_count=doc["answer_count"],
        accepted_message_id=doc.get("accepted_message_id"),
        updated_at=_utc_or_none(doc.get("updated_at")),
        seq=doc["seq"],
        version=doc["version"],
    )


def _message(doc: Mapping[str, Any]) -> Message:
    return Message(
        id=doc["_id"],
        thread_id=doc["thread_id"],
        room=doc["room"],
        kind=MessageKind(doc["kind"]),
        author_id=doc["author_id"],
        author_name=doc["author_name"],
        body=doc["body"],
        client_id=doc["client_id"],
        created_at=_utc(doc["created_at"]),
        votes=doc["votes"],
        hidden=bool(doc["hidden"]),
    )


def _event(doc: Mapping[str, Any]) -> Event:
    return Event(
        room=doc["room"],
        seq=doc["seq"],
        type=EventType(doc["type"]),
        entity_id=doc["entity_id"],
        created_at=_utc(doc["created_at"]),
    )


def _thread_changes(thread: Thread) -> Doc:
    """The fields a thread update may change (the same ones the SQLite adapter saves)."""
    return {
        "status": ThreadStatus(thread.status).value,
        "answer_count": _int(thread.answer_count, "answer_count"),
        "accepted_message_id": thread.accepted_message_id,
        "updated_at": thread.updated_at,
    }


def _thread_at_version(thread: Thread) -> Doc:
    return {"_id": _str(thread.id, "thread id"), "version": _int(thread.version, "version")}


def _url_sets_write_concern(url: str) -> bool:
    return any(key.lower() in {"w", "journal"} for key, _ in parse_qsl(urlsplit(url).query))


class MongoStore:
    """The storage port on MongoDB. Precondition: rooms are created with `ensure_room`."""

    def __init__(self, client: AsyncMongoClient[Doc], database_name: str) -> None:
        self._client = client
        self._db: AsyncDatabase[Doc] = client[database_name]
        self._visitors: AsyncCollection[Doc] = self._db["visitors"]
        self._rooms: AsyncCollection[Doc] = self._db["rooms"]
        self._threads: AsyncCollection[Doc] = self._db["threads"]
        self._messages: AsyncCollection[Doc] = self._db["messages"]
        self._votes: AsyncCollection[Doc] = self._db["votes"]
        self._events: AsyncCollection[Doc] = self._db["events"]

    @classmethod
    def from_url(cls, url: str) -> MongoStore:
        """Client for `url`; the database is the URL's path, else "entraide".

        Writes default to `w=majority` (acknowledged only once durable on a majority) unless
        the URL chooses its own write concern.
        """
        options: dict[str, Any] = {} if _url_sets_write_concern(url) else {"w": "majority"}
        client: AsyncMongoClient[Doc] = AsyncMongoClient(url, tz_aware=True, **options)
        return cls(client, client.get_default_database(DEFAULT_DATABASE).name)

    @property
    def database(self) -> AsyncDatabase[Doc]:
        """The underlying database, for operations tooling and index checks."""
        return self._db

    # lifecycle -------------------------------------------------------------------------
    async def open(self) -> None:
        for name, (collection, keys, unique) in INDEXES.items():
            await self._db[collection].create_index(keys, name=name, unique=unique)

    async def close(self) -> None:
        await self._client.close()

    async def ping(self) -> None:
        await self._client.admin.command("ping")

    # helpers ---------------------------------------------------------------------------
    async def _next_seq(self, room: str) -> int:
        doc = await self._rooms.find_one_and_update(
            {"_id": room},
            {"$inc": {"seq": 1}},
            projection={"seq": 1},
            return_document=ReturnDocument.AFTER,
        )
        if doc is None:
            raise Conflict(f"room {room!r} does not exist")
        return int(doc["seq"])

    async def _append_event(self, room: str, seq: int, type_: EventType, entity_id: str) -> Event:
        event = Event(room=room, seq=seq, type=type_, entity_id=entity_id, created_at=_now())
        await self._events.insert_one(
            {
                "room": room,
                "seq": seq,
                "type": type_.value,
                "entity_id": entity_id,
                "created_at": event.created_at,
            }
        )
        return event

    async def _save_thread(self, thread: Thread) -> Doc:
        """Apply `thread`'s changes if it is still at `thread.version`; return the old fields."""
        before = await self._threads.find_one_and_update(
            _thread_at_version(thread),
            {"$set": _thread_changes(thread), "$inc": {"version": 1}},
            projection={"status": 1, "answer_count": 1, "accepted_message_id": 1, "updated_at": 1},
            return_document=ReturnDocument.BEFORE,
        )
        if before is None:
            raise Conflict("the question changed meanwhile; reload and try again")
        return before

    async def _undo_save_thread(self, before: Doc, version: int) -> None:
        fields = {k: v for k, v in before.items() if k != "_id"}
        await self._threads.update_one(
            {"_id": before["_id"], "version": version + 1},
            {"$set": {**fields, "version": version}},
        )

    async def _find_threads(self, query: Doc) -> list[Thread]:
        return [_thread(d) for d in await self._threads.find(query, _NO_TERMS).to_list(None)]

    # visitors --------------------------------------------------------------------------
    async def add_visitor(self, visitor: Visitor) -> None:
        await self._visitors.insert_one(
            {
                "_id": _str(visitor.id, "visitor id"),
                "name": visitor.name,
                "created_at": visitor.created_at,
                "banned_until": visitor.banned_until,
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
            created_at=_utc(doc["created_at"]),
            banned_until=_utc_or_none(doc.get("banned_until")),
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
                    "_id": _str(room.key, "room key"),
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
            created_at=_utc(doc["created_at"]),
            seq=doc["seq"],
        )

    # reads -----------------------------------------------------------------------------
    async def get_thread(self, thread_id: str) -> Thread | None:
        if not isinstance(thread_id, str):
            return None
        doc = await self._threads.find_one({"_id": thread_id}, _NO_TERMS)
        return _thread(doc) if doc is not None else None

    async def get_message(self, message_id: str) -> Message | None:
        if not isinstance(message_id, str):
            return None
        doc = await self._messages.find_one({"_id": message_id})
        return _message(doc) if doc is not None else None

    async def get_threads(self, thread_ids: list[str]) -> list[Thread]:
        ids = _strs(thread_ids)
        return await self._find_threads({"_id": {"$in": ids}}) if ids else []

    async def get_messages(self, message_ids: list[str]) -> list[Message]:
        ids = _strs(message_ids)
        if not ids:
            return []
        return [_message(d) for d in await self._messages.find({"_id": {"$in": ids}}).to_list(None)]

    async def find_thread_by_client_id(self, author_id: str, client_id: str) -> Thread | None:
        if not (isinstance(author_id, str) and isinstance(client_id, str)):
            return None
        doc = await self._threads.find_one(
            {"author_id": author_id, "client_id": client_id}, _NO_TERMS
        )
        return _thread(doc) if doc is not None else None

    async def find_message_by_client_id(self, author_id: str, client_id: str) -> Message | None:
        if not (isinstance(author_id, str) and isinstance(client_id, str)):
            return None
        doc = await self._messages.find_one({"author_id": author_id, "client_id": client_id})
        return _message(doc) if doc is not None else None

    async def list_threads(
        self,
        room: str,
        *,
        status: ThreadStatus | None = None,
        before_seq: int | None = None,
        limit: int = 20,
    ) -> list[Thread]:
        if not isinstance(room, str) or _int(limit, "limit") <= 0:
            return []
        # seq 0 marks a thread whose creation event was never written (see module doc).
        seq: Doc = {"$gt": 0}
        if before_seq is not None:
            seq["$lt"] = _int(before_seq, "before_seq")
        query: Doc = {"room": room, "seq": seq}
        if status is not None:
            query["status"] = ThreadStatus(status).value
        cursor = self._threads.find(query, _NO_TERMS).sort("seq", DESCENDING).limit(limit)
        return [_thread(d) for d in await cursor.to_list(None)]

    async def list_messages(self, thread_id: str) -> list[Message]:
        if not isinstance(thread_id, str):
            return []
        cursor = self._messages.find({"thread_id": thread_id}).sort(
            [("created_at", ASCENDING), ("_id", ASCENDING)]
        )
        return [_message(d) for d in await cursor.to_list(None)]

    async def search_answered(self, room: str, terms: list[str], limit: int = 5) -> list[Thread]:
        wanted = set(_strs(terms))
        if not isinstance(room, str) or not wanted or _int(limit, "limit") <= 0:
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
        if not isinstance(room, str) or _int(limit, "limit") <= 0:
            return []
        cursor = (
            self._events.find({"room": room, "seq": {"$gt": _int(since, "since")}}, {"_id": 0})
            .sort("seq", ASCENDING)
            .limit(limit)
        )
        return [_event(d) for d in await cursor.to_list(None)]

    # writes ----------------------------------------------------------------------------
    async def insert_thread(self, thread: Thread, terms: list[str]) -> Event:
        room = _str(thread.room, "room")
        doc: Doc = {
            "_id": _str(thread.id, "thread id"),
            "room": room,
            "author_id": _str(thread.author_id, "author id"),
            "author_name": thread.author_name,
            "body": thread.body,
            "client_id": _str(thread.client_id, "client id"),
            "created_at": thread.created_at,
            "seq": 0,
            "version": _int(thread.version, "version"),
            "terms": sorted(set(_strs(terms))),
            **_thread_changes(thread),
        }
        try:
            await self._threads.insert_one(doc)
        except DuplicateKeyError as exc:
            raise DuplicateClientId from exc
        try:
            seq = await self._next_seq(room)
        except Conflict:
            await self._threads.delete_one({"_id": thread.id, "seq": 0})
            raise
        await self._threads.update_one({"_id": thread.id}, {"$set": {"seq": seq}})
        event = await self._append_event(room, seq, EventType.THREAD_CREATED, thread.id)
        thread.seq = seq
        return event

    async def insert_message(self, message: Message, thread: Thread) -> Event:
        room = _str(message.room, "room")
        # Refuse a malformed thread before writing anything.
        _thread_at_version(thread)
        _thread_changes(thread)
        try:
            await self._messages.insert_one(
                {
                    "_id": _str(message.id, "message id"),
                    "thread_id": _str(message.thread_id, "thread id"),
                    "room": room,
                    "kind": MessageKind(message.kind).value,
                    "author_id": _str(message.author_id, "author id"),
                    "author_name": message.author_name,
                    "body": message.body,
                    "client_id": _str(message.client_id, "client id"),
                    "created_at": message.created_at,
                    "votes": _int(message.votes, "votes"),
                    "hidden": bool(message.hidden),
                }
            )
        except DuplicateKeyError as exc:
            raise DuplicateClientId from exc
        try:
            before = await self._save_thread(thread)
        except Conflict:
            await self._messages.delete_one({"_id": message.id})
            raise
        try:
            seq = await self._next_seq(room)
        except Conflict:
            await self._undo_save_thread(before, thread.version)
            await self._messages.delete_one({"_id": message.id})
            raise
        event = await self._append_event(room, seq, EventType.MESSAGE_CREATED, message.id)
        thread.version += 1
        return event

    async def update_thread(self, thread: Thread) -> Event:
        room = _str(thread.room, "room")
        before = await self._save_thread(thread)
        try:
            seq = await self._next_seq(room)
        except Conflict:
            await self._undo_save_thread(before, thread.version)
            raise
        event = await self._append_event(room, seq, EventType.THREAD_UPDATED, thread.id)
        thread.version += 1
        return event

    async def set_vote(self, message_id: str, voter_id: str, value: int) -> tuple[Message, Event]:
        message_id = _str(message_id, "message id")
        voter_id = _str(voter_id, "voter id")
        value = _int(value, "vote")
        if await self._messages.find_one({"_id": message_id}, {"_id": 1}) is None:
            raise Conflict("that answer no longer exists")
        # The server retries an upsert that races another on the same unique key.
        await self._votes.update_one(
            {"message_id": message_id, "voter_id": voter_id},
            {"$set": {"value": value}, "$setOnInsert": {"created_at": _now()}},
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
        message = _message(doc)
        seq = await self._next_seq(message.room)
        return message, await self._append_event(
            message.room, seq, EventType.MESSAGE_UPDATED, message.id
        )

    async def update_message(self, message: Message) -> Event:
        room = _str(message.room, "room")
        result = await self._messages.update_one(
            {"_id": _str(message.id, "message id")},
            {"$set": {"hidden": bool(message.hidden), "body": message.body}},
        )
        if result.matched_count != 1:
            raise Conflict("that answer no longer exists")
        seq = await self._next_seq(room)
        return await self._append_event(room, seq, EventType.MESSAGE_UPDATED, message.id)
