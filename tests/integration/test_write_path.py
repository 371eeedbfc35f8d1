"""The one write path: what each action sends, to whom, in which shape (captured at the
Socket.IO boundary), and the review's defects on it (issue 8: 1, 3, 4, 7, 12, 13).

Each defect test failed on the code before the write path (commit bfeb729)."""

from __future__ import annotations

import asyncio
from typing import Any

from tests.support import (
    PRODUCT,
    Client,
    LiveServer,
    StaffClient,
    capture_events,
    cid,
    connect,
)

ROOM = "montre-maree"
QUESTION = "Cette montre est-elle étanche pour la plongée ?"


async def asked(people: Any) -> tuple[dict[str, Any], Client, dict[str, Any]]:
    """Camille joins and asks; returns (visitor, client, thread)."""
    camille, asker = await people("Camille")
    assert (await asker.call("join", {"room": ROOM, "product": PRODUCT}))["ok"]
    ack = await asker.call("ask", {"room": ROOM, "body": QUESTION, "client_id": cid()})
    assert ack["ok"], ack
    return camille, asker, ack["thread"]


def room_events(sent: list[Any]) -> list[tuple[str, str, str | None]]:
    return [(s.data["type"], s.to, s.data["data"]["author"]["rank"]) for s in sent
            if s.name == "event"]  # fmt: skip


# what each action sends ----------------------------------------------------------------------
async def test_an_answer_sends_one_room_event_with_ranks_and_one_notification_to_the_asker(
    people: Any, server: LiveServer
) -> None:
    camille, _asker, thread = await asked(people)
    eloise, helper = await people("Éloïse")
    await helper.call("join", {"room": ROOM})
    with capture_events(server) as sent:
        ack = await helper.call(
            "answer", {"thread_id": thread["id"], "body": "Oui, jusqu'à 30 m.", "client_id": cid()}
        )
        assert ack["ok"], ack
        await server.settled()
    assert room_events(sent) == [("message.created", f"room:{ROOM}", "newcomer")]
    [event] = [s.data for s in sent if s.name == "event"]
    assert event["data"]["thread"] == {"id": thread["id"], "status": "answered", "answer_count": 1}
    assert event["data"]["id"] == ack["message"]["id"]
    notices = [(s.data["type"], s.to) for s in sent if s.name == "notification"]
    assert ("answer", f"visitor:{camille['id']}") in notices
    assert all(to != f"visitor:{eloise['id']}" for _, to in notices if _ == "answer")


async def test_ask_vote_accept_resolve_each_send_one_room_event_that_carries_ranks(
    people: Any, server: LiveServer
) -> None:
    _, asker, thread = await asked(people)
    _, helper = await people("Éloïse")
    await helper.call("join", {"room": ROOM})
    answered = await helper.call(
        "answer", {"thread_id": thread["id"], "body": "Oui, jusqu'à 30 m.", "client_id": cid()}
    )
    message_id = answered["message"]["id"]
    await server.settled()
    with capture_events(server) as sent:
        assert (await asker.call("vote", {"message_id": message_id, "value": 1}))["ok"]
        await server.settled()
    assert [(t, to) for t, to, _ in room_events(sent)] == [("message.updated", f"room:{ROOM}")]
    assert all(rank is not None for _, _, rank in room_events(sent))
    with capture_events(server) as sent:
        assert (await asker.call("accept", {"message_id": message_id}))["ok"]
        await server.settled()
    assert [(t, to) for t, to, _ in room_events(sent)] == [("thread.updated", f"room:{ROOM}")]
    assert [s.data["data"]["status"] for s in sent if s.name == "event"] == ["resolved"]
    assert all(rank is not None for _, _, rank in room_events(sent))


