"""Brand staff endorse answers over the wire: the author earns the documented points once,
"how my points were computed" says why, the board moves, the contributor review lists who
did it, and anything that is not a public answer is refused with nothing stored.

One live server, real Socket.IO clients and HTTP; the staff member is the `staff` fixture.
"""

from __future__ import annotations

import asyncio
from typing import Any

import aiohttp
import pytest

from tests.support import PRODUCT, LiveServer, StaffClient, cid, eventually

from .test_rewards_api import (
    ACCEPTED,
    ANSWER,
    FAST,
    HELPFUL,
    ROOM,
    board_points,
    get,
    helped_thread,
    leaderboard,
    owner,
)

ENDORSEMENT = 10  # docs/rewards.md default


def endorse_path(message_id: str) -> str:
    return f"/api/v1/staff/answers/{message_id}/endorse"


async def points(server: LiveServer, visitor_id: str) -> int:
    return int((await get(server.url, f"/api/v1/visitors/{visitor_id}/points"))["total"])


async def case_messages(staff: StaffClient, case_id: str) -> dict[str, dict[str, Any]]:
    detail = await staff.get(f"/api/v1/staff/cases/{case_id}")
    return {m["id"]: m for m in detail["thread"]["messages"]}


async def test_an_endorsement_pays_once_moves_the_board_and_is_audited(
    people: Any, server: LiveServer, staff: StaffClient
) -> None:
    s = await helped_thread(people)
    helper_id, message_id = s["helper"]["id"], s["message_id"]
    earned = ANSWER + FAST + HELPFUL + ACCEPTED
    # Another contributor leads this week until the endorsement.
    rival, _ = await people("Inès")
    await staff.post(
        f"/api/v1/staff/contributors/{rival['id']}/bonus", {"points": earned + 5, "note": "Guide"}
    )
    board = await eventually(
        lambda: leaderboard(server.url, period="week"),
        lambda b: board_points(b).get(helper_id) == earned,
        "weekly board",
    )
    assert [e["user"]["id"] for e in board["entries"]] == [rival["id"], helper_id]
    # A report gives the thread a case: the case page shows the answer, not endorsed yet.
    reported = await s["third"].call("report", {"message_id": message_id, "reason": "Copié"})
    assert reported["ok"], reported
    case_id = (await staff.get("/api/v1/staff/cases", reason="report"))["cases"][0]["id"]
    messages = await case_messages(staff, case_id)
    assert messages[message_id]["endorsed"] is False
    detail = await staff.get(f"/api/v1/staff/contributors/{helper_id}")
    assert [a["endorsed"] for a in detail["recent_answers"]] == [False]

    done = await staff.post(endorse_path(message_id))
    assert done["message_id"] == message_id
    assert done["entry"]["points"] == ENDORSEMENT
    assert done["entry"]["id"] == f"staff_endorsement:{message_id}#1"

    board = await eventually(
        lambda: leaderboard(server.url, period="week"),
        lambda b: board_points(b).get(helper_id) == earned + ENDORSEMENT,
        "board after the endorsement",
    )
    assert [e["user"]["id"] for e in board["entries"]] == [helper_id, rival["id"]]
    explained = await get(
        server.url, f"/api/v1/visitors/{helper_id}/points?lang=fr", headers=owner(s["helper"])
    )
    assert explained["total"] == earned + ENDORSEMENT
    group = next(g for g in explained["groups"] if g["reason"] == "staff_endorsement")
    assert (group["count"], group["total"]) == (1, ENDORSEMENT)
    assert group["label"] == "Recommandations de la marque"
    assert group["entries"][0]["ref_id"] == message_id
    detail = await staff.get(f"/api/v1/staff/contributors/{helper_id}")
    assert detail["stats"]["points"] == earned + ENDORSEMENT
    assert [a["endorsed"] for a in detail["recent_answers"]] == [True]
    assert [(a["action"], a["actor"]["name"]) for a in detail["audit"]] == [("endorse", "modo")]
    assert message_id in detail["audit"][0]["detail"]
    assert (await case_messages(staff, case_id))[message_id]["endorsed"] is True
    # Only the author's review lists it.
    assert (await staff.get(f"/api/v1/staff/contributors/{rival['id']}"))["audit"][0][
        "action"
    ] == "bonus"

    # Endorsing again, by anyone, is refused: still one endorsement, one audit line.
    again = await staff.post(endorse_path(message_id), status=409)
    assert again["error"]["code"] == "conflict"
    assert await points(server, helper_id) == earned + ENDORSEMENT
    assert len((await staff.get(f"/api/v1/staff/contributors/{helper_id}"))["audit"]) == 1

    # Hidden: the endorsement goes with the answer's other points and it cannot be endorsed
    # meanwhile; restored, it is endorsed again (the same entry), still once.
    await staff.post(f"/api/v1/staff/messages/{message_id}/hide")
    # Points follow the hide after commit (the outbox): wait for them, then check.
    messages = await eventually(
        lambda: case_messages(staff, case_id),
        lambda m: m[message_id]["endorsed"] is False,
        "endorsement after hiding",
    )
    assert messages[message_id]["endorsed"] is False
    gone = await staff.post(endorse_path(message_id), status=404)
    assert gone["error"]["code"] == "not_found"
    await eventually(lambda: points(server, helper_id), lambda n: n == 0, "points after hiding")
    await staff.post(f"/api/v1/staff/messages/{message_id}/restore")
    messages = await eventually(
        lambda: case_messages(staff, case_id),
        lambda m: m[message_id]["endorsed"] is True,
        "endorsement after restoring",
    )
    assert messages[message_id]["endorsed"] is True
    await staff.post(endorse_path(message_id), status=409)
    assert await points(server, helper_id) == earned + ENDORSEMENT


