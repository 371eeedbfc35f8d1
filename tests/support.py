"""Test helpers: a real server on loopback, Socket.IO clients that record what they receive,
and waiting with deadlines (never sleeping)."""

from __future__ import annotations

import asyncio
import shutil
import signal
import socket
import subprocess
import threading
import time
import uuid
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp
import redis
import socketio
import uvicorn

from app.factory import EntraideApp, create_app
from app.realtime.lean import LeanWebSocketProtocol
from app.store.mongo import MongoStore
from app.store.port import Store
from tests.mongomock_async import AsyncMongoMockClient

DEADLINE = 10.0


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class RedisServer:
    """A private redis-server on a free loopback port (nothing on disk) that a test can
    pause (SIGSTOP: it hangs), kill and start again on the same port."""

    def __init__(self, folder: Path) -> None:
        binary = shutil.which("redis-server")
        if binary is None:
            raise RuntimeError("redis-server is not installed (the test command installs it)")
        folder.mkdir(parents=True, exist_ok=True)
        self._command = [binary, "--port", str(free_port()), "--bind", "127.0.0.1",
                         "--save", "", "--appendonly", "no", "--dir", str(folder)]  # fmt: skip
        self.port = int(self._command[2])
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self._proc: subprocess.Popen[bytes] | None = None
        self.start()

    def start(self) -> None:
        self._proc = subprocess.Popen(self._command, stdout=subprocess.DEVNULL)
        client = redis.Redis(port=self.port)
        deadline = time.monotonic() + DEADLINE
        try:
            while True:
                try:
                    client.ping()
                    return
                except redis.ConnectionError:
                    if time.monotonic() > deadline:
                        self._proc.kill()
                        raise RuntimeError("redis-server did not start") from None
                    time.sleep(0.02)  # polling its port with a deadline
        finally:
            client.close()

    def pause(self) -> None:
        assert self._proc is not None
        self._proc.send_signal(signal.SIGSTOP)

    def resume(self) -> None:
        assert self._proc is not None
        self._proc.send_signal(signal.SIGCONT)

    def kill(self) -> None:
        assert self._proc is not None
        self._proc.kill()
        self._proc.wait(DEADLINE)

    def stop(self) -> None:
        if self._proc is not None and self._proc.poll() is None:
            self._proc.send_signal(signal.SIGCONT)
            self._proc.terminate()
            self._proc.wait(DEADLINE)


class LiveServer:
    """create_app() served by uvicorn on a thread, with the production ws settings.

    Restartable on the same port and database: `stop()` then `start()` is a server restart.
    """

    def __init__(self, overrides: dict[str, Any], store: Callable[[], Store] | None = None) -> None:
        self.overrides = overrides
        self.make_store = store
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.app: EntraideApp | None = None
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        self.app = create_app(self.overrides, self.make_store() if self.make_store else None)
        config = uvicorn.Config(
            self.app,
            host="127.0.0.1",
            port=self.port,
            ws=LeanWebSocketProtocol,
            ws_per_message_deflate=False,
            ws_ping_interval=None,
            lifespan="on",
            log_level="warning",
        )
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, daemon=True)
        self._thread.start()
        deadline = time.monotonic() + DEADLINE
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("the test server did not start")
            time.sleep(0.01)  # polling a thread flag with a deadline, not waiting for an event

    async def settled(self) -> None:
        """Wait until the server has delivered everything committed so far to its listeners
        (rewards, notifications, consoles): acknowledgements do not wait for them."""
        assert self.app is not None
        dispatcher = self.app.services.dispatcher
        assert dispatcher.loop is not None, "the server is not dispatching"
        done = asyncio.run_coroutine_threadsafe(dispatcher.idle(), dispatcher.loop)
        await asyncio.wait_for(asyncio.wrap_future(done), DEADLINE)

    def stop(self) -> None:
        assert self._server is not None and self._thread is not None
        self._server.should_exit = True
        self._thread.join(DEADLINE)


def serve_on(adapter: str, overrides: dict[str, Any], database: str) -> Iterator[LiveServer]:
    """A started LiveServer on "sqlite" (the file the overrides name) or "mongo" (mongomock
    behind the async facade, database `database`), stopped when the test is done: the body
    of a fixture parametrized over both adapters (`yield from serve_on(...)`)."""
    shared = AsyncMongoMockClient()
    make = (lambda: MongoStore(shared, database)) if adapter == "mongo" else None  # type: ignore[arg-type]
    server = LiveServer(overrides, store=make)
    server.start()
    yield server
    server.stop()


