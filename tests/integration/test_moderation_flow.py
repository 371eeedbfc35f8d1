"""Moderation end to end over real clients: a visitor's socket, a moderator's console API
and `/staff` socket, one live server."""

from __future__ import annotations

from typing import Any

import aiohttp

from tests.support import PRODUCT, StaffClient, cid

ROOM = "montre-maree"
FRUSTRATED = "Toujours pas de réponse, c'est inadmissible !!! Ça fait 3 jours que j'attends"


async def test_frustrated_question_is_queued_taken_over_and_answered_live(
    people: Any, staff: StaffClient, clients: list[Any]
) -> None:
    camille, asker = await people("Camille")
    _, watcher = await people("Hugo")
    console = await staff.socket()
    clients.append(console)
    await asker.call("join", {"room": ROOM, "product": PRODUCT})
    await watcher.call("join", {"room": ROOM})

    ack = await asker.call("ask", {"room": ROOM, "body": FRUSTRATED, "client_id": cid()})
    assert ack["ok"] and "held" not in ack  # frustration is shown to the crowd...
    opened = await console.wait_for("case.opened")  # ...and reaches staff live
    case = opened["case"]
    assert case["thread_id"] == ack["thread"]["id"]
    frustration = next(r for r in case["reasons"] if r["code"] == "frustration")
    assert frustration["score"] >= 0.5 and any("inadmissible" in e for e in frustration["evidence"])
    # Its signals are known before it is stored: one write, one event, already escalated.
    await watcher.wait_for(
        "event", lambda e: e["type"] == "thread.created" and e["data"]["status"] == "escalated"
    )
    queue = await staff.get("/api/v1/staff/cases")
    assert [c["id"] for c in queue["cases"]] == [case["id"]]
    assert "claim" in queue["cases"][0]["actions"]

    taken = (await staff.post(f"/api/v1/staff/cases/{case['id']}/takeover"))["case"]
    assert taken["state"] == "claimed" and taken["assignee"]["name"] == "modo"
    joined = await watcher.wait_for(
        "event", lambda e: e["type"] == "message.created" and e["data"]["kind"] == "system"
    )
    assert joined["data"]["code"] == "staff_joined"
    await console.wait_for("case.updated", lambda d: d["case"]["state"] == "claimed")

    reply = "Bonjour Camille, je regarde votre commande tout de suite."
    await staff.post(f"/api/v1/staff/cases/{case['id']}/reply", {"body": reply})
    seen = await asker.wait_for(
        "event", lambda e: e["type"] == "message.created" and e["data"]["kind"] == "staff"
    )
    assert seen["data"]["body"] == reply and seen["data"]["author"]["staff"] is True

    await staff.post(f"/api/v1/staff/cases/{case['id']}/private")
    secret = "Pouvez-vous me donner votre numéro de commande ici ?"
    await staff.post(f"/api/v1/staff/cases/{case['id']}/reply", {"body": secret})
    private = await asker.wait_for("private")
    assert private["message"]["body"] == secret
    follow = await asker.call(
        "answer",
        {"thread_id": case["thread_id"], "body": "C'est la commande 4587213", "client_id": cid()},
    )
    assert follow["ok"] and follow["held"] is True  # stays between Camille and staff
    assert not [e for e in watcher.events("event") if "4587213" in str(e)]
    assert not [e for e in watcher.events("private")]

    done = await staff.post(f"/api/v1/staff/cases/{case['id']}/resolve", {"outcome": "answered"})
    assert done["case"]["state"] == "resolved"
    await watcher.wait_for("event", lambda e: e["data"].get("status") == "resolved")
    detail = await staff.get(f"/api/v1/staff/cases/{case['id']}")
    # "signal": Camille's order number was detected as personal data (kept private anyway)
    assert [a["action"] for a in detail["audit"]] == [
        "opened", "takeover", "reply", "private", "reply", "signal", "resolve",
    ]  # fmt: skip
    bodies = [m["body"] for m in detail["thread"]["messages"]]
    assert "C'est la commande 4587213" in bodies  # staff see the private follow-up
    assert camille["id"] == detail["thread"]["author"]["id"]


