"""The slow-consumer bound (app/realtime/server.py BoundedEngine) on a real Engine.IO server
and socket: a socket whose writer is stuck (a client that stopped reading) keeps at most
`max_queued` packets; the next one drops it: queue emptied, the app told it disconnected,
its writer released to close the connection. The same on loopback, end to end, with a
client that stops reading: tests/integration/test_slow_consumer.py."""

from __future__ import annotations

import asyncio
import time
from typing import Any

from engineio import packet
from engineio.async_socket import AsyncSocket

from app.realtime.server import BoundedEngine
from tests.support import eventually


async def test_a_socket_that_stops_reading_is_dropped_past_the_bound() -> None:
    engine = BoundedEngine(async_mode="asgi", max_queued=3)
    gone: list[tuple[str, Any]] = []

    async def on_disconnect(sid: str, reason: Any) -> None:
        gone.append((sid, reason))

    engine.on("disconnect", on_disconnect)
    socket = AsyncSocket(engine, "frozen")
    socket.connected = True
    engine.sockets["frozen"] = socket  # no writer drains its queue: the client reads nothing
    for n in range(3):
        await engine.send_packet("frozen", packet.Packet(packet.MESSAGE, data=f"event {n}"))
    assert socket.queue.qsize() == 3 and not socket.closed and gone == []

    await engine.send_packet("frozen", packet.Packet(packet.MESSAGE, data="one too many"))
    assert socket.closed
    assert [sid for sid, _ in gone] == ["frozen"]
    assert socket.queue.qsize() == 1 and socket.queue.get_nowait() is None  # writer: stop
    await engine.send_packet("frozen", packet.Packet(packet.MESSAGE, data="after"))
    assert socket.queue.empty()  # nothing more piles up for it


async def test_a_socket_that_reads_is_never_dropped() -> None:
    engine = BoundedEngine(async_mode="asgi", max_queued=3)
    socket = AsyncSocket(engine, "reader")
    socket.connected = True
    engine.sockets["reader"] = socket
    for n in range(50):  # its writer takes what is queued as it comes
        await engine.send_packet("reader", packet.Packet(packet.MESSAGE, data=f"event {n}"))
        assert await socket.poll()
    assert not socket.closed


async def test_the_next_ping_waits_on_a_timer_not_a_task() -> None:
    """engine.io's ping cycle (a PONG schedules the next PING `ping_interval` later), with
    no task per socket while it waits; a closed socket is not pinged."""
    engine = BoundedEngine(async_mode="asgi", max_queued=3, ping_interval=0.05)
    socket, closed = AsyncSocket(engine, "alive"), AsyncSocket(engine, "gone")
    tasks = len(asyncio.all_tasks())
    socket.schedule_ping()
    closed.schedule_ping()
    closed.closed = True
    assert socket.last_ping is None and len(asyncio.all_tasks()) == tasks
    ping = await asyncio.wait_for(socket.queue.get(), 1)
    assert ping.packet_type == packet.PING and socket.last_ping is not None
    await asyncio.sleep(0.1)
    assert closed.queue.empty() and closed.last_ping is None


async def test_a_client_that_misses_a_pong_is_closed_and_closed_sockets_are_forgotten() -> None:
    """The service pass (one over every socket each `service_every` seconds): a socket
    whose PING went unanswered past `ping_timeout` is closed and the app told; a socket
    with no PING outstanding stays; a closed socket leaves `engine.sockets`."""
    engine = BoundedEngine(async_mode="asgi", max_queued=3, ping_timeout=1, service_every=0.02)
    gone: list[str] = []

    async def on_disconnect(sid: str, reason: Any) -> None:
        gone.append(sid)

    engine.on("disconnect", on_disconnect)
    silent, alive, closed = (AsyncSocket(engine, sid) for sid in ("silent", "alive", "closed"))
    for socket in (silent, alive, closed):
        socket.connected = True
        engine.sockets[socket.sid] = socket
    silent.last_ping = time.time() - 5  # its PING went out 5 s ago, no PONG since
    closed.closed = True
    service = asyncio.create_task(engine._service_task())
    try:

        async def state() -> tuple[bool, bool]:
            return silent.closed, "closed" in engine.sockets

        await eventually(state, lambda seen: seen == (True, False), "the service pass")
        assert gone == ["silent"]
        assert not alive.closed and "alive" in engine.sockets
    finally:
        engine.service_task_event.set()
        await asyncio.wait_for(service, 1)
