"""MongoDB adapter base: client, indexes, conversions, room sequence and event log.

Layout: one collection per entity (`visitors`, `rooms`, `threads`, `messages`, `votes`,
`staff`, `cases`, `audit`, `reports`) and `events`, one document per change. `_id` is the
entity id (a room's key); a room document holds the room's `seq` counter. A case embeds its
reasons.

Transactions where the server has them: on a replica set or a sharded cluster, a unit of
work (`atomic()`) is one multi-document transaction (its session rides along with every
collection call made in the unit's task), so the entity, its case and audit lines, its room
event and its outbox items commit together. A room's seq is taken outside the transaction
(a counter that every writer of the room bumps would make concurrent transactions conflict):
an aborted unit leaves a seq gap, which replay ignores. A write conflict aborts the unit as
`Stale`, which the write path retries.

A standalone server has no transactions: each write is then a short sequence of
single-document operations ordered so that the event is always the last step (see `qa.py`),
so a crash never leaves an event pointing at nothing. At worst it leaves a seq gap or an
entity stored but never announced (or its outbox items lost).

Datetimes are BSON dates: milliseconds, read back as aware UTC; sub-millisecond parts of the
caller's values are truncated by the driver.

Every id argument must be a `str`: reads given anything else find nothing, writes raise
TypeError. An operator-looking value such as `{"$ne": None}` never reaches a query.

Documents written before a field existed read back with the field's default (a thread's
`category` "", `held`/`nudged` False, `next_check_at` None; a message's `visibility` public).
"""

from __future__ import annotations

import functools
from collections.abc import AsyncIterator, Iterable, Mapping
from contextlib import AbstractContextManager, asynccontextmanager, nullcontext
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Self, cast
from urllib.parse import parse_qsl, urlsplit

from pymongo import ASCENDING, DESCENDING, AsyncMongoClient, ReturnDocument
from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import ConnectionFailure, PyMongoError

from app.domain.errors import Conflict, Stale, Unavailable
from app.domain.models import Event, EventType, Thread, ThreadStatus, utcnow
from app.domain.outbox import CommitHook, OutboxItem

Doc = dict[str, Any]

