"""Two people in a product room: everything one does, the other sees live."""

from __future__ import annotations

import asyncio
from typing import Any

from tests.support import PRODUCT, cid

ROOM = "montre-maree"


async def test_ask_answer_vote_accept_seen_live(people: Any) -> None:
    camille, asker = await people("Camille")
    hugo, helper = await people("Hugo")
    joined = await asker.call("join", {"room": ROOM, "since": None, "product": PRODUCT})
    assert joined["ok"] and joined["room"]["title"] == PRODUCT["title"]
    assert (await helper.call("join", {"room": ROOM}))["ok"]

    asked = await asker.call(
        "ask", {"room": ROOM, "body": "Est-elle étanche ?", "client_id": cid()}
    )
    assert asked["ok"]
    thread = asked["thread"]
    assert thread["status"] == "open" and thread["author"]["id"] == camille["id"]
    seen = await helper.wait_for("event", lambda e: e["type"] == "thread.created")
    assert seen["data"]["id"] == thread["id"] and seen["data"]["body"] == "Est-elle étanche ?"

    answered = await helper.call(
        "answer",
        {
            "thread_id": thread["id"],
            "body": "Oui, 100 m : https://shop.example.com/montre",
            "client_id": cid(),
        },
    )
    assert answered["ok"]
    message = answered["message"]
    live = await asker.wait_for("event", lambda e: e["type"] == "message.created")
    assert live["data"]["id"] == message["id"]
    assert live["data"]["thread"] == {"id": thread["id"], "status": "answered", "answer_count": 1}
    assert 'rel="nofollow ugc noopener"' in live["data"]["html"]
    note = await asker.wait_for("notification")
    assert note["thread_id"] == thread["id"] and note["message"]["author"]["id"] == hugo["id"]

    voted = await asker.call("vote", {"message_id": message["id"], "value": 1})
    assert voted["ok"] and voted["message"]["votes"] == 1
    again = await asker.call("vote", {"message_id": message["id"], "value": 1})
    assert again["message"]["votes"] == 1  # one vote per person per answer
    upd = await helper.wait_for("event", lambda e: e["type"] == "message.updated")
    assert upd["data"]["votes"] == 1

    accepted = await asker.call("accept", {"message_id": message["id"]})
    assert accepted["ok"] and accepted["thread"]["status"] == "resolved"
    resolved = await helper.wait_for(
        "event", lambda e: e["type"] == "thread.updated" and e["data"]["status"] == "resolved"
    )
    assert resolved["data"]["accepted_message_id"] == message["id"]

    seqs = [e["seq"] for e in helper.events("event")]
    assert seqs == sorted(seqs) and len(set(seqs)) == len(seqs)


async def test_rules_refused_with_protocol_codes(people: Any) -> None:
    _, asker = await people("Camille")
    _, helper = await people("Hugo")
    await asker.call("join", {"room": ROOM, "product": PRODUCT})
    thread = (await asker.call("ask", {"room": ROOM, "body": "Question ?", "client_id": cid()}))[
        "thread"
    ]
    own = await asker.call("answer", {"thread_id": thread["id"], "body": "moi", "client_id": cid()})
    self_vote = await asker.call("vote", {"message_id": own["message"]["id"], "value": 1})
    assert self_vote["error"]["code"] == "forbidden"
    self_accept = await asker.call("accept", {"message_id": own["message"]["id"]})
    assert self_accept["error"]["code"] == "forbidden"

    other = await helper.call(
        "answer", {"thread_id": thread["id"], "body": "R", "client_id": cid()}
    )
    not_asker = await helper.call("accept", {"message_id": other["message"]["id"]})
    assert not_asker["error"]["code"] == "forbidden"
    assert (await asker.call("accept", {"message_id": other["message"]["id"]}))["ok"]
    twice = await asker.call("resolve", {"thread_id": thread["id"]})
    assert twice["error"]["code"] == "conflict"
    late = await helper.call(
        "answer", {"thread_id": thread["id"], "body": "R2", "client_id": cid()}
    )
    assert late["error"]["code"] == "conflict"


async def test_presence_and_typing(people: Any) -> None:
    _, a = await people("Camille")
    _, b = await people("Hugo")
    await a.call("join", {"room": ROOM, "product": PRODUCT})
    await b.call("join", {"room": ROOM})
    assert (await a.wait_for("presence", lambda p: p["online"] == 2))["room"] == ROOM
    thread = (await a.call("ask", {"room": ROOM, "body": "Q ?", "client_id": cid()}))["thread"]
    assert (await b.call("typing", {"thread_id": thread["id"]}))["ok"]
    typing = await a.wait_for("typing")
    assert typing == {"room": ROOM, "thread_id": thread["id"], "name": "Hugo"}
    assert b.events("typing") == []  # the typist is not told about themselves
    await b.sio.disconnect()
    await a.wait_for("presence", lambda p: p["online"] == 1)


async def test_one_clients_events_are_handled_in_the_order_sent(people: Any) -> None:
    """The widget emits `join` then `ask` without waiting: the ask must see the room."""
    _, client = await people("Camille")
    room = "brand-new-room"
    join = client.sio.call("join", {"room": room, "product": PRODUCT}, timeout=10)
    bodies = ["Est-elle étanche ?", "Quelle taille ?", "Livrée avec un chargeur ?",
              "Compatible Android ?", "Autonomie en hiver ?"]  # fmt: skip
    asks = [
        client.sio.call("ask", {"room": room, "body": b, "client_id": cid()}, timeout=10)
        for b in bodies
    ]
    results = await asyncio.gather(join, *asks)
    assert all(r["ok"] for r in results), results
    seqs = [r["thread"]["seq"] for r in results[1:]]
    assert seqs == sorted(seqs)  # stored in the order they were sent