async def test_personal_data_never_reaches_the_crowd(
    people: Any, staff: StaffClient, clients: list[Any]
) -> None:
    _, asker = await people("Léa")
    _, watcher = await people("Hugo")
    console = await staff.socket()
    clients.append(console)
    await asker.call("join", {"room": ROOM, "product": PRODUCT})
    before = (await watcher.call("join", {"room": ROOM}))["seq"]
    body = "Mon colis n'arrive pas, écrivez-moi à lea.martin@gmail.com ou au 06 12 34 56 78"
    ack = await asker.call("ask", {"room": ROOM, "body": body, "client_id": cid(), "lang": "fr"})
    assert ack["ok"] and ack["held"] is True
    assert "informations personnelles" in ack["notice"]
    case = (await console.wait_for("case.opened"))["case"]
    assert {r["code"] for r in case["reasons"]} >= {"personal_data"}
    assert "lea.martin@gmail.com" not in str(case)  # the queue shows a redacted excerpt
    rejoin = await watcher.call("join", {"room": ROOM, "since": before})
    assert rejoin["seq"] == before and rejoin["missed"] == []
    assert all(t["id"] != ack["thread"]["id"] for t in rejoin["threads"])
    mine = await asker.call("join", {"room": ROOM})  # after a reload, Léa still sees hers
    assert [(t["id"], t["held"]) for t in mine["threads"]] == [(ack["thread"]["id"], True)]
    async with (
        aiohttp.ClientSession() as http,
        http.get(f"{staff.url}/api/v1/threads/{ack['thread']['id']}") as r,
    ):
        assert r.status == 404
    detail = await staff.get(f"/api/v1/staff/cases/{case['id']}")
    assert detail["thread"]["body"] == body  # staff see it on the case page


async def test_out_of_scope_question_tells_the_asker_the_brand_will_answer(
    people: Any, staff: StaffClient
) -> None:
    _, asker = await people("Emma")
    await asker.call("join", {"room": ROOM, "product": PRODUCT})
    ack = await asker.call(
        "ask",
        {"room": ROOM, "body": "Where is my order? I paid last week and still no tracking.",
         "client_id": cid(), "lang": "en"},
    )  # fmt: skip
    assert ack["ok"] and "held" not in ack and "team" in ack["notice"]
    queue = await staff.get("/api/v1/staff/cases", reason="out_of_scope")
    assert [c["thread_id"] for c in queue["cases"]] == [ack["thread"]["id"]]


async def test_held_abuse_is_published_only_when_a_moderator_restores_it(
    people: Any, staff: StaffClient
) -> None:
    _, asker = await people("Camille")
    _, troll = await people("Troll")
    await asker.call("join", {"room": ROOM, "product": PRODUCT})
    thread = (await asker.call("ask", {"room": ROOM, "body": "Taille ?", "client_id": cid()}))[
        "thread"
    ]
    rude = await troll.call(
        "answer",
        {"thread_id": thread["id"], "body": "T'es vraiment un connard, va te faire foutre",
         "client_id": cid()},
    )  # fmt: skip
    assert rude["ok"] and rude["held"] is True
    troll_view = (await troll.call("join", {"room": ROOM}))["threads"][0]["messages"]
    assert [m["visibility"] for m in troll_view] == ["held"]  # its author still sees it
    asker_view = (await asker.call("join", {"room": ROOM}))["threads"][0]["messages"]
    assert asker_view == []
    queue = await staff.get("/api/v1/staff/cases", reason="abuse")
    case = queue["cases"][0]
    detail = await staff.get(f"/api/v1/staff/cases/{case['id']}")
    held = [m for m in detail["thread"]["messages"] if m["visibility"] == "held"]
    assert len(held) == 1 and not asker.events("event")[1:]
    await staff.post(f"/api/v1/staff/messages/{held[0]['id']}/restore")
    shown = await asker.wait_for("event", lambda e: e["type"] == "message.created")
    assert shown["data"]["id"] == held[0]["id"]
    await staff.post(f"/api/v1/staff/messages/{held[0]['id']}/hide")
    hidden = await asker.wait_for("event", lambda e: e["type"] == "message.updated")
    assert hidden["data"]["hidden"] is True and hidden["data"]["body"] == ""


