"""The staff's review of one contributor over the wire: reports against their answers, their
hidden content, how long askers waited for them (slow answers included), and what staff did
about them (bonus, disqualify, reinstate, ban), each with who did it.

One live server, real Socket.IO clients and HTTP. The one question asked three hours ago is
written through the store into the server's database, as an import would: a test cannot wait
three hours for a slow answer.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from app.domain.models import Thread, new_id, utcnow
from app.domain.text import search_terms
from app.store.sqlite import SqliteStore
from tests.support import PRODUCT, LiveServer, StaffClient, cid

from .test_rewards_api import ROOM, helped_thread

THREE_HOURS = 3 * 3600


async def asked_three_hours_ago(server: LiveServer, asker: dict[str, Any]) -> str:
    """A published question in ROOM dated three hours ago; returns its id."""
    store = SqliteStore(server.overrides["database_url"].removeprefix("sqlite:///"))
    await store.open()
    try:
        body = "Le fermoir résiste-t-il à l'eau de mer ?"
        thread = Thread(
            id=new_id(), room=ROOM, author_id=asker["id"], author_name=asker["name"],
            body=body, client_id=cid(), created_at=utcnow() - timedelta(seconds=THREE_HOURS),
            category=PRODUCT["category"],
        )  # fmt: skip
        assert await store.insert_thread(thread, search_terms(body)) is not None
    finally:
        await store.close()
    return thread.id


async def review(staff: StaffClient, visitor_id: str) -> dict[str, Any]:
    detail: dict[str, Any] = await staff.get(f"/api/v1/staff/contributors/{visitor_id}")
    return detail


async def test_reports_hidden_content_and_waits_against_a_contributor(
    people: Any, server: LiveServer, staff: StaffClient
) -> None:
    s = await helped_thread(people)
    helper_id, message_id = s["helper"]["id"], s["message_id"]
    slow_id = await asked_three_hours_ago(server, s["camille"])
    slow = await s["helper_client"].call(
        "answer", {"thread_id": slow_id, "client_id": cid(), "body": "Oui, il est en titane."}
    )
    assert slow["ok"], slow

    # Two people report the quick answer; reporting twice is refused and counts once.
    for client, why in ((s["third"], "Réponse copiée d'un autre site"), (s["asker"], "Faux")):
        assert (await client.call("report", {"message_id": message_id, "reason": why}))["ok"]
    again = await s["third"].call("report", {"message_id": message_id, "reason": "encore"})
    assert not again["ok"]
    case_id = (await staff.get("/api/v1/staff/cases", reason="report"))["cases"][0]["id"]

    detail = await review(staff, helper_id)
    stats = detail["stats"]
    assert stats["reports_against"] == 2
    assert [(r["reason"], r["reporter"]["name"]) for r in detail["reports"]] == [
        ("Faux", "Camille"),  # newest first
        ("Réponse copiée d'un autre site", "Hugo"),
    ]
    assert {(r["message_id"], r["thread_id"], r["case_id"]) for r in detail["reports"]} == {
        (message_id, s["thread_id"], case_id)
    }
    async with staff.http.get(f"{server.url}/staff/cases/{case_id}") as page:
        assert page.status == 200  # where the panel's "Open the case" link leads
    # The median is over both questions: the quick one and the one that waited three hours,
    # which earned no fast-answer points but still counts.
    assert stats["first_answers_measured"] == 2
    assert THREE_HOURS / 2 <= stats["median_first_answer_seconds"] <= THREE_HOURS / 2 + 60
    assert stats["hidden_content"] == 0
    asker = await review(staff, s["camille"]["id"])
    assert (asker["stats"]["reports_against"], asker["reports"]) == (0, [])
    assert asker["stats"]["median_first_answer_seconds"] is None

    # Hidden by a moderator: counted against them, and no longer an answer askers could read.
    await staff.post(f"/api/v1/staff/messages/{message_id}/hide")
    stats = (await review(staff, helper_id))["stats"]
    assert stats["hidden_content"] == 1
    assert stats["first_answers_measured"] == 1
    assert THREE_HOURS <= stats["median_first_answer_seconds"] <= THREE_HOURS + 60
    assert stats["reports_against"] == 2  # reports stay on record


async def test_staff_actions_about_a_contributor_are_listed_with_who_did_them(
    people: Any, server: LiveServer, staff: StaffClient
) -> None:
    helper, _ = await people("Éloïse")
    other, _ = await people("Inès")
    assert (await review(staff, helper["id"]))["audit"] == []
    base = f"/api/v1/staff/contributors/{helper['id']}"

    await staff.post(f"{base}/bonus", {"points": 10, "note": "Guide des tailles"})
    await staff.post(f"{base}/disqualify")
    await staff.post(f"{base}/reinstate")
    await staff.post(
        f"/api/v1/staff/visitors/{helper['id']}/ban", {"days": 7, "reason": "Liens répétés"}
    )
    await staff.post(f"/api/v1/staff/visitors/{helper['id']}/unban")
    await staff.post(f"/api/v1/staff/contributors/{other['id']}/bonus", {"points": 3, "note": "x"})

    lines = (await review(staff, helper["id"]))["audit"]
    assert [a["action"] for a in lines] == ["unban", "ban", "reinstate", "disqualify", "bonus"]
    assert {(a["actor"]["name"], a["actor"]["kind"]) for a in lines} == {("modo", "staff")}
    assert lines[-1]["detail"] == "+10: Guide des tailles"
    assert "Liens répétés" in lines[1]["detail"]
    assert all(a["at"] for a in lines)
    assert [a["action"] for a in (await review(staff, other["id"]))["audit"]] == ["bonus"]
