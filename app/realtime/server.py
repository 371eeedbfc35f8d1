"""Builds the Socket.IO server and connects it to the event bus.

The client manager is picked once: Redis fan-out when configured (several processes),
in-process otherwise. Handlers of one client run in order (`async_handlers=False`), and a
client emitting a reserved name such as `connect` is ignored.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import urlsplit

import engineio
import engineio.json
import socketio
from engineio import packet as eio_packet
from engineio.async_socket import AsyncSocket

from app import keys
from app.adapters.redis_health import Breaker
from app.config import Settings
from app.realtime import lean, names
from app.realtime.acks import error_ack
from app.realtime.broadcast import DirectBroadcast, DirectWebSocket
from app.realtime.fanout import FanOut
from app.services.bus import (
    AnswerPosted,
    CaseChanged,
    EnthusiastsNudged,
    EventBus,
    PrivateMessage,
    Recognised,
    RoomChanged,
)
from app.services.case_views import case_view
from app.services.views import message_view, thread_view, wire_event

log = logging.getLogger(__name__)
PING_INTERVAL = 25
SERVICE_EVERY = 1.0  # seconds between two passes over every socket for a missed PONG
SERVICE_CHUNK = 500  # sockets checked between two yields to the loop
SEQ_EVERY = 15.0  # seconds between two advertisements of a room's latest seq


class PacketJson:
    """The JSON module of our Engine.IO and Socket.IO packets (python-socketio's `json=`):
    the standard one, except that a payload nested deeper than the decoder's stack is
    malformed JSON (ValueError) rather than a RecursionError nobody catches (a traceback
    per frame, and no ack)."""

    dumps = staticmethod(engineio.json.dumps)

    @staticmethod
    def loads(text: str, **kwargs: Any) -> Any:
        try:
            return engineio.json.loads(text, **kwargs)
        except RecursionError:
            raise ValueError("nested too deeply") from None


class Unreadable(list[Any]):
    """The data of a Socket.IO packet that could not be decoded: empty, so whatever reads
    it sees nothing, and GuardedServer acks it `invalid`."""


UNREADABLE = Unreadable()


class GuardedPacket(socketio.packet.Packet):  # type: ignore[misc]
    """A packet that cannot be decoded (JSON cut short or too deep, a garbled header)
    becomes an EVENT carrying UNREADABLE, keeping the ack id when it was read, instead of
    an exception python-socketio would log and leave unanswered."""

    def decode(self, encoded_packet: Any) -> int:
        try:
            return int(super().decode(encoded_packet))
        except ValueError:
            kind = getattr(self, "packet_type", None)
            if kind not in (socketio.packet.CONNECT, socketio.packet.ACK):
                self.packet_type = socketio.packet.EVENT
            self.data = UNREADABLE
            return 0


class BoundedEngine(engineio.AsyncServer):  # type: ignore[misc]
    """Engine.IO with a bound on what waits for a socket that stopped reading.

    Engine.IO queues every packet for a socket and one writer task sends them; a client
    that stops reading (a frozen tab, a dead mobile link) would make that queue grow until
    the ping timeout (~45 s: a hot room's whole traffic). Past `max_queued` packets the
    socket is dropped: its queue emptied, the app told it disconnected (presence, rooms),
    its connection closed once the write in progress ends. The client reconnects and joins
    with `since`, which replays what it missed.
    """

    def __init__(
        self, *args: Any, max_queued: int, service_every: float = SERVICE_EVERY, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.max_queued = max_queued
        self.service_every = service_every
        self._pinging: set[asyncio.Task[None]] = set()
        drivers: dict[str, Any] = self._async  # type: ignore[has-type]  # copied, not changed
        self._async = {
            **drivers,
            "websocket": DirectWebSocket,  # broadcast.py
            "translate_request": lean.translate_request,
        }

    def create_queue(self, *args: Any, **kwargs: Any) -> lean.Mailbox[Any]:
        """Each socket's packet queue: a Mailbox, a fraction of asyncio.Queue's size, whose
        `get()` the writer awaits without a Task per wait (lean.py)."""
        return lean.Mailbox()

    def start_background_task(self, target: Any, *args: Any, **kwargs: Any) -> Any:
        """engine.io 4.15 runs, per socket, a task that sleeps `ping_interval` and then
        sends a PING (AsyncSocket._send_ping): ~1 KB a connection for a task that only
        waits. Here the wait is a timer, and the PING is sent as `_send_ping` sends it."""
        if getattr(target, "__func__", None) is AsyncSocket._send_ping and not args:
            loop = asyncio.get_running_loop()
            return loop.call_later(self.ping_interval, self._ping, target.__self__)
        return super().start_background_task(target, *args, **kwargs)

    async def _service_task(self) -> None:
        """Close sockets whose client missed a PONG, and forget closed ones, in one pass
        over every socket each `service_every` seconds. engine.io 4.15 waits
        `ping_timeout / len(sockets)` between two sockets instead, each wait an
        `asyncio.wait_for` (a Task, a timer, a TimeoutError): 250 wake-ups a second at
        5,000 connections, about a fifth of an idle server's loop (bench/README.md)."""
        self.service_task_event = self.create_event()
        while True:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.service_task_event.wait(), self.service_every)
                return  # shutdown() set the event
            try:
                await self._service_pass()
            except Exception:  # upstream logs and goes on: so does this
                log.exception("engine.io service pass failed")

    async def _service_pass(self) -> None:
        sockets = list(self.sockets.values())
        for start in range(0, len(sockets), SERVICE_CHUNK):
            now = time.time()
            for socket in sockets[start : start + SERVICE_CHUNK]:
                if socket.closed:
                    if self.sockets.get(socket.sid) is socket:
                        del self.sockets[socket.sid]
                elif (
                    not socket.closing
                    and socket.last_ping
                    and now - socket.last_ping > self.ping_timeout
                ):
                    await socket.check_ping_timeout()  # closes it, as upstream does
            await asyncio.sleep(0)

    def _ping(self, socket: Any) -> None:
        task = asyncio.ensure_future(self._send_ping(socket))
        self._pinging.add(task)  # held until done, as asyncio asks
        task.add_done_callback(self._pinging.discard)

    @staticmethod
    async def _send_ping(socket: Any) -> None:
        """AsyncSocket._send_ping after its sleep: checked and sent in one step, so a socket
        closed meanwhile is not sent to."""
        if not socket.closing and not socket.closed:
            socket.last_ping = time.time()
            await socket.send(eio_packet.Packet(eio_packet.PING))

    async def send_packet(self, sid: str, pkt: Any) -> None:
        socket = self.sockets.get(sid)
        if socket is not None and socket.queue.qsize() >= self.max_queued:
            await self._drop(socket)
            return
        await super().send_packet(sid, pkt)

    async def _drop(self, socket: Any) -> None:
        if socket.closed or socket.closing:
            return
        log.warning("dropped socket %s: %d packets unread", socket.sid, socket.queue.qsize())
        while not socket.queue.empty():
            socket.queue.get_nowait()
            socket.queue.task_done()
        await socket.close(wait=False, abort=True, reason=self.reason.TRANSPORT_ERROR)
        socket.queue.put_nowait(None)  # the writer ends after its current write, closing


class GuardedServer(socketio.AsyncServer):  # type: ignore[misc]
    """AsyncServer that refuses client events named like lifecycle events, and events
    whose JSON could not be read.

    python-socketio dispatches an incoming EVENT packet named "connect" to the connect
    handler; refusing it here keeps authentication in `on_connect` only.
    """

    def _engineio_server_class(self) -> type[BoundedEngine]:
        return BoundedEngine

    async def _handle_event(self, eio_sid: str, namespace: str, id: Any, data: Any) -> None:
        if data is UNREADABLE:
            log.warning("refused an event that is not valid JSON from %s", eio_sid)
            await self._refuse(
                eio_sid, namespace, id, "the event is not valid JSON or is nested too deeply"
            )
            return
        if not data or not isinstance(data[0], str) or data[0] in names.RESERVED:
            log.warning("refused reserved or malformed event from %s", eio_sid)
            await self._refuse(eio_sid, namespace, id, "reserved or malformed event name")
            return
        await super()._handle_event(eio_sid, namespace, id, data)

    async def _refuse(self, eio_sid: str, namespace: str, id: Any, message: str) -> None:
        if id is not None:
            await self._send_packet(
                eio_sid,
                self.packet_class(
                    socketio.packet.ACK,
                    namespace=namespace or "/",
                    id=id,
                    data=[error_ack("invalid", message)],
                ),
            )


def origin_checker(settings: Settings) -> Callable[[str | None, dict[str, Any]], bool]:
    """Same-origin (the widget's own iframe) and the configured shop origins only."""
    allowed = set(settings.allowed_origins)

    def check(origin: str | None, environ: dict[str, Any]) -> bool:
        if origin is None or "*" in allowed or origin in allowed:
            return True
        host = str(environ.get("HTTP_HOST", ""))
        return urlsplit(origin).netloc == host

    return check


def build_server(settings: Settings, breaker: Breaker | None = None) -> socketio.AsyncServer:
    manager: socketio.AsyncManager = DirectBroadcast()
    if settings.redis_url:
        manager = FanOut(settings.redis_url, keys.socketio_channel(), breaker or Breaker())
    return GuardedServer(
        async_mode="asgi",
        serializer=GuardedPacket,
        json=PacketJson,
        client_manager=manager,
        cors_allowed_origins=origin_checker(settings),
        async_handlers=False,
        max_http_buffer_size=settings.max_event_bytes,
        max_queued=settings.max_queued_packets,
        ping_interval=PING_INTERVAL,
        http_compression=False,
        logger=False,
        engineio_logger=False,
    )


def connect_bus(
    sio: socketio.AsyncServer,
    bus: EventBus,
    add_ranks: Callable[[list[dict[str, Any]]], Awaitable[None]],
) -> None:
    """Broadcast committed room events and personal notifications (with authors' ranks)."""

    async def on_room_changed(change: RoomChanged) -> None:
        await sio.emit(
            names.EVENT,
            wire_event(change.event, change.data),
            room=names.room_channel(change.event.room),
            namespace=names.WIDGET_NAMESPACE,
        )

    async def on_answer_posted(posted: AnswerPosted) -> None:
        thread, message = thread_view(posted.thread), message_view(posted.message)
        await add_ranks([thread, message])
        await sio.emit(
            names.NOTIFICATION,
            {
                "type": "answer",
                "room": posted.thread.room,
                "thread_id": posted.thread.id,
                "thread": thread,
                "message": message,
                "text": f"{posted.message.author_name} answered your question",
            },
            room=names.visitor_channel(posted.thread.author_id),
            namespace=names.WIDGET_NAMESPACE,
        )

    async def on_case_changed(change: CaseChanged) -> None:
        await sio.emit(
            names.CASE_OPENED if change.opened else names.CASE_UPDATED,
            {"case": case_view(change.case, change.thread)},
            room=names.STAFF_CHANNEL,
            namespace=names.STAFF_NAMESPACE,
        )

    async def on_private_message(private: PrivateMessage) -> None:
        thread, message = thread_view(private.thread), message_view(private.message)
        await add_ranks([thread, message])
        payload = {"room": private.thread.room, "thread": thread, "message": message}
        await sio.emit(
            names.PRIVATE,
            payload,
            room=names.visitor_channel(private.thread.author_id),
            namespace=names.WIDGET_NAMESPACE,
        )

    async def on_nudged(nudge: EnthusiastsNudged) -> None:
        thread = thread_view(nudge.thread)
        await add_ranks([thread])
        for visitor_id in nudge.visitor_ids:
            await sio.emit(
                names.NOTIFICATION,
                {
                    "type": "nudge",
                    "room": nudge.thread.room,
                    "thread_id": nudge.thread.id,
                    "thread": thread_view(nudge.thread),
                },
                room=names.visitor_channel(visitor_id),
                namespace=names.WIDGET_NAMESPACE,
            )

    async def on_recognised(change: Recognised) -> None:
        """{type: "rank", rank: code, text} or {type: "badge", badge: code, text}."""
        await sio.emit(
            names.NOTIFICATION,
            {
                "type": change.kind,
                change.kind: change.code,
                "text": {"fr": change.text_fr, "en": change.text_en},
            },
            room=names.visitor_channel(change.visitor_id),
            namespace=names.WIDGET_NAMESPACE,
        )

    bus.subscribe(Recognised.name, on_recognised)
    bus.subscribe(RoomChanged.name, on_room_changed)
    bus.subscribe(AnswerPosted.name, on_answer_posted)
    bus.subscribe(CaseChanged.name, on_case_changed)
    bus.subscribe(PrivateMessage.name, on_private_message)
    bus.subscribe(EnthusiastsNudged.name, on_nudged)


class SeqBeacon:
    """Tells every room of this process its latest event seq every `every` seconds, and at
    once when asked (Redis is back): a client that missed an event (processes could not
    talk, its socket was dropped for reading too slowly) notices even when no later event
    comes, and joins with `since` to fetch what it missed."""

    def __init__(
        self, sio: socketio.AsyncServer, seq_of: Callable[[str], Awaitable[int | None]],
        every: float = SEQ_EVERY,
    ) -> None:  # fmt: skip
        self._sio = sio
        self._seq_of = seq_of
        self._every = every
        self._wake = asyncio.Event()

    async def now(self) -> None:
        self._wake.set()

    async def run(self) -> None:
        while True:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), self._every)
            self._wake.clear()
            try:
                await self.advertise()
            except Exception:
                log.exception("room seqs not advertised")

    async def advertise(self) -> None:
        rooms = self._sio.manager.rooms.get(names.WIDGET_NAMESPACE, {})
        keys_ = [r.removeprefix("room:") for r in list(rooms)
                 if isinstance(r, str) and r.startswith("room:")]  # fmt: skip
        for key in keys_:
            # One room at a time between other work: a shop's 1,000 rooms in one go held the
            # loop ~0.1 s every SEQ_EVERY seconds (bench/README.md, shop profile).
            await asyncio.sleep(0)
            seq = await self._seq_of(key)
            if seq is None:
                continue
            await self._sio.emit(  # to this process's sockets only: each process tells its own
                names.SEQ, {"room": key, "seq": seq}, room=names.room_channel(key),
                namespace=names.WIDGET_NAMESPACE, ignore_queue=True,
            )  # fmt: skip


