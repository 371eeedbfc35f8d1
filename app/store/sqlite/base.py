"""SQLite adapter base: schema, connections, transactions and the room event log.

WAL, one writer connection and two reader connections. Writes are serialised by an asyncio
lock and run in `BEGIN IMMEDIATE` transactions with `synchronous=FULL`, so a returned write
survives a crash or power cut. The writer (`writer.WriterConnection`) runs a unit's
statements on the event loop and BEGIN, COMMIT, ROLLBACK and bulk work on its own thread.
"""

from __future__ import annotations

import asyncio
import json
import sqlite3
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import aiosqlite

from app.domain.errors import Conflict
from app.domain.models import Event, EventType, utcnow
from app.domain.outbox import CommitHook, OutboxItem
from app.store.sqlite.writer import WriterConnection

SCHEMA = """
CREATE TABLE IF NOT EXISTS visitors (
    id TEXT PRIMARY KEY, name TEXT NOT NULL, created_at TEXT NOT NULL, banned_until TEXT,
    shopper_id TEXT, network_key TEXT, erased_at TEXT
);
CREATE TABLE IF NOT EXISTS rooms (
    key TEXT PRIMARY KEY, title TEXT NOT NULL, url TEXT NOT NULL, category TEXT NOT NULL,
    created_at TEXT NOT NULL, seq INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS threads (
    id TEXT PRIMARY KEY, room TEXT NOT NULL, author_id TEXT NOT NULL, author_name TEXT NOT NULL,
    body TEXT NOT NULL, client_id TEXT NOT NULL, created_at TEXT NOT NULL, status TEXT NOT NULL,
    answer_count INTEGER NOT NULL, accepted_message_id TEXT, updated_at TEXT,
    seq INTEGER NOT NULL, version INTEGER NOT NULL, category TEXT NOT NULL DEFAULT '',
    held INTEGER NOT NULL DEFAULT 0, next_check_at TEXT, nudged INTEGER NOT NULL DEFAULT 0
);
CREATE UNIQUE INDEX IF NOT EXISTS threads_by_client_id ON threads (author_id, client_id);
CREATE INDEX IF NOT EXISTS threads_by_room_seq ON threads (room, seq);
CREATE INDEX IF NOT EXISTS threads_by_next_check ON threads (next_check_at)
    WHERE next_check_at IS NOT NULL;
CREATE INDEX IF NOT EXISTS threads_by_author ON threads (author_id, created_at);
CREATE TABLE IF NOT EXISTS messages (
    id TEXT PRIMARY KEY, thread_id TEXT NOT NULL, room TEXT NOT NULL, kind TEXT NOT NULL,
    author_id TEXT NOT NULL, author_name TEXT NOT NULL, body TEXT NOT NULL,
    client_id TEXT NOT NULL, created_at TEXT NOT NULL, votes INTEGER NOT NULL,
    hidden INTEGER NOT NULL, visibility TEXT NOT NULL DEFAULT 'public',
    verified_owner INTEGER NOT NULL DEFAULT 0
);
CREATE UNIQUE INDEX IF NOT EXISTS messages_by_client_id ON messages (author_id, client_id);
CREATE INDEX IF NOT EXISTS messages_by_thread ON messages (thread_id, created_at);
CREATE INDEX IF NOT EXISTS messages_by_author ON messages (author_id, created_at);
CREATE INDEX IF NOT EXISTS messages_by_room_author ON messages (room, author_id);
CREATE TABLE IF NOT EXISTS votes (
    message_id TEXT NOT NULL, voter_id TEXT NOT NULL, value INTEGER NOT NULL,
    created_at TEXT NOT NULL, author_banned_until TEXT, PRIMARY KEY (message_id, voter_id)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS events (
    room TEXT NOT NULL, seq INTEGER NOT NULL, type TEXT NOT NULL, entity_id TEXT NOT NULL,
    created_at TEXT NOT NULL, PRIMARY KEY (room, seq)
) WITHOUT ROWID;
CREATE VIRTUAL TABLE IF NOT EXISTS thread_search USING fts5 (
    terms, room UNINDEXED, thread_id UNINDEXED, tokenize = 'unicode61 remove_diacritics 2'
);
CREATE TABLE IF NOT EXISTS staff (
    id TEXT PRIMARY KEY, email TEXT NOT NULL UNIQUE, name TEXT NOT NULL, role TEXT NOT NULL,
    password_hash TEXT NOT NULL, created_at TEXT NOT NULL,
    failed_logins INTEGER NOT NULL DEFAULT 0, locked_until TEXT,
    session_epoch INTEGER NOT NULL DEFAULT 0, digest_lang TEXT
);
CREATE TABLE IF NOT EXISTS cases (
    id TEXT PRIMARY KEY, thread_id TEXT NOT NULL UNIQUE, room TEXT NOT NULL,
    category TEXT NOT NULL, state TEXT NOT NULL, priority INTEGER NOT NULL,
    due_at TEXT NOT NULL, created_at TEXT NOT NULL, updated_at TEXT NOT NULL,
    assignee_id TEXT, assignee_name TEXT, mode TEXT NOT NULL, claim_due_at TEXT,
    flagged INTEGER NOT NULL, outcome TEXT, webhook TEXT, version INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS cases_by_queue ON cases (state, priority DESC, due_at);
CREATE INDEX IF NOT EXISTS cases_by_claim_due ON cases (claim_due_at)
    WHERE claim_due_at IS NOT NULL;
CREATE TABLE IF NOT EXISTS case_reasons (
    case_id TEXT NOT NULL, code TEXT NOT NULL, score REAL NOT NULL, evidence TEXT NOT NULL,
    at TEXT NOT NULL, verdict TEXT, pos INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (case_id, code)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS case_reasons_by_code ON case_reasons (code, verdict);
CREATE TABLE IF NOT EXISTS audit (
    id TEXT PRIMARY KEY, case_id TEXT, actor_id TEXT NOT NULL, actor_name TEXT NOT NULL,
    actor_kind TEXT NOT NULL, action TEXT NOT NULL, detail TEXT NOT NULL, at TEXT NOT NULL,
    subject_id TEXT
);
CREATE INDEX IF NOT EXISTS audit_by_case ON audit (case_id, at);
CREATE INDEX IF NOT EXISTS audit_by_subject ON audit (subject_id, at);
CREATE INDEX IF NOT EXISTS votes_by_voter ON votes (voter_id, created_at);
CREATE TABLE IF NOT EXISTS ledger (
    id TEXT PRIMARY KEY, visitor_id TEXT NOT NULL, person TEXT NOT NULL,
    points INTEGER NOT NULL, reason TEXT NOT NULL, rule TEXT NOT NULL, ref_kind TEXT NOT NULL,
    ref_id TEXT NOT NULL, thread_id TEXT, room TEXT, category TEXT, giver_id TEXT,
    giver_person TEXT, lang TEXT, note TEXT, created_at TEXT NOT NULL, revoked_at TEXT,
    revoked_reason TEXT
);
CREATE INDEX IF NOT EXISTS ledger_by_visitor ON ledger (visitor_id, created_at);
CREATE INDEX IF NOT EXISTS ledger_by_person ON ledger (person, created_at);
CREATE INDEX IF NOT EXISTS ledger_by_giver ON ledger (giver_person, created_at);
CREATE INDEX IF NOT EXISTS ledger_by_ref ON ledger (ref_id);
DROP INDEX IF EXISTS ledger_stats;
DROP INDEX IF EXISTS ledger_board;
DROP INDEX IF EXISTS ledger_board_by_room;
DROP INDEX IF EXISTS ledger_board_by_category;
CREATE TABLE IF NOT EXISTS ledger_counts (
    visitor_id TEXT NOT NULL, reason TEXT NOT NULL, lang TEXT NOT NULL, n INTEGER NOT NULL,
    PRIMARY KEY (visitor_id, reason, lang)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS ledger_thankers (
    visitor_id TEXT NOT NULL, thanker TEXT NOT NULL, n INTEGER NOT NULL,
    PRIMARY KEY (visitor_id, thanker)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS ratings (
    thread_id TEXT PRIMARY KEY, visitor_id TEXT NOT NULL, helpful INTEGER NOT NULL,
    would_have_contacted INTEGER, at TEXT NOT NULL
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS insight_facts (
    thread_id TEXT PRIMARY KEY, room TEXT NOT NULL, category TEXT NOT NULL, day TEXT NOT NULL,
    created_at TEXT NOT NULL, counted INTEGER NOT NULL, first_answer_seconds INTEGER,
    answered_by TEXT, escalated INTEGER NOT NULL, resolved INTEGER NOT NULL,
    frustrated INTEGER NOT NULL, helpful INTEGER, would_have_contacted INTEGER
) WITHOUT ROWID;
DROP INDEX IF EXISTS insight_facts_by_day;
CREATE INDEX IF NOT EXISTS insight_facts_by_period ON insight_facts (
    counted, day, room, category, first_answer_seconds, answered_by, escalated, resolved,
    frustrated, helpful, would_have_contacted
);
CREATE TABLE IF NOT EXISTS insight_terms (
    day TEXT NOT NULL, room TEXT NOT NULL, term TEXT NOT NULL, thread_id TEXT NOT NULL,
    category TEXT NOT NULL, frustrated INTEGER NOT NULL,
    PRIMARY KEY (day, room, term, thread_id)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS insight_terms_by_thread ON insight_terms (thread_id);
CREATE TABLE IF NOT EXISTS revocations (
    pos INTEGER PRIMARY KEY, entry_id TEXT NOT NULL, at TEXT NOT NULL, reason TEXT NOT NULL,
    action TEXT NOT NULL, by_id TEXT
);
CREATE INDEX IF NOT EXISTS revocations_by_entry ON revocations (entry_id, pos);
CREATE INDEX IF NOT EXISTS votes_by_voter ON votes (voter_id);
CREATE INDEX IF NOT EXISTS ratings_by_visitor ON ratings (visitor_id);
CREATE TABLE IF NOT EXISTS disqualified (
    visitor_id TEXT PRIMARY KEY, at TEXT NOT NULL
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS board_totals (
    board TEXT NOT NULL, visitor_id TEXT NOT NULL, points INTEGER NOT NULL,
    reached_at TEXT NOT NULL, PRIMARY KEY (board, visitor_id)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS board_totals_order
    ON board_totals (board, points DESC, reached_at, visitor_id DESC);
CREATE INDEX IF NOT EXISTS board_totals_by_visitor ON board_totals (visitor_id);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS reports (
    id TEXT PRIMARY KEY, message_id TEXT NOT NULL, thread_id TEXT NOT NULL, room TEXT NOT NULL,
    reporter_id TEXT NOT NULL, author_id TEXT NOT NULL, reason TEXT NOT NULL, at TEXT NOT NULL,
    case_id TEXT
);
CREATE INDEX IF NOT EXISTS reports_by_author ON reports (author_id, at);
CREATE INDEX IF NOT EXISTS reports_by_reporter ON reports (reporter_id, at);
CREATE TABLE IF NOT EXISTS outbox (
    pos INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, kind TEXT NOT NULL, refs TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS email_addresses (
    visitor_id TEXT PRIMARY KEY, email TEXT NOT NULL, lang TEXT NOT NULL,
    created_at TEXT NOT NULL, nonce TEXT, confirmed_at TEXT
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS consents (
    id TEXT PRIMARY KEY, subject_id TEXT NOT NULL, purpose TEXT NOT NULL, text TEXT NOT NULL,
    lang TEXT NOT NULL, given_at TEXT NOT NULL, withdrawn_at TEXT
);
CREATE INDEX IF NOT EXISTS consents_by_subject ON consents (subject_id, given_at);
CREATE TABLE IF NOT EXISTS mail_suppressions (
    key TEXT NOT NULL, kind TEXT NOT NULL, at TEXT NOT NULL, PRIMARY KEY (key, kind)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS mails (
    id TEXT PRIMARY KEY, kind TEXT NOT NULL, to_addr TEXT NOT NULL, subject TEXT NOT NULL,
    text TEXT NOT NULL, html TEXT NOT NULL, unsubscribe_url TEXT, visitor_id TEXT,
    thread_id TEXT, status TEXT NOT NULL, attempts INTEGER NOT NULL, next_at TEXT NOT NULL,
    last_error TEXT, created_at TEXT NOT NULL, sent_at TEXT
);
CREATE INDEX IF NOT EXISTS mails_due ON mails (status, next_at);
CREATE INDEX IF NOT EXISTS mails_by_to ON mails (to_addr, created_at);
CREATE INDEX IF NOT EXISTS mails_by_thread ON mails (thread_id, created_at)
    WHERE thread_id IS NOT NULL;
CREATE INDEX IF NOT EXISTS mails_by_visitor ON mails (visitor_id) WHERE visitor_id IS NOT NULL;
CREATE TABLE IF NOT EXISTS shop_customers (
    customer_id TEXT PRIMARY KEY, email TEXT NOT NULL, lang TEXT NOT NULL,
    owner_questions INTEGER NOT NULL, updated_at TEXT NOT NULL, consent_at TEXT
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS purchases (
    room TEXT NOT NULL, customer_id TEXT NOT NULL, at TEXT NOT NULL,
    PRIMARY KEY (room, customer_id)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS purchases_by_customer ON purchases (customer_id, room);
CREATE TABLE IF NOT EXISTS owner_asks (
    thread_id TEXT NOT NULL, customer_id TEXT NOT NULL, nonce TEXT, asked_at TEXT NOT NULL,
    used_at TEXT, PRIMARY KEY (thread_id, customer_id)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS self_served (
    id INTEGER PRIMARY KEY, day TEXT NOT NULL, room TEXT NOT NULL, category TEXT NOT NULL,
    ref TEXT NOT NULL, at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS self_served_by_day ON self_served (day, room, category);
CREATE TABLE IF NOT EXISTS faq (
    id TEXT PRIMARY KEY, room TEXT NOT NULL, thread_id TEXT NOT NULL UNIQUE,
    question TEXT NOT NULL, answer TEXT NOT NULL, lang TEXT NOT NULL, created_by TEXT NOT NULL,
    created_at TEXT NOT NULL, updated_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS faq_by_room ON faq (room, created_at);
CREATE VIRTUAL TABLE IF NOT EXISTS faq_search USING fts5 (
    terms, room UNINDEXED, faq_id UNINDEXED, tokenize = 'unicode61 remove_diacritics 2'
);
CREATE TABLE IF NOT EXISTS vectors (
    ref TEXT NOT NULL, model TEXT NOT NULL, room TEXT NOT NULL, lang TEXT NOT NULL,
    vec BLOB NOT NULL, version INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (ref, model)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS vectors_by_room ON vectors (room, model);
CREATE TABLE IF NOT EXISTS vector_rooms (
    room TEXT PRIMARY KEY, version INTEGER NOT NULL, dropped INTEGER NOT NULL DEFAULT 0
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS detector_models (
    id TEXT PRIMARY KEY, version TEXT NOT NULL, created_at TEXT NOT NULL,
    active INTEGER NOT NULL, feedback_count INTEGER NOT NULL, scores TEXT NOT NULL,
    body TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS detector_models_by_time ON detector_models (created_at DESC);
CREATE INDEX IF NOT EXISTS threads_with_body ON threads (created_at) WHERE body != '';
CREATE INDEX IF NOT EXISTS messages_with_body ON messages (created_at) WHERE body != '';
CREATE INDEX IF NOT EXISTS threads_unanswered ON threads (created_at)
    WHERE answer_count = 0 AND status = 'open';
"""
# Columns added after their table first shipped: `CREATE TABLE IF NOT EXISTS` leaves an
# existing table as it was, so `open` adds them before SCHEMA indexes them.
ADDED_COLUMNS = (
    ("audit", "subject_id", "TEXT"),
    ("visitors", "network_key", "TEXT"),
    ("staff", "session_epoch", "INTEGER NOT NULL DEFAULT 0"),
    ("messages", "verified_owner", "INTEGER NOT NULL DEFAULT 0"),
    ("visitors", "erased_at", "TEXT"),
    ("staff", "digest_lang", "TEXT"),
    ("vectors", "version", "INTEGER NOT NULL DEFAULT 0"),
    ("vector_rooms", "dropped", "INTEGER NOT NULL DEFAULT 0"),
    ("votes", "author_banned_until", "TEXT"),
)


