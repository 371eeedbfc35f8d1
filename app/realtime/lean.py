"""What an open WebSocket costs the server, kept small (issue 12: at most 25 KB each).

Measured with tracemalloc and object counts at 1,000 connections (bench/README.md, issue
12), most of a connection's memory was the stack's, not ours, and three things cut it:

- asyncio.Queue and asyncio.Event allocate a 64-slot deque each (~760 bytes) whether or not
  anything ever waits: engine.io's packet queue holds four, uvicorn's receive queue four
  more, and its `writable` event one (~6.8 KB). `Mailbox` and `Flag` hold small lists, and a
  deque only while items wait.
- Tasks that only wait: `Mailbox.get()` returns a Future, not a coroutine, so the
  `asyncio.wait_for(queue.get(), ...)` of engine.io's writer runs no Task per wait;
  `serve_websocket` reads without a Task per read; server.BoundedEngine waits for the next
  PING with a timer instead of a sleeping task.
- uvicorn keeps the handshake's Request and Response (both header sets, ~4 KB) for the life
  of the connection, and engine.io 4.15's ASGI `translate_request` defines a class per
  request for `wsgi.input` (~2.5 KB) that the environ keeps; a WebSocket has no body to
  read, so neither is kept.
"""

from __future__ import annotations

import asyncio
import socket
from collections import deque
from typing import Any, Generic, TypeVar

from engineio import exceptions as eio_exceptions
from engineio import packet as eio_packet
from engineio.async_drivers import asgi as eio_asgi
from uvicorn.protocols.websockets.websockets_sansio_impl import WebSocketsSansIOProtocol

T = TypeVar("T")
# A WebSocket's kernel send buffer, fixed (Linux doubles it for bookkeeping). Left to
# autotuning, loopback and fast links grow it to tcp_wmem's maximum (4 MB here): a shopper
# who stops reading would hold that much kernel memory until the ping timeout, and the
# slow-consumer bound (server.BoundedEngine) would only see packets queue after it. 256 KB
# still carries ~2.5 MB/s at 100 ms of round trip; a room event is under 1 KB.
SEND_BUFFER = 256 * 1024


class Mailbox(Generic[T]):
    """An unbounded FIFO queue with asyncio.Queue's methods (put, get, get_nowait,
    task_done, join, qsize, empty), at a fraction of its size.

    `get()` returns a Future: awaited, or passed to `asyncio.wait_for`, it runs no Task.
    An item put while a getter waits is handed to that getter's Future; a getter cancelled
    after it was handed an item but before it resumed loses that item, which only happens
    when the connection is going away (a timed-out or cancelled reader or writer).
    """

    __slots__ = ("_getters", "_items", "_joiners", "_unfinished")

    def __init__(self) -> None:
        self._items: deque[T] | None = None  # only while items wait for a getter
        self._getters: list[asyncio.Future[T]] = []
        self._unfinished = 0
        self._joiners: list[asyncio.Future[None]] | None = None

    def qsize(self) -> int:
        return len(self._items) if self._items else 0

    def empty(self) -> bool:
        return not self._items

    def parked(self) -> bool:
        """A getter is waiting and has been handed nothing yet."""
        return any(not getter.done() for getter in self._getters)

    def put_nowait(self, item: T) -> None:
        self._unfinished += 1
        while self._getters:
            getter = self._getters.pop(0)
            if not getter.done():  # a cancelled getter (a wait_for that timed out) is skipped
                getter.set_result(item)
                return
        if self._items is None:
            self._items = deque()
        self._items.append(item)

    async def put(self, item: T) -> None:
        self.put_nowait(item)

    def get_nowait(self) -> T:
        if not self._items:
            raise asyncio.QueueEmpty
        item = self._items.popleft()
        if not self._items:
            self._items = None
        return item

    def get(self) -> asyncio.Future[T]:
        """The next item, as a Future (done at once when an item is waiting)."""
        getter: asyncio.Future[T] = asyncio.get_running_loop().create_future()
        if self._items:
            getter.set_result(self.get_nowait())
        else:
            if self._getters:  # drop the getters a timeout or a cancellation abandoned
                self._getters = [g for g in self._getters if not g.done()]
            self._getters.append(getter)
        return getter

    def task_done(self) -> None:
        if self._unfinished <= 0:
            raise ValueError("task_done() called too many times")
        self._unfinished -= 1
        if self._unfinished == 0 and self._joiners:
            for joiner in self._joiners:
                if not joiner.done():
                    joiner.set_result(None)
            self._joiners = None

    async def join(self) -> None:
        if self._unfinished == 0:
            return
        joiner: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        if self._joiners is None:
            self._joiners = []
        self._joiners.append(joiner)
        await joiner