async def run_heartbeat(sio: socketio.AsyncServer, presence: Any, every: float = 30.0) -> None:
    """Refresh this process's sockets in the shared presence sets until cancelled."""
    while True:
        await asyncio.sleep(every)
        with contextlib.suppress(Exception):
            rooms: dict[str, set[str]] = {}
            for room_name, sids in sio.manager.rooms.get(names.WIDGET_NAMESPACE, {}).items():
                if not isinstance(room_name, str):
                    continue
                if room_name.startswith("room:"):
                    key = room_name.removeprefix("room:")
                elif room_name.startswith("visitor:"):
                    key = names.visitor_presence(room_name.removeprefix("visitor:"))
                else:
                    continue
                for sid in sids:
                    rooms.setdefault(sid, set()).add(key)
            await presence.heartbeat(rooms)


async def stop_server(sio: socketio.AsyncServer) -> None:
    """Stop background work, including the Redis manager's listener and its connections."""
    await sio.shutdown()
    manager = sio.manager
    if isinstance(manager, FanOut):
        await manager.close()
    listener = getattr(manager, "thread", None)
    if isinstance(listener, asyncio.Task):
        listener.cancel()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await listener
    for resource in (getattr(manager, "pubsub", None), getattr(manager, "redis", None)):
        if resource is not None:
            with contextlib.suppress(Exception):
                await resource.aclose()
