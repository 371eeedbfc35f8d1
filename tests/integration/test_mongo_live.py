"""The whole product on the MongoDB adapter: live room, replay after restart, idempotency.

Runs on a real MongoDB when MONGODB_URI is set, else on mongomock behind the test facade.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from pymongo import AsyncMongoClient

from app.store.mongo import MongoStore
from tests.conftest import server_overrides
from tests.mongomock_async import AsyncMongoMockClient
from tests.support import PRODUCT, LiveServer, cid, connect, new_visitor

ROOM = "montre-maree"


@pytest.fixture
def mongo_server(tmp_path: Path) -> Iterator[LiveServer]:
    uri = os.environ.get("MONGODB_URI")
    name = f"entraide_live_{uuid.uuid4().hex[:8]}"
    shared = AsyncMongoMockClient()  # survives the server restart, like a database would

    def make() -> MongoStore:
        if uri:
            return MongoStore(AsyncMongoClient(uri, tz_aware=True), name)
        return MongoStore(shared, name)  # type: ignore[arg-type]

    srv = LiveServer(server_overrides(tmp_path), store=make)
    srv.start()
    yield srv
    srv.stop()


async def test_live_room_and_replay_on_mongo(mongo_server: LiveServer, clients: list[Any]) -> None:
    asker = await new_visitor(mongo_server.url, "Camille")
    helper = await new_visitor(mongo_server.url, "Hugo")
    a, b = (
        await connect(mongo_server.url, asker["token"]),
        await connect(mongo_server.url, helper["token"]),
    )
    clients += [a, b]
    await a.call("join", {"room": ROOM, "product": PRODUCT})
    since = (await b.call("join", {"room": ROOM}))["seq"]
    key = cid()
    thread = (await a.call("ask", {"room": ROOM, "body": "Étanche ?", "client_id": key}))["thread"]
    again = (await a.call("ask", {"room": ROOM, "body": "Étanche ?", "client_id": key}))["thread"]
    assert again == thread
    await b.wait_for("event", lambda e: e["data"]["id"] == thread["id"])
    answer = await b.call("answer", {"thread_id": thread["id"], "body": "Oui", "client_id": cid()})
    accepted = await a.call("accept", {"message_id": answer["message"]["id"]})
    assert accepted["thread"]["status"] == "resolved"
    for client in (a, b):
        await client.sio.disconnect()

    mongo_server.stop()
    mongo_server.start()
    c = await connect(mongo_server.url, helper["token"])
    clients.append(c)
    back = await c.call("join", {"room": ROOM, "since": since})
    assert [e["type"] for e in back["missed"]] == [
        "thread.created",
        "message.created",
        "thread.updated",
    ]
    assert back["missed"][-1]["data"]["status"] == "resolved"