class Flag:
    """asyncio.Event's is_set, set, clear and wait, with no deque until something waits."""

    __slots__ = ("_set", "_waiters")

    def __init__(self, value: bool = False) -> None:
        self._set = value
        self._waiters: list[asyncio.Future[None]] | None = None

    def is_set(self) -> bool:
        return self._set

    def set(self) -> None:
        self._set = True
        waiters, self._waiters = self._waiters, None
        for waiter in waiters or ():
            if not waiter.done():
                waiter.set_result(None)

    def clear(self) -> None:
        self._set = False

    async def wait(self) -> bool:
        if self._set:
            return True
        waiter: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        if self._waiters is None:
            self._waiters = []
        self._waiters.append(waiter)
        await waiter
        return True


class LeanWebSocketProtocol(WebSocketsSansIOProtocol):
    """uvicorn's websockets-sansio protocol (uvicorn 0.54) with a Mailbox for its receive
    queue, a Flag for `writable`, no copy of the handshake kept once it is answered, and a
    fixed kernel send buffer (`SEND_BUFFER`). Everything else, flow control and keepalive
    included, is upstream's."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.queue = Mailbox()  # type: ignore[assignment]
        self.writable = Flag(True)  # type: ignore[assignment]

    def connection_made(self, transport: Any) -> None:
        super().connection_made(transport)
        raw = transport.get_extra_info("socket")
        if raw is not None:
            raw.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, SEND_BUFFER)

    async def send(self, message: Any) -> None:
        await super().send(message)
        if self.handshake_complete and hasattr(self, "response"):
            # Read only to answer the handshake; the app keeps its own scope and environ.
            # websockets' parser keeps the Request object until the connection ends, so
            # its headers are emptied too.
            self.request.headers.clear()
            del self.request, self.response


class _NoBody:
    """`wsgi.input` of a WebSocket's environ: engine.io reads a body only from polling
    POSTs."""

    async def read(self, length: int | None = None) -> bytes:
        return b""


NO_BODY = _NoBody()


async def translate_request(scope: Any, receive: Any, send: Any) -> dict[str, Any]:
    """engine.io's ASGI `translate_request`, keeping no per-request class for a WebSocket
    (it becomes garbage the cyclic collector frees, instead of living as long as the
    connection)."""
    environ: dict[str, Any] = await eio_asgi.translate_request(scope, receive, send)
    if environ and scope.get("type") == "websocket":
        environ["wsgi.input"] = NO_BODY
    return environ


async def serve_websocket(socket: Any, ws: Any) -> None:
    """`AsyncSocket._websocket_handler` of python-engineio 4.15.1 for a socket that opened
    as a WebSocket (an upgrade from polling keeps upstream's handler), reading without a
    Task per packet.

    Upstream wraps every read in `asyncio.ensure_future` and then `asyncio.wait_for`, so
    each connection holds a reading Task besides its writer; `asyncio.timeout` puts the same
    deadline (ping interval + ping timeout, packet size bound included) on the read in the
    connection's own task. The writer is upstream's, with `AsyncSocket.poll` inlined and
    its `wait_for` an `asyncio.timeout` too (no wait_for frame and waiter per connection);
    it stays parked in `queue.get()` (broadcast.writer_idle). The order of the steps and
    what ends the connection are upstream's.
    """
    server = socket.server
    socket.connected = True
    socket.upgraded = True

    async def writer() -> None:
        queue = socket.queue
        while True:  # AsyncSocket.poll inlined, its wait_for an asyncio.timeout
            try:
                async with asyncio.timeout(deadline):
                    first = await queue.get()
            except (TimeoutError, asyncio.CancelledError):
                break
            queue.task_done()
            if first is None:  # the connection is closed
                break
            packets = [first]
            while not queue.empty():
                pkt = queue.get_nowait()
                queue.task_done()
                if pkt is None:
                    queue.put_nowait(None)  # ends the next round, after these are sent
                    break
                packets.append(pkt)
            try:
                for pkt in packets:
                    await ws.send(pkt.encode())
            except Exception:
                break
        await ws.close()

    deadline = server.ping_interval + server.ping_timeout
    writer_task = asyncio.ensure_future(writer())
    server.logger.info("%s: Upgrade to websocket successful", socket.sid)
    while True:
        try:
            async with asyncio.timeout(deadline):
                data = await ws.wait()
        except (Exception, asyncio.CancelledError):  # upstream: any error ends the reads
            break
        if data is None:  # closed by the client
            break
        if len(data) > server.max_http_buffer_size:
            break  # upstream raises "packet is too large" inside the read: same end
        try:
            await socket.receive(eio_packet.Packet(encoded_packet=data))
        except eio_exceptions.UnknownPacketError:
            pass
        except eio_exceptions.SocketIsClosedError:
            server.logger.info("Receive error -- socket is closed")
            break
        except Exception:
            server.logger.exception("Unknown receive error")
    await socket.queue.put(None)  # unlock the writer task so it can exit
    await writer_task
    await socket.close(wait=False, abort=True, reason=server.reason.TRANSPORT_CLOSE)
