"""A shopper whose connection stops reading, on loopback against a real server: its
socket's TCP window closes, the server's send buffer fills, and the packets for it queue
up. Past `max_queued_packets` the server drops that socket (it would otherwise hold every
event of the room for it until the ping timeout, ~45 s). Meanwhile nobody else waits: the
writers' acks and the other shoppers' deliveries go on. The dropped shopper comes back as
the widget does, joining with `since`, and its view is complete: nothing acked is lost or
applied twice.

The stalled client is a minimal Engine.IO client on a raw WebSocket (`websockets`, whose
reader stops taking frames once a few are unread) over a socket with a tiny receive
buffer, so the stall is the kernel's, as with a real shopper whose phone went to sleep.
"""

from __future__ import annotations

import asyncio
import json
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from websockets.asyncio.client import ClientConnection
from websockets.asyncio.client import connect as ws_connect

from tests.conftest import server_overrides
from tests.support import DEADLINE, PRODUCT, LiveServer, Widget, cid, eventually, new_visitor

ROOM = "bottes-de-pluie"
QUEUE_BOUND = 5  # the smallest the settings allow: the stall shows after a few packets
LONG = 8000  # characters per question (the settings allow up to 20,000): ~8 kB per event
# At most 800 kB sent to a shopper who reads nothing before the server drops them (it takes
# ~330 kB). With the kernel's send buffer left to autotune, 1.5 MB went first (lean.py).
MAX_QUESTIONS = 100
PER_WRITER = 4  # questions per shopper: under the flood rule's count


async def stalled_shopper(port: int, token: str) -> tuple[ClientConnection, dict[str, Any]]:
    """Join the room over a raw Engine.IO WebSocket, then never read again; with the join's
    answer (the room's seq and threads then: what the widget resumes from)."""
    raw = socket.socket()
    raw.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)  # before connect: the window
    raw.setblocking(False)
    await asyncio.get_running_loop().sock_connect(raw, ("127.0.0.1", port))
    ws = await ws_connect(f"ws://127.0.0.1:{port}/socket.io/?EIO=4&transport=websocket",
                          sock=raw, max_queue=1, ping_interval=None)  # fmt: skip
    assert str(await ws.recv()).startswith("0")  # Engine.IO open
    await ws.send("40" + json.dumps({"token": token}))
    assert str(await ws.recv()).startswith("40")  # Socket.IO connect accepted
    await ws.send("420" + json.dumps(["join", {"room": ROOM, "product": PRODUCT}]))
    while True:  # skip what the room says before the join's answer (presence, seq)
        frame = str(await asyncio.wait_for(ws.recv(), DEADLINE))
        if frame.startswith("430"):
            ack: dict[str, Any] = json.loads(frame[3:])[0]
            assert ack["ok"], ack
            return ws, ack


def question(n: int) -> str:
    """LONG characters of made-up words of its own: no two questions alike (repeats are
    spam)."""
    syllables = ("ba", "ko", "mi", "tu", "re", "lo", "va", "ni", "se", "du", "fa", "po")
    words, seed = [f"Question {n} :"], n * 7919 + 1
    for _ in range(LONG // 7):  # 6 letters and a space each
        seed = seed * 1103515245 + 12345 & 0x7FFFFFFF
        words.append("".join(syllables[(seed >> shift) % 12] for shift in (3, 9, 15)))
    return " ".join(words)[: LONG - 2] + " ?"


async def ask(http: aiohttp.ClientSession, url: str, token: str, body: str) -> str:
    headers = {"Authorization": f"Bearer {token}"}
    payload = {"body": body, "client_id": cid()}
    async with http.post(f"{url}/api/v1/rooms/{ROOM}/threads", json=payload,
                         headers=headers) as resp:  # fmt: skip
        answer = await resp.json()
        assert resp.status == 201 and not answer.get("held"), answer
        return str(answer["thread"]["id"])


@pytest.fixture
def server(tmp_path: Path) -> Iterator[LiveServer]:
    overrides = server_overrides(tmp_path, max_queued_packets=QUEUE_BOUND, max_body_chars=LONG)
    live = LiveServer(overrides)
    live.start()
    yield live
    live.stop()


@pytest.fixture
async def people(server: LiveServer) -> dict[str, Any]:
    return {name: await new_visitor(server.url, name) for name in ("Inès", "Léo")}


async def test_a_shopper_who_stops_reading_is_dropped_and_resumes_with_nothing_lost(
    server: LiveServer, people: dict[str, Any]
) -> None:
    watcher = Widget(ROOM, server.url, people["Inès"]["token"])
    await watcher.open()
    first = await watcher.sio.call("ask", {"room": ROOM, "body": "Elles taillent grand ?",
                                           "client_id": cid()})  # fmt: skip
    acked: list[str] = [first["thread"]["id"]]
    stalled, joined = await stalled_shopper(server.port, people["Léo"]["token"])
    presence: list[int] = []
    watcher.sio.on("presence", lambda data: presence.append(data["online"]))
    loop = asyncio.get_running_loop()
    end = loop.time() + 6 * DEADLINE
    async with aiohttp.ClientSession() as http:
        for n in range(MAX_QUESTIONS):
            if presence and presence[-1] == 1:
                break  # the stalled socket left the room
            assert loop.time() < end, f"the stalled shopper still counted after {n} questions"
            if n % PER_WRITER == 0:  # a new shopper: one who asks a lot is a flood
                token = (await new_visitor(server.url, f"Client {n}"))["token"]
            acked.append(await ask(http, server.url, token, question(n)))
        else:
            raise AssertionError(f"the stalled shopper still counted after {n + 1} questions")
    stalled.transport.abort()  # its unread frames go with it, as when a phone drops off

    back = Widget(ROOM, server.url, people["Léo"]["token"], joined)
    await back.open()  # the widget's reconnect: `join` with `since`
    for view in (watcher, back):
        await eventually(view.seen, lambda threads: threads >= set(acked),
                         "every acked question in every view")  # fmt: skip
        assert view.applied == sorted(set(view.applied)), "an event applied twice"
    assert back.applied[0] == joined["seq"] + 1 and back.last == watcher.last
    await back.sio.disconnect()
    await watcher.sio.disconnect()
