"""Two server processes' worth of apps sharing Redis: fan-out, presence and limits agree."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from tests.conftest import server_overrides
from tests.support import PRODUCT, LiveServer, cid, connect, new_visitor

ROOM = "leurre-brochet-12"


@pytest.fixture
def two_servers(tmp_path: Path, redis_url: str) -> Iterator[tuple[LiveServer, LiveServer]]:
    overrides = server_overrides(tmp_path, redis_url=redis_url, write_rate="4/minute")
    a, b = LiveServer(overrides), LiveServer(overrides)
    a.start()
    b.start()
    yield a, b
    a.stop()
    b.stop()


async def test_events_presence_and_notifications_cross_servers(
    two_servers: tuple[LiveServer, LiveServer], clients: list[Any]
) -> None:
    a, b = two_servers
    asker = await new_visitor(a.url, "Camille")
    helper = await new_visitor(b.url, "Hugo")
    on_a = await connect(a.url, asker["token"])
    on_b = await connect(b.url, helper["token"])
    clients += [on_a, on_b]
    room = f"{ROOM}-{cid()[:6]}"
    await on_a.call("join", {"room": room, "product": PRODUCT})
    await on_b.call("join", {"room": room})
    await on_a.wait_for("presence", lambda p: p["online"] == 2)

    thread = (await on_a.call("ask", {"room": room, "body": "Q ?", "client_id": cid()}))["thread"]
    await on_b.wait_for("event", lambda e: e["data"]["id"] == thread["id"])
    await on_b.call("answer", {"thread_id": thread["id"], "body": "R", "client_id": cid()})
    note = await on_a.wait_for("notification")
    assert note["thread_id"] == thread["id"]


async def test_rate_limit_is_shared_between_servers(
    two_servers: tuple[LiveServer, LiveServer], clients: list[Any]
) -> None:
    a, b = two_servers
    visitor = await new_visitor(a.url, "Flood")
    first, second = await connect(a.url, visitor["token"]), await connect(b.url, visitor["token"])
    clients += [first, second]
    room = f"{ROOM}-{cid()[:6]}"
    await first.call("join", {"room": room, "product": PRODUCT})
    oks = []
    for i in range(6):
        client = first if i % 2 else second
        ack = await client.call("ask", {"room": room, "body": f"m{i}", "client_id": cid()})
        oks.append(ack["ok"])
    assert oks == [True, True, True, True, False, False]


async def test_readiness_reports_redis(two_servers: tuple[LiveServer, LiveServer]) -> None:
    async with aiohttp.ClientSession() as http, http.get(two_servers[0].url + "/readyz") as r:
        assert r.status == 200
        assert (await r.json())["checks"] == {"store": "ok", "redis": "ok"}
