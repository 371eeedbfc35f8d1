"""Visitors, rooms, threads, messages, votes and the room event log (the Q&A tables)."""

from __future__ import annotations

import sqlite3
from datetime import datetime
from typing import Any

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
    utcnow,
)
from app.store.sqlite.base import SqliteBase, dt, marks, ts
from app.store.sqlite.writer import WriterConnection

THREAD_FIELDS = (
    "id", "room", "author_id", "author_name", "body", "client_id", "created_at", "status",
    "answer_count", "accepted_message_id", "updated_at", "seq", "version", "category", "held",
    "next_check_at", "nudged",
)  # fmt: skip
MESSAGE_FIELDS = (
    "id", "thread_id", "room", "kind", "author_id", "author_name", "body", "client_id",
    "created_at", "votes", "hidden", "visibility", "verified_owner",
)  # fmt: skip
THREAD_COLUMNS = ", ".join(THREAD_FIELDS)
MESSAGE_COLUMNS = ", ".join(MESSAGE_FIELDS)


def fts_any(terms: list[str]) -> str:
    """An FTS5 query for rows whose `terms` column has any of these stems. Terms come from
    search_terms (letters and digits only); quoting keeps FTS syntax inert anyway."""
    return "terms : (" + " OR ".join('"' + t.replace('"', "") + '"' for t in terms) + ")"


def thread_from(row: sqlite3.Row) -> Thread:
    return Thread(
        id=row["id"],
        room=row["room"],
        author_id=row["author_id"],
        author_name=row["author_name"],
        body=row["body"],
        client_id=row["client_id"],
        created_at=datetime.fromisoformat(row["created_at"]),
        status=ThreadStatus(row["status"]),
        answer_count=row["answer_count"],
        accepted_message_id=row["accepted_message_id"],
        updated_at=dt(row["updated_at"]),
        seq=row["seq"],
        version=row["version"],
        category=row["category"],
        held=bool(row["held"]),
        next_check_at=dt(row["next_check_at"]),
        nudged=bool(row["nudged"]),
    )


def thread_values(t: Thread) -> tuple[Any, ...]:
    return (
        t.id, t.room, t.author_id, t.author_name, t.body, t.client_id, ts(t.created_at),
        t.status.value, t.answer_count, t.accepted_message_id, ts(t.updated_at), t.seq,
        t.version, t.category, int(t.held), ts(t.next_check_at), int(t.nudged),
    )  # fmt: skip


def message_from(row: sqlite3.Row) -> Message:
    return Message(
        id=row["id"],
        thread_id=row["thread_id"],
        room=row["room"],
        kind=MessageKind(row["kind"]),
        author_id=row["author_id"],
        author_name=row["author_name"],
        body=row["body"],
        client_id=row["client_id"],
        created_at=datetime.fromisoformat(row["created_at"]),
        votes=row["votes"],
        hidden=bool(row["hidden"]),
        visibility=Visibility(row["visibility"]),
        verified_owner=bool(row["verified_owner"]),
    )


def message_values(m: Message) -> tuple[Any, ...]:
    return (
        m.id, m.thread_id, m.room, m.kind.value, m.author_id, m.author_name, m.body,
        m.client_id, ts(m.created_at), m.votes, int(m.hidden), m.visibility.value,
        int(m.verified_owner),
    )  # fmt: skip


def room_from(row: sqlite3.Row) -> Room:
    return Room(
        key=row["key"],
        title=row["title"],
        url=row["url"],
        category=row["category"],
        created_at=datetime.fromisoformat(row["created_at"]),
        seq=row["seq"],
    )


