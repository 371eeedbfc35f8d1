"""A shop can vouch for its customers: two visitor identities of one verified shopper are
one person, so they cannot vote for or accept their own answers from a second identity."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from app.services.identity import shopper_signature
from tests.conftest import server_overrides
from tests.support import PRODUCT, LiveServer, cid, connect

SHOP_SECRET = "shop-side-secret-0123456789"
ROOM = "montre-maree"


@pytest.fixture
def shop_server(tmp_path: Path) -> Iterator[LiveServer]:
    srv = LiveServer(server_overrides(tmp_path, shopper_secret=SHOP_SECRET))
    srv.start()
    yield srv
    srv.stop()


async def visitor(url: str, name: str, shopper: str | None = None, status: int = 201) -> Any:
    body: dict[str, Any] = {"name": name}
    if shopper is not None:
        body["shopper"] = shopper
    async with aiohttp.ClientSession() as http, http.post(f"{url}/api/v1/visitors", json=body) as r:
        assert r.status == status, await r.text()
        return await r.json()


def signed(shopper_id: str) -> str:
    return f"{shopper_id}.{shopper_signature(SHOP_SECRET, shopper_id)}"


async def test_a_second_identity_cannot_vote_or_accept_for_the_first(
    shop_server: LiveServer, clients: list[Any]
) -> None:
    url = shop_server.url
    main = await visitor(url, "Camille", signed("customer-42"))
    alias = await visitor(url, "Cam", signed("customer-42"))
    other = await visitor(url, "Hugo", signed("customer-7"))
    a, b, h = [await connect(url, v["token"]) for v in (main, alias, other)]
    clients += [a, b, h]
    await b.call("join", {"room": ROOM, "product": PRODUCT})
    question = await b.call("ask", {"room": ROOM, "body": "Autonomie ?", "client_id": cid()})
    own = await a.call(
        "answer", {"thread_id": question["thread"]["id"], "body": "3 jours", "client_id": cid()}
    )
    message_id = own["message"]["id"]
    vote = await b.call("vote", {"message_id": message_id, "value": 1})
    assert vote["error"]["code"] == "forbidden"
    accept = await b.call("accept", {"message_id": message_id})
    assert accept["error"]["code"] == "forbidden"
    assert (await h.call("vote", {"message_id": message_id, "value": 1}))["ok"]


@pytest.mark.parametrize(
    "token",
    ["customer-42.deadbeef", f"customer-43.{shopper_signature(SHOP_SECRET, 'customer-42')}",
     "no-signature", "bad id!." + shopper_signature(SHOP_SECRET, "bad id!"), "x" * 301],
)  # fmt: skip
async def test_forged_shopper_tokens_are_refused(shop_server: LiveServer, token: str) -> None:
    refused = await visitor(shop_server.url, "Mallory", token, status=400)
    assert refused["error"]["code"] == "invalid"


async def test_without_a_shop_secret_shopper_tokens_are_refused(server: LiveServer) -> None:
    refused = await visitor(server.url, "Camille", signed("customer-42"), status=400)
    assert "does not verify" in refused["error"]["message"]
