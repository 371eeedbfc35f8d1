"""The SQLite writer (app/store/sqlite/writer.py): a unit's statements run on the event loop,
BEGIN / COMMIT / ROLLBACK and bulk work on the writer's thread, and a task cancelled at any
point leaves the store usable, with nothing half-done and every commit announced."""

from __future__ import annotations

import asyncio
import sqlite3
import threading
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from app.domain.errors import Unavailable
from app.domain.models import Event, EventType
from app.domain.outbox import OutboxItem
from app.store.sqlite import SqliteStore
from app.store.sqlite import base as sqlite_base
from app.store.sqlite.writer import BULK_ROWS, WriterConnection
from tests.contract.helpers import room
from tests.support import eventually

ROOM = "moulinet"
GATE_SECONDS = 10  # the longest a test keeps the writer's thread busy


class Heard:
    def __init__(self) -> None:
        self.seqs: list[list[int]] = []

    def __call__(self, events: list[Event], items: list[OutboxItem]) -> None:
        self.seqs.append([e.seq for e in events])


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[SqliteStore]:
    opened = SqliteStore(str(tmp_path / "writer.db"))
    await opened.open()
    await opened.ensure_room(room(ROOM))
    yield opened
    await opened.close()


def writer(store: SqliteStore) -> WriterConnection:
    assert store._writer is not None
    return store._writer


def hold_thread(store: SqliteStore) -> threading.Event:
    """Keep the writer's thread busy until the returned gate is set (BEGIN and COMMIT
    queue behind it)."""
    gate = threading.Event()
    writer(store)._thread.submit(gate.wait, GATE_SECONDS)
    return gate


async def on_thread(store: SqliteStore) -> None:
    """Until a job of the store's (BEGIN or COMMIT) has been handed to the writer's thread."""

    async def jobs() -> int:
        return writer(store)._jobs

    await eventually(jobs, lambda n: n == 1, "a job on the writer's thread")


async def seq(store: SqliteStore) -> int:
    row = await store._read_key("SELECT seq FROM rooms WHERE key = ?", (ROOM,))
    return int(row["seq"])


async def test_a_units_statements_run_on_the_loop_and_bulk_ones_on_the_writers_thread(
    store: SqliteStore,
) -> None:
    writer(store)._conn.create_function("tid", 0, threading.get_ident)
    loop_thread = threading.get_ident()
    insert = "INSERT INTO meta (key, value) VALUES (?, tid())"
    async with store.atomic() as unit:
        assert (await unit.db.execute_fetchall("SELECT tid() AS t"))[0]["t"] == loop_thread
        async with store.atomic(bulk=True) as joined:  # a bulk call joining the unit
            bulk_thread = (await joined.db.execute_fetchall("SELECT tid() AS t"))[0]["t"]
        assert (await unit.db.execute_fetchall("SELECT tid() AS t"))[0]["t"] == loop_thread
        await unit.db.executemany(insert, [(f"few{i}",) for i in range(2)])
        await unit.db.executemany(insert, [(f"many{i}",) for i in range(BULK_ROWS + 1)])
    assert bulk_thread != loop_thread
    outside = (await writer(store).execute_fetchall("SELECT tid() AS t"))[0]["t"]
    assert outside == bulk_thread  # outside a unit, everything runs on the writer's thread
    ran = await store._read_all(
        "SELECT substr(key, 1, 3) AS k, value AS t, COUNT(*) AS n FROM meta"
        " WHERE key LIKE 'few%' OR key LIKE 'many%' GROUP BY 1, 2 ORDER BY 1",
        (),
    )
    assert [(r["k"], int(r["t"]), r["n"]) for r in ran] == [
        ("few", loop_thread, 2),
        ("man", bulk_thread, BULK_ROWS + 1),
    ]


async def test_a_units_writes_are_read_inside_it_and_by_the_next_unit(store: SqliteStore) -> None:
    async with store.atomic() as unit:
        first = await store._append_event(unit.db, ROOM, EventType.THREAD_CREATED, "t1")
        async with unit.db.execute("SELECT seq FROM rooms WHERE key = ?", (ROOM,)) as cur:
            row = await cur.fetchone()
        assert row is not None and row["seq"] == first.seq == 1
    async with store.atomic() as unit:
        second = await store._append_event(unit.db, ROOM, EventType.THREAD_UPDATED, "t1")
    assert second.seq == 2 == await seq(store)


