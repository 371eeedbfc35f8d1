"""FAQ entries (`faq`, one per thread) and their full-text search (`faq_search`, FTS5 over
the same folded stems as `thread_search`); the vectors of answered questions and FAQ
entries (`vectors`, one per text and model) and a version per room (`vector_rooms`) that
tells a process its cached copy of a room's vectors is stale."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from app.domain.knowledge import Embeddable, FaqEntry, Kind, Vector
from app.store.sqlite.base import SqliteBase, dt, ts
from app.store.sqlite.ledger_rows import chunks, placeholders
from app.store.sqlite.qa import fts_any
from app.store.sqlite.writer import WriterConnection

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
            await drop_vectors(db, [f"faq:{e.id}"])  # the question may have changed
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
            await drop_vectors(db, [f"faq:{faq_id}"])
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

    # vectors -----------------------------------------------------------------------------
    async def unembedded(
        self, kind: Kind, model: str, *, after: str = "", ids: Sequence[str] | None = None,
        limit: int = 100,
    ) -> tuple[list[Embeddable], str | None]:  # fmt: skip
        table, text = ("faq", "question") if kind == "faq" else ("threads", "body")
        where = "" if kind == "faq" else f" AND {_ANSWERED}"
        if ids is not None:
            picked = list(ids)[:limit]
            where += f" AND x.id IN ({placeholders(len(picked))})" if picked else " AND 0"
            params: tuple[Any, ...] = (f"{kind}:", model, *picked)
        else:
            where += " AND x.id > ?"
            params = (f"{kind}:", model, after)
        rows = await self._read_all(
            f"SELECT x.id, x.room, x.{text} AS text, v.ref IS NOT NULL AS done FROM {table} x"
            " LEFT JOIN vectors v ON v.ref = ? || x.id AND v.model = ?"
            f" WHERE x.{text} != ''{where} ORDER BY x.id LIMIT ?",
            (*params, limit),
        )
        found = [Embeddable(kind, r["id"], r["room"], r["text"]) for r in rows if not r["done"]]
        more = ids is None and len(rows) == limit
        return found, rows[-1]["id"] if more else None

    async def save_vectors(self, model: str, vectors: Sequence[Vector]) -> None:
        if not vectors:
            return
        async with self._transaction(bulk=True) as db:  # a batch of blobs (the indexer's)
            versions = await _bump_vector_rooms(db, {v.room for v in vectors})
            await db.executemany(
                "INSERT OR REPLACE INTO vectors (ref, model, room, lang, vec, version)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                [(v.ref, model, v.room, v.lang, v.data, versions[v.room]) for v in vectors],
            )

    async def room_vectors(self, room: str, model: str, after: int = 0) -> list[Vector]:
        rows = await self._read_all(
            "SELECT ref, lang, vec FROM vectors WHERE room = ? AND model = ? AND version > ?"
            " ORDER BY ref",
            (room, model, after),
        )
        return [Vector(r["ref"], room, r["lang"], bytes(r["vec"])) for r in rows]

    async def vectors_version(self, room: str) -> tuple[int, int]:
        row = await self._read_one(
            "SELECT version, dropped FROM vector_rooms WHERE room = ?", (room,)
        )
        return (0, 0) if row is None else (int(row["version"]), int(row["dropped"]))


_ANSWERED = "x.status IN ('answered', 'resolved') AND x.seq > 0 AND x.held = 0"


async def _bump_vector_rooms(
    db: WriterConnection, rooms: Iterable[str], *, dropping: bool = False
) -> dict[str, int]:
    """Each room's next version (also its `dropped` version when dropping)."""
    versions = {}
    for room in sorted(rooms):
        cur = await db.execute(
            "INSERT INTO vector_rooms (room, version, dropped) VALUES (?, 1, ?)"
            " ON CONFLICT (room) DO UPDATE SET version = version + 1,"
            " dropped = CASE WHEN ? THEN version + 1 ELSE dropped END RETURNING version",
            (room, int(dropping), int(dropping)),
        )
        versions[room] = int((await cur.fetchone())["version"])  # type: ignore[index]
        await cur.close()
    return versions


async def drop_vectors(db: WriterConnection, refs: Sequence[str]) -> None:
    """Drop these texts' vectors (every model), in the caller's transaction."""
    for part in chunks(list(refs)):
        cur = await db.execute(
            f"DELETE FROM vectors WHERE ref IN ({placeholders(len(part))}) RETURNING room",
            tuple(part),
        )
        rooms = {r["room"] for r in await cur.fetchall()}
        await cur.close()
        await _bump_vector_rooms(db, rooms, dropping=True)