async def test_colleagues_endorsing_at_the_same_moment_pay_once(
    people: Any, server: LiveServer, staff: StaffClient
) -> None:
    s = await helped_thread(people)
    helper_id, message_id = s["helper"]["id"], s["message_id"]
    await server.settled()
    before = await points(server, helper_id)

    async def attempt() -> int:
        async with staff.http.post(
            server.url + endorse_path(message_id), json={}, headers={"X-CSRF-Token": staff.csrf}
        ) as resp:
            return resp.status

    statuses = await asyncio.gather(*(attempt() for _ in range(4)))
    assert sorted(statuses) == [200, 409, 409, 409]
    assert await points(server, helper_id) == before + ENDORSEMENT
    detail = await staff.get(f"/api/v1/staff/contributors/{helper_id}")
    assert [a["action"] for a in detail["audit"]] == ["endorse"]


async def test_only_public_answers_can_be_endorsed_and_refusals_store_nothing(
    people: Any, server: LiveServer, staff: StaffClient
) -> None:
    camille, asker = await people("Camille")
    helper, helping = await people("Éloïse")
    troll, trolling = await people("Troll")
    for client in (asker, helping, trolling):
        assert (await client.call("join", {"room": ROOM, "product": PRODUCT}))["ok"]
    asked = await asker.call(
        "ask", {"room": ROOM, "body": "Le bracelet est-il réglable ?", "client_id": cid()}
    )
    thread_id = asked["thread"]["id"]

    async def answer(client: Any, body: str) -> dict[str, Any]:
        ack = await client.call(
            "answer", {"thread_id": thread_id, "body": body, "client_id": cid()}
        )
        assert ack["ok"], ack
        message: dict[str, Any] = ack["message"]
        return message

    hidden = await answer(helping, "Oui, il se raccourcit de deux maillons.")
    await staff.post(f"/api/v1/staff/messages/{hidden['id']}/hide")
    private = await answer(helping, "Écrivez-moi à eloise.martin@gmail.com, je vous explique.")
    assert private["visibility"] == "private"
    held = await answer(trolling, "T'es vraiment un connard, va te faire foutre")
    assert held["visibility"] == "held"
    case_id = (await staff.get("/api/v1/staff/cases"))["cases"][0]["id"]
    await staff.post(f"/api/v1/staff/cases/{case_id}/takeover")
    await staff.post(f"/api/v1/staff/cases/{case_id}/reply", {"body": "Bonjour, je regarde."})
    messages = await case_messages(staff, case_id)
    staff_reply = next(m["id"] for m in messages.values() if m["kind"] == "staff")
    assert not any(m["endorsed"] for m in messages.values())

    refused = {
        hidden["id"]: 404,  # hidden by a moderator
        private["id"]: 404,  # personal data: between the asker and staff
        held["id"]: 404,  # waiting for a moderator
        staff_reply: 404,  # the shop team's own reply
        thread_id: 404,  # a question is not an answer
        "f" * 16: 404,  # well-formed, no such message
        hidden["id"].upper(): 404,
        "not-an-id": 404,
        "%24ne": 404,  # "$ne"
        "0" * 17: 404,
        "%27%20OR%201%3D1": 404,
    }
    for message_id, status in refused.items():
        error = await staff.post(endorse_path(message_id), status=status)
        assert error["error"]["code"] == "not_found", (message_id, error)
        assert isinstance(error["error"]["message"], str)

    for who in (camille, helper, troll):
        assert (await get(server.url, f"/api/v1/visitors/{who['id']}/points"))["total"] == 0
        detail = await staff.get(f"/api/v1/staff/contributors/{who['id']}")
        assert detail["audit"] == []
        assert "staff_endorsement" not in {g["reason"] for g in detail["by_reason"]}


