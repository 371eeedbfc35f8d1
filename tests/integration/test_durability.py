"""Nothing is lost: replay after a server restart, idempotent retries, durable acks."""

from __future__ import annotations

from typing import Any

from tests.support import PRODUCT, LiveServer, cid, connect, new_visitor

ROOM = "canne-spinning-240"


async def test_reconnect_with_since_after_restart_gets_exactly_what_was_missed(
    server: LiveServer, clients: list[Any]
) -> None:
    asker = await new_visitor(server.url, "Camille")
    helper = await new_visitor(server.url, "Hugo")
    a = await connect(server.url, asker["token"])
    b = await connect(server.url, helper["token"])
    clients += [a, b]
    await a.call("join", {"room": ROOM, "product": PRODUCT})
    first = (await a.call("ask", {"room": ROOM, "body": "Q1 ?", "client_id": cid()}))["thread"]
    joined = await b.call("join", {"room": ROOM})
    last_seen = joined["seq"]
    await b.sio.disconnect()  # Hugo drops off...

    second = (await a.call("ask", {"room": ROOM, "body": "Q2 ?", "client_id": cid()}))["thread"]
    reply = await a.call("answer", {"thread_id": first["id"], "body": "moi", "client_id": cid()})
    await a.sio.disconnect()
    server.stop()  # ...and the server restarts meanwhile
    server.start()

    b2 = await connect(server.url, helper["token"])
    clients.append(b2)
    back = await b2.call("join", {"room": ROOM, "since": last_seen})
    assert back["ok"] and back["complete"]
    missed = back["missed"]
    assert [e["seq"] for e in missed] == list(range(last_seen + 1, back["seq"] + 1))
    assert [(e["type"], e["data"]["id"]) for e in missed] == [
        ("thread.created", second["id"]),
        ("message.created", reply["message"]["id"]),
    ]
    # The token still names the same person after the restart.
    ok = await b2.call("answer", {"thread_id": second["id"], "body": "oui", "client_id": cid()})
    assert ok["ok"] and ok["message"]["author"]["id"] == helper["id"]


async def test_same_client_id_stores_once_and_acks_the_same_object(people: Any) -> None:
    _, a = await people("Camille")
    _, watcher = await people("Hugo")
    await a.call("join", {"room": ROOM, "product": PRODUCT})
    await watcher.call("join", {"room": ROOM})
    key = cid()
    one = await a.call("ask", {"room": ROOM, "body": "Une fois ?", "client_id": key})
    two = await a.call("ask", {"room": ROOM, "body": "Une fois ?", "client_id": key})
    assert one == two
    akey = cid()
    r1 = await watcher.call(
        "answer", {"thread_id": one["thread"]["id"], "body": "r", "client_id": akey}
    )
    r2 = await watcher.call(
        "answer", {"thread_id": one["thread"]["id"], "body": "r", "client_id": akey}
    )
    assert r1 == r2
    again = await watcher.call("join", {"room": ROOM, "since": 0})
    types = [e["type"] for e in again["missed"]]
    assert types == ["thread.created", "message.created"]
    assert again["threads"][0]["answer_count"] == 1