async def test_a_staff_reply_reaches_the_room_with_the_same_event_shape(
    people: Any, server: LiveServer, staff: StaffClient
) -> None:
    _, asker, _ = await asked(people)
    ack = await asker.call(
        "ask", {"room": ROOM, "body": "Où en est ma commande 4471 ? Toujours pas reçue !!!",
                "client_id": cid()},
    )  # fmt: skip
    assert ack["ok"] and ack["thread"]["status"] == "escalated", ack
    case_id = next(
        c["id"] for c in (await staff.get("/api/v1/staff/cases"))["cases"]
        if c["thread_id"] == ack["thread"]["id"]
    )  # fmt: skip
    await server.settled()  # the question's own event is out before the staff act
    with capture_events(server) as sent:
        await staff.post(f"/api/v1/staff/cases/{case_id}/takeover")
        await staff.post(f"/api/v1/staff/cases/{case_id}/reply", {"body": "Je regarde."})
        await server.settled()
    events = [s.data for s in sent if s.name == "event"]
    assert [e["type"] for e in events] == ["thread.updated", "message.created", "message.created"]
    assert [e["seq"] for e in events] == sorted(e["seq"] for e in events)
    assert all(s.to == f"room:{ROOM}" for s in sent if s.name == "event")
    assert [e["data"]["kind"] for e in events[1:]] == ["system", "staff"]
    assert {s.name for s in sent} >= {"event", "case.updated"}
    assert all(s.to == "staff" for s in sent if s.name.startswith("case."))


# defect 1: abuse + personal data is held for everyone ----------------------------------------
async def test_an_abusive_answer_with_an_email_reaches_nobody_before_a_moderator(
    people: Any, server: LiveServer, staff: StaffClient
) -> None:
    _, asker, thread = await asked(people)
    _, troll = await people("Troll")
    await troll.call("join", {"room": ROOM})
    with capture_events(server) as sent:
        ack = await troll.call(
            "answer",
            {"thread_id": thread["id"], "client_id": cid(),
             "body": "T'es vraiment un connard, écris à arnaque.remboursement@gmail.com"},
        )  # fmt: skip
        await server.settled()
    assert ack["ok"] and ack.get("held") is True, ack
    assert ack["message"]["visibility"] == "held"
    about_it = [
        s for s in sent
        if s.name in ("private", "notification")
        or (s.name == "event" and s.data["type"].startswith("message."))
    ]  # fmt: skip
    assert about_it == []  # not the room, not the asker (live)
    rejoined = await asker.call("join", {"room": ROOM, "since": 0})
    shown = next(t for t in rejoined["threads"] if t["id"] == thread["id"])
    assert shown["messages"] == []  # nor on their next join
    assert all(e["type"] != "message.created" for e in rejoined["missed"])


# defect 3: a published question can be taken down -------------------------------------------
async def test_staff_take_a_question_down_and_put_it_back(
    people: Any, server: LiveServer, staff: StaffClient
) -> None:
    camille, asker, thread = await asked(people)
    _, watcher = await people("Hugo")
    await watcher.call("join", {"room": ROOM})
    hidden = await staff.post(f"/api/v1/staff/threads/{thread['id']}/hide")
    assert hidden["thread"]["status"] == "hidden" and hidden["thread"]["body"] == ""
    update = await watcher.wait_for(
        "event", lambda e: e["type"] == "thread.updated" and e["data"]["id"] == thread["id"]
    )
    assert update["data"]["status"] == "hidden" and update["data"]["body"] == ""
    again = await staff.post(f"/api/v1/staff/threads/{thread['id']}/hide", status=409)
    assert again["error"]["code"] == "conflict"
    review = await staff.get(f"/api/v1/staff/contributors/{camille['id']}")
    assert [a["action"] for a in review["audit"]] == ["hide_question"]
    fresh = await watcher.call("join", {"room": ROOM, "since": 0})
    assert all(e["data"]["body"] != QUESTION for e in fresh["missed"])
    back = await staff.post(f"/api/v1/staff/threads/{thread['id']}/restore")
    assert back["thread"]["status"] == "open" and back["thread"]["body"] == QUESTION
    # Visitors cannot, and a question can be reported like an answer.
    refused = await asker.call("report", {"thread_id": thread["id"], "message_id": "a" * 16,
                                          "reason": "x"})  # fmt: skip
    assert refused["error"]["code"] == "invalid"
    reported = await watcher.call("report", {"thread_id": thread["id"], "reason": "Hors sujet"})
    assert reported["ok"], reported
    cases = (await staff.get("/api/v1/staff/cases", reason="report"))["cases"]
    assert [c["thread_id"] for c in cases] == [thread["id"]]


