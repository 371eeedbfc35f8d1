"""The writer connection: a plain `sqlite3.Connection` that runs a unit's statements on the
event loop and whatever may wait on its own thread.

A unit of work (`SqliteBase.atomic`) holds the in-process write lock and SQLite's own
(`BEGIN IMMEDIATE`), so none of its statements can wait on a lock: a keyed write inside it
costs ~8 µs of CPU run right on the loop, where a hand-off to a thread and back cost ~31 µs
(aiosqlite; bench/sqlite_hop.py), and an ask makes ~13 such calls. What may block goes to
the writer's thread, one single-thread executor, so the connection is only ever used by one
thread at a time:

- `BEGIN IMMEDIATE`: waits up to busy_timeout while another process writes;
- `COMMIT` (the fsync of `synchronous=FULL`) and `ROLLBACK`;
- everything outside a unit: the schema and `_add_missing_columns` at open, tools;
- bulk work, whose cost grows with the data rather than with one request, which would hold
  the loop for milliseconds: a unit or a nested scope opened with `atomic(bulk=True)`
  (erasing a visitor, the retention sweep, the counters' recount and the boards' rebuild
  at open, saving vectors, ledger batches larger than BULK_ROWS entries) sends every
  statement inside it to the thread, and any `executemany` of more than BULK_ROWS rows
  goes there too, wherever it is (the outbox's `DONE` batches, insights' facts of a busy
  batch, a ban's revocations). A bounded batch (50 mails claimed, a few dozen board rows)
  stays on the loop: a hop costs more than it would.

The thread's jobs are waited for to the end even when the awaiting task is cancelled (the
cancellation is raised afterwards): the connection is never used by the loop while a
statement runs on the thread, and a cancelled BEGIN or unit never leaves a transaction open
for the next unit (see `begin`, `commit`, `rollback`).

The surface is the part of aiosqlite's the table modules use (`await db.execute(...)`,
`async with db.execute(...) as cur`, `await cur.fetchone()`, `executemany`,
`execute_fetchall`, `executescript`), so their call sites did not change.
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Callable, Generator, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from functools import partial
from types import TracebackType
from typing import Any, NoReturn, TypeVar

from app.domain.errors import Unavailable

T = TypeVar("T")
Params = Sequence[Any] | Mapping[str, Any]

BULK_ROWS = 100  # an `executemany` with more rows runs on the writer's thread (~1 ms on the loop)


def unavailable_if_busy(exc: sqlite3.OperationalError) -> Exception:
    """Another process holds the write lock past the busy timeout: a clear `unavailable` (the
    write was not stored; a retry with the same client_id stores it once)."""
    message = str(exc).lower()
    if "locked" in message or "busy" in message:
        return Unavailable("the database is busy; try again")
    return exc


async def _settle(fut: asyncio.Future[Any]) -> asyncio.CancelledError | None:
    """Wait until `fut` is done, cancellation or not; return the cancellation that arrived
    meanwhile, if any, for the caller to raise once the connection is in a known state."""
    cancelled: asyncio.CancelledError | None = None
    while not fut.done():
        try:
            await asyncio.wait((fut,))  # never cancels `fut` itself
        except asyncio.CancelledError as exc:
            cancelled = exc
    return cancelled


class WriterCursor:
    """A cursor of the writer connection; fetches run where its connection runs statements."""

    __slots__ = ("_cur", "_db")

    def __init__(self, db: WriterConnection, cur: sqlite3.Cursor) -> None:
        self._db = db
        self._cur = cur

    @property
    def rowcount(self) -> int:
        return self._cur.rowcount

    @property
    def lastrowid(self) -> int | None:
        return self._cur.lastrowid

    async def fetchone(self) -> sqlite3.Row | None:
        row: sqlite3.Row | None = await self._db._run(self._cur.fetchone)
        return row

    async def fetchall(self) -> list[sqlite3.Row]:
        return await self._db._run(self._cur.fetchall)

    async def close(self) -> None:
        await self._db._run(self._cur.close)

    async def __aenter__(self) -> WriterCursor:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()


class _Statement:
    """What `execute` returns, as aiosqlite's does: await it for the cursor, or use it as
    `async with` (the cursor is closed on the way out)."""

    __slots__ = ("_cursor", "_db", "_params", "_sql")

    def __init__(self, db: WriterConnection, sql: str, params: Params) -> None:
        self._db, self._sql, self._params = db, sql, params
        self._cursor: WriterCursor | None = None

    async def _start(self) -> WriterCursor:
        return WriterCursor(
            self._db, await self._db._run(self._db._execute, self._sql, self._params)
        )

    def __await__(self) -> Generator[Any, None, WriterCursor]:
        return self._start().__await__()

    async def __aenter__(self) -> WriterCursor:
        self._cursor = await self._start()
        return self._cursor

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._cursor is not None:
            await self._cursor.close()


class WriterConnection:
    """The store's one writer: statements on the loop inside a unit, else on its thread."""

    def __init__(self, conn: sqlite3.Connection, thread: ThreadPoolExecutor) -> None:
        self._conn = conn
        self._thread = thread
        self._on_loop = False  # inside a unit's transaction (between begin and commit)
        self._bulk = 0  # depth of bulk scopes: their statements go to the thread
        self._jobs = 0  # jobs on the thread not finished yet: until then, none on the loop

    @classmethod
    async def connect(cls, path: str) -> WriterConnection:
        thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="sqlite-writer")
        fut = asyncio.get_running_loop().run_in_executor(
            thread,
            partial(sqlite3.connect, path, isolation_level=None, check_same_thread=False),
        )
        try:
            conn = await fut
        except BaseException:
            thread.shutdown(wait=False)
            raise
        conn.row_factory = sqlite3.Row
        return cls(conn, thread)

    # where a call runs ------------------------------------------------------------------
    async def _run(self, fn: Callable[..., T], *args: Any) -> T:
        """On the loop inside a unit (nothing there waits on a lock), else on the thread.
        Either way a busy/locked database is `Unavailable`."""
        if self._on_loop and not self._bulk and not self._jobs:
            try:
                return fn(*args)
            except sqlite3.OperationalError as exc:
                _raise_mapped(exc)
        return await self._on_thread(fn, *args)

    async def _on_thread(self, fn: Callable[..., T], *args: Any) -> T:
        """Run `fn` on the writer's thread (after any job already there: one thread, in
        order) and wait for its end even if this task is cancelled meanwhile, then raise
        the cancellation: the loop never uses the connection while the thread does."""
        fut, cancelled = await self._settled(fn, *args)
        if cancelled is not None:
            if not fut.cancelled():
                fut.exception()  # retrieved: the cancellation is what the caller hears
            raise cancelled
        try:
            return fut.result()
        except sqlite3.OperationalError as exc:
            _raise_mapped(exc)

    async def _settled(
        self, fn: Callable[..., T], *args: Any
    ) -> tuple[asyncio.Future[T], asyncio.CancelledError | None]:
        """Run `fn` on the writer's thread and wait for its end, cancelled or not: the
        finished future and the cancellation that arrived meanwhile, if any."""
        fut = asyncio.get_running_loop().run_in_executor(self._thread, partial(fn, *args))
        self._jobs += 1
        try:
            return fut, await _settle(fut)
        finally:
            self._jobs -= 1

    @contextmanager
    def bulk(self, on: bool = True) -> Iterator[None]:
        """Statements in this scope run on the thread (see the module's docstring)."""
        if not on:
            yield
            return
        self._bulk += 1
        try:
            yield
        finally:
            self._bulk -= 1

    # the unit's transaction -------------------------------------------------------------
    async def begin(self) -> None:
        """`BEGIN IMMEDIATE` on the thread (it may wait busy_timeout for another process).
        Cancelled meanwhile: rolled back if it began, then the cancellation is raised."""
        try:
            await self._on_thread(self._conn.execute, "BEGIN IMMEDIATE")
        except BaseException:
            await self.rollback()
            raise
        self._on_loop = True

    async def commit(self) -> asyncio.CancelledError | None:
        """`COMMIT` on the thread (the fsync), waited for to the end: returns the
        cancellation that arrived meanwhile, if any, so that the caller still runs what
        follows a commit before raising it. A failed COMMIT is rolled back and raised."""
        self._on_loop = False
        fut, cancelled = await self._settled(self._conn.execute, "COMMIT")
        error = asyncio.CancelledError() if fut.cancelled() else fut.exception()
        if error is None:
            return cancelled
        await self.rollback()
        if cancelled is not None:
            raise cancelled
        if isinstance(error, sqlite3.OperationalError):
            _raise_mapped(error)
        raise error

    async def rollback(self) -> None:
        """`ROLLBACK` on the thread, after whatever runs there, if a transaction is open
        (SQLite ends some on its own when a statement fails); waited for to the end."""
        self._on_loop = False
        await self._on_thread(self._rollback_if_open)

    def _rollback_if_open(self) -> None:
        if self._conn.in_transaction:
            self._conn.execute("ROLLBACK")

    # aiosqlite's surface ----------------------------------------------------------------
    def _execute(self, sql: str, params: Params) -> sqlite3.Cursor:
        return self._conn.execute(sql, params)

    def execute(self, sql: str, parameters: Params = ()) -> _Statement:
        return _Statement(self, sql, parameters)

    async def execute_fetchall(self, sql: str, parameters: Params = ()) -> list[sqlite3.Row]:
        return await self._run(self._fetchall, sql, parameters)

    def _fetchall(self, sql: str, params: Params) -> list[sqlite3.Row]:
        return self._conn.execute(sql, params).fetchall()

    async def executemany(self, sql: str, parameters: Iterable[Params]) -> WriterCursor:
        rows = list(parameters)
        with self.bulk(len(rows) > BULK_ROWS):
            return WriterCursor(self, await self._run(self._conn.executemany, sql, rows))

    async def executescript(self, script: str) -> WriterCursor:
        """Always on the thread: scripts are the schema and pragmas."""
        return WriterCursor(self, await self._on_thread(self._conn.executescript, script))

    async def close(self) -> None:
        try:
            await self._on_thread(self._conn.close)
        finally:
            self._thread.shutdown(wait=False)


def _raise_mapped(exc: sqlite3.OperationalError) -> NoReturn:
    mapped = unavailable_if_busy(exc)
    if mapped is exc:
        raise exc
    raise mapped from exc