class SqliteQA(SqliteBase):
    # visitors ----------------------------------------------------------------------------
    async def add_visitor(self, visitor: Visitor) -> None:
        async with self._transaction() as db:
            await db.execute(
                "INSERT INTO visitors (id, name, created_at, banned_until, shopper_id,"
                " network_key) VALUES (?, ?, ?, ?, ?, ?)",
                (
                    visitor.id,
                    visitor.name,
                    ts(visitor.created_at),
                    ts(visitor.banned_until),
                    visitor.shopper_id,
                    visitor.network_key,
                ),
            )

    async def get_visitor(self, visitor_id: str) -> Visitor | None:
        row = await self._read_key(
            "SELECT id, name, created_at, banned_until, shopper_id, network_key, erased_at"
            " FROM visitors WHERE id = ?",
            (visitor_id,),
        )
        if row is None:
            return None
        return Visitor(
            id=row["id"],
            name=row["name"],
            created_at=datetime.fromisoformat(row["created_at"]),
            banned_until=dt(row["banned_until"]),
            shopper_id=row["shopper_id"],
            network_key=row["network_key"],
            erased_at=dt(row["erased_at"]),
        )

    async def update_visitor(self, visitor: Visitor) -> None:
        async with self._transaction() as db:
            await db.execute(
                "UPDATE visitors SET name = ?, banned_until = ? WHERE id = ?",
                (visitor.name, ts(visitor.banned_until), visitor.id),
            )

    # rooms -------------------------------------------------------------------------------
    async def ensure_room(self, room: Room) -> Room:
        existing = await self.get_room(room.key)
        if existing is not None:
            return existing
        # Create and read back on the writer, in one transaction: the reader connection may
        # still hold an older snapshot while many first joins race (bench/README.md).
        async with self._transaction() as db:
            await db.execute(
                "INSERT OR IGNORE INTO rooms (key, title, url, category, created_at, seq)"
                " VALUES (?, ?, ?, ?, ?, 0)",
                (room.key, room.title, room.url, room.category, ts(room.created_at)),
            )
            async with db.execute(
                "SELECT key, title, url, category, created_at, seq FROM rooms WHERE key = ?",
                (room.key,),
            ) as cur:
                row = await cur.fetchone()
        assert row is not None
        return room_from(row)

    async def get_room(self, key: str) -> Room | None:
        row = await self._read_key(
            "SELECT key, title, url, category, created_at, seq FROM rooms WHERE key = ?", (key,)
        )
        return room_from(row) if row is not None else None

    # reads -------------------------------------------------------------------------------
    async def get_thread(self, thread_id: str) -> Thread | None:
        row = await self._read_key(
            f"SELECT {THREAD_COLUMNS} FROM threads WHERE id = ?", (thread_id,)
        )
        return thread_from(row) if row else None

    async def get_thread_for_update(self, thread_id: str) -> Thread | None:
        unit = self._unit.get()
        if unit is None:
            return await self.get_thread(thread_id)
        rows = await unit.db.execute_fetchall(
            f"SELECT {THREAD_COLUMNS} FROM threads WHERE id = ?", (thread_id,)
        )
        return thread_from(rows[0]) if rows else None

    async def get_message(self, message_id: str) -> Message | None:
        row = await self._read_key(
            f"SELECT {MESSAGE_COLUMNS} FROM messages WHERE id = ?", (message_id,)
        )
        return message_from(row) if row else None

    async def get_threads(self, thread_ids: list[str]) -> list[Thread]:
        if not thread_ids:
            return []
        rows = await self._read_all(
            f"SELECT {THREAD_COLUMNS} FROM threads WHERE id IN ({marks(len(thread_ids))})",
            tuple(thread_ids),
        )
        return [thread_from(r) for r in rows]

    async def get_messages(self, message_ids: list[str]) -> list[Message]:
        if not message_ids:
            return []
        rows = await self._read_all(
            f"SELECT {MESSAGE_COLUMNS} FROM messages WHERE id IN ({marks(len(message_ids))})",
            tuple(message_ids),
        )
        return [message_from(r) for r in rows]

    async def find_thread_by_client_id(self, author_id: str, client_id: str) -> Thread | None:
        row = await self._read_key(
            f"SELECT {THREAD_COLUMNS} FROM threads WHERE author_id = ? AND client_id = ?",
            (author_id, client_id),
        )
        return thread_from(row) if row else None

    async def find_message_by_client_id(self, author_id: str, client_id: str) -> Message | None:
        row = await self._read_key(
            f"SELECT {MESSAGE_COLUMNS} FROM messages WHERE author_id = ? AND client_id = ?",
            (author_id, client_id),
        )
        return message_from(row) if row else None

    async def list_threads(
        self,
        room: str,
        *,
        status: ThreadStatus | None = None,
        before_seq: int | None = None,
        limit: int = 20,
    ) -> list[Thread]:
        sql = f"SELECT {THREAD_COLUMNS} FROM threads WHERE room = ? AND seq > 0"
        params: list[Any] = [room]
        if status is not None:
            sql += " AND status = ?"
            params.append(status.value)
        if before_seq is not None:
            sql += " AND seq < ?"
            params.append(before_seq)
        sql += " ORDER BY seq DESC LIMIT ?"
        params.append(limit)
        return [thread_from(r) for r in await self._read_all(sql, tuple(params))]

    async def held_threads_of(self, author_id: str, room: str, limit: int = 20) -> list[Thread]:
        rows = await self._read_all(
            f"SELECT {THREAD_COLUMNS} FROM threads WHERE author_id = ? AND held = 1 AND room = ?"
            " ORDER BY created_at DESC LIMIT ?",
            (author_id, room, limit),
        )
        return [thread_from(r) for r in rows]

    async def list_messages(self, thread_id: str) -> list[Message]:
        rows = await self._read_all(
            f"SELECT {MESSAGE_COLUMNS} FROM messages WHERE thread_id = ? ORDER BY created_at, id",
            (thread_id,),
        )
        return [message_from(r) for r in rows]

    async def messages_of(self, thread_ids: list[str]) -> dict[str, list[Message]]:
        found: dict[str, list[Message]] = {thread_id: [] for thread_id in thread_ids}
        if found:
            rows = await self._read_all(
                f"SELECT {MESSAGE_COLUMNS} FROM messages"
                f" WHERE thread_id IN ({marks(len(found))}) ORDER BY created_at, id",
                tuple(found),
            )
            for row in rows:
                message = message_from(row)
                found[message.thread_id].append(message)
        return found

    async def search_answered(self, room: str, terms: list[str], limit: int = 5) -> list[Thread]:
        if not terms:
            return []
        rows = await self._read_all(
            f"SELECT {', '.join('t.' + f for f in THREAD_FIELDS)}"
            " FROM thread_search s JOIN threads t ON t.id = s.thread_id"
            " WHERE thread_search MATCH ? AND s.room = ? AND t.status IN ('answered', 'resolved')"
            " ORDER BY bm25(thread_search) LIMIT ?",
            (fts_any(terms), room, limit),
        )
        return [thread_from(r) for r in rows]

    async def events_since(self, room: str, since: int, limit: int = 500) -> list[Event]:
        rows = await self._read_all(
            "SELECT room, seq, type, entity_id, created_at FROM events"
            " WHERE room = ? AND seq > ? ORDER BY seq LIMIT ?",
            (room, since, limit),
        )
        return [
            Event(
                room=r["room"],
                seq=r["seq"],
                type=EventType(r["type"]),
                entity_id=r["entity_id"],
                created_at=datetime.fromisoformat(r["created_at"]),
            )
            for r in rows
        ]

    # writes ------------------------------------------------------------------------------
    async def insert_thread(self, thread: Thread, terms: list[str]) -> Event | None:
        try:
            async with self._transaction() as db:
                event = None
                if not thread.held:
                    event = await self._publish_thread(db, thread, terms)
                await db.execute(
                    f"INSERT INTO threads ({THREAD_COLUMNS}) VALUES ({marks(len(THREAD_FIELDS))})",
                    thread_values(thread),
                )
        except sqlite3.IntegrityError as exc:
            raise DuplicateClientId from exc
        return event

    async def _publish_thread(
        self, db: WriterConnection, thread: Thread, terms: list[str]
    ) -> Event:
        event = await self._append_event(db, thread.room, EventType.THREAD_CREATED, thread.id)
        thread.seq = event.seq
        await db.execute(
            "INSERT INTO thread_search (terms, room, thread_id) VALUES (?, ?, ?)",
            (" ".join(terms), thread.room, thread.id),
        )
        return event

    async def release_thread(self, thread: Thread, terms: list[str]) -> Event:
        async with self._transaction() as db:
            thread.held = False
            event = await self._publish_thread(db, thread, terms)
            await self._save_thread(db, thread)
            return event

    async def _save_thread(self, db: WriterConnection, thread: Thread) -> None:
        async with db.execute(
            "UPDATE threads SET status = ?, answer_count = ?, accepted_message_id = ?,"
            " updated_at = ?, held = ?, seq = ?, next_check_at = ?, nudged = ?,"
            " version = version + 1 WHERE id = ? AND version = ?",
            (
                thread.status.value,
                thread.answer_count,
                thread.accepted_message_id,
                ts(thread.updated_at),
                int(thread.held),
                thread.seq,
                ts(thread.next_check_at),
                int(thread.nudged),
                thread.id,
                thread.version,
            ),
        ) as cur:
            if cur.rowcount != 1:
                raise Stale("the question changed meanwhile; reload and try again")
        thread.version += 1

    async def insert_message(self, message: Message, thread: Thread) -> Event | None:
        try:
            async with self._transaction() as db:
                await db.execute(
                    f"INSERT INTO messages ({MESSAGE_COLUMNS})"
                    f" VALUES ({marks(len(MESSAGE_FIELDS))})",
                    message_values(message),
                )
                await self._save_thread(db, thread)
                if message.visibility is not Visibility.PUBLIC or thread.held:
                    return None
                return await self._append_event(
                    db, message.room, EventType.MESSAGE_CREATED, message.id
                )
        except sqlite3.IntegrityError as exc:
            raise DuplicateClientId from exc

    async def update_thread(self, thread: Thread) -> Event | None:
        async with self._transaction() as db:
            await self._save_thread(db, thread)
            if thread.held:
                return None
            return await self._append_event(db, thread.room, EventType.THREAD_UPDATED, thread.id)

    async def set_vote(
        self, message_id: str, voter_id: str, value: int,
        author_banned_until: datetime | None = None,
    ) -> tuple[Message, Event]:  # fmt: skip
        async with self._transaction() as db:
            await db.execute(
                "INSERT INTO votes (message_id, voter_id, value, created_at, author_banned_until)"
                " VALUES (?, ?, ?, ?, ?) ON CONFLICT (message_id, voter_id) DO UPDATE SET"
                " value = excluded.value, author_banned_until = excluded.author_banned_until",
                (message_id, voter_id, value, ts(utcnow()), ts(author_banned_until)),
            )
            async with db.execute(
                "UPDATE messages SET votes ="
                " (SELECT COALESCE(SUM(value), 0) FROM votes WHERE message_id = ?)"
                f" WHERE id = ? RETURNING {MESSAGE_COLUMNS}",
                (message_id, message_id),
            ) as cur:
                row = await cur.fetchone()
            if row is None:
                raise Conflict("that answer no longer exists")
            message = message_from(row)
            event = await self._append_event(
                db, message.room, EventType.MESSAGE_UPDATED, message.id
            )
        return message, event

    async def update_message(
        self, message: Message, event_type: EventType = EventType.MESSAGE_UPDATED
    ) -> Event | None:
        async with self._transaction() as db:
            async with db.execute(
                "UPDATE messages SET hidden = ?, body = ?, visibility = ? WHERE id = ?",
                (int(message.hidden), message.body, message.visibility.value, message.id),
            ) as cur:
                if cur.rowcount != 1:  # no event for a message that does not exist
                    raise Conflict("that answer no longer exists")
            if message.visibility is not Visibility.PUBLIC:
                return None
            return await self._append_event(db, message.room, event_type, message.id)
