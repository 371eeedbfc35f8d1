"""Shared fixtures: a live server on a temp SQLite file, named visitors, socket clients."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.mailbox import Mailbox
from tests.support import (
    Client,
    LiveServer,
    RedisServer,
    StaffClient,
    add_staff,
    connect,
    new_visitor,
    sign_in_staff,
)

SECRET = "test-secret-" + "x" * 32


def server_overrides(tmp: Path, **extra: Any) -> dict[str, Any]:
    return {
        "database_url": f"sqlite:///{tmp / 'entraide.db'}",
        "secret_key": SECRET,
        "write_rate": "1000/second",
        "visitor_rate": "1000/second",
        "allowed_origins": ("https://shop.example.com",),
        "digest_dir": str(tmp / "digests"),  # the sweeper's Monday job writes there
        # Lexical look-alikes unless a test asks for the model: its indexer would spend CPU
        # on every answered question of every test (tests/integration/test_semantic.py).
        "semantic": "off",
        **extra,
    }


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """One server for the session (end-to-end browser tests share it)."""
    server = LiveServer(server_overrides(tmp_path_factory.mktemp("live")))
    server.start()
    yield server
    server.stop()


@pytest.fixture
def server(tmp_path: Path) -> Iterator[LiveServer]:
    """A fresh server and database for one test; restartable with stop()/start()."""
    srv = LiveServer(server_overrides(tmp_path))
    srv.start()
    yield srv
    srv.stop()


@pytest.fixture
def mailbox() -> Iterator[Mailbox]:
    """A real SMTP server on loopback that keeps what it receives."""
    box = Mailbox()
    box.start()
    yield box
    box.stop()


@pytest.fixture
def mail_server(tmp_path: Path, mailbox: Mailbox) -> Iterator[LiveServer]:
    """A fresh server that sends e-mail through `mailbox`; links start with its own URL."""
    srv = LiveServer(server_overrides(tmp_path, smtp_url=mailbox.url))
    srv.overrides["public_url"] = srv.url
    srv.start()
    yield srv
    srv.stop()


@pytest.fixture
async def clients() -> AsyncIterator[list[Client]]:
    """Collects clients a test connects so they are all disconnected afterwards."""
    made: list[Client] = []
    yield made
    for client in made:
        if client.sio.connected:
            await client.sio.disconnect()


@pytest.fixture
def people(server: LiveServer, clients: list[Client]) -> Any:
    """Factory: `await people("Camille")` -> (visitor dict, connected Client)."""

    async def make(name: str, url: str | None = None) -> tuple[dict[str, Any], Client]:
        visitor = await new_visitor(url or server.url, name)
        client = await connect(url or server.url, visitor["token"])
        clients.append(client)
        return visitor, client

    return make


@pytest.fixture(scope="session")
def redis_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A private redis-server on a free loopback port for the test session."""
    server = RedisServer(tmp_path_factory.mktemp("redis"))
    yield server.url
    server.stop()


MODERATOR = ("modo@boutique.example", "correct horse battery staple")
ADMIN = ("admin@boutique.example", "another long admin password")


@pytest.fixture
async def staff(server: LiveServer) -> AsyncIterator[StaffClient]:
    """A signed-in moderator ("modo") on the test server."""
    await add_staff(server, *MODERATOR, "moderator")
    client = await sign_in_staff(server.url, *MODERATOR)
    yield client
    await client.http.close()


@pytest.fixture
async def admin(server: LiveServer) -> AsyncIterator[StaffClient]:
    await add_staff(server, *ADMIN, "admin")
    client = await sign_in_staff(server.url, *ADMIN)
    yield client
    await client.http.close()