@pytest.mark.parametrize(
    "body", [{"points": 500}, {"visitor_id": "0" * 16}, {"$ne": 1}, ["endorse"], "oui"]
)
async def test_an_endorsement_takes_no_parameters(
    people: Any, server: LiveServer, staff: StaffClient, body: Any
) -> None:
    s = await helped_thread(people)
    async with staff.http.post(
        server.url + endorse_path(s["message_id"]), json=body, headers={"X-CSRF-Token": staff.csrf}
    ) as resp:
        error = await resp.json()
        assert resp.status == 400, error
    assert error["error"]["code"] == "invalid"
    explained = await get(
        server.url, f"/api/v1/visitors/{s['helper']['id']}/points", headers=owner(s["helper"])
    )
    assert "staff_endorsement" not in {g["reason"] for g in explained["groups"]}


async def test_the_answer_of_a_banned_author_waits_for_the_ban_to_be_lifted(
    people: Any, server: LiveServer, staff: StaffClient
) -> None:
    s = await helped_thread(people)
    helper_id, message_id = s["helper"]["id"], s["message_id"]
    earned = ANSWER + FAST + HELPFUL + ACCEPTED
    await staff.post(endorse_path(message_id))
    # The ban takes every point back, the endorsement's too; endorsing now would count twice
    # once the ban is lifted, so it is refused.
    await staff.post(f"/api/v1/staff/visitors/{helper_id}/ban", {"days": 3, "reason": "Liens"})
    refused = await staff.post(endorse_path(message_id), status=409)
    assert "banned" in refused["error"]["message"]
    await staff.post(f"/api/v1/staff/visitors/{helper_id}/unban")
    # Both the ban's revocations and the unban's restores are delivered after commit: until
    # they are, the total can read as if neither had happened.
    await server.settled()
    await eventually(
        lambda: points(server, helper_id), lambda n: n == earned + ENDORSEMENT, "after the ban"
    )
    explained = await get(
        server.url, f"/api/v1/visitors/{helper_id}/points", headers=owner(s["helper"])
    )
    group = next(g for g in explained["groups"] if g["reason"] == "staff_endorsement")
    assert (group["count"], group["total"]) == (1, ENDORSEMENT)


async def test_endorsing_needs_a_staff_session_and_the_csrf_token(
    people: Any, server: LiveServer, staff: StaffClient
) -> None:
    s = await helped_thread(people)
    helper_id, message_id = s["helper"]["id"], s["message_id"]
    url = server.url + endorse_path(message_id)
    token = {"Authorization": f"Bearer {s['camille']['token']}"}
    async with aiohttp.ClientSession() as http:  # no staff cookie
        for headers in ({}, token, {"X-CSRF-Token": staff.csrf}):
            async with http.post(url, json={}, headers=headers) as resp:
                assert resp.status == 401, headers
                assert (await resp.json())["error"]["code"] == "unauthorized"
    for headers in ({}, {"X-CSRF-Token": "not-the-token"}):
        async with staff.http.post(url, json={}, headers=headers) as resp:
            assert resp.status == 403, headers
            assert (await resp.json())["error"]["code"] == "forbidden"
    async with staff.http.get(url) as resp:
        assert resp.status == 405
    explained = await get(
        server.url, f"/api/v1/visitors/{helper_id}/points", headers=owner(s["helper"])
    )
    assert "staff_endorsement" not in {g["reason"] for g in explained["groups"]}
    assert (await staff.get(f"/api/v1/staff/contributors/{helper_id}"))["audit"] == []