DEFAULT_DATABASE = "entraide"
NO_TERMS = {"terms": 0}
# Only documents whose field holds a date enter these indexes (a partial index), and the
# queries repeat the same `$type` predicate so the planner may use them.
_IS_DATE = {"$type": "date"}
# name -> (collection, keys, options)
INDEXES: dict[str, tuple[str, list[tuple[str, int]], Doc]] = {
    "threads_by_room_seq": ("threads", [("room", ASCENDING), ("seq", DESCENDING)], {}),
    "threads_by_room_status_seq": (
        "threads",
        [("room", ASCENDING), ("status", ASCENDING), ("seq", DESCENDING)],
        {},
    ),
    "threads_by_room_terms": ("threads", [("room", ASCENDING), ("terms", ASCENDING)], {}),
    "threads_by_client_id": (
        "threads",
        [("author_id", ASCENDING), ("client_id", ASCENDING)],
        {"unique": True},
    ),
    "threads_by_next_check": (
        "threads",
        [("next_check_at", ASCENDING)],
        {"partialFilterExpression": {"next_check_at": _IS_DATE}},
    ),
    "threads_by_author": ("threads", [("author_id", ASCENDING), ("created_at", DESCENDING)], {}),
    "threads_unanswered": (
        "threads",
        [("created_at", ASCENDING)],
        {"partialFilterExpression": {"answer_count": 0, "status": "open"}},
    ),
    "messages_by_thread": (
        "messages",
        [("thread_id", ASCENDING), ("created_at", ASCENDING), ("_id", ASCENDING)],
        {},
    ),
    "messages_by_client_id": (
        "messages",
        [("author_id", ASCENDING), ("client_id", ASCENDING)],
        {"unique": True},
    ),
    "messages_by_author": (
        "messages",
        [("author_id", ASCENDING), ("created_at", DESCENDING)],
        {},
    ),
    "messages_by_room_author": ("messages", [("room", ASCENDING), ("author_id", ASCENDING)], {}),
    "votes_by_message_voter": (
        "votes",
        [("message_id", ASCENDING), ("voter_id", ASCENDING)],
        {"unique": True},
    ),
    "events_by_room_seq": ("events", [("room", ASCENDING), ("seq", ASCENDING)], {"unique": True}),
    "staff_by_email": ("staff", [("email", ASCENDING)], {"unique": True}),
    "cases_by_thread": ("cases", [("thread_id", ASCENDING)], {"unique": True}),
    "cases_by_queue": (
        "cases",
        [("state", ASCENDING), ("priority", DESCENDING), ("due_at", ASCENDING)],
        {},
    ),
    "cases_by_reason": ("cases", [("reasons.code", ASCENDING)], {}),
    "detector_models_by_time": (
        "detector_models",
        [("created_at", DESCENDING), ("_id", DESCENDING)],
        {},
    ),
    "cases_by_claim_due": (
        "cases",
        [("claim_due_at", ASCENDING)],
        {"partialFilterExpression": {"claim_due_at": _IS_DATE}},
    ),
    "audit_by_case": ("audit", [("case_id", ASCENDING), ("at", ASCENDING)], {}),
    "audit_by_subject": ("audit", [("subject_id", ASCENDING), ("at", DESCENDING)], {}),
    "reports_by_author": ("reports", [("author_id", ASCENDING), ("at", DESCENDING)], {}),
    "outbox_by_time": ("outbox", [("created_at", ASCENDING), ("_id", ASCENDING)], {}),
    "votes_by_voter": ("votes", [("voter_id", ASCENDING), ("created_at", ASCENDING)], {}),
    "ledger_by_visitor": ("ledger", [("visitor_id", ASCENDING), ("created_at", ASCENDING)], {}),
    "ledger_by_person": ("ledger", [("person", ASCENDING), ("created_at", ASCENDING)], {}),
    "ledger_by_giver": ("ledger", [("giver_person", ASCENDING), ("created_at", ASCENDING)], {}),
    "ledger_by_ref": ("ledger", [("ref_id", ASCENDING)], {}),
    "ledger_by_time": ("ledger", [("created_at", ASCENDING)], {}),
    "ledger_by_room": ("ledger", [("room", ASCENDING), ("created_at", ASCENDING)], {}),
    "ledger_by_category": ("ledger", [("category", ASCENDING), ("created_at", ASCENDING)], {}),
    "insight_facts_by_day": (
        "insight_facts",
        [("counted", ASCENDING), ("day", ASCENDING), ("room", ASCENDING), ("category", ASCENDING)],
        {},
    ),
    "insight_terms_by_thread": ("insight_terms", [("thread_id", ASCENDING)], {}),
    "insight_terms_by_day": (
        "insight_terms",
        [("day", ASCENDING), ("room", ASCENDING), ("term", ASCENDING)],
        {},
    ),
    "revocations_by_entry": (
        "revocations",
        [("entry_id", ASCENDING), ("seq", ASCENDING)],
        {},
    ),
    "board_totals_order": (
        "board_totals",
        [
            ("board", ASCENDING),
            ("points", DESCENDING),
            ("reached_at", ASCENDING),
            ("visitor_id", DESCENDING),
        ],
        {},
    ),
    "board_totals_by_visitor": ("board_totals", [("visitor_id", ASCENDING)], {}),
    "consents_by_subject": ("consents", [("subject_id", ASCENDING), ("given_at", ASCENDING)], {}),
    "mails_due": ("mails", [("status", ASCENDING), ("next_at", ASCENDING)], {}),
    "mails_by_to": ("mails", [("to", ASCENDING), ("created_at", ASCENDING)], {}),
    "mails_by_thread": ("mails", [("thread_id", ASCENDING), ("created_at", ASCENDING)], {}),
    "mails_by_visitor": ("mails", [("visitor_id", ASCENDING)], {}),
    "purchases_by_room": ("purchases", [("room", ASCENDING), ("at", DESCENDING)], {}),
    "purchases_by_customer": ("purchases", [("customer_id", ASCENDING)], {}),
    "owner_asks_by_thread": ("owner_asks", [("thread_id", ASCENDING)], {}),
    "self_served_by_day": ("self_served", [("day", ASCENDING), ("room", ASCENDING)], {}),
    "faq_by_room_terms": ("faq", [("room", ASCENDING), ("terms", ASCENDING)], {}),
    "faq_by_thread": ("faq", [("thread_id", ASCENDING)], {"unique": True}),
    "vectors_by_room": ("vectors", [("room", ASCENDING), ("model", ASCENDING)], {}),
    "vectors_by_ref": ("vectors", [("ref", ASCENDING)], {}),
}
# The fields a thread update may change (the same ones the SQLite adapter saves).
THREAD_CHANGES = (
    "status", "answer_count", "accepted_message_id", "updated_at", "held", "seq",
    "next_check_at", "nudged",
)  # fmt: skip


