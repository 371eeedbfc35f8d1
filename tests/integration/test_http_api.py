"""The protocol's HTTP section, driven by a real HTTP client against a real server."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import aiohttp

from tests.conftest import server_overrides
from tests.support import PRODUCT, LiveServer, cid, connect, new_visitor

ROOM = "montre-maree"
QUESTIONS = [
    "Le bracelet est-il en silicone ?",
    "Does it float if dropped overboard?",
    "Quelle autonomie en mode GPS ?",
    "Can I change the strap myself?",
    "L'écran se lit-il en plein soleil ?",
    "Is there a fishing log?",
    "Compatible avec un iPhone 12 ?",
    "How long does charging take?",
    "La boussole est-elle fiable près du moteur ?",
    "Any warranty outside France?",
    "Peut-on couper le bip des touches ?",
    "Does it show moon phases?",
    "Existe-t-il une version femme plus petite ?",
    "Is the glass sapphire?",
    "Les marées du Morbihan sont-elles incluses ?",
    "Can it vibrate for alarms?",
    "Quel poids exactement ?",
    "Does it work for ice fishing at -20°C?",
    "Le chargeur est-il fourni ?",
    "Is the barometer calibrated at the factory?",
    "Se synchronise-t-elle avec Strava ?",
    "Can I read it with polarised glasses?",
    "Y a-t-il un mode nuit rouge ?",
    "How accurate is the thermometer?",
    "La mise à jour se fait-elle sans fil ?",
]


async def test_rest_clients_ask_answer_vote_accept_and_sockets_see_it(
    server: LiveServer, clients: list[Any]
) -> None:
    asker = await new_visitor(server.url, "Camille")
    helper = await new_visitor(server.url, "Hugo")
    watcher = await connect(server.url)
    clients.append(watcher)
    await watcher.call("join", {"room": ROOM, "product": PRODUCT})
    api = server.url + "/api/v1"

    def auth(v: dict[str, Any]) -> dict[str, str]:
        return {"Authorization": f"Bearer {v['token']}"}

    async with aiohttp.ClientSession() as http:
        async with http.post(
            f"{api}/rooms/{ROOM}/threads",
            json={"body": "La montre est-elle étanche ?", "client_id": cid()},
            headers=auth(asker),
        ) as r:
            assert r.status == 201
            thread = (await r.json())["thread"]
        await watcher.wait_for("event", lambda e: e["data"]["id"] == thread["id"])
        async with http.post(
            f"{api}/threads/{thread['id']}/answers",
            json={"body": "Oui, étanche à 100 m.", "client_id": cid()},
            headers=auth(helper),
        ) as r:
            assert r.status == 201
            message = (await r.json())["message"]
        async with http.post(
            f"{api}/messages/{message['id']}/vote", json={"value": 1}, headers=auth(asker)
        ) as r:
            assert (await r.json())["message"]["votes"] == 1
        async with http.post(f"{api}/messages/{message['id']}/accept", headers=auth(helper)) as r:
            assert r.status == 403
            assert (await r.json())["error"]["code"] == "forbidden"
        async with http.post(f"{api}/messages/{message['id']}/accept", headers=auth(asker)) as r:
            assert (await r.json())["thread"]["status"] == "resolved"
        async with http.get(f"{api}/threads/{thread['id']}") as r:
            full = (await r.json())["thread"]
            assert full["accepted_message_id"] == message["id"]
            assert [m["body"] for m in full["messages"]] == ["Oui, étanche à 100 m."]
        async with http.get(f"{api}/rooms/{ROOM}/similar", params={"q": "montre ETANCHE"}) as r:
            assert [t["id"] for t in (await r.json())["threads"]] == [thread["id"]]
        async with http.get(f"{api}/rooms/{ROOM}/threads", params={"status": "resolved"}) as r:
            page = await r.json()
            assert [t["id"] for t in page["threads"]] == [thread["id"]]
    await watcher.wait_for("event", lambda e: e["data"].get("status") == "resolved")


async def test_thread_list_is_cursor_paginated(people: Any, server: LiveServer) -> None:
    askers = [(await people(name))[1] for name in ("Camille", "Hugo", "Léa", "Zoé", "Paul")]
    await askers[0].call("join", {"room": ROOM, "product": PRODUCT})
    asked = []
    for i, body in enumerate(QUESTIONS):  # five people, five each: nobody floods the room
        ack = await askers[i % 5].call("ask", {"room": ROOM, "body": body, "client_id": cid()})
        assert ack["ok"] and not ack.get("held"), (body, ack)
        asked.append(ack["thread"]["id"])
    seen: list[str] = []
    cursor: int | None = None
    async with aiohttp.ClientSession() as http:
        while True:
            params = {"cursor": str(cursor)} if cursor is not None else {}
            async with http.get(f"{server.url}/api/v1/rooms/{ROOM}/threads", params=params) as r:
                page = await r.json()
            if not page["threads"]:
                break
            seen += [t["id"] for t in page["threads"]]
            cursor = page["next_cursor"]
    assert seen == list(reversed(asked))


async def test_rate_limit_refuses_and_stores_nothing(tmp_path: Path, clients: list[Any]) -> None:
    srv = LiveServer(server_overrides(tmp_path, write_rate="3/minute"))
    srv.start()
    try:
        visitor = await new_visitor(srv.url, "Flood")
        client = await connect(srv.url, visitor["token"])
        clients.append(client)
        await client.call("join", {"room": ROOM, "product": PRODUCT})
        acks = [
            await client.call("ask", {"room": ROOM, "body": f"spam {i}", "client_id": cid()})
            for i in range(5)
        ]
        assert [a["ok"] for a in acks] == [True, True, True, False, False]
        assert acks[3]["error"]["code"] == "rate_limited"
        assert (await client.call("join", {"room": ROOM}))["seq"] == 3
    finally:
        srv.stop()


async def test_health_readiness_openapi_and_pages(server: LiveServer) -> None:
    async with aiohttp.ClientSession() as http:
        async with http.get(server.url + "/healthz") as r:
            assert r.status == 200
        async with http.get(server.url + "/readyz") as r:
            assert r.status == 200 and (await r.json())["checks"]["store"] == "ok"
        async with http.get(server.url + "/openapi.json") as r:
            spec = await r.json()
            assert "/api/v1/visitors" in spec["paths"]
            assert "/api/v1/rooms/{key}/similar" in spec["paths"]
        async with http.get(server.url + "/api/docs") as r:
            assert r.status == 200 and "cdn" not in (await r.text()).lower()
        async with http.get(server.url + "/static/vendor/socket.io.min.js") as r:
            assert r.status == 200 and "io" in await r.text()
        async with http.get(server.url + "/demo", headers={"Accept-Language": "en"}) as r:
            assert r.status == 200
        async with http.get(server.url + "/widget/panel?product=montre-maree&lang=fr") as r:
            assert r.status == 200
            assert "frame-ancestors 'self'" in r.headers["Content-Security-Policy"]
        # The shop's signed customer id travels to the panel, to be verified at sign-up.
        async with http.get(
            server.url + "/widget/panel", params={"product": "montre-maree", "shopper": "c-42.ab"}
        ) as r:
            assert '"shopper": "c-42.ab"' in await r.text()


async def test_room_reads_carry_an_etag_that_moves_only_when_the_room_changes(
    server: LiveServer, people: Any
) -> None:
    _, asking = await people("Camille")
    _, helping = await people("Hugo")
    for client in (asking, helping):
        await client.call("join", {"room": "montre", "product": PRODUCT})
    asked = await asking.call("ask", {"room": "montre", "body": "Étanche ?", "client_id": cid()})
    paths = ("/api/v1/rooms/montre/threads", f"/api/v1/threads/{asked['thread']['id']}")
    async with aiohttp.ClientSession() as http:

        async def read(path: str, etag: str | None = None) -> tuple[int, str, str]:
            headers = {"If-None-Match": etag} if etag else {}
            async with http.get(server.url + path, headers=headers) as resp:
                return resp.status, await resp.text(), resp.headers.get("ETag", "")

        first = {path: await read(path) for path in paths}
        for path, (status, body, etag) in first.items():
            assert status == 200 and "Étanche ?" in repr(json.loads(body)) and etag
            assert await read(path, etag) == (304, "", etag)  # nothing changed: no body
        await helping.call("answer", {"thread_id": asked["thread"]["id"], "body": "Oui, 100 m.",
                                      "client_id": cid()})  # fmt: skip
        for path, (_, _, etag) in first.items():
            status, body, new_etag = await read(path, etag)  # the answer moved the room's seq
            assert status == 200 and "Oui, 100 m." in repr(json.loads(body)) and new_etag != etag
    async with aiohttp.ClientSession() as http, http.get(server.url + paths[0]) as resp:
        assert resp.headers["Cache-Control"] == "no-cache"
        assert resp.headers["Content-Type"].startswith("application/json")
