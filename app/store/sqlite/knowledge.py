"""FAQ entries (`faq`, one per thread) and their full-text search (`faq_search`, FTS5 over
the same folded stems as `thread_search`)."""

from __future__ import annotations

from typing import Any

from app.domain.knowledge import FaqEntry
from app.store.sqlite.base import SqliteBase, dt, ts
from app.store.sqlite.qa import fts_any

COLUMNS = "id, room, thread_id, question, answer, lang, created_by, created_at, updated_at"


def _entry(r: Any) -> FaqEntry:
    return FaqEntry(r["room"], r["question"], r["answer"], r["thread_id"], r["lang"],
                    r["created_by"], dt(r["created_at"]), dt(r["updated_at"]),  # type: ignore[arg-type]
                    r["id"])  # fmt: skip


class SqliteKnowledge(SqliteBase):
    async def save_faq(self, entry: FaqEntry, terms: list[str]) -> None:
        e = entry
        async with self._transaction() as db:
            await db.execute(
                f"INSERT OR REPLACE INTO faq ({COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (e.id, e.room, e.thread_id, e.question, e.answer, e.lang, e.created_by,
                 ts(e.created_at), ts(e.updated_at)),
            )  # fmt: skip
            await db.execute("DELETE FROM faq_search WHERE faq_id = ?", (e.id,))
            await db.execute(
                "INSERT INTO faq_search (terms, room, faq_id) VALUES (?, ?, ?)",
                (" ".join(terms), e.room, e.id),
            )

    async def get_faq(self, faq_id: str) -> FaqEntry | None:
        row = await self._read_one(f"SELECT {COLUMNS} FROM faq WHERE id = ?", (faq_id,))
        return None if row is None else _entry(row)

    async def faq_for_thread(self, thread_id: str) -> FaqEntry | None:
        row = await self._read_one(f"SELECT {COLUMNS} FROM faq WHERE thread_id = ?", (thread_id,))
        return None if row is None else _entry(row)

    async def delete_faq(self, faq_id: str) -> FaqEntry | None:
        async with self._transaction() as db:
            cur = await db.execute(f"DELETE FROM faq WHERE id = ? RETURNING {COLUMNS}", (faq_id,))
            row = await cur.fetchone()
            await cur.close()
            await db.execute("DELETE FROM faq_search WHERE faq_id = ?", (faq_id,))
        return None if row is None else _entry(row)

    async def room_faq(self, room: str) -> list[FaqEntry]:
        rows = await self._read_all(
            f"SELECT {COLUMNS} FROM faq WHERE room = ? ORDER BY created_at, id", (room,)
        )
        return [_entry(r) for r in rows]

    async def answered_rooms(self, limit: int) -> list[str]:
        rows = await self._read_all(
            "SELECT room FROM threads WHERE status IN ('answered', 'resolved') AND seq > 0"
            " UNION SELECT room FROM faq ORDER BY room LIMIT ?",
            (limit,),
        )
        return [r["room"] for r in rows]

    async def search_faq(self, room: str, terms: list[str], limit: int) -> list[FaqEntry]:
        if not terms:
            return []
        rows = await self._read_all(
            f"SELECT {', '.join('f.' + c.strip() for c in COLUMNS.split(','))}"
            " FROM faq_search s JOIN faq f ON f.id = s.faq_id"
            " WHERE faq_search MATCH ? AND s.room = ? ORDER BY bm25(faq_search) LIMIT ?",
            (fts_any(terms), room, limit),
        )
        return [_entry(r) for r in rows]