async def test_a_task_cancelled_while_commit_runs_waits_for_it_and_the_commit_is_announced(
    store: SqliteStore,
) -> None:
    heard = Heard()
    store.on_commit(heard)
    committing = asyncio.Event()
    gates: list[threading.Event] = []

    async def write() -> None:
        async with store.atomic() as unit:
            await store._append_event(unit.db, ROOM, EventType.THREAD_CREATED, "t1")
            gates.append(hold_thread(store))
            committing.set()  # the unit ends here: its COMMIT waits behind the gate

    task = asyncio.create_task(write())
    await committing.wait()
    await on_thread(store)  # the COMMIT, queued behind the gate
    task.cancel()
    await asyncio.sleep(0.05)
    assert not task.done()  # it waits for its COMMIT, holding the write lock
    assert store._write_lock.locked()
    gates[0].set()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert heard.seqs == [[1]]  # committed and announced, in order
    assert not writer(store)._conn.in_transaction and not store._write_lock.locked()
    async with store.atomic() as unit:
        await store._append_event(unit.db, ROOM, EventType.THREAD_UPDATED, "t1")
    assert heard.seqs == [[1], [2]] and await seq(store) == 2


async def test_a_task_cancelled_while_begin_waits_leaves_no_transaction_open(
    store: SqliteStore, tmp_path: Path
) -> None:
    heard = Heard()
    store.on_commit(heard)

    async def write() -> None:
        async with store.atomic() as unit:
            await store._append_event(unit.db, ROOM, EventType.THREAD_CREATED, "t1")

    locker = sqlite3.connect(tmp_path / "writer.db", isolation_level=None)
    locker.execute("BEGIN EXCLUSIVE")  # another process writing: BEGIN IMMEDIATE waits
    try:
        task = asyncio.create_task(write())
        await on_thread(store)  # BEGIN IMMEDIATE, waiting for the lock
        task.cancel()
        await asyncio.sleep(0.05)
        assert not task.done()  # BEGIN is running on the writer's thread: it is waited for
    finally:
        locker.execute("ROLLBACK")  # BEGIN now succeeds, after the task was cancelled
        locker.close()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert not writer(store)._conn.in_transaction and not store._write_lock.locked()
    assert heard.seqs == [] and await seq(store) == 0
    async with store.atomic() as unit:
        await store._append_event(unit.db, ROOM, EventType.THREAD_CREATED, "t2")
    assert heard.seqs == [[1]]


async def test_a_unit_cancelled_midway_is_rolled_back_and_the_next_one_commits(
    store: SqliteStore,
) -> None:
    heard = Heard()
    store.on_commit(heard)
    inside = asyncio.Event()

    async def stuck() -> None:
        async with store.atomic() as unit:
            await store._append_event(unit.db, ROOM, EventType.THREAD_CREATED, "t1")
            inside.set()
            await asyncio.Event().wait()  # e.g. a read on a reader thread

    task = asyncio.create_task(stuck())
    await inside.wait()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert heard.seqs == [] and await seq(store) == 0
    assert not writer(store)._conn.in_transaction
    async with store.atomic() as unit:
        await store._append_event(unit.db, ROOM, EventType.THREAD_CREATED, "t2")
    assert heard.seqs == [[1]] and await seq(store) == 1


async def test_a_failed_statement_on_the_loop_rolls_the_unit_back(store: SqliteStore) -> None:
    async def fail() -> None:
        async with store.atomic() as unit:
            await store._append_event(unit.db, ROOM, EventType.THREAD_CREATED, "t1")
            await unit.db.execute("INSERT INTO meta (key, value) VALUES ('k', NULL)")

    with pytest.raises(sqlite3.IntegrityError):
        await fail()
    assert await seq(store) == 0 and not writer(store)._conn.in_transaction


async def test_another_process_holding_the_write_lock_makes_a_unit_unavailable(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sqlite_base, "WRITE_WAIT_MS", 50)
    path = tmp_path / "locked.db"
    opened = SqliteStore(str(path))
    await opened.open()
    try:
        await opened.ensure_room(room(ROOM))
        locker = sqlite3.connect(path, isolation_level=None)
        locker.execute("BEGIN EXCLUSIVE")
        try:
            with pytest.raises(Unavailable):
                await opened._set_boards_state("ready")  # a write: a unit of its own
        finally:
            locker.execute("ROLLBACK")
            locker.close()
        assert not opened._write_lock.locked()
        async with opened.atomic() as unit:
            event = await opened._append_event(unit.db, ROOM, EventType.THREAD_CREATED, "t1")
        assert event.seq == 1
    finally:
        await opened.close()