async def test_reports_raise_one_case_and_bans_stop_writes(people: Any, staff: StaffClient) -> None:
    _, asker = await people("Camille")
    spammer, bad = await people("Vendeur")
    _, reporter = await people("Hugo")
    await asker.call("join", {"room": ROOM, "product": PRODUCT})
    thread = (await asker.call("ask", {"room": ROOM, "body": "Bracelet ?", "client_id": cid()}))[
        "thread"
    ]
    answer = await bad.call(
        "answer", {"thread_id": thread["id"], "body": "Achetez chez moi", "client_id": cid()}
    )
    message_id = answer["message"]["id"]
    for who in (asker, reporter):
        assert (await who.call("report", {"message_id": message_id, "reason": "pub"}))["ok"]
    again = await reporter.call("report", {"message_id": message_id, "reason": "pub"})
    assert again["error"]["code"] == "conflict"
    cases = (await staff.get("/api/v1/staff/cases", reason="report"))["cases"]
    assert len(cases) == 1 and cases[0]["reasons"][0]["evidence"][0] == "2 report(s)"

    await staff.post(f"/api/v1/staff/visitors/{spammer['id']}/ban", {"days": 7, "reason": "pub"})
    refused = await bad.call(
        "answer", {"thread_id": thread["id"], "body": "encore", "client_id": cid()}
    )
    assert refused["error"]["code"] == "forbidden"
    await staff.post(f"/api/v1/staff/visitors/{spammer['id']}/unban")
    ok = await bad.call(
        "answer", {"thread_id": thread["id"], "body": "Pardon.", "client_id": cid()}
    )
    assert ok["ok"]


async def test_feedback_feeds_detector_precision_for_admins_only(
    people: Any, staff: StaffClient, admin: StaffClient
) -> None:
    _, asker = await people("Camille")
    await asker.call("join", {"room": ROOM, "product": PRODUCT})
    await asker.call("ask", {"room": ROOM, "body": FRUSTRATED, "client_id": cid()})
    case = (await staff.get("/api/v1/staff/cases"))["cases"][0]
    await staff.post(
        f"/api/v1/staff/cases/{case['id']}/feedback", {"code": "frustration", "verdict": "confirm"}
    )
    async with staff.http.get(staff.url + "/api/v1/staff/detectors") as r:
        assert r.status == 403
    rows = (await admin.get("/api/v1/staff/detectors"))["detectors"]
    assert {"code": "frustration", "confirmed": 1, "dismissed": 0, "precision": 1.0} in rows


async def test_workflow_refusals(people: Any, staff: StaffClient, admin: StaffClient) -> None:
    _, asker = await people("Camille")
    await asker.call("join", {"room": ROOM, "product": PRODUCT})
    await asker.call("ask", {"room": ROOM, "body": FRUSTRATED, "client_id": cid()})
    case = (await staff.get("/api/v1/staff/cases"))["cases"][0]
    base = f"/api/v1/staff/cases/{case['id']}"
    await staff.post(f"{base}/reply", {"body": "hop"}, status=409)  # not claimed yet
    await staff.post(f"{base}/claim")
    await admin.post(f"{base}/takeover", status=403)  # claimed by someone else
    await staff.post(f"{base}/resolve", {"outcome": "bribed"}, status=400)
    await staff.post(f"{base}/explode", status=404)
    await staff.post(f"{base}/reply", {"body": "x", "admin": True}, status=400)
    await staff.post(f"{base}/feedback", {"code": "spam", "verdict": "confirm"}, status=400)
    await staff.post("/api/v1/staff/cases/0123456789abcdef/claim", status=404)
    await staff.post(f"{base}/dismiss")
    await staff.post(f"{base}/claim", status=409)  # closed
