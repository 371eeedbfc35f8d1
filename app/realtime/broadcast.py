"""Room broadcasts that cost close to the bytes they send.

python-socketio delivers a room emit by encoding the packet once, then starting one asyncio
task per recipient; each task queues the packet for the socket's Engine.IO writer task,
which encodes the Engine.IO packet again, frames it and writes it. In a room of 1,000
shoppers that is ~2,000 task steps per post, and it was most of the CPU (bench/README.md,
hot room). Here a broadcast is encoded and framed once, and written straight to each
recipient's connection in one loop, with no task per recipient:

- `DirectWebSocket` replaces Engine.IO's ASGI WebSocket wrapper to give each socket a
  `Direct` handle on its uvicorn connection (only under uvicorn's websockets-sansio
  protocol without compression, the server's configuration; anything else keeps the
  Engine.IO path).
- `DirectBroadcast` (a client manager) writes the frame to a socket only when nothing is
  waiting for it: its Engine.IO queue is empty and its writer is idle in `get()`, so the
  frame cannot overtake an earlier packet, and the connection is not paused by flow
  control. Otherwise the packet joins the socket's queue, in order, as upstream does; a
  reader that stopped reading therefore still fills its queue and is dropped past the
  bound (server.BoundedEngine).
- Frames for one connection in one turn of the event loop go out in one write: a room's
  events that the dispatcher delivers together (after a hot room's fan-out it gathers the
  next commits: services/outbox.py, GATHER) cost one system call per recipient instead of
  one per event. The corked frames are written by a callback scheduled at the first of
  them, before any packet queued meanwhile can reach the connection: a writer woken by
  such a packet is scheduled after that callback (the loop runs callbacks in order).
"""

from __future__ import annotations

import asyncio
import functools
from typing import Any

import socketio
from engineio import packet as eio_packet
from engineio.async_drivers.asgi import WebSocket
from socketio import packet as sio_packet
from uvicorn.protocols.websockets.websockets_sansio_impl import WebSocketsSansIOProtocol
from websockets.frames import Frame, Opcode
from websockets.protocol import State

from app.realtime.lean import Mailbox, serve_websocket


class Direct:
    """Writes whole, pre-framed WebSocket messages to one uvicorn connection."""

    __slots__ = ("_protocol",)

    def __init__(self, protocol: WebSocketsSansIOProtocol) -> None:
        self._protocol = protocol

    @classmethod
    def of(cls, asgi_send: Any) -> Direct | None:
        """The handle for a connection uvicorn serves with websockets-sansio and no
        extension (an extension such as permessage-deflate would have to see every frame)."""
        protocol = getattr(asgi_send, "__self__", None)
        if isinstance(protocol, WebSocketsSansIOProtocol) and not protocol.conn.extensions:
            return cls(protocol)
        return None

    def ready(self) -> bool:
        """Open and not paused by flow control."""
        return self._protocol.writable.is_set() and self.open()

    def open(self) -> bool:
        protocol = self._protocol
        return (
            not protocol.close_sent
            and protocol.conn.state is State.OPEN
            and not protocol.transport.is_closing()
        )

    def write(self, frames: list[bytes]) -> None:
        """Write these frames in one call if the connection is still open (once it closes,
        what it missed is the client's to fetch with `since`). A connection paused since
        they were corked still takes them: they were due before anything queued later."""
        if self.open():
            self._protocol.transport.write(frames[0] if len(frames) == 1 else b"".join(frames))


class DirectWebSocket(WebSocket):  # type: ignore[misc]
    """Engine.IO's ASGI WebSocket wrapper, telling the Engine.IO socket how to write to
    its connection directly (the handler is the socket's bound `_websocket_handler`), and
    serving a socket that opened as a WebSocket with lean.serve_websocket."""

    async def __call__(self, environ: dict[str, Any]) -> Any:
        socket = getattr(self.handler, "__self__", None)  # type: ignore[has-type]
        if socket is not None:
            socket.direct = Direct.of(environ.get("asgi.send"))
            if not socket.connected:  # not an upgrade from polling
                self.handler = functools.partial(serve_websocket, socket)
        return await super().__call__(environ)


