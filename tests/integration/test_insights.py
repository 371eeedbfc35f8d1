"""Brand insights through the public protocol: the asker's rating (socket and HTTP), the
KPIs staff read, topics and weak signals, the CSV, and what is refused."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

import aiohttp
import pytest

from app.domain.models import utcnow
from tests.support import PRODUCT, LiveServer, StaffClient, cid, eventually

ROOM = "montre-peche"


def auth(visitor: dict[str, Any]) -> dict[str, str]:
    return {"Authorization": f"Bearer {visitor['token']}"}


async def ask(client: Any, body: str, room: str = ROOM) -> dict[str, Any]:
    ack = await client.call("ask", {"room": room, "body": body, "client_id": cid()})
    assert ack["ok"], ack
    return ack["thread"]  # type: ignore[no-any-return]


async def answer(client: Any, thread: dict[str, Any], body: str) -> dict[str, Any]:
    ack = await client.call("answer", {"thread_id": thread["id"], "body": body, "client_id": cid()})
    assert ack["ok"], ack
    return ack["message"]  # type: ignore[no-any-return]


async def insights(staff: StaffClient, **params: str) -> dict[str, Any]:
    return await staff.get("/api/v1/staff/insights", **params)  # type: ignore[no-any-return]


async def test_the_asker_rates_once_answered_and_rating_again_replaces(
    server: LiveServer, people: Any, staff: StaffClient
) -> None:
    asker, asking = await people("Camille")
    _, helping = await people("Hugo")
    for client in (asking, helping):
        assert (await client.call("join", {"room": ROOM, "product": PRODUCT}))["ok"]
    thread = await ask(asking, "Le bracelet est-il réglable ?")
    rate = {"thread_id": thread["id"], "helpful": True, "would_have_contacted": True}

    early = await asking.call("rate", rate)
    assert early["error"]["code"] == "conflict", early  # nothing to rate yet
    await answer(helping, thread, "Oui, avec l'outil fourni.")
    stranger = await helping.call("rate", rate)
    assert stranger["error"]["code"] == "forbidden", stranger
    rated = await asking.call("rate", rate)
    assert rated["ok"] and rated["rating"]["helpful"] is True, rated
    assert rated["rating"]["would_have_contacted"] is True

    await server.settled()
    doc = await insights(staff)
    assert (doc["ratings"], doc["csat"], doc["deflected_contacts"], doc["deflection_rate"]) == (
        1, 1.0, 1, 1.0,
    )  # fmt: skip
    async with (
        aiohttp.ClientSession() as http,
        http.post(
            f"{server.url}/api/v1/threads/{thread['id']}/rating",
            json={"helpful": False, "would_have_contacted": None},
            headers=auth(asker),
        ) as resp,
    ):
        assert resp.status == 200, await resp.text()
        body = await resp.json()
        assert body["ok"] and body["rating"]["helpful"] is False
        assert body["rating"]["would_have_contacted"] is None
    await server.settled()
    doc = await insights(staff)
    assert (doc["ratings"], doc["csat"], doc["deflected_contacts"], doc["deflection_rate"]) == (
        1, 0.0, 0, 0.0,
    )  # fmt: skip


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({"helpful": "yes"}, 400, "invalid"),
        ({"helpful": True, "would_have_contacted": "maybe"}, 400, "invalid"),
        ({}, 400, "invalid"),
        ({"helpful": True, "extra": 1}, 400, "invalid"),
        ([True], 400, "invalid"),
    ],
)
async def test_malformed_ratings_are_refused_and_change_nothing(
    server: LiveServer, people: Any, staff: StaffClient, body: Any, status: int, code: str
) -> None:
    asker, asking = await people("Camille")
    _, helping = await people("Hugo")
    for client in (asking, helping):
        await client.call("join", {"room": ROOM, "product": PRODUCT})
    thread = await ask(asking, "Quelle pile ?")
    await answer(helping, thread, "Une CR2032.")
    async with aiohttp.ClientSession() as http:
        url = f"{server.url}/api/v1/threads/{thread['id']}/rating"
        async with http.post(url, json=body, headers=auth(asker)) as resp:
            assert resp.status == status, await resp.text()
            assert (await resp.json())["error"]["code"] == code
        async with http.post(url, json={"helpful": True}) as resp:  # no token
            assert resp.status == 401
        async with http.post(
            f"{server.url}/api/v1/threads/unknown-thread/rating",
            json={"helpful": True}, headers=auth(asker),
        ) as resp:  # fmt: skip
            assert resp.status == 404
    bad = await asking.call("rate", {"thread_id": thread["id"], "helpful": None})
    assert bad["error"]["code"] == "invalid"
    await server.settled()
    assert (await insights(staff))["ratings"] == 0


async def test_kpis_count_questions_answers_escalations_per_day_and_product(
    server: LiveServer, people: Any, staff: StaffClient
) -> None:
    _, asking = await people("Camille")
    _, helping = await people("Hugo")
    bag = {"title": "Sac de sport", "url": "https://shop.example/sac", "category": "sacs"}
    for client in (asking, helping):
        await client.call("join", {"room": ROOM, "product": PRODUCT})
        await client.call("join", {"room": "sac", "product": bag})
    first = await ask(asking, "La montre tient-elle la pression à 50 m ?")
    await ask(asking, "Existe-t-il un bracelet plus long ?")
    escalated = await ask(asking, "Ma commande n'est toujours pas livrée, où est mon colis ?")
    in_bag = await ask(asking, "Le sac passe-t-il en cabine ?", room="sac")
    await answer(helping, first, "Oui, elle est testée à 100 m.")
    await answer(helping, in_bag, "Oui, 55 x 35 x 20.")
    await server.settled()

    doc = await eventually(lambda: insights(staff), lambda d: d["questions"] == 4, "questions")
    assert doc["answered"] == 2 and doc["answer_rate"] == 0.5
    assert (doc["answered_by_community"], doc["answered_by_staff"]) == (2, 0)
    assert doc["community_answer_share"] == 1.0
    assert doc["escalated"] >= 1 and doc["escalation_rate"] == doc["escalated"] / 4
    assert doc["ratings"] == 0 and doc["csat"] is None and doc["deflection_rate"] is None
    assert doc["median_first_answer_seconds"] is not None
    assert doc["p90_first_answer_seconds"] >= doc["median_first_answer_seconds"]
    assert set(doc["definitions"]) >= {"answer_rate", "csat", "deflection_rate"}
    assert len(doc["by_day"]) == 30 and doc["by_day"][-1]["questions"] == 4
    assert doc["by_day"][0]["answer_rate"] is None  # nothing asked: no made-up 0
    rooms = {r["room"]: r for r in doc["by_room"]}
    assert (rooms[ROOM]["questions"], rooms[ROOM]["answered"]) == (3, 1)
    assert (rooms["sac"]["title"], rooms["sac"]["category"]) == ("Sac de sport", "sacs")
    # filters
    assert (await insights(staff, room="sac"))["questions"] == 1
    assert (await insights(staff, category="montres"))["questions"] == 3
    assert (await insights(staff, category="nothing"))["questions"] == 0
    yesterday = (utcnow() - timedelta(days=3)).date().isoformat()
    assert (await insights(staff, **{"from": yesterday, "to": yesterday}))["questions"] == 0
    # a question taken down counts nowhere
    await staff.post(f"/api/v1/staff/threads/{escalated['id']}/hide")
    await server.settled()
    assert (await insights(staff))["questions"] == 3


async def test_a_repeated_complaint_on_one_product_is_a_weak_signal(
    server: LiveServer, people: Any, staff: StaffClient
) -> None:
    _, asking = await people("Camille")
    await asking.call("join", {"room": ROOM, "product": PRODUCT})
    for i, body in enumerate(
        [
            "La fermeture éclair du bracelet est cassée, normal ?",
            "Ma fermeture éclair a lâché au bout de 2 jours",
            "Fermeture éclair bloquée, que faire ?",
            "Encore une fermeture éclair cassée ici aussi",
            "La fermeture éclair se coince tout le temps",
            "Quelle est la taille du cadran ?",
        ]
    ):
        await ask(asking, f"{body} ({i})")
    await server.settled()
    doc = await insights(staff)
    assert doc["topics_from"] == doc["period"]["from"]  # a small shop: the whole period
    top = doc["topics"][0]
    assert top["weak_signal"] is True, doc["topics"]
    assert "eclair" in top["label"] or "fermeture" in top["label"], top
    assert top["questions"] == 5
    room = top["rooms"][0]
    assert room["room"] == ROOM and room["previous"] == 0 and room["weak_signal"]
    assert len(room["examples"]) == 3 and all("clair" in e["body"] for e in room["examples"])


@pytest.mark.parametrize(
    "params",
    [
        {"from": "2026-13-01"},
        {"from": "yesterday"},
        {"from": "2026-11-10", "to": "2026-11-01"},
        {"from": "2024-01-01", "to": "2026-01-01"},
        {"colour": "blue"},
        {"room": "x" * 300},
    ],
)
async def test_bad_periods_and_filters_are_invalid(
    server: LiveServer, staff: StaffClient, params: dict[str, str]
) -> None:
    for path in ("/api/v1/staff/insights", "/api/v1/staff/insights.csv"):
        async with staff.http.get(server.url + path, params=params) as resp:
            assert resp.status == 400, (params, await resp.text())
            assert (await resp.json())["error"]["code"] == "invalid"


async def test_visitors_and_strangers_cannot_read_insights(server: LiveServer, people: Any) -> None:
    visitor, _ = await people("Camille")
    async with aiohttp.ClientSession() as http:
        for path in ("/api/v1/staff/insights", "/api/v1/staff/insights.csv"):
            async with http.get(server.url + path) as resp:
                assert resp.status == 401
            async with http.get(server.url + path, headers=auth(visitor)) as resp:
                assert resp.status == 401


async def test_csv_is_one_row_per_day_for_french_spreadsheets(
    server: LiveServer, staff: StaffClient
) -> None:
    params = {"from": "2026-11-01", "to": "2026-11-07"}
    async with staff.http.get(server.url + "/api/v1/staff/insights.csv", params=params) as resp:
        assert resp.status == 200
        assert resp.headers["Content-Type"].startswith("text/csv")
        assert "2026-11-01-2026-11-07" in resp.headers["Content-Disposition"]
        raw = await resp.read()
    assert raw.startswith("\ufeff".encode())
    lines = raw.decode("utf-8-sig").splitlines()
    assert lines[0].split(";")[:3] == ["day", "questions", "answered"]
    assert [line.split(";")[0] for line in lines[1:]] == [f"2026-11-0{d}" for d in range(1, 8)]
    assert lines[1].split(";")[1:3] == ["0", "0"] and lines[1].split(";")[3] == ""


async def test_hiding_the_only_answer_makes_the_question_unanswered_again(
    server: LiveServer, people: Any, staff: StaffClient
) -> None:
    _, asking = await people("Camille")
    _, helping = await people("Hugo")
    for client in (asking, helping):
        await client.call("join", {"room": ROOM, "product": PRODUCT})
    thread = await ask(asking, "Le cadran est-il lumineux ?")
    message = await answer(helping, thread, "Oui, aiguilles luminescentes.")
    await server.settled()
    assert (await insights(staff))["answered"] == 1
    await staff.post(f"/api/v1/staff/messages/{message['id']}/hide")
    await server.settled()
    doc = await insights(staff)
    assert (doc["questions"], doc["answered"], doc["median_first_answer_seconds"]) == (1, 0, None)
    await staff.post(f"/api/v1/staff/messages/{message['id']}/restore")
    await server.settled()
    assert (await insights(staff))["answered"] == 1


async def test_rebuilding_the_facts_from_the_source_changes_no_number(
    server: LiveServer, people: Any, staff: StaffClient
) -> None:
    """`entraide rebuild-insights` recomputes every question's facts from the questions,
    answers, cases and ratings: what the listener kept up live must equal it."""
    _, asking = await people("Camille")
    _, helping = await people("Hugo")
    for client in (asking, helping):
        await client.call("join", {"room": ROOM, "product": PRODUCT})
    rated = await ask(asking, "La fermeture éclair est-elle solide ?")
    await answer(helping, rated, "Oui, fermeture YKK.")
    await asking.call("rate", {"thread_id": rated["id"], "helpful": True,
                               "would_have_contacted": False})  # fmt: skip
    await ask(asking, "Ma commande n'est jamais arrivée, remboursez-moi !!!")
    hidden = await answer(helping, await ask(asking, "Et la fermeture du col ?"), "Aucune idée.")
    await staff.post(f"/api/v1/staff/messages/{hidden['id']}/hide")
    await server.settled()
    live = await insights(staff)
    assert (live["questions"], live["answered"], live["ratings"]) == (3, 1, 1)

    assert server.app is not None
    dispatcher = server.app.services.dispatcher
    assert dispatcher.loop is not None
    rebuilt = asyncio.run_coroutine_threadsafe(
        server.app.services.insights.rebuild(), dispatcher.loop
    )
    assert await asyncio.wrap_future(rebuilt) == 3
    assert await insights(staff) == live