async def eventually(
    read: Callable[[], Awaitable[Any]], check: Callable[[Any], bool], what: str
) -> Any:
    """`read()` until `check` holds, within the shared deadline; the last value otherwise."""
    loop = asyncio.get_running_loop()
    end = loop.time() + DEADLINE
    while True:
        value = await read()
        if check(value):
            return value
        if loop.time() > end:
            raise AssertionError(f"{what}: still {value!r} after {DEADLINE}s")
        await asyncio.sleep(0.05)  # polling an HTTP read with a deadline


@dataclass(frozen=True)
class Sent:
    """One message the server sent: its name, payload, audience and namespace."""

    name: str
    data: Any
    to: str | None
    namespace: str


@contextmanager
def capture_events(server: LiveServer) -> Iterator[list[Sent]]:
    """Record every Socket.IO message the server emits while the block runs (Zulip's
    `capture_send_event_calls`): the real emit still happens; the list names each one's
    audience, so a test asserts exactly what an action sends, to whom, with which shape.
    Await `server.settled()` inside the block: room events follow the commit."""
    assert server.app is not None
    sio = server.app.sio
    sent: list[Sent] = []
    real_emit = sio.emit

    async def recording_emit(event: str, data: Any = None, *args: Any, **kwargs: Any) -> Any:
        to = kwargs.get("to", kwargs.get("room"))
        sent.append(Sent(event, data, to, kwargs.get("namespace") or "/"))
        return await real_emit(event, data, *args, **kwargs)

    sio.emit = recording_emit
    try:
        yield sent
    finally:
        del sio.emit  # back to the class's method


@dataclass
class Client:
    """A real Socket.IO client that records every server event it receives."""

    sio: socketio.AsyncClient
    received: list[tuple[str, Any]] = field(default_factory=list)
    _changed: asyncio.Event = field(default_factory=asyncio.Event)

    def _record(self, name: str, data: Any) -> None:
        self.received.append((name, data))
        self._changed.set()

    async def call(self, event: str, data: Any = None) -> Any:
        return await self.sio.call(event, data, timeout=DEADLINE)

    async def wait_for(
        self, name: str, where: Callable[[Any], bool] = lambda _: True, timeout: float = DEADLINE
    ) -> Any:
        """The first recorded `name` event matching `where`, waiting up to `timeout`."""
        loop = asyncio.get_running_loop()
        end = loop.time() + timeout
        while True:
            for got, data in self.received:
                if got == name and where(data):
                    return data
            self._changed.clear()
            remaining = end - loop.time()
            if remaining <= 0:
                raise AssertionError(f"no {name!r} event matched within {timeout}s")
            try:
                await asyncio.wait_for(self._changed.wait(), remaining)
            except TimeoutError:
                continue

    def events(self, name: str) -> list[Any]:
        return [data for got, data in self.received if got == name]


async def connect(url: str, token: str | None = None, **kwargs: Any) -> Client:
    sio = socketio.AsyncClient(reconnection=False)
    client = Client(sio)
    for name in ("event", "presence", "typing", "notification", "private"):
        sio.on(name, lambda data, name=name: client._record(name, data))
    await sio.connect(
        url,
        auth={"token": token} if token else None,
        transports=["websocket"],
        wait_timeout=DEADLINE,
        **kwargs,
    )
    return client


async def new_visitor(url: str, name: str) -> dict[str, Any]:
    async with (
        aiohttp.ClientSession() as http,
        http.post(f"{url}/api/v1/visitors", json={"name": name}) as resp,
    ):
        assert resp.status == 201, await resp.text()
        data: dict[str, Any] = await resp.json()
        return data


def cid() -> str:
    return uuid.uuid4().hex


PRODUCT = {"title": "Montre de pêche", "url": "https://shop.example/montre", "category": "montres"}