# defect 4: rooms are not free, presence churn is folded --------------------------------------
async def test_one_socket_cannot_open_rooms_without_limit(server: LiveServer) -> None:
    anonymous = await connect(server.url)
    try:
        acks = [
            await anonymous.call("join", {"room": f"spam-{n}", "product": PRODUCT})
            for n in range(70)
        ]
    finally:
        await anonymous.sio.disconnect()
    opened = [a for a in acks if a["ok"]]
    assert len(opened) == 60  # ENTRAIDE_ROOM_RATE default: 60 per hour per address
    assert {a["error"]["code"] for a in acks if not a["ok"]} == {"rate_limited"}
    existing = await connect(server.url)  # joining an existing room costs nothing
    try:
        assert (await existing.call("join", {"room": "spam-0"}))["ok"]
    finally:
        await existing.sio.disconnect()


async def test_join_leave_churn_costs_listeners_a_few_presence_messages(
    people: Any, server: LiveServer, clients: list[Client]
) -> None:
    listeners = []
    for _ in range(10):
        client = await connect(server.url)
        clients.append(client)
        assert (await client.call("join", {"room": ROOM, "product": PRODUCT}))["ok"]
        listeners.append(client)
    churner = await connect(server.url)
    clients.append(churner)
    for listener in listeners:
        listener.received.clear()
    for _ in range(100):
        assert (await churner.call("join", {"room": ROOM}))["ok"]
        assert (await churner.call("leave", {"room": ROOM}))["ok"]
    for listener in listeners:  # the last word is the true count
        await listener.wait_for("presence", lambda d: d["online"] == 10)
    counts = [len(listener.events("presence")) for listener in listeners]
    assert max(counts) <= 10, counts  # 200 before: one per join and per leave


# defect 7: a ban stops every write -----------------------------------------------------------
async def test_a_banned_visitor_cannot_report_accept_or_resolve_and_reports_are_limited(
    people: Any, server: LiveServer, staff: StaffClient
) -> None:
    camille, asker, thread = await asked(people)
    _, helper = await people("Éloïse")
    await helper.call("join", {"room": ROOM})
    answers = []
    for n in range(7):
        ack = await helper.call(
            "answer", {"thread_id": thread["id"], "body": f"Réponse {n}", "client_id": cid()}
        )
        answers.append(ack["message"]["id"])
    await staff.post(f"/api/v1/staff/visitors/{camille['id']}/ban", {"days": 2, "reason": "x"})
    for event, payload in (
        ("report", {"message_id": answers[0], "reason": "spam"}),
        ("accept", {"message_id": answers[0]}),
        ("resolve", {"thread_id": thread["id"]}),
        ("vote", {"message_id": answers[0], "value": 1}),
        ("ask", {"room": ROOM, "body": "Encore moi", "client_id": cid()}),
    ):
        ack = await asker.call(event, payload)
        assert ack["error"]["code"] == "forbidden", (event, ack)
        assert ack["error"]["banned_until"].startswith("20"), ack
    # A malformed payload from a banned visitor: the ban is checked first.
    assert (await asker.call("accept", {"nope": 1}))["error"]["code"] == "forbidden"
    # Reports cost their own budget: five a minute (each opens or raises a case).
    _, paul = await people("Paul")
    await paul.call("join", {"room": ROOM})
    questions = [
        (await paul.call("ask", {"room": ROOM, "body": f"Question {n} ?", "client_id": cid()}))[
            "thread"
        ]["id"]
        for n in range(6)
    ]
    _, reporter = await people("Hugo")
    codes = [
        (await reporter.call("report", {"thread_id": q, "reason": "spam"}))
        .get("error", {}).get("code", "ok")
        for q in questions
    ]  # fmt: skip
    assert codes == ["ok"] * 5 + ["rate_limited"]


# defect 12: concurrent answers are never bounced ---------------------------------------------
async def test_answers_posted_at_the_same_moment_all_land(people: Any, server: LiveServer) -> None:
    _, _, thread = await asked(people)
    helpers = [(await people(f"Aide {n}"))[1] for n in range(12)]

    async def answer(client: Client, n: int) -> dict[str, Any]:
        result: dict[str, Any] = await client.call(
            "answer", {"thread_id": thread["id"], "body": f"Réponse {n}", "client_id": cid()}
        )
        return result

    for _ in range(3):
        acks = await asyncio.gather(*(answer(c, n) for n, c in enumerate(helpers)))
        assert [a.get("error") for a in acks if not a["ok"]] == []
    detail = await helpers[0].call("join", {"room": ROOM})
    shown = next(t for t in detail["threads"] if t["id"] == thread["id"])
    assert shown["answer_count"] == 36 and len(shown["messages"]) == 36


