"""A question everyone answers at once (a product launch): every valid answer and vote is
stored, none refused because other writes touched the same thread meanwhile."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from tests.conftest import server_overrides
from tests.support import PRODUCT, LiveServer, cid, serve_on

ROOM = "canne-surfcasting"
HELPERS = 30


@pytest.fixture(params=["sqlite", "mongo"])
def server(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[LiveServer]:
    yield from serve_on(request.param, server_overrides(tmp_path), "entraide_busy")


async def test_answers_and_votes_arriving_together_are_all_stored(
    server: LiveServer, people: Any
) -> None:
    _, asker = await people("Camille")
    await asker.call("join", {"room": ROOM, "product": PRODUCT})
    asked = await asker.call(
        "ask", {"room": ROOM, "body": "Elle lance à combien de mètres ?", "client_id": cid()}
    )
    thread_id = asked["thread"]["id"]
    helpers = [c for _, c in [await people(f"Pêcheur {n}") for n in range(HELPERS)]]
    for helper in helpers:
        await helper.call("join", {"room": ROOM})
    first = await helpers[0].call(
        "answer", {"thread_id": thread_id, "body": "Une centaine.", "client_id": cid()}
    )
    assert first["ok"], first

    async def answer(n: int, helper: Any) -> Any:
        body = f"J'ai fait {80 + n} mètres avec un plomb de {100 + 5 * n} g, sans forcer."
        return await helper.call(
            "answer", {"thread_id": thread_id, "body": body, "client_id": cid()}
        )

    async def vote(helper: Any) -> Any:
        return await helper.call("vote", {"message_id": first["message"]["id"], "value": 1})

    acks = await asyncio.gather(
        *(answer(n, h) for n, h in enumerate(helpers[1:], start=1)),
        *(vote(h) for h in helpers[1:11]),
    )
    refused = [a for a in acks if not a.get("ok")]
    assert refused == []

    async with (
        aiohttp.ClientSession() as http,
        http.get(f"{server.url}/api/v1/threads/{thread_id}") as resp,
    ):
        view = json.loads(await resp.text())
    thread = view["thread"]
    answers = [m for m in thread["messages"] if m["kind"] == "answer"]
    assert thread["answer_count"] == HELPERS == len(answers)
    assert len({m["id"] for m in answers}) == HELPERS
    assert next(m for m in answers if m["id"] == first["message"]["id"])["votes"] == 10
