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
from tests.conftest import MODERATOR, server_overrides
from tests.mongomock_async import AsyncMongoMockClient
from tests.support import PRODUCT, LiveServer, cid, connect, new_visitor, sign_in_staff

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


async def test_moderation_case_on_mongo(mongo_server: LiveServer, clients: list[Any]) -> None:
    """A personal-data question is held and queued; staff take it over privately (Mongo)."""
    app = mongo_server.app
    assert app is not None
    # The stand-in database is in this process: create the account through the app's service.
    await app.services.staff.create(email=MODERATOR[0], password=MODERATOR[1], role="moderator")
    staff = await sign_in_staff(mongo_server.url, *MODERATOR)
    visitor = await new_visitor(mongo_server.url, "Léa")
    asker = await connect(mongo_server.url, visitor["token"])
    clients.append(asker)
    await asker.call("join", {"room": ROOM, "product": PRODUCT})
    body = "Mon mail: lea@exemple.fr, colis perdu"
    ack = await asker.call("ask", {"room": ROOM, "body": body, "client_id": cid()})
    assert ack["held"] is True
    mine = (await asker.call("join", {"room": ROOM}))["threads"]
    assert [(t["id"], t["held"]) for t in mine] == [(ack["thread"]["id"], True)]  # hers only
    case = (await staff.get("/api/v1/staff/cases"))["cases"][0]
    assert {r["code"] for r in case["reasons"]} >= {"personal_data"}
    await staff.post(f"/api/v1/staff/cases/{case['id']}/private")
    await staff.post(f"/api/v1/staff/cases/{case['id']}/reply", {"body": "Je m'en occupe."})
    private = await asker.wait_for("private")
    assert private["message"]["body"] == "Je m'en occupe." and private["thread"]["held"] is True
    detail = await staff.get(f"/api/v1/staff/cases/{case['id']}")
    assert detail["thread"]["body"] == body
    assert [a["action"] for a in detail["audit"]] == ["opened", "private", "reply"]
    await staff.http.close()