def marks(n: int) -> str:
    """The `?, ?, ...` of an `IN (...)` with n parameters."""
    return ", ".join("?" * n)


def ts(value: datetime | None) -> str | None:
    """Timestamps are ISO strings in UTC: they sort as text, so indexes order them."""
    return value.isoformat() if value is not None else None


def dt(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value is not None else None


WRITE_WAIT_MS = 2000  # how long a write waits for another process's lock before `unavailable`
# Past it, a write is refused as `unavailable` (writer.unavailable_if_busy): it was not
# stored, and a retry with the same client_id stores it once.


@dataclass(slots=True)
class SqliteUnit:
    """A transaction in progress on the writer connection (see `SqliteBase.atomic`)."""

    db: WriterConnection
    events: list[Event] = field(default_factory=list)
    items: list[OutboxItem] = field(default_factory=list)

    def publish(self, item: OutboxItem) -> None:
        self.items.append(item)


def _ignore(events: list[Event], items: list[OutboxItem]) -> None:
    """The commit hook of a store nobody dispatches from (tools, the contract suite)."""


class SqliteBase:
    """Connections, transactions and the room event log shared by every table group."""

    def __init__(self, path: str) -> None:
        self._path = path
        self._writer: WriterConnection | None = None
        self._reader: aiosqlite.Connection | None = None
        self._background_reader: aiosqlite.Connection | None = None
        self._keyed: sqlite3.Connection | None = None  # keyed reads on the loop: _read_key
        self._in_background: ContextVar[bool] = ContextVar(f"bg:{path}", default=False)
        self._write_lock = asyncio.Lock()
        # The unit of work of the running task: per task, so concurrent writers never join
        # each other's transaction.
        self._unit: ContextVar[SqliteUnit | None] = ContextVar(f"unit:{path}", default=None)
        self._on_commit: CommitHook = _ignore

    async def open(self) -> None:
        if self._path != ":memory:":
            Path(self._path).parent.mkdir(parents=True, exist_ok=True)
        # Outside a unit, the writer runs everything on its thread: the schema stays there.
        self._writer = await WriterConnection.connect(self._path)
        await self._writer.executescript(
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;"
            f" PRAGMA busy_timeout={WRITE_WAIT_MS}; PRAGMA foreign_keys=ON;"
        )
        await self._add_missing_columns(self._writer)
        await self._writer.executescript(SCHEMA)
        self._reader = await self._connect_reader()
        self._background_reader = await self._connect_reader()
        self._keyed = sqlite3.connect(self._path, isolation_level=None, timeout=0)
        self._keyed.row_factory = sqlite3.Row

    async def _connect_reader(self) -> aiosqlite.Connection:
        reader = await aiosqlite.connect(self._path, isolation_level=None)
        reader.row_factory = sqlite3.Row
        await reader.execute("PRAGMA busy_timeout=5000")
        return reader

    @staticmethod
    async def _add_missing_columns(db: WriterConnection) -> None:
        """Bring a database made by an older version up to ADDED_COLUMNS (a fresh one has
        no tables yet: SCHEMA creates them whole). Under the write lock: processes that start
        together (`entraide run --workers N`) would otherwise both add the same column."""
        await db.execute("BEGIN IMMEDIATE")
        try:
            for table, column, decl in ADDED_COLUMNS:
                async with db.execute(f"PRAGMA table_info({table})") as cur:
                    names = {row["name"] for row in await cur.fetchall()}
                if names and column not in names:
                    await db.execute(f"ALTER TABLE {table} ADD COLUMN {column} {decl}")
        except BaseException:
            await db.execute("ROLLBACK")
            raise
        await db.execute("COMMIT")

    async def close(self) -> None:
        for conn in (self._reader, self._background_reader, self._writer):
            if conn is not None:
                await conn.close()
        self._reader = self._background_reader = self._writer = None
        if self._keyed is not None:
            self._keyed.close()
            self._keyed = None

    async def ping(self) -> None:
        await self._read_one("SELECT 1", ())

    @property
    def _r(self) -> aiosqlite.Connection:
        reader = self._background_reader if self._in_background.get() else self._reader
        if reader is None:
            raise RuntimeError("store is not open")
        return reader

    @contextmanager
    def after_commit_reads(self) -> Iterator[None]:
        """Reads inside go to the second reader connection (its own thread): a listener's
        long read (a top contributor's stats) never delays a request's."""
        token = self._in_background.set(True)
        try:
            yield
        finally:
            self._in_background.reset(token)

    # Each read runs and finishes in one call on the reader's thread. With a cursor kept
    # open across an `await`, another coroutine's read would run inside the same read
    # transaction and miss rows committed since (a fresh visitor's token read as unknown).
    async def _read_one(self, sql: str, params: tuple[Any, ...]) -> Any:
        rows = await self._r.execute_fetchall(sql, params)
        return next(iter(rows), None)

    async def _read_key(self, sql: str, params: tuple[Any, ...]) -> Any:
        """One row found through a primary or unique key, read on the event loop's own
        connection: such a read takes ~8 µs of CPU, a hop to a reader thread and back ~40
        (bench/README.md). WAL readers take no lock, so it does not wait (and its connection
        never would: timeout 0). Only for reads that touch one index entry: anything that
        scans stays on a reader thread."""
        return self._on_loop().execute(sql, params).fetchone()

    async def _read_few(self, sql: str, params: tuple[Any, ...]) -> list[Any]:
        """Like `_read_key`, for a LIMIT-bounded walk along an index (an author's latest
        rows): a few dozen index entries at most, never a scan."""
        return self._on_loop().execute(sql, params).fetchall()

    def _on_loop(self) -> sqlite3.Connection:
        if self._keyed is None:
            raise RuntimeError("store is not open")
        return self._keyed

    async def _read_all(self, sql: str, params: tuple[Any, ...]) -> list[Any]:
        return list(await self._r.execute_fetchall(sql, params))

    @asynccontextmanager
    async def atomic(self, *, bulk: bool = False) -> AsyncIterator[SqliteUnit]:
        """One transaction for everything written inside, outbox items included; nested
        calls (and plain writes) made inside join it. After COMMIT, still holding the write
        lock so that commit order is kept, the commit hook gets its events and items.

        The unit's statements run on the event loop (it holds both write locks, so none
        waits); BEGIN IMMEDIATE, COMMIT and ROLLBACK on the writer's thread, and so does
        every statement inside a `bulk` scope (a unit, or a nested call that joins one):
        work that grows with the data (writer.py). A task cancelled while BEGIN or COMMIT
        runs waits for it to end: a transaction that began is rolled back, a commit that
        succeeded is announced to the hook, then the cancellation is raised.

        Reads inside go to the reader connection and do not see the unit's own writes.
        """
        current = self._unit.get()
        if current is not None:
            with current.db.bulk(bulk):
                yield current
            return
        if self._writer is None:
            raise RuntimeError("store is not open")
        db = self._writer
        async with self._write_lock:
            await db.begin()  # busy past WRITE_WAIT_MS: Unavailable
            unit = SqliteUnit(db)
            token = self._unit.set(unit)
            try:
                with db.bulk(bulk):
                    yield unit
                if unit.items:
                    await db.executemany(
                        "INSERT INTO outbox (id, kind, refs, created_at) VALUES (?, ?, ?, ?)",
                        [(i.id, i.kind, json.dumps(i.refs), ts(i.created_at)) for i in unit.items],
                    )
            except BaseException:
                await db.rollback()
                raise
            finally:
                self._unit.reset(token)
            cancelled = await db.commit()
            if unit.events or unit.items:
                self._on_commit(unit.events, unit.items)
            if cancelled is not None:
                raise cancelled

    @asynccontextmanager
    async def _transaction(self, *, bulk: bool = False) -> AsyncIterator[WriterConnection]:
        async with self.atomic(bulk=bulk) as unit:
            yield unit.db

    def on_commit(self, hook: CommitHook) -> None:
        self._on_commit = hook

    async def pending_outbox(self, older_than: datetime, limit: int) -> list[OutboxItem]:
        rows = await self._read_all(
            "SELECT id, kind, refs, created_at FROM outbox WHERE created_at <= ?"
            " ORDER BY pos LIMIT ?",
            (ts(older_than), limit),
        )
        return [
            OutboxItem(r["kind"], json.loads(r["refs"]), r["id"], dt(r["created_at"]) or utcnow())
            for r in rows
        ]

    async def outbox_done(self, ids: list[str]) -> None:
        if not ids:
            return
        async with self._transaction() as db:
            await db.executemany("DELETE FROM outbox WHERE id = ?", [(i,) for i in ids])

    async def _append_event(
        self, db: WriterConnection, room: str, type_: EventType, entity_id: str
    ) -> Event:
        event = await self._write_event(db, room, type_, entity_id)
        unit = self._unit.get()
        assert unit is not None, "events are appended inside a transaction"
        unit.events.append(event)
        return event

    @staticmethod
    async def _write_event(
        db: WriterConnection, room: str, type_: EventType, entity_id: str
    ) -> Event:
        async with db.execute(
            "UPDATE rooms SET seq = seq + 1 WHERE key = ? RETURNING seq", (room,)
        ) as cur:
            row = await cur.fetchone()
        if row is None:
            raise Conflict(f"room {room!r} does not exist")
        event = Event(room=room, seq=row[0], type=type_, entity_id=entity_id, created_at=utcnow())
        await db.execute(
            "INSERT INTO events (room, seq, type, entity_id, created_at) VALUES (?, ?, ?, ?, ?)",
            (room, event.seq, event.type.value, entity_id, ts(event.created_at)),
        )
        return event