def text_frame(text: str) -> bytes:
    """One unmasked WebSocket text frame (the server's side), as `websockets` frames it."""
    return bytes(Frame(Opcode.TEXT, text.encode()).serialize(mask=False))


def writer_idle(queue: Mailbox[Any]) -> bool:
    """Nothing queued and the writer task parked in `get()`: no packet is between the
    queue and the connection, so a direct write keeps the socket's order."""
    return queue.empty() and queue.parked()


class DirectBroadcast(socketio.AsyncManager):  # type: ignore[misc]
    """The client manager's local delivery, with one encoding and direct writes; and an
    index of each socket's rooms, so that a disconnect leaves its own few rooms instead of
    scanning every room of the namespace (python-socketio 5.18 checks each one: with 5,000
    shoppers in 6,000 rooms, ~1 ms per disconnect and seconds of loop when a network blip
    drops them all at once)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._rooms_of: dict[tuple[str, str], set[Any]] = {}
        self._corked: dict[Direct, list[bytes]] = {}  # frames due in this loop turn

    def basic_enter_room(self, sid: str, namespace: str, room: Any, eio_sid: Any = None) -> None:
        super().basic_enter_room(sid, namespace, room, eio_sid=eio_sid)
        self._rooms_of.setdefault((namespace, sid), set()).add(room)

    def basic_leave_room(self, sid: str, namespace: str, room: Any) -> None:
        super().basic_leave_room(sid, namespace, room)
        rooms = self._rooms_of.get((namespace, sid))
        if rooms is not None:
            rooms.discard(room)

    def basic_disconnect(self, sid: str, namespace: str, **kwargs: Any) -> None:
        """Upstream's clean-up, with the socket's rooms taken from the index."""
        for room in self._rooms_of.pop((namespace, sid), ()):
            super().basic_leave_room(sid, namespace, room)
        self.callbacks.pop(sid, None)
        for pending in (self.pending_connect, self.pending_disconnect):
            waiting = pending.get(namespace)
            if waiting is not None and sid in waiting:
                waiting.remove(sid)
                if not waiting:
                    del pending[namespace]

    def get_rooms(self, sid: str, namespace: str) -> list[Any]:
        return [r for r in self._rooms_of.get((namespace, sid), ()) if r is not None]

    async def emit(
        self, event: str, data: Any, namespace: str, room: Any = None, skip_sid: Any = None,
        callback: Any = None, to: Any = None, **kwargs: Any,
    ) -> None:  # fmt: skip
        room = to or room
        if callback is not None or namespace not in self.rooms:
            await super().emit(event, data, namespace, room=room, skip_sid=skip_sid,
                               callback=callback, **kwargs)  # fmt: skip
            return
        args = list(data) if isinstance(data, tuple) else [] if data is None else [data]
        encoded = self.server.packet_class(
            sio_packet.EVENT, namespace=namespace, data=[event, *args]
        ).encode()
        if isinstance(encoded, list):  # binary attachments: several frames, upstream's way
            await super().emit(event, data, namespace, room=room, skip_sid=skip_sid, **kwargs)
            return
        skip = skip_sid if isinstance(skip_sid, list) else [skip_sid]
        message = eio_packet.Packet(eio_packet.MESSAGE, encoded)
        frame: bytes | None = None
        engine = self.server.eio
        for sid, eio_sid in self.get_participants(namespace, room):
            if sid in skip:
                continue
            socket = engine.sockets.get(eio_sid)
            direct = getattr(socket, "direct", None)
            if (
                direct is not None
                and not (socket.closing or socket.closed)
                and writer_idle(socket.queue)
                and direct.ready()
            ):
                if frame is None:
                    frame = text_frame(message.encode())
                self._cork(direct, frame)
                continue
            await self.server._send_eio_packet(eio_sid, message)

    def _cork(self, direct: Direct, frame: bytes) -> None:
        frames = self._corked.get(direct)
        if frames is not None:
            frames.append(frame)
            return
        if not self._corked:
            asyncio.get_running_loop().call_soon(self._flush)
        self._corked[direct] = [frame]

    def _flush(self) -> None:
        corked, self._corked = self._corked, {}
        for direct, frames in corked.items():
            direct.write(frames)
