"""The visitor's rights through the public protocol, on both adapters: a copy of every piece
of their data, and erasure that leaves no trace on any read path (API, replay, live events,
search, staff views and exports, boards, insights) and stops their token; staff requests
audited; retention enforced by the sweeper's job."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from app.domain.models import Room, Thread, utcnow
from app.domain.text import search_terms
from app.factory import create_app
from app.store.port import Store
from app.store.sqlite import SqliteStore
from tests.conftest import ADMIN, MODERATOR, server_overrides
from tests.support import (
    PRODUCT,
    LiveServer,
    StaffClient,
    add_staff,
    cid,
    connect,
    new_visitor,
    serve_on,
    sign_in_staff,
)

ROOM = "montre-peche"
MARK = "xylophonique"  # in everything the erased visitor wrote
NAME = "Zéphyrin Quetzal"


@pytest.fixture(params=["sqlite", "mongo"])
def server(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[LiveServer]:
    yield from serve_on(request.param, server_overrides(tmp_path), "entraide_privacy")


@pytest.fixture
async def staff_of(server: LiveServer) -> AsyncIterator[Callable[..., Awaitable[StaffClient]]]:
    """`await staff_of(MODERATOR, "moderator")`: a signed-in staff client (closed after)."""
    made: list[StaffClient] = []

    async def sign_in(who: tuple[str, str], role: str) -> StaffClient:
        await add_staff(server, *who, role)
        made.append(await sign_in_staff(server.url, *who))
        return made[-1]

    yield sign_in
    for client in made:
        await client.http.close()


async def http(server: LiveServer, method: str, path: str, token: str | None = None,
               **kw: Any) -> tuple[int, str]:  # fmt: skip
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    async with (
        aiohttp.ClientSession() as session,
        session.request(method, server.url + path, headers=headers, **kw) as resp,
    ):
        return resp.status, await resp.text()


async def test_erasure_leaves_no_trace_on_any_read_path(
    server: LiveServer, clients: list[Any], staff_of: Any
) -> None:
    moderator = await staff_of(MODERATOR, "moderator")
    erased = await new_visitor(server.url, NAME)
    other = await new_visitor(server.url, "Hugo")
    eve, hugo = (
        await connect(server.url, erased["token"]),
        await connect(server.url, other["token"]),
    )
    watcher = await connect(server.url)
    clients += [eve, hugo, watcher]
    for client in (eve, hugo, watcher):
        assert (await client.call("join", {"room": ROOM, "product": PRODUCT}))["ok"]
    # Erased-to-be: a frustrated question (a case for staff), an answer that gets accepted
    # (points, boards), a vote, a report, a rating.
    angry = f"Bracelet {MARK} cassé, c'est inadmissible !!! 3 jours que j'attends"
    mine = (await eve.call("ask", {"room": ROOM, "client_id": cid(), "body": angry}))["thread"]
    theirs = (await hugo.call("ask", {"room": ROOM, "client_id": cid(),
              "body": "Le cadran est-il lumineux la nuit ?"}))["thread"]  # fmt: skip
    reply = (await eve.call("answer", {"thread_id": theirs["id"], "client_id": cid(),
             "body": f"Oui, très {MARK}, je la porte en mer."}))["message"]  # fmt: skip
    assert (await hugo.call("accept", {"message_id": reply["id"]}))["ok"]
    answer = (await hugo.call("answer", {"thread_id": mine["id"], "client_id": cid(),
              "body": "Le SAV échange les bracelets."}))["message"]  # fmt: skip
    assert (await eve.call("vote", {"message_id": answer["id"], "value": 1}))["ok"]
    assert (await eve.call("rate", {"thread_id": mine["id"], "helpful": True,
                                    "would_have_contacted": True}))["ok"]  # fmt: skip
    await server.settled()
    board = await moderator.get("/api/v1/leaderboard")
    assert erased["id"] in {e["user"]["id"] for e in board["entries"]}

    # Their own copy first: everything, with their words.
    status, text = await http(server, "GET", "/api/v1/visitors/me/export", erased["token"])
    assert status == 200
    export = json.loads(text)
    assert export["visitor"]["name"] == NAME
    assert [q["id"] for q in export["questions"]] == [mine["id"]]
    assert MARK in export["questions"][0]["body"] and MARK in export["messages"][0]["body"]
    assert [v["message_id"] for v in export["votes"]] == [answer["id"]]
    assert [r["thread_id"] for r in export["ratings"]] == [mine["id"]]
    assert sum(p["points"] for p in export["points"]) > 0

    status, _ = await http(server, "DELETE", "/api/v1/visitors/me", erased["token"])
    assert status == 204
    updated = await watcher.wait_for(
        "event", lambda e: e["type"] == "thread.updated" and e["data"]["id"] == mine["id"]
        and e["data"]["erased"],
    )  # fmt: skip
    assert updated["data"]["body"] == "" and updated["data"]["author"]["name"] != NAME
    await server.settled()

    # Every read path, as the public, the other shopper, and staff.
    reads = [
        f"/api/v1/rooms/{ROOM}/threads", f"/api/v1/threads/{mine['id']}",
        f"/api/v1/threads/{theirs['id']}", f"/api/v1/rooms/{ROOM}/similar?q={MARK}",
        "/api/v1/leaderboard", f"/api/v1/visitors/{erased['id']}/points",
    ]  # fmt: skip
    for path in reads:
        status, text = await http(server, "GET", path)
        assert MARK not in text and NAME not in text, path
    joined = await watcher.call("join", {"room": ROOM, "since": 0})
    missed = json.dumps(joined, ensure_ascii=False)
    assert joined["ok"] and MARK not in missed and NAME not in missed
    cases = await moderator.get("/api/v1/staff/cases", state="open")
    staff_reads = [json.dumps(cases, ensure_ascii=False)]
    for case in cases["cases"]:
        staff_reads.append(json.dumps(await moderator.get(f"/api/v1/staff/cases/{case['id']}"),
                                      ensure_ascii=False))  # fmt: skip
    for path in ("/api/v1/staff/contributors", f"/api/v1/staff/contributors/{erased['id']}",
                 "/api/v1/staff/insights"):  # fmt: skip
        staff_reads.append(json.dumps(await moderator.get(path), ensure_ascii=False))
    async with moderator.http.get(server.url + "/api/v1/staff/contributors.csv") as resp:
        staff_reads.append(await resp.text())
    for text in staff_reads:
        assert MARK not in text and NAME not in text
    detail = await moderator.get(f"/api/v1/staff/contributors/{erased['id']}")
    assert detail["contributor"]["erased"] is True
    board = await moderator.get("/api/v1/leaderboard")
    assert erased["id"] not in {e["user"]["id"] for e in board["entries"]}
    # Hugo's own words stay.
    status, text = await http(server, "GET", f"/api/v1/threads/{mine['id']}")
    shown = json.loads(text)["thread"]
    assert shown["erased"] is True and shown["body"] == ""
    assert [m["body"] for m in shown["messages"]] == ["Le SAV échange les bracelets."]

    # The token no longer works, anywhere.
    for method, path in (("GET", "/api/v1/visitors/me/export"), ("DELETE", "/api/v1/visitors/me"),
                         ("GET", "/api/v1/visitors/me/email")):  # fmt: skip
        status, _ = await http(server, method, path, erased["token"])
        assert status == 401, path
    refused = await eve.call("ask", {"room": ROOM, "body": "Encore moi", "client_id": cid()})
    assert refused["error"]["code"] == "unauthorized"


async def test_staff_export_and_erase_on_request_are_audited(
    server: LiveServer, clients: list[Any], staff_of: Any
) -> None:
    admin = await staff_of(ADMIN, "admin")
    visitor = await new_visitor(server.url, "Léa")
    client = await connect(server.url, visitor["token"])
    clients.append(client)
    await client.call("join", {"room": ROOM, "product": PRODUCT})
    await client.call("ask", {"room": ROOM, "body": f"Question {MARK} ?", "client_id": cid()})
    export = await admin.get(f"/api/v1/staff/visitors/{visitor['id']}/export")
    assert export["visitor"]["id"] == visitor["id"] and MARK in json.dumps(export)
    assert (await admin.post(f"/api/v1/staff/visitors/{visitor['id']}/erase"))["ok"]
    assert (await admin.post(f"/api/v1/staff/visitors/{visitor['id']}/erase"))["ok"]  # again
    detail = await admin.get(f"/api/v1/staff/contributors/{visitor['id']}")
    actions = [a["action"] for a in detail["audit"]]
    assert actions.count("erase") == 2 and "export" in actions
    assert MARK not in json.dumps(await admin.get(f"/api/v1/staff/visitors/{visitor['id']}/export"))
    # Bad input: unknown or malformed ids, no session, no CSRF token.
    async with admin.http.post(server.url + "/api/v1/staff/visitors/0123456789abcdef/erase",
                               headers={"X-CSRF-Token": admin.csrf}) as resp:  # fmt: skip
        assert resp.status == 404
    async with admin.http.get(server.url + "/api/v1/staff/visitors/..%2Fetc/export") as resp:
        assert resp.status == 404
    async with admin.http.post(
        server.url + f"/api/v1/staff/visitors/{visitor['id']}/erase"
    ) as resp:
        assert resp.status == 403  # CSRF
    status, _ = await http(server, "POST", f"/api/v1/staff/visitors/{visitor['id']}/erase")
    assert status == 401
    status, _ = await http(server, "GET", "/api/v1/visitors/me/export", "not-a-token")
    assert status == 401
    status, _ = await http(server, "DELETE", "/api/v1/visitors/me")
    assert status == 401


async def test_retention_erases_old_private_content_first(tmp_path: Path) -> None:
    """The sweeper's job against a real store: private and held content goes after its
    retention; public content only when a public retention is set."""
    app = create_app(server_overrides(tmp_path, private_retention_days=90))
    store: Store = app.services.store
    assert isinstance(store, SqliteStore)
    await store.open()
    try:
        now = utcnow()
        await store.ensure_room(Room(ROOM, "Montre", "https://shop.example/m", "montres", now))
        old = timedelta(days=100)

        def thread(n: int, held: bool = False) -> Thread:
            return Thread(id=f"{n:016x}", room=ROOM, author_id="v", author_name="V",
                          body=f"Question {n} {MARK}", client_id=f"c{n}", created_at=now - old,
                          held=held)  # fmt: skip

        public, held = thread(1), thread(2, held=True)
        for t in (public, held):
            await store.insert_thread(t, search_terms(t.body))
        assert await app.services.privacy.tick() == 1
        assert (await store.get_thread(held.id)).body == ""  # type: ignore[union-attr]
        assert (await store.get_thread(public.id)).body.startswith("Question 1")  # type: ignore[union-attr]
        assert await app.services.privacy.tick() == 0  # done: nothing more to erase
    finally:
        await store.close()
