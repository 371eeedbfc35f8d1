"""The escalation ladder on a real clock (short SLAs) and the signed helpdesk webhook."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web

from moderation.thresholds import CategoryThresholds
from tests.conftest import MODERATOR, server_overrides
from tests.support import (
    PRODUCT,
    LiveServer,
    cid,
    connect,
    create_staff,
    free_port,
    new_visitor,
    sign_in_staff,
)

ROOM = "canne-spinning-240"
SECRET = "webhook-secret-0123456789"


@pytest.fixture
def fast_server(tmp_path: Path) -> Iterator[LiveServer]:
    """SLA of 1.2 s (nudge at 0.6 s), claims expire after 1.2 s, sweeper every 0.1 s."""
    srv = LiveServer(
        server_overrides(
            tmp_path,
            moderation=CategoryThresholds.from_mapping(
                {"default": {"unanswered_sla_minutes": 0.02}}
            ),
            claim_minutes=0.02,
            sweep_seconds=0.1,
        )
    )
    srv.start()
    yield srv
    srv.stop()


async def test_unanswered_ladder_nudges_helpers_then_queues_then_flags_idle_claims(
    fast_server: LiveServer, clients: list[Any]
) -> None:
    url = fast_server.url
    await create_staff(fast_server.overrides["database_url"], *MODERATOR, "moderator")
    staff = await sign_in_staff(url, *MODERATOR)
    console = await staff.socket()
    people = [await new_visitor(url, n) for n in ("Camille", "Hugo", "Léa")]
    asker, helper, voter = [await connect(url, v["token"]) for v in people]
    clients += [console, asker, helper, voter]
    await asker.call("join", {"room": ROOM, "product": PRODUCT})
    # Hugo answered well in this room before: he is the enthusiast to nudge.
    earlier = await voter.call("ask", {"room": ROOM, "body": "Poids ?", "client_id": cid()})
    good = await helper.call(
        "answer", {"thread_id": earlier["thread"]["id"], "body": "180 g", "client_id": cid()}
    )
    await voter.call("vote", {"message_id": good["message"]["id"], "value": 1})

    asked = await asker.call(
        "ask", {"room": ROOM, "body": "Elle est livrée avec une housse ?", "client_id": cid()}
    )
    thread_id = asked["thread"]["id"]
    nudge = await helper.wait_for("notification", lambda n: n["type"] == "nudge")
    assert nudge["thread_id"] == thread_id
    assert not [n for n in voter.events("notification") if n["type"] == "nudge"]

    opened = await console.wait_for("case.opened", lambda d: d["case"]["thread_id"] == thread_id)
    reason = opened["case"]["reasons"][0]
    assert reason["code"] == "unanswered" and "SLA" in reason["evidence"][0]
    await asker.wait_for("event", lambda e: e["data"].get("status") == "escalated")

    case_id = opened["case"]["id"]
    await staff.post(f"/api/v1/staff/cases/{case_id}/claim")
    back = await console.wait_for(
        "case.updated", lambda d: d["case"]["state"] == "open" and d["case"]["flagged"]
    )
    assert back["case"]["assignee"] is None
    audit = (await staff.get(f"/api/v1/staff/cases/{case_id}"))["audit"]
    assert [a["action"] for a in audit][-1] == "claim_expired"
    await staff.http.close()


@pytest.fixture
async def helpdesk() -> AsyncIterator[tuple[str, list[tuple[bytes, str]]]]:
    """A fake helpdesk on loopback: fails the first delivery, accepts the next."""
    received: list[tuple[bytes, str]] = []

    async def hook(request: web.Request) -> web.Response:
        received.append((await request.read(), request.headers["X-Entraide-Signature"]))
        return web.Response(status=500 if len(received) == 1 else 204)

    app = web.Application()
    app.router.add_post("/hook", hook)
    runner = web.AppRunner(app)
    await runner.setup()
    port = free_port()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    yield f"http://127.0.0.1:{port}/hook", received
    await runner.cleanup()


async def test_new_cases_are_posted_signed_and_retried(
    tmp_path: Path, helpdesk: tuple[str, list[tuple[bytes, str]]], clients: list[Any]
) -> None:
    hook_url, received = helpdesk
    srv = LiveServer(server_overrides(tmp_path, webhook_url=hook_url, webhook_secret=SECRET))
    srv.start()
    try:
        await create_staff(srv.overrides["database_url"], *MODERATOR, "moderator")
        staff = await sign_in_staff(srv.url, *MODERATOR)
        visitor = await new_visitor(srv.url, "Emma")
        asker = await connect(srv.url, visitor["token"])
        clients.append(asker)
        await asker.call("join", {"room": ROOM, "product": PRODUCT})
        ack = await asker.call(
            "ask",
            {"room": ROOM, "body": "I want a refund, the rod arrived broken",
             "client_id": cid(), "lang": "en"},
        )  # fmt: skip
        assert ack["ok"]  # the chat did not wait for the helpdesk
        loop = asyncio.get_running_loop()
        deadline = loop.time() + 15
        case: dict[str, Any] = {}
        while loop.time() < deadline:
            cases = (await staff.get("/api/v1/staff/cases"))["cases"]
            case = cases[0] if cases else {}
            if case.get("webhook") and case["webhook"]["status"] == "delivered":
                break
            await asyncio.sleep(0.1)  # polling the API with a deadline
        assert case["webhook"] == {"status": "delivered", "attempts": 2, "last_error": None}
        body, signature = received[-1]
        expected = "sha256=" + hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
        assert hmac.compare_digest(signature, expected)
        payload = json.loads(body)
        assert payload["event"] == "case.opened" and payload["case"]["id"] == case["id"]
        await staff.http.close()
    finally:
        srv.stop()