# defect 13: join is gap-free -----------------------------------------------------------------
async def test_joining_while_others_post_misses_no_event(
    people: Any, server: LiveServer, clients: list[Client]
) -> None:
    _, asker, thread = await asked(people)
    base = (await asker.call("join", {"room": ROOM}))["seq"]
    _, helper = await people("Éloïse")
    posting = True

    async def post() -> int:
        n = 0
        while posting and n < 400:
            ack = await helper.call(
                "answer", {"thread_id": thread["id"], "body": f"Réponse {n}", "client_id": cid()}
            )
            assert ack["ok"], ack
            n += 1
        return n

    poster = asyncio.create_task(post())
    joiners = []
    try:
        for _ in range(30):
            client = await connect(server.url)
            clients.append(client)
            ack = await client.call("join", {"room": ROOM, "since": base})
            assert ack["ok"], ack
            joiners.append((client, ack))
    finally:
        posting = False
        await poster
    await server.settled()
    last = (await asker.call("join", {"room": ROOM}))["seq"]
    for client, ack in joiners:
        seen = {e["seq"] for e in ack["missed"]} | {e["seq"] for e in client.events("event")}
        await client.wait_for("event", lambda e: e["seq"] == last) if last not in seen else None
        seen |= {e["seq"] for e in client.events("event")}
        assert set(range(base + 1, last + 1)) <= seen, sorted(set(range(base + 1, last + 1)) - seen)


async def test_ask_resolve_report_hide_and_ban_send_exactly_these_events(
    people: Any, server: LiveServer, staff: StaffClient
) -> None:
    camille, asker = await people("Camille")
    assert (await asker.call("join", {"room": ROOM, "product": PRODUCT}))["ok"]
    with capture_events(server) as sent:
        ack = await asker.call("ask", {"room": ROOM, "body": QUESTION, "client_id": cid()})
        await server.settled()
    thread = ack["thread"]
    assert [(s.name, s.to, s.data["type"]) for s in sent] == [
        ("event", f"room:{ROOM}", "thread.created")
    ]
    assert sent[0].data["data"]["author"] == {
        "id": camille["id"], "name": "Camille", "rank": "newcomer", "staff": False,
        "verified_owner": False,
    }  # fmt: skip

    _, hugo = await people("Hugo")
    with capture_events(server) as sent:
        assert (await hugo.call("report", {"thread_id": thread["id"], "reason": "Hors sujet"}))[
            "ok"
        ]
        await server.settled()
    assert [(s.name, s.to, s.namespace) for s in sent] == [("case.opened", "staff", "/staff")]
    assert [r["code"] for r in sent[0].data["case"]["reasons"]] == ["report"]

    _, helper = await people("Éloïse")
    answered = await helper.call(
        "answer", {"thread_id": thread["id"], "body": "Oui, 30 m.", "client_id": cid()}
    )
    await server.settled()
    with capture_events(server) as sent:
        await staff.post(f"/api/v1/staff/messages/{answered['message']['id']}/hide")
        await server.settled()
    assert [(s.name, s.to) for s in sent] == [("event", f"room:{ROOM}"), ("case.updated", "staff")]
    assert sent[0].data["type"] == "message.updated" and sent[0].data["data"]["hidden"] is True

    with capture_events(server) as sent:
        assert (await asker.call("resolve", {"thread_id": thread["id"]}))["ok"]
        await server.settled()
    assert [(s.name, s.to, s.data["type"]) for s in sent] == [
        ("event", f"room:{ROOM}", "thread.updated")
    ]
    assert sent[0].data["data"]["status"] == "resolved"

    with capture_events(server) as sent:
        await staff.post(f"/api/v1/staff/visitors/{camille['id']}/ban", {"days": 1, "reason": "x"})
        await server.settled()
    assert sent == []  # a ban changes no room: only points (taken back) and the audit
