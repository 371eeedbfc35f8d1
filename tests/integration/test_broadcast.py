"""Room broadcasts written straight to each connection (app/realtime/broadcast.py): every
shopper in a busy room still gets every event once, in seq order, interleaved with their own
acknowledgements, also when the dispatcher gathers commits after a heavy fan-out and a
connection's events go out in one write; and every WebSocket the server accepts can take
the direct path."""

from __future__ import annotations

import asyncio
import math
from typing import Any

import pytest
import socketio

from app.services.bus import BatchDelivered, RoomChanged
from tests.support import PRODUCT, LiveServer, cid, eventually

ROOM = "moulinet-lancer"
TOPICS = ("le frein", "la bobine", "le galet", "la manivelle", "le pick-up", "l'anti-retour",
          "la tresse", "le roulement", "la poignée", "le bâti", "le ratio", "le poids")  # fmt: skip
QUALITIES = ("tient-il l'eau de mer", "supporte-t-il un brochet", "se démonte-t-il sans outil")
SHOPPERS = 24
ASKS_EACH = 2


@pytest.mark.parametrize("gathering", [False, True], ids=["as committed", "gathered"])
async def test_every_shopper_gets_every_event_once_in_order(
    server: LiveServer, people: Any, gathering: bool
) -> None:
    assert server.app is not None
    if gathering:  # every delivery counts as a hot room's: each next one gathers commits
        dispatcher = server.app.services.dispatcher
        dispatcher.heavy, dispatcher.recent = 0.0, math.inf
    crowd = [await people(f"Client {n}") for n in range(SHOPPERS)]
    for _, client in crowd:
        assert (await client.call("join", {"room": ROOM, "product": PRODUCT}))["ok"]

    async def ask_twice(n: int, client: Any) -> list[str]:
        ids = []
        for k in range(ASKS_EACH):
            # Different questions: near-copies of one another would be held as spam.
            topic, quality = TOPICS[n % len(TOPICS)], QUALITIES[(n // len(TOPICS) + k) % 3]
            body = f"Est-ce que {topic} {quality} ? (n°{n}, {k})"
            asked = await client.call("ask", {"room": ROOM, "body": body, "client_id": cid()})
            assert asked["ok"], asked
            ids.append(asked["thread"]["id"])
        return ids

    asked = await asyncio.gather(*(ask_twice(n, c) for n, (_, c) in enumerate(crowd)))
    thread_ids = {i for ids in asked for i in ids}
    assert len(thread_ids) == SHOPPERS * ASKS_EACH

    def created(client: Any) -> list[dict[str, Any]]:
        return [e for e in client.events("event") if e["type"] == "thread.created"]

    for _, client in crowd:
        await client.wait_for(
            "event",
            lambda _e, client=client: len(created(client)) >= len(thread_ids),
        )
    for _, client in crowd:
        seen = created(client)
        assert sorted(e["data"]["id"] for e in seen) == sorted(thread_ids)  # each once
        seqs = [e["seq"] for e in client.events("event")]
        assert seqs == sorted(seqs) and len(set(seqs)) == len(seqs)


async def test_every_websocket_gets_a_direct_handle(server: LiveServer, people: Any) -> None:
    """Under the server's uvicorn settings each connection can be written to directly: a
    uvicorn or websockets upgrade that breaks this would silently bring back the slow path."""
    for n in range(3):
        await people(f"Client {n}")
    assert server.app is not None
    sockets = list(server.app.sio.eio.sockets.values())
    assert len(sockets) == 3
    assert all(getattr(s, "direct", None) is not None for s in sockets)


async def test_a_shopper_who_leaves_is_in_no_room_and_the_others_still_hear(
    server: LiveServer, people: Any
) -> None:
    (camille, leaving), (_, staying) = await people("Camille"), await people("Hugo")
    for client in (leaving, staying):
        assert (await client.call("join", {"room": ROOM, "product": PRODUCT}))["ok"]
    assert server.app is not None
    manager = server.app.sio.manager
    gone = manager.sid_from_eio_sid(leaving.sio.eio.sid, "/")
    assert set(manager.get_rooms(gone, "/")) == {gone, f"room:{ROOM}", f"visitor:{camille['id']}"}
    await leaving.sio.disconnect()

    async def rooms_holding_it() -> list[Any]:
        return [r for r, members in manager.rooms.get("/", {}).items() if gone in members]

    await eventually(rooms_holding_it, lambda rooms: rooms == [], "the rooms it left")
    assert manager.get_rooms(gone, "/") == []
    asked = await staying.call(
        "ask", {"room": ROOM, "body": "Le moulinet est-il ambidextre ?", "client_id": cid()}
    )
    seen = await staying.wait_for("event", lambda e: e["type"] == "thread.created")
    assert seen["data"]["id"] == asked["thread"]["id"]


async def test_a_socket_upgraded_from_polling_still_hears_its_room(
    server: LiveServer, people: Any
) -> None:
    """A socket that opened as a WebSocket is served by app/realtime/lean.py; one that
    started on long-polling and upgraded keeps engine.io's own handler: both hear the room."""
    _, direct = await people("Client direct")
    upgraded = socketio.AsyncClient(reconnection=False)
    heard: list[Any] = []
    got = asyncio.Event()

    def on_event(data: Any) -> None:
        heard.append(data)
        got.set()

    upgraded.on("event", on_event)
    await upgraded.connect(server.url, transports=["polling", "websocket"], wait_timeout=10)
    try:
        for call in (direct.call, upgraded.call):
            assert (await call("join", {"room": ROOM, "product": PRODUCT}))["ok"]
        asked = await direct.call(
            "ask", {"room": ROOM, "body": "Le frein tient-il l'eau de mer ?", "client_id": cid()}
        )
        assert asked["ok"], asked
        await asyncio.wait_for(got.wait(), 10)
        assert [e["data"]["id"] for e in heard] == [asked["thread"]["id"]]
        assert upgraded.transport() == "websocket"
    finally:
        await upgraded.disconnect()


async def test_after_a_heavy_delivery_the_next_commits_are_delivered_together(
    server: LiveServer, people: Any
) -> None:
    """One asker's questions, one after the other: each commits alone and is delivered
    alone, unless the dispatcher gathers after a heavy fan-out (services/outbox.py)."""
    assert server.app is not None
    services = server.app.services
    sizes = [0]  # room events per delivered batch

    async def on_room_changed(_: RoomChanged) -> None:
        sizes[-1] += 1

    async def on_batch(_: BatchDelivered) -> None:
        sizes.append(0)

    services.bus.subscribe(RoomChanged.name, on_room_changed)
    services.bus.subscribe(BatchDelivered.name, on_batch)
    _, asker = await people("Client pressé")
    assert (await asker.call("join", {"room": ROOM, "product": PRODUCT}))["ok"]

    async def ask(n: int) -> None:
        body = f"Est-ce que {TOPICS[n]} {QUALITIES[n % 3]} ?"
        assert (await asker.call("ask", {"room": ROOM, "body": body, "client_id": cid()}))["ok"]

    await ask(0)
    await server.settled()
    assert max(sizes) == 1  # a light room: delivered as committed
    dispatcher = services.dispatcher  # as in a hot room:
    dispatcher.heavy, dispatcher.recent, dispatcher.gather = 0.0, math.inf, 0.5
    for n in (1, 2, 3):  # committed one by one, within the gathering
        await ask(n)
    await server.settled()
    assert sizes[-2:] == [3, 0], sizes
