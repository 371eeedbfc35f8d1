"""Ratings and the per-question facts behind brand insights.

`insight_facts` holds one row per question; `insight_terms` one row per (question, topic
term), both rewritten together by `save_thread_facts`. Reads are indexed range scans over
the period's days: the covering index `insight_facts_by_period` answers the counts and the
first-answer histogram without touching the table, and `insight_terms`' key starts with the
day, whatever the store's size.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from app.store.sqlite.base import SqliteBase, dt, marks, ts
from insights.facts import Rating, ThreadFacts
from insights.kpis import Counts, DayRoomCounts, Query
from insights.topics import TermQuestions, gather

FACT_COLUMNS = (
    "thread_id, room, category, day, created_at, counted, first_answer_seconds, answered_by,"
    " escalated, resolved, frustrated, helpful, would_have_contacted"
)


INSERT_FACT_SQL = (
    f"INSERT OR REPLACE INTO insight_facts ({FACT_COLUMNS})"
    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)
INSERT_TERM_SQL = (
    "INSERT OR IGNORE INTO insight_terms"
    " (day, room, term, thread_id, category, frustrated) VALUES (?, ?, ?, ?, ?, ?)"
)


def fact_row(f: ThreadFacts) -> tuple[Any, ...]:
    """One `insight_facts` row, in FACT_COLUMNS order."""
    return (f.thread_id, f.room, f.category, f.day, ts(f.created_at), int(f.counted),
            f.first_answer_seconds, f.answered_by, int(f.escalated), int(f.resolved),
            int(f.frustrated), _flag(f.helpful), _flag(f.would_have_contacted))  # fmt: skip


def term_rows(facts: Sequence[ThreadFacts]) -> list[tuple[Any, ...]]:
    """The `insight_terms` rows of these questions: their topic terms, counted ones only."""
    return [
        (f.day, f.room, term, f.thread_id, f.category, int(f.frustrated))
        for f in facts
        if f.counted
        for term in f.terms
    ]


def rating_from(row: Any) -> Rating:
    contacted = row["would_have_contacted"]
    return Rating(row["thread_id"], row["visitor_id"], bool(row["helpful"]),
                  None if contacted is None else bool(contacted),
                  dt(row["at"]))  # type: ignore[arg-type]  # fmt: skip


def _flag(value: bool | None) -> int | None:
    return None if value is None else int(value)


def _where(query: Query, *, terms: bool = False) -> tuple[str, list[Any]]:
    """The period and filters; `insight_terms` holds counted questions only."""
    sql = "day >= ? AND day <= ?" if terms else "counted = 1 AND day >= ? AND day <= ?"
    params: list[Any] = [query.start.isoformat(), query.end.isoformat()]
    if query.room is not None:
        sql += " AND room = ?"
        params.append(query.room)
    if query.category is not None:
        sql += " AND category = ?"
        params.append(query.category)
    return sql, params


class SqliteInsights(SqliteBase):
    async def save_rating(self, rating: Rating) -> None:
        async with self._transaction() as db:
            await db.execute(
                "INSERT INTO ratings (thread_id, visitor_id, helpful, would_have_contacted, at)"
                " VALUES (?, ?, ?, ?, ?) ON CONFLICT (thread_id) DO UPDATE SET"
                " visitor_id = excluded.visitor_id, helpful = excluded.helpful,"
                " would_have_contacted = excluded.would_have_contacted, at = excluded.at",
                (rating.thread_id, rating.visitor_id, int(rating.helpful),
                 _flag(rating.would_have_contacted), ts(rating.at)),
            )  # fmt: skip

    async def get_rating(self, thread_id: str) -> Rating | None:
        row = await self._read_one("SELECT * FROM ratings WHERE thread_id = ?", (thread_id,))
        return None if row is None else rating_from(row)

    async def ratings_of(self, thread_ids: list[str]) -> dict[str, Rating]:
        if not thread_ids:
            return {}
        rows = await self._read_all(
            f"SELECT * FROM ratings WHERE thread_id IN ({marks(len(thread_ids))})",
            tuple(thread_ids),
        )
        return {rating.thread_id: rating for rating in map(rating_from, rows)}

    async def save_thread_facts(self, facts: Sequence[ThreadFacts]) -> None:
        if not facts:
            return
        async with self._transaction() as db:
            await db.executemany(INSERT_FACT_SQL, [fact_row(f) for f in facts])
            await db.executemany(
                "DELETE FROM insight_terms WHERE thread_id = ?", [(f.thread_id,) for f in facts]
            )
            await db.executemany(INSERT_TERM_SQL, term_rows(facts))

    async def insight_counts(self, query: Query) -> list[DayRoomCounts]:
        where, params = _where(query)
        rows = await self._read_all(
            "SELECT day, room, COUNT(*) AS questions,"
            " IFNULL(SUM(first_answer_seconds IS NOT NULL), 0) AS answered,"
            " IFNULL(SUM(answered_by = 'community'), 0) AS by_community,"
            " IFNULL(SUM(answered_by = 'staff'), 0) AS by_staff,"
            " IFNULL(SUM(escalated), 0) AS escalated, IFNULL(SUM(resolved), 0) AS resolved,"
            " IFNULL(SUM(frustrated), 0) AS frustrated,"
            " IFNULL(SUM(helpful IS NOT NULL), 0) AS ratings,"
            " IFNULL(SUM(helpful = 1), 0) AS helpful,"
            " IFNULL(SUM(helpful = 1 AND would_have_contacted = 1), 0) AS deflected"
            f" FROM insight_facts INDEXED BY insight_facts_by_period WHERE {where}"
            " GROUP BY day, room",
            tuple(params),
        )
        return [
            DayRoomCounts(
                r["day"], r["room"],
                Counts(r["questions"], r["answered"], r["by_community"], r["by_staff"],
                       r["escalated"], r["resolved"], r["frustrated"], r["ratings"],
                       r["helpful"], r["deflected"]),
            )
            for r in rows
        ]  # fmt: skip

    async def first_answer_histogram(self, query: Query) -> list[tuple[int, int]]:
        where, params = _where(query)
        rows = await self._read_all(
            "SELECT first_answer_seconds AS s, COUNT(*) AS n"
            f" FROM insight_facts INDEXED BY insight_facts_by_period WHERE {where}"
            " AND first_answer_seconds IS NOT NULL GROUP BY s ORDER BY s",
            tuple(params),
        )
        return [(r["s"], r["n"]) for r in rows]

    async def nth_latest_day(self, query: Query, n: int) -> str | None:
        where, params = _where(query)
        row = await self._read_one(
            "SELECT day FROM insight_facts INDEXED BY insight_facts_by_period"
            f" WHERE {where} ORDER BY day DESC LIMIT 1 OFFSET ?",
            (*params, n - 1),
        )
        return None if row is None else str(row["day"])

    async def top_terms(self, query: Query, limit: int) -> list[tuple[str, str, int]]:
        where, params = _where(query, terms=True)
        rows = await self._read_all(
            f"SELECT room, term, COUNT(*) AS n FROM insight_terms WHERE {where}"
            " GROUP BY room, term HAVING n >= 2 ORDER BY n DESC, room, term LIMIT ?",
            (*params, limit),
        )
        return [(r["room"], r["term"], r["n"]) for r in rows]

    async def term_questions(
        self, query: Query, pairs: Sequence[tuple[str, str]]
    ) -> list[TermQuestions]:
        wanted = list(dict.fromkeys(pairs))
        if not wanted:
            return []
        where, params = _where(query, terms=True)
        rows = await self._read_all(  # only the wanted pairs' rows leave SQLite
            "SELECT room, term, thread_id, frustrated FROM insight_terms"
            f" WHERE {where} AND (room, term) IN (VALUES {', '.join(['(?, ?)'] * len(wanted))})",
            (*params, *(v for pair in wanted for v in pair)),
        )
        return gather(wanted, [(r["room"], r["term"], r["thread_id"], bool(r["frustrated"]))
                               for r in rows])  # fmt: skip

    async def add_self_served(self, room: str, category: str, day: str, ref: str,
                              at: datetime) -> None:  # fmt: skip
        async with self._transaction() as db:
            await db.execute(
                "INSERT INTO self_served (day, room, category, ref, at) VALUES (?, ?, ?, ?, ?)",
                (day, room, category, ref, ts(at)),
            )

    async def self_served_counts(self, query: Query) -> list[tuple[str, str, int]]:
        where, params = _where(query, terms=True)
        rows = await self._read_all(
            f"SELECT day, room, COUNT(*) AS n FROM self_served WHERE {where} GROUP BY day, room",
            tuple(params),
        )
        return [(r["day"], r["room"], r["n"]) for r in rows]

    async def thread_ids_after(self, after: str, limit: int) -> list[str]:
        rows = await self._read_all(
            "SELECT id FROM threads WHERE id > ? ORDER BY id LIMIT ?", (after, limit)
        )
        return [r["id"] for r in rows]
