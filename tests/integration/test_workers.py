"""`entraide run --workers N`: several processes on one port (uvicorn's supervisor), a
private Redis between them, one SQLite file.

The real command in a subprocess, spoken to from 127.0.0.1. Which process serves a socket is
read from /proc (the worker holding the accepted TCP connection), not from the product: a
shopper sees one service whichever process took them. When a worker is killed mid-burst,
its shoppers reconnect and join with `since` as the widget does, re-send what got no
acknowledgement with the same `client_id`, and every question is stored exactly once.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import sqlite3
import sys
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp
import pytest
import socketio
from redis.asyncio import Redis

from app.adapters.redis_lock import backfill_lock
from app.services.semantic import BACKFILL, Semantic
from app.store.sqlite import SqliteStore
from tests.conftest import SECRET
from tests.integration.test_cli import run
from tests.integration.test_knowledge import resolved_thread
from tests.support import (
    DEADLINE,
    LiveServer,
    RedisServer,
    RoomView,
    cid,
    eventually,
    free_port,
    new_visitor,
)

ROOT = Path(__file__).resolve().parents[2]
ROOM = "cuissardes-neoprene"
QUESTIONS = ("Ils taillent grand ?", "Les chaussons sont en néoprène ?", "Lavables en machine ?",
             "Pour la pêche en mer aussi ?")  # fmt: skip
SPAWNED = b"multiprocessing.spawn"  # in the command line of uvicorn's worker processes


class Dropped(Exception):
    """The connection went away before the server acknowledged."""


@pytest.fixture
def redis_server(tmp_path: Path) -> Iterator[RedisServer]:
    server = RedisServer(tmp_path / "redis")
    yield server
    server.stop()


@dataclass
class Workers:
    """`entraide run --workers 2` on a free loopback port."""

    proc: asyncio.subprocess.Process
    port: int

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def pids(self) -> set[int]:
        """The supervisor's live worker processes (not multiprocessing's resource tracker)."""
        found = set()
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                stat = (entry / "stat").read_text()
                cmdline = (entry / "cmdline").read_bytes()
            except OSError:  # gone meanwhile
                continue
            state, ppid = stat.rsplit(")", 1)[1].split()[:2]
            if int(ppid) == self.proc.pid and state != "Z" and SPAWNED in cmdline:
                found.add(int(entry.name))
        return found

    def serving(self, sio: socketio.AsyncClient) -> int:
        """The worker holding this client's WebSocket: its TCP connection's inode among the
        worker's open files."""
        client_port = sio.eio.ws.get_extra_info("sockname")[1]
        inode = None
        for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
            fields = line.split()
            local, remote, state = fields[1], fields[2], fields[3]
            if (state == "01" and int(local.split(":")[1], 16) == self.port
                    and int(remote.split(":")[1], 16) == client_port):  # fmt: skip
                inode = fields[9]
        assert inode is not None, "no server end for this client's connection"
        for pid in self.pids():
            with_fds = Path(f"/proc/{pid}/fd")
            try:
                links = [os.readlink(fd) for fd in with_fds.iterdir()]
            except OSError:
                continue
            if f"socket:[{inode}]" in links:
                return pid
        raise AssertionError("no worker holds this client's connection")


def workers_env(tmp_path: Path, redis_url: str) -> dict[str, str]:
    clean = {k: v for k, v in os.environ.items()
             if not k.startswith("ENTRAIDE_") and k != "WEB_CONCURRENCY"}  # fmt: skip
    return {
        **clean,
        "ENTRAIDE_DATABASE_URL": f"sqlite:///{tmp_path / 'entraide.db'}",
        "ENTRAIDE_SECRET_KEY": SECRET,
        "ENTRAIDE_REDIS_URL": redis_url,
        "ENTRAIDE_WRITE_RATE": "1000/second",
        "ENTRAIDE_VISITOR_RATE": "1000/second",
        "ENTRAIDE_SEMANTIC": "off",
        "ENTRAIDE_DIGEST_DIR": str(tmp_path / "digests"),
    }


