"""A visitor's data read whole (export) or erased everywhere, and content past retention.

Erasing empties bodies in place (the rows stay: counts, votes and the thread a reply hangs
on still make sense) and removes every copy made from them: the search index
(`thread_search`), topic terms (`insight_terms`), the address, consents and e-mails. Each
published question or message whose body changes gets a room event, so open panels and
replays show it erased. `threads_with_body` / `messages_with_body` (partial indexes of rows
not erased yet) keep the retention sweep's search small.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from app.domain.models import EventType, Message, Thread, Visibility
from app.store.sqlite.base import SqliteBase, dt, ts
from app.store.sqlite.insights import rating_from
from app.store.sqlite.knowledge import drop_vectors
from app.store.sqlite.ledger_rows import chunks, placeholders
from app.store.sqlite.qa import MESSAGE_COLUMNS, THREAD_COLUMNS, message_from, thread_from
from app.store.sqlite.review import _report_from
from app.store.sqlite.writer import WriterConnection
from insights.facts import Rating
from moderation.reports import Report

PUBLISHED = "status != 'hidden' AND held = 0"


class SqlitePrivacy(SqliteBase):
    # export ------------------------------------------------------------------------------
    async def visitor_threads(self, visitor_id: str) -> list[Thread]:
        rows = await self._read_all(
            f"SELECT {THREAD_COLUMNS} FROM threads WHERE author_id = ? ORDER BY created_at, id",
            (visitor_id,),
        )
        return [thread_from(r) for r in rows]

    async def visitor_messages(self, visitor_id: str) -> list[Message]:
        rows = await self._read_all(
            f"SELECT {MESSAGE_COLUMNS} FROM messages WHERE author_id = ? ORDER BY created_at, id",
            (visitor_id,),
        )
        return [message_from(r) for r in rows]

    async def visitor_votes(self, visitor_id: str) -> list[tuple[str, int, datetime]]:
        rows = await self._read_all(
            "SELECT message_id, value, created_at FROM votes WHERE voter_id = ?"
            " ORDER BY created_at, message_id",
            (visitor_id,),
        )
        return [(r["message_id"], r["value"], dt(r["created_at"])) for r in rows]  # type: ignore[misc]

    async def visitor_ratings(self, visitor_id: str) -> list[Rating]:
        rows = await self._read_all(
            "SELECT * FROM ratings WHERE visitor_id = ? ORDER BY at, thread_id", (visitor_id,)
        )
        return [rating_from(r) for r in rows]

    async def visitor_reports(self, visitor_id: str) -> list[Report]:
        rows = await self._read_all(
            "SELECT * FROM reports WHERE reporter_id = ? ORDER BY at, id", (visitor_id,)
        )
        return [_report_from(r) for r in rows]

    # erasure -----------------------------------------------------------------------------
    async def erase_visitor(self, visitor_id: str, pseudonym: str, at: datetime) -> list[str]:
        # Bulk (on the writer's thread): a prolific visitor's rows are many.
        async with self._transaction(bulk=True) as db:
            customer = await _rows(
                db, "SELECT c.customer_id, c.email FROM visitors AS v JOIN shop_customers AS c"
                " ON c.customer_id = v.shopper_id WHERE v.id = ?", (visitor_id,),
            )  # fmt: skip
            for row in customer:  # what the shop told us about this person goes too
                for table in ("shop_customers", "purchases", "owner_asks"):
                    await db.execute(f"DELETE FROM {table} WHERE customer_id = ?",
                                     (row["customer_id"],))  # fmt: skip
                await db.execute("DELETE FROM mails WHERE to_addr = ?", (row["email"],))
            await db.execute(
                "UPDATE visitors SET name = ?, shopper_id = NULL, network_key = NULL,"
                " erased_at = ? WHERE id = ?",
                (pseudonym, ts(at), visitor_id),
            )
            threads = await _rows(
                db, f"SELECT id, room FROM threads WHERE author_id = ? AND {PUBLISHED}",
                (visitor_id,),
            )  # fmt: skip
            messages = await _rows(db, _PUBLISHED_MESSAGES + " AND m.author_id = ?", (visitor_id,))
            touched = await _rows(
                db, "SELECT DISTINCT thread_id FROM messages WHERE author_id = ?", (visitor_id,)
            )
            mine = await _rows(db, "SELECT id FROM threads WHERE author_id = ?", (visitor_id,))
            await db.execute(
                "UPDATE threads SET body = '', author_name = ?, version = version + 1"
                " WHERE author_id = ?",
                (pseudonym, visitor_id),
            )
            await db.execute(
                "UPDATE messages SET body = '', author_name = ? WHERE author_id = ?",
                (pseudonym, visitor_id),
            )
            await self._announce_erased(db, threads, messages)
            await _drop_copies(db, [r["id"] for r in mine])
            for part in chunks(sorted({r["id"] for r in mine} | {r["thread_id"] for r in touched})):
                marks = placeholders(len(part))  # FAQ entries made from their words
                faq = await _rows(db, f"SELECT id FROM faq WHERE thread_id IN ({marks})",
                                  tuple(part))  # fmt: skip
                await drop_vectors(db, [f"faq:{r['id']}" for r in faq])
                await db.execute(
                    f"DELETE FROM faq_search WHERE faq_id IN"
                    f" (SELECT id FROM faq WHERE thread_id IN ({marks}))", tuple(part),
                )  # fmt: skip
                await db.execute(f"DELETE FROM faq WHERE thread_id IN ({marks})", tuple(part))
            address = await _rows(
                db, "DELETE FROM email_addresses WHERE visitor_id = ? RETURNING email",
                (visitor_id,),
            )  # fmt: skip
            await db.execute("DELETE FROM consents WHERE subject_id = ?", (visitor_id,))
            await db.execute("DELETE FROM mails WHERE visitor_id = ?", (visitor_id,))
            for row in address:
                await db.execute("DELETE FROM mails WHERE to_addr = ?", (row["email"],))
            await db.execute("UPDATE ratings SET visitor_id = '' WHERE visitor_id = ?",
                             (visitor_id,))  # fmt: skip
            await db.execute(
                "INSERT OR IGNORE INTO disqualified (visitor_id, at) VALUES (?, ?)",
                (visitor_id, ts(at)),
            )
        return sorted({r["id"] for r in mine} | {r["thread_id"] for r in touched})

    async def erase_expired(
        self, public_before: datetime | None, private_before: datetime, limit: int
    ) -> list[str]:
        # (published?, cutoff): public content only when a public retention is set.
        cutoffs = [(False, private_before)] + ([(True, public_before)] if public_before else [])
        async with self._transaction(bulk=True) as db:  # up to 2 x `limit` rows per kind
            threads: list[Any] = []
            messages: list[Any] = []
            for public, before in cutoffs:
                threads += await _rows(
                    db,
                    "SELECT id, room, held, status FROM threads INDEXED BY threads_with_body"
                    " WHERE body != '' AND created_at < ? AND held = ?"
                    " ORDER BY created_at LIMIT ?",
                    (ts(before), int(not public), limit),
                )
                public_message = (
                    "m.visibility = 'public' AND t.held = 0" if public
                    else "(m.visibility != 'public' OR t.held = 1)"
                )  # fmt: skip
                messages += await _rows(
                    db,
                    "SELECT m.id, m.room, m.thread_id, m.visibility, m.hidden, t.held, t.status"
                    " FROM messages AS m INDEXED BY messages_with_body"
                    " JOIN threads AS t ON t.id = m.thread_id"
                    f" WHERE m.body != '' AND m.created_at < ? AND {public_message}"
                    " ORDER BY m.created_at LIMIT ?",
                    (ts(before), limit),
                )
            for table, ids in (("threads", [r["id"] for r in threads]),
                               ("messages", [r["id"] for r in messages])):  # fmt: skip
                bump = ", version = version + 1" if table == "threads" else ""
                for part in chunks(ids):
                    await db.execute(
                        f"UPDATE {table} SET body = ''{bump}"
                        f" WHERE id IN ({placeholders(len(part))})",
                        tuple(part),
                    )
            await self._announce_erased(
                db,
                [r for r in threads if not r["held"] and r["status"] != "hidden"],
                [r for r in messages if _published(r)],
            )
            await _drop_copies(db, [r["id"] for r in threads])
        return sorted({r["id"] for r in threads} | {r["thread_id"] for r in messages})

    async def _announce_erased(
        self, db: WriterConnection, threads: Sequence[Any], messages: Sequence[Any]
    ) -> None:
        for row in threads:
            await self._append_event(db, row["room"], EventType.THREAD_UPDATED, row["id"])
        for row in messages:
            await self._append_event(db, row["room"], EventType.MESSAGE_UPDATED, row["id"])


_PUBLISHED_MESSAGES = (
    "SELECT m.id, m.room FROM messages AS m JOIN threads AS t ON t.id = m.thread_id"
    f" WHERE m.visibility = '{Visibility.PUBLIC.value}' AND m.hidden = 0"
    " AND t.held = 0 AND t.status != 'hidden'"
)


def _published(row: Any) -> bool:
    return (row["visibility"] == Visibility.PUBLIC.value and not row["hidden"]
            and not row["held"] and row["status"] != "hidden")  # fmt: skip


async def _rows(db: WriterConnection, sql: str, params: tuple[Any, ...]) -> list[Any]:
    cur = await db.execute(sql, params)
    rows = await cur.fetchall()
    await cur.close()
    return list(rows)


async def _drop_copies(db: WriterConnection, thread_ids: Sequence[str]) -> None:
    """What was made from these questions' text: search terms, topic terms, vectors."""
    await drop_vectors(db, [f"thread:{i}" for i in thread_ids])
    for part in chunks(list(thread_ids)):
        marks = placeholders(len(part))
        await db.execute(f"DELETE FROM thread_search WHERE thread_id IN ({marks})", tuple(part))
        await db.execute(f"DELETE FROM insight_terms WHERE thread_id IN ({marks})", tuple(part))