# conversions -------------------------------------------------------------------------------
def utc(value: datetime) -> datetime:
    """BSON dates carry no zone: a naive value read back is UTC by definition."""
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


def utc_or_none(value: datetime | None) -> datetime | None:
    return utc(value) if value is not None else None


def now() -> datetime:
    """utcnow at BSON precision, so a returned Event equals the one read back later."""
    moment = utcnow()
    return moment.replace(microsecond=moment.microsecond // 1000 * 1000)


def until(value: object, what: str) -> Doc:
    """`{"$type": "date", "$lte": value}`: a range on one of the partial date indexes."""
    if not isinstance(value, datetime):
        raise TypeError(f"{what} must be a datetime, not {type(value).__name__}")
    return {**_IS_DATE, "$lte": value}


def check_str(value: object, what: str) -> str:
    if not isinstance(value, str):
        raise TypeError(f"{what} must be a str, not {type(value).__name__}")
    return value


def check_opt_str(value: object, what: str) -> str | None:
    return None if value is None else check_str(value, what)


def check_int(value: object, what: str) -> int:
    if not isinstance(value, int) or isinstance(value, bool):
        raise TypeError(f"{what} must be an int, not {type(value).__name__}")
    return value


def check_date(value: object, what: str) -> datetime | None:
    if value is not None and not isinstance(value, datetime):
        raise TypeError(f"{what} must be a datetime or None, not {type(value).__name__}")
    return value


def strs(values: Iterable[object]) -> list[str]:
    return [v for v in values if isinstance(v, str)]


def thread_from(doc: Mapping[str, Any]) -> Thread:
    return Thread(
        id=doc["_id"],
        room=doc["room"],
        author_id=doc["author_id"],
        author_name=doc["author_name"],
        body=doc["body"],
        client_id=doc["client_id"],
        created_at=utc(doc["created_at"]),
        status=ThreadStatus(doc["status"]),
        answer_count=doc["answer_count"],
        accepted_message_id=doc.get("accepted_message_id"),
        updated_at=utc_or_none(doc.get("updated_at")),
        seq=doc["seq"],
        version=doc["version"],
        category=doc.get("category", ""),
        held=bool(doc.get("held", False)),
        next_check_at=utc_or_none(doc.get("next_check_at")),
        nudged=bool(doc.get("nudged", False)),
    )


def thread_changes(thread: Thread) -> Doc:
    """The values of THREAD_CHANGES, checked so that no operator reaches the database."""
    return {
        "status": ThreadStatus(thread.status).value,
        "answer_count": check_int(thread.answer_count, "answer_count"),
        "accepted_message_id": thread.accepted_message_id,
        "updated_at": check_date(thread.updated_at, "updated_at"),
        "held": bool(thread.held),
        "seq": check_int(thread.seq, "seq"),
        "next_check_at": check_date(thread.next_check_at, "next_check_at"),
        "nudged": bool(thread.nudged),
    }


def thread_at_version(thread: Thread) -> Doc:
    return {
        "_id": check_str(thread.id, "thread id"),
        "version": check_int(thread.version, "version"),
    }


def _url_sets_write_concern(url: str) -> bool:
    return any(key.lower() in {"w", "journal"} for key, _ in parse_qsl(urlsplit(url).query))


@dataclass(slots=True)
class MongoUnit:
    """One write in progress (`MongoBase.atomic`): its events and outbox items."""

    events: list[Event] = field(default_factory=list)
    items: list[OutboxItem] = field(default_factory=list)

    def publish(self, item: OutboxItem) -> None:
        self.items.append(item)


def _ignore(events: list[Event], items: list[OutboxItem]) -> None:
    """The commit hook of a store nobody dispatches from (tools, the contract suite)."""


class _InUnit:
    """A collection whose calls, made in a task running a transactional unit, carry the
    unit's session (so the unit's reads see its own writes and its writes commit together)."""

    def __init__(
        self, collection: AsyncCollection[Doc], session: ContextVar[AsyncClientSession | None]
    ) -> None:
        self.outside = collection  # for what must not join the transaction (room seq)
        self._session = session

    def __getattr__(self, name: str) -> Any:
        attr = getattr(self.outside, name)
        session = self._session.get()
        if session is None or not callable(attr):
            return attr
        return functools.partial(attr, session=session)


class MongoBase:
    """Client, collections, indexes and the room event log shared by every collection group.

    Precondition: rooms are created with `ensure_room`.
    """

    def __init__(self, client: AsyncMongoClient[Doc], database_name: str) -> None:
        self._client = client
        self._db: AsyncDatabase[Doc] = client[database_name]
        self._session: ContextVar[AsyncClientSession | None] = ContextVar(
            f"session:{database_name}", default=None
        )
        self._transactions = False  # found out in `open`
        self._visitors = self._in_unit("visitors")
        self._rooms = self._in_unit("rooms")
        self._threads = self._in_unit("threads")
        self._messages = self._in_unit("messages")
        self._votes = self._in_unit("votes")
        self._events = self._in_unit("events")
        self._staff = self._in_unit("staff")
        self._cases = self._in_unit("cases")
        self._audit = self._in_unit("audit")
        self._reports = self._in_unit("reports")
        self._outbox = self._in_unit("outbox")
        self._unit: ContextVar[MongoUnit | None] = ContextVar(f"unit:{database_name}", default=None)
        self._on_commit: CommitHook = _ignore

    @property
    def transactions(self) -> bool:
        """Whether units of work run as multi-document transactions (known once open)."""
        return self._transactions

    def _in_unit(self, name: str) -> AsyncCollection[Doc]:
        return cast(AsyncCollection[Doc], _InUnit(self._db[name], self._session))

    @classmethod
    def from_url(cls, url: str) -> Self:
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
        for name, (collection, keys, options) in INDEXES.items():
            await self._db[collection].create_index(keys, name=name, **options)
        self._transactions = await self._supports_transactions()

    async def _supports_transactions(self) -> bool:
        """Replica sets and sharded clusters run multi-document transactions."""
        try:
            hello = await self._client.admin.command("hello")
        except Exception:  # an old server or a stand-in without `hello`: no transactions
            return False
        return bool(hello.get("setName")) or hello.get("msg") == "isdbgrid"

    async def close(self) -> None:
        await self._client.close()

    async def ping(self) -> None:
        await self._client.admin.command("ping")

    # units of work and the outbox ------------------------------------------------------
    @asynccontextmanager
    async def atomic(self) -> AsyncIterator[MongoUnit]:
        """The writes inside, then the outbox items: one transaction where the server has
        them, else ordered writes (see the module docstring); nested calls join. The commit
        hook hears of the unit only once it is stored."""
        current = self._unit.get()
        if current is not None:
            yield current
            return
        unit = MongoUnit()
        token = self._unit.set(unit)
        try:
            if self._transactions:
                async with self._transaction():
                    yield unit
                    await self._write_outbox(unit)
            else:
                yield unit
                await self._write_outbox(unit)
        except ConnectionFailure as exc:  # a failover (NotPrimaryError), a lost connection
            # Stored or not, the caller cannot know: no ack; a retry with the same client_id
            # stores it once.
            raise Unavailable("the database is out of reach for a moment; try again") from exc
        finally:
            self._unit.reset(token)
        if unit.events or unit.items:
            self._on_commit(unit.events, unit.items)

    @asynccontextmanager
    async def _transaction(self) -> AsyncIterator[None]:
        async with self._client.start_session() as session:
            token = self._session.set(session)
            try:
                async with await session.start_transaction():
                    yield
            except PyMongoError as exc:
                if exc.has_error_label("TransientTransactionError"):
                    raise Stale("the data changed meanwhile; try again") from exc
                raise
            finally:
                self._session.reset(token)

    async def _write_outbox(self, unit: MongoUnit) -> None:
        if unit.items:
            await self._outbox.insert_many(
                [
                    {"_id": i.id, "kind": i.kind, "refs": i.refs, "created_at": i.created_at}
                    for i in unit.items
                ]
            )

    def on_commit(self, hook: CommitHook) -> None:
        self._on_commit = hook

    def after_commit_reads(self) -> AbstractContextManager[None]:
        """Nothing to do: the driver's pool already gives each concurrent read a connection."""
        return nullcontext()

    async def pending_outbox(self, older_than: datetime, limit: int) -> list[OutboxItem]:
        cursor = self._outbox.find({"created_at": {"$lte": older_than}}).sort(
            [("created_at", ASCENDING), ("_id", ASCENDING)]
        )
        return [
            OutboxItem(d["kind"], dict(d["refs"]), d["_id"], utc(d["created_at"]))
            for d in await cursor.limit(limit).to_list(None)
        ]

    async def outbox_done(self, ids: list[str]) -> None:
        if ids:
            await self._outbox.delete_many({"_id": {"$in": strs(ids)}})

    # room event log --------------------------------------------------------------------
    async def _next_seq(self, room: str) -> int:
        """Outside any transaction: see the module docstring."""
        rooms = cast(_InUnit, self._rooms).outside
        doc = await rooms.find_one_and_update(
            {"_id": room},
            {"$inc": {"seq": 1}},
            projection={"seq": 1},
            return_document=ReturnDocument.AFTER,
        )
        if doc is None:
            raise Conflict(f"room {room!r} does not exist")
        return int(doc["seq"])

    async def _append_event(self, room: str, seq: int, type_: EventType, entity_id: str) -> Event:
        event = Event(room=room, seq=seq, type=type_, entity_id=entity_id, created_at=now())
        await self._events.insert_one(
            {
                "room": room,
                "seq": seq,
                "type": type_.value,
                "entity_id": entity_id,
                "created_at": event.created_at,
            }
        )
        unit = self._unit.get()  # the commit hook hears of it with its unit, or at once
        if unit is not None:
            unit.events.append(event)
        else:
            self._on_commit([event], [])
        return event

    async def _announce(self, room: str, type_: EventType, entity_id: str) -> Event:
        """Allocate the room's next seq and append the event (the last step of a write)."""
        return await self._append_event(room, await self._next_seq(room), type_, entity_id)

    # threads shared by both groups -----------------------------------------------------
    async def _find_threads(
        self, query: Doc, sort: list[tuple[str, int]] | None = None, limit: int = 0
    ) -> list[Thread]:
        cursor = self._threads.find(query, NO_TERMS)
        if sort:
            cursor = cursor.sort(sort)
        if limit:
            cursor = cursor.limit(limit)
        return [thread_from(d) for d in await cursor.to_list(None)]