@pytest.fixture
async def workers(tmp_path: Path, redis_server: RedisServer) -> AsyncIterator[Workers]:
    port = free_port()
    with (tmp_path / "workers.log").open("wb") as log:
        proc = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "app.cli", "run", "--workers", "2", "--port", str(port),
            "--log-level", "warning", cwd=ROOT, env=workers_env(tmp_path, redis_server.url),
            stdout=log, stderr=log,
        )  # fmt: skip
    server = Workers(proc, port)
    try:
        await started(server, tmp_path / "workers.log")
        yield server
    finally:
        proc.terminate()  # the supervisor stops its workers gracefully
        status = await asyncio.wait_for(proc.wait(), 3 * DEADLINE)
    assert status == 0, said(tmp_path / "workers.log")
    assert not server.pids()


def said(log: Path) -> str:
    """What the command printed (for a failing assertion)."""
    return log.read_text(errors="replace")


async def started(server: Workers, log: Path) -> None:
    """/healthz answers and the supervisor has its two workers."""
    loop = asyncio.get_running_loop()
    end = loop.time() + 3 * DEADLINE  # a cold start imports the whole app, twice
    async with aiohttp.ClientSession() as http:
        while True:
            try:
                async with http.get(server.url + "/healthz") as resp:
                    if resp.status == 200 and len(server.pids()) == 2:
                        return
            except aiohttp.ClientConnectionError:
                pass
            assert server.proc.returncode is None, said(log)
            assert loop.time() < end, "entraide run --workers 2 did not answer /healthz"
            await asyncio.sleep(0.05)  # polling a starting process, with a deadline


class Shopper(RoomView):
    """A widget: its room view (tests.support.RoomView); when its connection drops it
    reconnects and joins with `since`, and sends a question that got no acknowledgement
    again with the same `client_id`."""

    def __init__(self, server: Workers, name: str, token: str) -> None:
        super().__init__(ROOM)
        self.server, self.name, self.token = server, name, token
        self.sio = socketio.AsyncClient(reconnection=False)
        self.pid = 0
        self.reconnects = 0
        self.resent = 0
        self.asking = asyncio.Event()
        self._dropped = asyncio.Event()
        self._connected = asyncio.Event()
        self._reconnecting: asyncio.Task[None] | None = None
        self._closing = False

    async def open(self) -> None:
        sio = self.sio = socketio.AsyncClient(reconnection=False)
        self.listen(sio)

        async def on_disconnect(*_: Any) -> None:
            if sio is self.sio and not self._closing:
                self._connected.clear()
                self._dropped.set()
                self._reconnecting = asyncio.create_task(self._reconnect())

        sio.on("disconnect", on_disconnect)
        self._dropped.clear()
        await sio.connect(self.server.url, auth={"token": self.token},
                          transports=["websocket"], wait_timeout=DEADLINE)  # fmt: skip
        self.pid = self.server.serving(sio)
        await self.join()
        self._connected.set()

    async def _reconnect(self) -> None:
        """As the widget does: connect again (to whichever worker accepts), join with
        `since`."""
        loop = asyncio.get_running_loop()
        end = loop.time() + DEADLINE
        while True:
            try:
                await self.open()
                self.reconnects += 1
                return
            except (Dropped, socketio.exceptions.ConnectionError):
                if loop.time() > end:
                    raise
                await asyncio.sleep(0.05)  # retrying a refused connection, with a deadline

    async def _call(self, event: str, data: dict[str, Any]) -> Any:
        """The ack, or Dropped as soon as the connection goes (python-socketio's `call`
        would wait for its whole timeout)."""
        if self._dropped.is_set():
            raise Dropped
        call = asyncio.ensure_future(self.sio.call(event, data, timeout=DEADLINE))
        drop = asyncio.ensure_future(self._dropped.wait())
        await asyncio.wait({call, drop}, return_when=asyncio.FIRST_COMPLETED)
        drop.cancel()
        if not call.done():
            call.cancel()
            raise Dropped
        try:
            return call.result()
        except socketio.exceptions.BadNamespaceError:  # disconnected before the emit
            raise Dropped from None

    async def _catch_up(self) -> None:
        with contextlib.suppress(Dropped):  # the reconnection joins instead
            await self.join()

    async def ask(self, body: str) -> dict[str, Any]:
        """Ask until acknowledged, the same `client_id` every time."""
        request = {"room": ROOM, "body": body, "client_id": cid()}
        while True:
            await asyncio.wait_for(self._connected.wait(), DEADLINE)
            self.asking.set()
            try:
                ack: dict[str, Any] = await self._call("ask", request)
                return ack
            except Dropped:
                self.resent += 1
            finally:
                self.asking.clear()

    async def close(self) -> None:
        self._closing = True
        if self._reconnecting is not None:
            await self._reconnecting  # raises if it could not reconnect
        if self.sio.connected:
            await self.sio.disconnect()