class RoomView:
    """What the widget shows of one room, as app/static/js/widget/sync.js keeps it: events
    applied once each, in seq order; a gap, or an advertised seq beyond the last applied one,
    fetches the rest with `join` and `since`; events that arrive live during a join are
    kept and applied after it, de-duplicated by seq. Subclasses own `sio` (connected)."""

    sio: socketio.AsyncClient

    def __init__(self, room: str) -> None:
        self.room = room
        self.last = 0
        self.applied: list[int] = []  # seqs, in the order applied
        self.threads: set[str] = set()
        self._buffer: list[dict[str, Any]] = []
        self._joining = asyncio.Lock()

    def listen(self, sio: socketio.AsyncClient) -> None:
        sio.on("event", self._on_event)
        sio.on("seq", self._on_seq)

    async def _call(self, event: str, data: dict[str, Any]) -> Any:
        return await self.sio.call(event, data, timeout=DEADLINE)

    async def join(self) -> None:
        async with self._joining:
            while True:
                first = not self.applied and self.last == 0
                ack = await self._call("join", {"room": self.room, "since": self.last or None,
                                                "product": PRODUCT})  # fmt: skip
                assert ack["ok"], ack
                if first:  # the snapshot
                    self.threads |= {t["id"] for t in ack["threads"]}
                    self.last = ack["seq"]
                for event in ack["missed"]:
                    self._apply(event)
                buffered, self._buffer = sorted(self._buffer, key=lambda e: e["seq"]), []
                for event in buffered:
                    self._apply(event)
                if all(e["seq"] <= self.last for e in buffered):
                    return  # no gap left

    def _apply(self, event: dict[str, Any]) -> None:
        if event["seq"] == self.last + 1:
            self.last = event["seq"]
            self.applied.append(event["seq"])
            if event["type"] == "thread.created":
                self.threads.add(event["data"]["id"])

    async def _on_event(self, event: dict[str, Any]) -> None:
        if event["room"] != self.room or event["seq"] <= self.last:
            return
        if self._joining.locked():
            self._buffer.append(event)
        elif event["seq"] > self.last + 1:
            await self._catch_up()  # a gap
        else:
            self._apply(event)

    async def _on_seq(self, data: dict[str, Any]) -> None:
        if data["room"] == self.room and data["seq"] > self.last and not self._joining.locked():
            await self._catch_up()

    async def _catch_up(self) -> None:
        await self.join()

    async def seen(self) -> set[str]:
        return set(self.threads)


class Widget(RoomView):
    """A widget on its own Socket.IO connection: its view of `room` (RoomView). `joined`:
    the answer of an earlier join (its seq and threads), to resume from as a widget that
    lost its connection does."""

    def __init__(
        self, room: str, url: str, token: str, joined: dict[str, Any] | None = None
    ) -> None:
        super().__init__(room)
        self.url, self.token = url, token
        if joined is not None:
            self.last = joined["seq"]
            self.threads = {thread["id"] for thread in joined["threads"]}
        self.sio = socketio.AsyncClient(reconnection=False)
        self.listen(self.sio)

    async def open(self) -> None:
        await self.sio.connect(self.url, auth={"token": self.token}, transports=["websocket"],
                               wait_timeout=DEADLINE)  # fmt: skip
        await self.join()

    async def close(self) -> None:
        await self.sio.disconnect()


@dataclass
class StaffClient:
    """A signed-in staff member: an HTTP session (cookie jar) and the CSRF token."""

    url: str
    http: aiohttp.ClientSession
    csrf: str
    cookie: str

    async def get(self, path: str, **params: str) -> Any:
        async with self.http.get(self.url + path, params=params) as resp:
            assert resp.status == 200, await resp.text()
            return await resp.json()

    async def post(self, path: str, body: Any = None, *, status: int = 200) -> Any:
        async with self.http.post(
            self.url + path, json=body or {}, headers={"X-CSRF-Token": self.csrf}
        ) as resp:
            assert resp.status == status, await resp.text()
            return await resp.json()

    async def socket(self) -> Client:
        """The live queue: a Socket.IO client on `/staff` carrying the session cookie."""
        sio = socketio.AsyncClient(reconnection=False)
        client = Client(sio)
        for name in ("case.opened", "case.updated"):
            sio.on(name, lambda data, name=name: client._record(name, data), namespace="/staff")
        await sio.connect(
            self.url, headers={"Cookie": self.cookie}, namespaces=["/staff"],
            transports=["websocket"], wait_timeout=DEADLINE,
        )  # fmt: skip
        return client


async def create_staff(db_url: str, email: str, password: str, role: str) -> None:
    """Add a staff account straight into the server's SQLite database (as the CLI does)."""
    from app.services.staff_auth import StaffAccounts
    from app.store.sqlite import SqliteStore

    store = SqliteStore(db_url.removeprefix("sqlite:///"))
    await store.open()
    try:
        await StaffAccounts(store).create(email=email, password=password, role=role)
    finally:
        await store.close()


async def add_staff(server: LiveServer, email: str, password: str, role: str) -> None:
    """A staff account in the server's database: into its SQLite file as the CLI does, or
    through the app's service when the database is an in-process stand-in (mongomock)."""
    if server.make_store is None:
        await create_staff(server.overrides["database_url"], email, password, role)
    else:
        assert server.app is not None
        await server.app.services.staff.create(email=email, password=password, role=role)


async def sign_in_staff(url: str, email: str, password: str) -> StaffClient:
    http = aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True))
    async with http.post(
        f"{url}/api/v1/staff/login", json={"email": email, "password": password}
    ) as resp:
        assert resp.status == 200, await resp.text()
        data = await resp.json()
    cookie = "; ".join(f"{c.key}={c.value}" for c in http.cookie_jar)
    return StaffClient(url, http, data["csrf_token"], cookie)
