"""SQLite adapter: the embedded default. WAL, one writer connection, one reader connection.

Writes are serialised by an asyncio lock and run in `BEGIN IMMEDIATE` transactions with
`synchronous=FULL`, so a returned write survives a crash or power cut. Similar-question
search uses an FTS5 table over the stems from `app.domain.text.search_terms`.
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

import aiosqlite

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

SCHEMA = """
CREATE TABLE IF NOT EXISTS visitors (
    id TEXT PRIMARY KEY, name TEXT NOT NULL, created_at TEXT NOT NULL, banned_until TEXT
);
CREATE TABLE IF NOT EXISTS rooms (
    key TEXT PRIMARY KEY, title TEXT NOT NULL, url TEXT NOT NULL, category TEXT NOT NULL,
    created_at TEXT NOT NULL, seq INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS threads (
    id TEXT PRIMARY KEY, room TEXT NOT NULL, author_id TEXT NOT NULL, author_name TEXT NOT NULL,
    body TEXT NOT NULL, client_id TEXT NOT NULL, created_at TEXT NOT NULL, status TEXT NOT NULL,
    answer_count INTEGER NOT NULL, accepted_message_id TEXT, updated_at TEXT,
    seq INTEGER NOT NULL, version INTEGER NOT NULL
);
CREATE UNIQUE INDEX IF NOT EXISTS threads_by_client_id ON threads (author_id, client_id);
CREATE INDEX IF NOT EXISTS threads_by_room_seq ON threads (room, seq);
CREATE TABLE IF NOT EXISTS messages (
    id TEXT PRIMARY KEY, thread_id TEXT NOT NULL, room TEXT NOT NULL, kind TEXT NOT NULL,
    author_id TEXT NOT NULL, author_name TEXT NOT NULL, body TEXT NOT NULL,
    client_id TEXT NOT NULL, created_at TEXT NOT NULL, votes INTEGER NOT NULL,
    hidden INTEGER NOT NULL
);
CREATE UNIQUE INDEX IF NOT EXISTS messages_by_client_id ON messages (author_id, client_id);
CREATE INDEX IF NOT EXISTS messages_by_thread ON messages (thread_id, created_at);
CREATE TABLE IF NOT EXISTS votes (
    message_id TEXT NOT NULL, voter_id TEXT NOT NULL, value INTEGER NOT NULL,
    created_at TEXT NOT NULL, PRIMARY KEY (message_id, voter_id)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS events (
    room TEXT NOT NULL, seq INTEGER NOT NULL, type TEXT NOT NULL, entity_id TEXT NOT NULL,
    created_at TEXT NOT NULL, PRIMARY KEY (room, seq)
) WITHOUT ROWID;
CREATE VIRTUAL TABLE IF NOT EXISTS thread_search USING fts5 (
    terms, room UNINDEXED, thread_id UNINDEXED, tokenize = 'unicode61 remove_diacritics 2'
);
"""

_THREAD_COLUMNS = (
    "id, room, author_id, author_name, body, client_id, created_at, status, answer_count,"
    " accepted_message_id, updated_at, seq, version"
)
_MESSAGE_COLUMNS = (
    "id, thread_id, room, kind, author_id, author_name, body, client_id, created_at, votes, hidden"
)


def _ts(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _dt(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value is not None else None


def _thread(row: Iterable[Any]) -> Thread:
    (
        id_,
        room,
        author_id,
        author_name,
        body,
        client_id,
        created_at,
        status,
        answer_count,
        accepted,
        updated_at,
        seq,
        version,
    ) = row
    return Thread(
        id=id_,
        room=room,
        author_id=author_id,
        author_name=author_name,
        body=body,
        client_id=client_id,
        created_at=datetime.fromisoformat(created_at),
        status=ThreadStatus(status),
        answer_count=answer_count,
        accepted_message_id=accepted,
        updated_at=_dt(updated_at),
        seq=seq,
        version=version,
    )


def _message(row: Iterable[Any]) -> Message:
    (
        id_,
        thread_id,
        room,
        kind,
        author_id,
        author_name,
        body,
        client_id,
        created_at,
        votes,
        hidden,
    ) = row
    return Message(
        id=id_,
        thread_id=thread_id,
        room=room,
        kind=MessageKind(kind),
        author_id=author_id,
        author_name=author_name,
        body=body,
        client_id=client_id,
        created_at=datetime.fromisoformat(created_at),
        votes=votes,
        hidden=bool(hidden),
    )


class SqliteStore:
    def __init__(self, path: str) -> None:
        self._path = path
        self._writer: aiosqlite.Connection | None = None
        self._reader: aiosqlite.Connection | None = None
        self._write_lock = asyncio.Lock()

    # lifecycle -------------------------------------------------------------------------
    async def open(self) -> None:
        if self._path != ":memory:":
            Path(self._path).parent.mkdir(parents=True, exist_ok=True)
        self._writer = await aiosqlite.connect(self._path, isolation_level=None)
        await self._writer.executescript(
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA busy_timeout=5000;"
            " PRAGMA foreign_keys=ON;"
        )
        await self._writer.executescript(SCHEMA)
        self._reader = await aiosqlite.connect(self._path, isolation_level=None)
        await self._reader.execute("PRAGMA busy_timeout=5000")

    async def close(self) -> None:
        for conn in (self._reader, self._writer):
            if conn is not None:
                await conn.close()
        self._reader = self._writer = None

    async def ping(self) -> None:
        await self._read_one("SELECT 1", ())

    # helpers ---------------------------------------------------------------------------
    @property
    def _r(self) -> aiosqlite.Connection:
        if self._reader is None:
            raise RuntimeError("store is not open")
        return self._reader

    async def _read_one(self, sql: str, params: tuple[Any, ...]) -> Any:
        async with self._r.execute(sql, params) as cur:
            return await cur.fetchone()

    async def _read_all(self, sql: str, params: tuple[Any, ...]) -> list[Any]:
        async with self._r.execute(sql, params) as cur:
            return list(await cur.fetchall())

    @asynccontextmanager
    async def _transaction(self) -> AsyncIterator[aiosqlite.Connection]:
        if self._writer is None:
            raise RuntimeError("store is not open")
        async with self._write_lock:
            await self._writer.execute("BEGIN IMMEDIATE")
            try:
                yield self._writer
            except BaseException:
                await self._writer.execute("ROLLBACK")
                raise
            await self._writer.execute("COMMIT")

    @staticmethod
    async def _append_event(
        db: aiosqlite.Connection, room: str, type_: EventType, entity_id: str
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
            (room, event.seq, event.type.value, entity_id, _ts(event.created_at)),
        )
        return event

    # visitors ----------------------------------------------------------------------------
    async def add_visitor(self, visitor: Visitor) -> None:
        async with self._transaction() as db:
            await db.execute(
                "INSERT INTO visitors (id, name, created_at, banned_until) VALUES (?, ?, ?, ?)",
                (visitor.id, visitor.name, _ts(visitor.created_at), _ts(visitor.banned_until)),
            )

    async def get_visitor(self, visitor_id: str) -> Visitor | None:
        row = await self._read_one(
            "SELECT id, name, created_at, banned_until FROM visitors WHERE id = ?", (visitor_id,)
        )
        if row is None:
            return None
        return Visitor(
            id=row[0],
            name=row[1],
            created_at=datetime.fromisoformat(row[2]),
            banned_until=_dt(row[3]),
        )

    # rooms -------------------------------------------------------------------------------
    async def ensure_room(self, room: Room) -> Room:
        existing = await self.get_room(room.key)
        if existing is not None:
            return existing
        async with self._transaction() as db:
            await db.execute(
                "INSERT OR IGNORE INTO rooms (key, title, url, category, created_at, seq)"
                " VALUES (?, ?, ?, ?, ?, 0)",
                (room.key, room.title, room.url, room.category, _ts(room.created_at)),
            )
        stored = await self.get_room(room.key)
        assert stored is not None
        return stored

    async def get_room(self, key: str) -> Room | None:
        row = await self._read_one(
            "SELECT key, title, url, category, created_at, seq FROM rooms WHERE key = ?", (key,)
        )
        if row is None:
            return None
        return Room(
            key=row[0],
            title=row[1],
            url=row[2],
            category=row[3],
            created_at=datetime.fromisoformat(row[4]),
            seq=row[5],
        )

    # reads -------------------------------------------------------------------------------
    async def get_thread(self, thread_id: str) -> Thread | None:
        row = await self._read_one(
            f"SELECT {_THREAD_COLUMNS} FROM threads WHERE id = ?",
            (thread_id,),
        )
        return _thread(row) if row else None

    async def get_message(self, message_id: str) -> Message | None:
        row = await self._read_one(
            f"SELECT {_MESSAGE_COLUMNS} FROM messages WHERE id = ?",
            (message_id,),
        )
        return _message(row) if row else None

    async def get_threads(self, thread_ids: list[str]) -> list[Thread]:
        if not thread_ids:
            return []
        marks = ",".join("?" * len(thread_ids))
        rows = await self._read_all(
            f"SELECT {_THREAD_COLUMNS} FROM threads WHERE id IN ({marks})",
            tuple(thread_ids),
        )
        return [_thread(r) for r in rows]

    async def get_messages(self, message_ids: list[str]) -> list[Message]:
        if not message_ids:
            return []
        marks = ",".join("?" * len(message_ids))
        rows = await self._read_all(
            f"SELECT {_MESSAGE_COLUMNS} FROM messages WHERE id IN ({marks})",
            tuple(message_ids),
        )
        return [_message(r) for r in rows]

    async def find_thread_by_client_id(self, author_id: str, client_id: str) -> Thread | None:
        row = await self._read_one(
            f"SELECT {_THREAD_COLUMNS} FROM threads WHERE author_id = ? AND client_id = ?",
            (author_id, client_id),
        )
        return _thread(row) if row else None

    async def find_message_by_client_id(self, author_id: str, client_id: str) -> Message | None:
        row = await self._read_one(
            f"SELECT {_MESSAGE_COLUMNS} FROM messages WHERE author_id = ? AND client_id = ?",
            (author_id, client_id),
        )
        return _message(row) if row else None

    async def list_threads(
        self,
        room: str,
        *,
        status: ThreadStatus | None = None,
        before_seq: int | None = None,
        limit: int = 20,
    ) -> list[Thread]:
        sql = f"SELECT {_THREAD_COLUMNS} FROM threads WHERE room = ?"
        params: list[Any] = [room]
        if status is not None:
            sql += " AND status = ?"
            params.append(status.value)
        if before_seq is not None:
            sql += " AND seq < ?"
            params.append(before_seq)
        sql += " ORDER BY seq DESC LIMIT ?"
        params.append(limit)
        return [_thread(r) for r in await self._read_all(sql, tuple(params))]

    async def list_messages(self, thread_id: str) -> list[Message]:
        rows = await self._read_all(
            f"SELECT {_MESSAGE_COLUMNS} FROM messages WHERE thread_id = ? ORDER BY created_at, id",
            (thread_id,),
        )
        return [_message(r) for r in rows]

    async def search_answered(self, room: str, terms: list[str], limit: int = 5) -> list[Thread]:
        if not terms:
            return []
        # Terms come from search_terms (letters and digits only); quoting keeps FTS syntax inert.
        match = " OR ".join('"' + t.replace('"', "") + '"' for t in terms)
        rows = await self._read_all(
            f"SELECT {', '.join('t.' + c.strip() for c in _THREAD_COLUMNS.split(','))}"
            " FROM thread_search s JOIN threads t ON t.id = s.thread_id"
            " WHERE thread_search MATCH ? AND s.room = ? AND t.status IN ('answered', 'resolved')"
            " ORDER BY bm25(thread_search) LIMIT ?",
            (f"terms : ({match})", room, limit),
        )
        return [_thread(r) for r in rows]

    async def events_since(self, room: str, since: int, limit: int = 500) -> list[Event]:
        rows = await self._read_all(
            "SELECT room, seq, type, entity_id, created_at FROM events"
            " WHERE room = ? AND seq > ? ORDER BY seq LIMIT ?",
            (room, since, limit),
        )
        return [
            Event(
                room=r[0],
                seq=r[1],
                type=EventType(r[2]),
                entity_id=r[3],
                created_at=datetime.fromisoformat(r[4]),
            )
            for r in rows
        ]

    # writes ------------------------------------------------------------------------------
    async def insert_thread(self, thread: Thread, terms: list[str]) -> Event:
        try:
            async with self._transaction() as db:
                event = await self._append_event(
                    db, thread.room, EventType.THREAD_CREATED, thread.id
                )
                thread.seq = event.seq
                await db.execute(
                    f"INSERT INTO threads ({_THREAD_COLUMNS})"
                    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    self._thread_row(thread),
                )
                await db.execute(
                    "INSERT INTO thread_search (terms, room, thread_id) VALUES (?, ?, ?)",
                    (" ".join(terms), thread.room, thread.id),
                )
        except sqlite3.IntegrityError as exc:
            raise DuplicateClientId from exc
        return event

    @staticmethod
    def _thread_row(t: Thread) -> tuple[Any, ...]:
        return (
            t.id,
            t.room,
            t.author_id,
            t.author_name,
            t.body,
            t.client_id,
            _ts(t.created_at),
            t.status.value,
            t.answer_count,
            t.accepted_message_id,
            _ts(t.updated_at),
            t.seq,
            t.version,
        )

    async def _save_thread(self, db: aiosqlite.Connection, thread: Thread) -> None:
        async with db.execute(
            "UPDATE threads SET status = ?, answer_count = ?, accepted_message_id = ?,"
            " updated_at = ?, version = version + 1 WHERE id = ? AND version = ?",
            (
                thread.status.value,
                thread.answer_count,
                thread.accepted_message_id,
                _ts(thread.updated_at),
                thread.id,
                thread.version,
            ),
        ) as cur:
            if cur.rowcount != 1:
                raise Conflict("the question changed meanwhile; reload and try again")
        thread.version += 1

    async def insert_message(self, message: Message, thread: Thread) -> Event:
        try:
            async with self._transaction() as db:
                await db.execute(
                    f"INSERT INTO messages ({_MESSAGE_COLUMNS})"
                    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (
                        message.id,
                        message.thread_id,
                        message.room,
                        message.kind.value,
                        message.author_id,
                        message.author_name,
                        message.body,
                        message.client_id,
                        _ts(message.created_at),
                        message.votes,
                        int(message.hidden),
                    ),
                )
                await self._save_thread(db, thread)
                event = await self._append_event(
                    db, message.room, EventType.MESSAGE_CREATED, message.id
                )
        except sqlite3.IntegrityError as exc:
            thread.version = thread.version  # unchanged: the transaction rolled back
            raise DuplicateClientId from exc
        return event

    async def update_thread(self, thread: Thread) -> Event:
        async with self._transaction() as db:
            await self._save_thread(db, thread)
            return await self._append_event(db, thread.room, EventType.THREAD_UPDATED, thread.id)

    async def set_vote(self, message_id: str, voter_id: str, value: int) -> tuple[Message, Event]:
        async with self._transaction() as db:
            await db.execute(
                "INSERT INTO votes (message_id, voter_id, value, created_at) VALUES (?, ?, ?, ?)"
                " ON CONFLICT (message_id, voter_id) DO UPDATE SET value = excluded.value",
                (message_id, voter_id, value, _ts(utcnow())),
            )
            async with db.execute(
                "UPDATE messages SET votes ="
                " (SELECT COALESCE(SUM(value), 0) FROM votes WHERE message_id = ?)"
                f" WHERE id = ? RETURNING {_MESSAGE_COLUMNS}",
                (message_id, message_id),
            ) as cur:
                row = await cur.fetchone()
            if row is None:
                raise Conflict("that answer no longer exists")
            message = _message(row)
            event = await self._append_event(
                db, message.room, EventType.MESSAGE_UPDATED, message.id
            )
        return message, event

    async def update_message(self, message: Message) -> Event:
        async with self._transaction() as db:
            async with db.execute(
                "UPDATE messages SET hidden = ?, body = ? WHERE id = ?",
                (int(message.hidden), message.body, message.id),
            ) as cur:
                if cur.rowcount != 1:  # no event for a message that does not exist
                    raise Conflict("that answer no longer exists")
            return await self._append_event(db, message.room, EventType.MESSAGE_UPDATED, message.id)