async def spread(server: Workers, each: int) -> dict[int, list[Shopper]]:
    """Shoppers connected until every worker serves at least `each` of them (the extra ones
    closed); the kernel hands each new connection to whichever worker accepts first."""
    by_pid: dict[int, list[Shopper]] = {pid: [] for pid in server.pids()}
    for n in range(40 * each):
        if all(len(shoppers) >= each for shoppers in by_pid.values()):
            return by_pid
        name = f"Client {n}"
        shopper = Shopper(server, name, (await new_visitor(server.url, name))["token"])
        await shopper.open()
        if len(by_pid[shopper.pid]) < each:
            by_pid[shopper.pid].append(shopper)
        else:
            await shopper.close()
    raise AssertionError(f"shoppers did not spread over both workers: {by_pid}")


async def stored_threads(url: str) -> list[dict[str, Any]]:
    """Every question of the room, page by page (the HTTP API)."""
    threads: list[dict[str, Any]] = []
    cursor: int | None = None
    async with aiohttp.ClientSession() as http:
        while True:
            params = {"cursor": str(cursor)} if cursor is not None else {}
            async with http.get(f"{url}/api/v1/rooms/{ROOM}/threads", params=params) as resp:
                assert resp.status == 200, await resp.text()
                page = await resp.json()
            threads += page["threads"]
            if not page["threads"]:
                return threads
            cursor = page["next_cursor"]


# --- the command --------------------------------------------------------------------------


def test_several_workers_without_redis_are_refused_naming_the_variable(tmp_path: Path) -> None:
    result = run(["run", "--workers", "2", "--port", str(free_port())], tmp_path)
    assert result.returncode == 2
    assert "ENTRAIDE_REDIS_URL" in result.stderr and "--workers 2" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("value", ["0", "-1", "abc", "1.5", "65", "100000"])
def test_a_bad_worker_count_is_refused(tmp_path: Path, value: str) -> None:
    result = run(["run", f"--workers={value}"], tmp_path, ENTRAIDE_REDIS_URL="redis://127.0.0.1:1")
    assert result.returncode == 2
    assert "argument --workers" in result.stderr and "Traceback" not in result.stderr


# --- two processes, one port --------------------------------------------------------------


async def test_a_question_asked_on_one_worker_reaches_shoppers_on_the_other_live(
    workers: Workers,
) -> None:
    by_pid = await spread(workers, 1)
    (one, [asking]), (_, [watching]) = by_pid.items()
    assert one != watching.pid
    ack = await asking.ask("Ils taillent grand ?")
    assert ack["ok"] and not ack.get("held"), ack
    await eventually(watching.seen, lambda t: ack["thread"]["id"] in t,
                     "the other worker's shopper sees the question")  # fmt: skip
    assert watching.reconnects == 0 and watching.applied == [ack["thread"]["seq"]]
    for shopper in (asking, watching):
        await shopper.close()


