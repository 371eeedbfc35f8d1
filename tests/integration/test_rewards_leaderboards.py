"""Leaderboards move with votes and accepts, in Redis and in the store alike, and
`entraide rebuild-leaderboards` recreates the Redis boards from the ledger exactly."""

from __future__ import annotations

import asyncio
import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from tests.conftest import server_overrides
from tests.support import PRODUCT, LiveServer, cid, connect, new_visitor

ROOMS = [("montre-maree", "electronique"), ("canne-spinning-240", "cannes")]
BOARDS = [
    {"period": period, **scope}
    for period in ("week", "month", "all")
    for scope in ({}, {"room": "montre-maree"}, {"category": "cannes"})
]


@pytest.fixture
def redis_server(tmp_path: Path, redis_url: str) -> Iterator[LiveServer]:
    # A fresh Redis database per test keeps boards from other tests out.
    url = redis_url.rsplit("/", 1)[0] + f"/{abs(hash(tmp_path)) % 15 + 1}"
    srv = LiveServer(server_overrides(tmp_path, redis_url=url))
    srv.start()
    yield srv
    srv.stop()


async def boards(url: str) -> list[Any]:
    found = []
    async with aiohttp.ClientSession() as http:
        for params in BOARDS:
            async with http.get(f"{url}/api/v1/leaderboard", params=params) as r:
                assert r.status == 200, await r.text()
                found.append([(e["user"]["id"], e["points"]) for e in (await r.json())["entries"]])
    return found


async def play(url: str, clients: list[Any]) -> dict[str, str]:
    """Three helpers, two askers, two rooms: answers, votes and an accept."""
    ids: dict[str, str] = {}
    socks = {}
    for name in ("Camille", "Hugo", "Léa", "Zoé", "Paul"):
        visitor = await new_visitor(url, name)
        ids[name] = visitor["id"]
        socks[name] = await connect(url, visitor["token"])
        clients.append(socks[name])
    for room, category in ROOMS:
        product = {**PRODUCT, "category": category}
        await socks["Camille"].call("join", {"room": room, "product": product})
    questions = {}
    for asker, (room, _) in (("Camille", ROOMS[0]), ("Paul", ROOMS[1])):
        ack = await socks[asker].call("ask", {"room": room, "body": f"Question de {asker} ?",
                                              "client_id": cid()})  # fmt: skip
        questions[asker] = ack["thread"]["id"]
    answers = {}
    for helper, asker in (("Hugo", "Camille"), ("Léa", "Camille"), ("Zoé", "Paul")):
        ack = await socks[helper].call(
            "answer", {"thread_id": questions[asker], "body": f"Réponse de {helper}",
                       "client_id": cid()},
        )  # fmt: skip
        answers[helper] = ack["message"]["id"]
    for voter, helper in (("Camille", "Hugo"), ("Paul", "Zoé"), ("Léa", "Hugo")):
        assert (await socks[voter].call("vote", {"message_id": answers[helper], "value": 1}))["ok"]
    assert (await socks["Camille"].call("accept", {"message_id": answers["Hugo"]}))["ok"]
    return ids


async def test_votes_and_accepts_move_the_board_and_rebuild_gives_the_same(
    redis_server: LiveServer, clients: list[Any]
) -> None:
    ids = await play(redis_server.url, clients)
    await redis_server.settled()
    live = await boards(redis_server.url)
    week_global = dict(live[0])
    # Hugo: answer 2 + fast first answer 5 + two helpful votes 5+5 + accepted 15 = 32
    assert live[0][0] == (ids["Hugo"], 32)
    assert week_global[ids["Zoé"]] == 2 + 5 + 5 and week_global[ids["Léa"]] == 2
    assert live[0] == live[3] == live[6]  # everything happened this week and month
    assert [v for v, _ in live[1]] == [ids["Hugo"], ids["Léa"]]  # room montre-maree only
    assert [v for v, _ in live[2]] == [ids["Zoé"]]  # category cannes only

    env = {k: v for k, v in os.environ.items() if not k.startswith("ENTRAIDE_")}
    env.update(
        ENTRAIDE_DATABASE_URL=redis_server.overrides["database_url"],
        ENTRAIDE_REDIS_URL=redis_server.overrides["redis_url"],
        ENTRAIDE_SECRET_KEY=redis_server.overrides["secret_key"],
    )
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "app.cli", "rebuild-leaderboards", env=env,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    out, err = await asyncio.wait_for(proc.communicate(), 60)
    assert proc.returncode == 0, err.decode()
    assert "rebuilt from" in out.decode()
    assert await boards(redis_server.url) == live

    # The store computes the same boards when there is no Redis.
    redis_server.stop()
    plain = LiveServer({**redis_server.overrides, "redis_url": None})
    plain.port = redis_server.port
    plain.url = redis_server.url
    plain.start()
    try:
        assert await boards(plain.url) == live
    finally:
        plain.stop()
        redis_server.start()  # the fixture stops it again
