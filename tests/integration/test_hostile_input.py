"""Bad input at every entry point: a clear protocol error, nothing stored, nothing broken."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import aiohttp
import pytest
import socketio

from tests.support import PRODUCT, LiveServer, cid, connect

ROOM = "waders-respirants"


async def _room_seq(client: Any) -> int:
    joined = await client.call("join", {"room": ROOM})
    seq: int = joined["seq"]
    return seq


@pytest.mark.parametrize(
    ("event", "payload"),
    [
        ("ask", {"room": ROOM, "body": "x" * 2001, "client_id": "abcdefgh"}),
        ("ask", {"room": ROOM, "body": "   ", "client_id": "abcdefgh"}),
        ("ask", {"room": ROOM, "body": "hi", "client_id": "abcdefgh", "admin": True}),
        ("ask", {"room": {"$ne": None}, "body": "hi", "client_id": "abcdefgh"}),
        ("ask", {"room": ROOM, "body": {"$gt": ""}, "client_id": "abcdefgh"}),
        ("ask", {"room": ROOM, "body": "hi", "client_id": {"$ne": 1}}),
        ("ask", {"room": "../../etc", "body": "hi", "client_id": "abcdefgh"}),
        ("ask", ["not", "an", "object"]),
        ("ask", "just a string"),
        ("ask", None),
        ("answer", {"thread_id": {"$ne": None}, "body": "hi", "client_id": "abcdefgh"}),
        ("vote", {"message_id": "0123456789abcdef", "value": 5}),
        ("vote", {"message_id": "0123456789abcdef", "value": True}),
        ("join", {"room": ROOM, "since": -1}),
        ("join", {"room": ROOM, "since": "0"}),
        ("join", {"room": ROOM, "product": {"title": "t", "url": "javascript:alert(1)"}}),
        ("typing", {}),
    ],
)
async def test_malformed_socket_payloads_are_invalid_and_store_nothing(
    people: Any, event: str, payload: Any
) -> None:
    _, client = await people("Mallory")
    await client.call("join", {"room": ROOM, "product": PRODUCT})
    before = await _room_seq(client)
    ack = await client.call(event, payload)
    assert ack["ok"] is False and ack["error"]["code"] == "invalid", ack
    assert ack["error"]["message"]
    assert await _room_seq(client) == before


async def test_unknown_ids_are_not_found(people: Any) -> None:
    _, client = await people("Mallory")
    ghost = "0123456789abcdef"
    for event, payload in [
        ("answer", {"thread_id": ghost, "body": "hi", "client_id": cid()}),
        ("vote", {"message_id": ghost, "value": 1}),
        ("accept", {"message_id": ghost}),
        ("resolve", {"thread_id": ghost}),
        ("ask", {"room": "never-joined", "body": "hi", "client_id": cid()}),
    ]:
        ack = await client.call(event, payload)
        assert ack["error"]["code"] == "not_found", (event, ack)


async def test_writes_without_a_valid_token_are_unauthorized(
    server: LiveServer, clients: list[Any]
) -> None:
    for token in (None, "forged.token", "x" * 5000):
        reader = await connect(server.url, token)
        clients.append(reader)
        joined = await reader.call("join", {"room": ROOM, "product": PRODUCT})
        assert joined["ok"]  # reading is allowed
        ack = await reader.call("ask", {"room": ROOM, "body": "hi", "client_id": cid()})
        assert ack["error"]["code"] == "unauthorized"
        assert (await reader.call("join", {"room": ROOM}))["seq"] == joined["seq"]


async def test_html_and_script_are_inert_text(people: Any) -> None:
    _, client = await people("<img src=x onerror=alert(1)>")
    await client.call("join", {"room": ROOM, "product": PRODUCT})
    body = '<script>alert(1)</script><a href="javascript:x">clic</a> <b onclick=x>gras</b>'
    thread = (await client.call("ask", {"room": ROOM, "body": body, "client_id": cid()}))["thread"]
    assert thread["body"] == body  # stored as written
    assert "<script" not in thread["html"] and "<a" not in thread["html"]
    assert "<b" not in thread["html"] and "&lt;script&gt;" in thread["html"]
    assert thread["author"]["name"] == "<img src=x onerror=alert(1)>"  # shown with textContent


async def test_reserved_event_names_change_nothing(people: Any) -> None:
    visitor, client = await people("Mallory")
    await client.call("join", {"room": ROOM, "product": PRODUCT})
    for name in ("connect", "disconnect"):
        ack = await client.call(name, {"token": "forged"})
        assert ack["error"]["code"] == "invalid"
    assert client.sio.connected
    ok = await client.call("ask", {"room": ROOM, "body": "still me", "client_id": cid()})
    assert ok["thread"]["author"]["id"] == visitor["id"]


async def test_oversized_frame_closes_only_that_connection(people: Any) -> None:
    _, bully = await people("Mallory")
    _, other = await people("Hugo")
    await other.call("join", {"room": ROOM, "product": PRODUCT})
    before = await _room_seq(other)
    dropped = asyncio.Event()
    bully.sio.on("disconnect", lambda *_: dropped.set())
    await bully.sio.emit("ask", {"room": ROOM, "body": "x" * 100_000, "client_id": cid()})
    await asyncio.wait_for(dropped.wait(), 10)
    assert (await other.call("join", {"room": ROOM}))["seq"] == before
    assert other.sio.connected


async def test_other_clients_stay_fast_while_the_worst_payload_is_processed(
    people: Any,
) -> None:
    """20,000 unclosed <b> made bleach block for seconds: cap first, escape before linkify."""
    _, attacker = await people("Mallory")
    _, bystander = await people("Hugo")
    await attacker.call("join", {"room": ROOM, "product": PRODUCT})
    await bystander.call("join", {"room": ROOM})
    worst = ("<b>" * 700)[:2000]  # the largest accepted body, all nested markup
    linked = ("<b>https://a.com " * 200)[:2000]
    for body in (worst, linked):
        await attacker.sio.emit("ask", {"room": ROOM, "body": body, "client_id": cid()})
        started = time.perf_counter()
        await bystander.call("join", {"room": ROOM})
        round_trip = time.perf_counter() - started
        # Generous bound: quadratic sanitising took seconds; linear work takes milliseconds.
        assert round_trip < 0.5, f"round trip took {round_trip:.3f}s"
    stored = await bystander.wait_for("event", lambda e: e["data"]["body"] == worst)
    assert stored["data"]["html"].startswith("&lt;b&gt;")


async def test_cross_origin_sockets_only_from_allowed_origins(server: LiveServer) -> None:
    for origin, allowed in [("https://evil.example", False), (server.url, True)]:
        sio = socketio.AsyncClient(reconnection=False)
        try:
            await sio.connect(
                server.url, headers={"Origin": origin}, transports=["websocket"], wait_timeout=5
            )
            assert allowed, f"{origin} was let in"
        except socketio.exceptions.ConnectionError:
            assert not allowed, f"{origin} was refused"
        finally:
            await sio.disconnect()


@pytest.mark.parametrize(
    ("method", "path", "body", "status", "code"),
    [
        ("post", "/api/v1/visitors", {"name": ""}, 400, "invalid"),
        ("post", "/api/v1/visitors", {"name": "\u202e\u200b "}, 400, "invalid"),
        ("post", "/api/v1/visitors", {"name": {"$ne": None}}, 400, "invalid"),
        ("post", "/api/v1/visitors", {"name": "Camille", "role": "admin"}, 400, "invalid"),
        ("post", "/api/v1/visitors", ["Camille"], 400, "invalid"),
        ("post", "/api/v1/visitors", {"name": "x" * 100_000}, 413, "invalid"),
        (
            "post",
            f"/api/v1/rooms/{ROOM}/threads",
            {"body": "hi", "client_id": "abcdefgh"},
            401,
            "unauthorized",
        ),
        ("get", "/api/v1/threads/not-an-id", None, 404, "not_found"),
        ("get", "/api/v1/threads/0123456789abcdef", None, 404, "not_found"),
        ("get", "/api/v1/rooms/..%2F..%2Fx/threads", None, 404, "not_found"),
        ("get", f"/api/v1/rooms/{ROOM}/threads?cursor=-4", None, 400, "invalid"),
        ("get", f"/api/v1/rooms/{ROOM}/threads?status=weird", None, 400, "invalid"),
        ("get", f"/api/v1/rooms/{ROOM}/threads?sort[$ne]=1", None, 400, "invalid"),
    ],
)
async def test_http_bad_input(
    server: LiveServer, method: str, path: str, body: Any, status: int, code: str
) -> None:
    async with aiohttp.ClientSession() as http:
        request = getattr(http, method)
        kwargs = {"json": body} if body is not None else {}
        async with request(server.url + path, **kwargs) as resp:
            assert resp.status == status, await resp.text()
            payload = await resp.json()
            assert payload["error"]["code"] == code and payload["error"]["message"]


async def test_http_malformed_json(server: LiveServer) -> None:
    async with (
        aiohttp.ClientSession() as http,
        http.post(
            server.url + "/api/v1/visitors",
            data=b"{not json",
            headers={"Content-Type": "application/json"},
        ) as resp,
    ):
        assert resp.status == 400
        assert (await resp.json())["error"]["code"] == "invalid"