async def test_a_worker_killed_mid_burst_loses_nothing_and_stores_nothing_twice(
    workers: Workers,
) -> None:
    by_pid = await spread(workers, 3)
    victim = next(iter(by_pid))
    shoppers = [s for group in by_pid.values() for s in group]
    acked: dict[str, str] = {}  # body -> thread id
    quarter_in = asyncio.Event()

    async def burst(shopper: Shopper) -> None:
        for question in QUESTIONS:  # a few each: a burst from one person would be held
            body = f"{question} ({shopper.name})"
            ack = await shopper.ask(body)
            assert ack["ok"] and not ack.get("held"), ack
            acked[body] = ack["thread"]["id"]
            if len(acked) >= len(shoppers):
                quarter_in.set()

    async def kill_mid_burst() -> None:
        await quarter_in.wait()
        in_flight = [asyncio.ensure_future(s.asking.wait()) for s in by_pid[victim]]
        await asyncio.wait(in_flight, return_when=asyncio.FIRST_COMPLETED)
        for waiting in in_flight:
            waiting.cancel()
        os.kill(victim, signal.SIGKILL)  # the worker, not the supervisor

    await asyncio.wait_for(
        asyncio.gather(kill_mid_burst(), *(burst(s) for s in shoppers)), 3 * DEADLINE
    )

    asked = {f"{q} ({s.name})" for s in shoppers for q in QUESTIONS}
    assert set(acked) == asked
    assert all(s.reconnects >= 1 for s in by_pid[victim])  # their connection died
    assert sum(s.resent for s in by_pid[victim]) >= 1  # the question in flight: sent again
    stored = await stored_threads(workers.url)
    bodies = sorted(t["body"] for t in stored)
    assert bodies == sorted(asked), "a question lost or stored twice"  # re-sends included
    assert {t["id"] for t in stored} == set(acked.values())
    for shopper in shoppers:  # every widget's view ends complete, each event applied once
        await eventually(shopper.seen, lambda t: t >= set(acked.values()),
                         f"{shopper.name}'s view is complete")  # fmt: skip
        assert shopper.applied == sorted(set(shopper.applied))
        await shopper.close()
    # uvicorn's supervisor replaced the killed process
    replaced = await eventually(
        lambda: asyncio.to_thread(workers.pids), lambda p: len(p) == 2, "two workers again"
    )
    assert victim not in replaced


# --- what runs once across processes ------------------------------------------------------


class CountingEmbedder:
    """The Embedder port without the model: counts the texts it is asked to embed."""

    model = "counting-test"

    def __init__(self) -> None:
        self.texts = 0

    def embed(self, texts: Any) -> list[bytes]:
        self.texts += len(texts)
        return [bytes(8) for _ in texts]

    def index(self, vectors: Any) -> Any:
        raise NotImplementedError


async def test_processes_starting_together_embed_the_backlog_once(
    server: LiveServer, people: Any, redis_server: RedisServer
) -> None:
    for question, answer in [("Étanche à 100 m ?", "Oui, testée en plongée."),
                             ("Le bracelet se change ?", "Oui, pompes de 20 mm.")]:  # fmt: skip
        await resolved_thread(people, question, answer)  # answered while semantic is off
    server.stop()
    path = server.overrides["database_url"].removeprefix("sqlite:///")
    redis = Redis.from_url(redis_server.url)
    stores = [SqliteStore(path), SqliteStore(path)]
    embedders = [CountingEmbedder(), CountingEmbedder()]
    try:
        for store in stores:
            await store.open()
        processes = [Semantic(store, embedder, backfill_lock(redis, BACKFILL))
                     for store, embedder in zip(stores, embedders, strict=True)]  # fmt: skip
        done = await asyncio.gather(*(p.backfill_once() for p in processes))
        assert sorted(done, key=lambda d: d is None) == [2, None]  # one pass, the other skips
        assert sum(e.texts for e in embedders) == 2  # each question embedded once
        assert await processes[1].backfill_once() == 0  # nothing left for a later pass
    finally:
        for store in stores:
            await store.close()
        await redis.aclose()


async def test_processes_starting_together_upgrade_an_older_database_once(
    tmp_path: Path,
) -> None:
    path = str(tmp_path / "older.db")
    first = SqliteStore(path)
    await first.open()
    await first.close()
    with contextlib.closing(sqlite3.connect(path)) as older:  # before staff chose a language
        older.execute("ALTER TABLE staff DROP COLUMN digest_lang")
        older.commit()
    stores = [SqliteStore(path), SqliteStore(path)]
    try:
        await asyncio.gather(*(store.open() for store in stores))  # both start, neither fails
    finally:
        for store in stores:
            await store.close()
    with contextlib.closing(sqlite3.connect(path)) as db:
        assert "digest_lang" in {row[1] for row in db.execute("PRAGMA table_info(staff)")}
