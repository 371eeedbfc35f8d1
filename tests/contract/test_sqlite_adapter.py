"""Checks only the SQLite adapter needs: the sweeper's query stays an index range scan."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from app.domain.models import Thread
from app.store.sqlite import SqliteStore
from app.store.sqlite.base import ts
from app.store.sqlite.moderation import DUE_THREADS_SQL
from app.store.sqlite.qa import THREAD_COLUMNS, THREAD_FIELDS, thread_values

from .helpers import WATCH, at

THREADS = 100_000


def _thread(i: int) -> Thread:
    # 1 in 10 has a check scheduled, far ahead; 1 in 10,000 of those is due already.
    if i % 10:
        next_check = None
    elif i % 10_000:
        next_check = at(10_000 + i)
    else:
        next_check = at(i / 10_000)
    return Thread(
        id=f"t{i:06d}",
        room=WATCH,
        author_id=f"v{i % 997}",
        author_name="Visitor",
        body=f"Question {i} ?",
        client_id=f"c{i}",
        created_at=at(i / 100),
        seq=i + 1,
        next_check_at=next_check,
    )


@pytest.fixture
async def crowded(tmp_path: Path) -> AsyncIterator[SqliteStore]:
    store = SqliteStore(str(tmp_path / "crowded.db"))
    await store.open()
    rows = [thread_values(_thread(i)) for i in range(THREADS)]
    marks = ", ".join("?" * len(THREAD_FIELDS))
    async with store._transaction() as db:  # test-only bulk load through the writer
        await db.executemany(f"INSERT INTO threads ({THREAD_COLUMNS}) VALUES ({marks})", rows)  # noqa: S608
    yield store
    await store.close()


async def plan(store: SqliteStore, sql: str, params: tuple[object, ...]) -> str:
    async with store._r.execute(f"EXPLAIN QUERY PLAN {sql}", params) as cur:
        return " | ".join(row["detail"] for row in await cur.fetchall())


@pytest.mark.timeout(120)
async def test_due_threads_is_an_index_range_scan_among_100k_threads(crowded: SqliteStore) -> None:
    store = crowded
    params = (ts(at(5)), 100)
    before_analyze = await plan(store, DUE_THREADS_SQL, params)
    async with store._transaction() as db:
        await db.execute("ANALYZE")  # what `PRAGMA optimize` may do in production
    after_analyze = await plan(store, DUE_THREADS_SQL, params)

    for detail in (before_analyze, after_analyze):
        assert "USING INDEX threads_by_next_check" in detail, detail
        assert "SCAN threads" not in detail, detail
        assert "TEMP B-TREE" not in detail, detail  # the index gives the order too

    # Due: the scheduled threads t000000, t010000 ... whose check time at(0..9) is <= at(5).
    due = await store.due_threads(at(5))
    assert [t.id for t in due] == [f"t{i:06d}" for i in range(0, 60_000, 10_000)]
    assert [t.next_check_at for t in due] == [at(i) for i in range(6)]
    assert [t.id for t in await store.due_threads(at(5), limit=2)] == ["t000000", "t010000"]
    assert await store.due_threads(at(-1)) == []
