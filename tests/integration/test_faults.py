"""Faults on loopback, two server processes' worth of apps on one SQLite file and a private
Redis: Redis hangs (SIGSTOP) or dies for a few seconds while shoppers write; another
process holds SQLite's write lock.

Each time: every write is acknowledged without waiting for Redis (the test only lets Redis
come back once it has every ack), `/readyz` answers at once and names Redis, nothing acked
is lost or stored twice, and every shopper's view ends complete — including the other
process's shoppers, who could not be told live: they learn the room's latest seq (the
`seq` advertisement after Redis is back) and fetch what they missed with `since`, as the
widget does.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from functools import partial
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from tests.conftest import server_overrides
from tests.support import (
    PRODUCT,
    LiveServer,
    RedisServer,
    Widget,
    cid,
    connect,
    eventually,
    new_visitor,
)

ROOM = "waders-respirants"
QUESTIONS = ("Ils taillent grand ?", "Les chaussons sont en néoprène ?", "Lavables en machine ?",
             "Pour la pêche en mer aussi ?", "Quelle pointure pour un 44 ?")  # fmt: skip


@pytest.fixture
def redis_server(tmp_path: Path) -> Iterator[RedisServer]:
    server = RedisServer(tmp_path / "redis")
    yield server
    server.stop()


@pytest.fixture
def two_servers(tmp_path: Path, redis_server: RedisServer) -> Iterator[tuple[LiveServer, ...]]:
    overrides = server_overrides(tmp_path, redis_url=redis_server.url)
    servers = (LiveServer(overrides), LiveServer(overrides))
    for server in servers:
        server.start()
    yield servers
    for server in servers:
        server.stop()


async def readiness(server: LiveServer) -> tuple[int, Any]:
    async with aiohttp.ClientSession() as http, http.get(server.url + "/readyz") as resp:
        return resp.status, await resp.json()


async def room_threads(server: LiveServer) -> list[str]:
    url = f"{server.url}/api/v1/rooms/{ROOM}/threads"
    async with aiohttp.ClientSession() as http, http.get(url) as resp:
        return [t["id"] for t in (await resp.json())["threads"]]


@pytest.mark.parametrize("fault", ["pause", "kill"])
async def test_redis_hanging_or_dying_loses_nothing_and_stalls_nothing(
    two_servers: tuple[LiveServer, LiveServer],
    redis_server: RedisServer,
    fault: str,
    clients: list[Any],
) -> None:
    a, b = two_servers
    asker = await new_visitor(a.url, "Camille")
    views = [Widget(ROOM, a.url, asker["token"]),
             Widget(ROOM, b.url, (await new_visitor(b.url, "Hugo"))["token"])]  # fmt: skip
    for view in views:
        await view.open()
    first = await views[0].sio.call("ask", {"room": ROOM, "body": "Avant ?", "client_id": cid()})
    acked = [first["thread"]["id"]]
    await eventually(views[1].seen, lambda t: acked[0] in t,
                     "the other process's shopper sees the first question live")  # fmt: skip

    askers = []  # one question each, as shoppers do (a burst from one person is held)
    for n in range(len(QUESTIONS)):
        asking = await connect(a.url, (await new_visitor(a.url, f"Client {n}"))["token"])
        clients.append(asking)
        assert (await asking.call("join", {"room": ROOM}))["ok"]
        askers.append(asking)

    redis_server.pause() if fault == "pause" else redis_server.kill()
    try:
        for asking, question in zip(askers, QUESTIONS, strict=True):
            # each ack comes back while Redis is still out: nothing waits for it
            ack = await asking.call("ask", {"room": ROOM, "body": question, "client_id": cid()})
            assert ack["ok"] and not ack.get("held"), ack
            acked.append(ack["thread"]["id"])
        for server in (a, b):  # answers at once, naming what is down
            status, body = await readiness(server)
            assert status == 503 and body["checks"]["store"] == "ok"
            assert body["checks"]["redis"].startswith("down")
    finally:
        redis_server.resume() if fault == "pause" else redis_server.start()

    for view in views:  # the other process's shopper fetched what it could not be told
        await eventually(view.seen, lambda t: t >= set(acked),
                         "every acked question in every view")  # fmt: skip
        assert view.applied == sorted(set(view.applied)), "an event applied twice"
        await view.close()
    stored = await room_threads(a)
    assert sorted(stored) == sorted(acked)  # nothing lost, nothing twice
    for server in (a, b):  # ready again once Redis is back
        await eventually(partial(readiness, server), lambda r: r[0] == 200, "ready again")


async def test_a_write_while_another_process_locks_the_database_is_refused_then_stored_once(
    server: LiveServer, people: Any
) -> None:
    _, asking = await people("Camille")
    assert (await asking.call("join", {"room": ROOM, "product": PRODUCT}))["ok"]
    ask = {"room": ROOM, "body": "Ils taillent grand ?", "client_id": cid()}
    locker = sqlite3.connect(server.overrides["database_url"].removeprefix("sqlite:///"),
                             isolation_level=None)  # fmt: skip
    locker.execute("BEGIN EXCLUSIVE")  # another process writing for a long while
    try:
        refused = await asking.call("ask", ask)  # answered while the lock is still held
        assert not refused["ok"] and refused["error"]["code"] == "unavailable", refused
        assert "busy" in refused["error"]["message"]  # said clearly, not a crash
    finally:
        locker.execute("ROLLBACK")
        locker.close()
    stored = await asking.call("ask", ask)  # the widget's retry: same client_id
    assert stored["ok"]
    assert (await asking.call("ask", ask))["thread"]["id"] == stored["thread"]["id"]
    assert await room_threads(server) == [stored["thread"]["id"]]  # once
