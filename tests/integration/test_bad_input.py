"""Bodies no parser should choke on: JSON nested thousands of levels deep, or cut short.

Over HTTP every JSON endpoint answers `400 {"error": {"code": "invalid", ...}}` (JSON, never
an HTML page), logs no traceback and stores nothing; over Socket.IO the event is acked with
`{"ok": false, "error": {"code": "invalid"}}` and the connection goes on. Too large (413)
and wrong method (405) are JSON errors too.

A real server on loopback; the socket is spoken to as raw Engine.IO/Socket.IO text frames,
because no client library would encode such a payload.
"""

from __future__ import annotations

import json
import logging
from typing import Any

import aiohttp
import pytest

from tests.support import DEADLINE, PRODUCT, LiveServer, StaffClient, cid

ROOM = "montre-abysses"
DEPTH = 5000
DEEP_ARRAY = "[" * DEPTH + "]" * DEPTH
DEEP_OBJECT = '{"a":' * DEPTH + "1" + "}" * DEPTH
# A socket frame holds at most ENTRAIDE_MAX_EVENT_BYTES (16 KiB; larger closes the
# connection): 2,000 levels of objects fit and are still far past the decoder's stack.
DEEP_SOCKET_OBJECT = '{"a":' * 2000 + "1" + "}" * 2000
DEEP_FIELD = '{"body": ' + DEEP_ARRAY + ', "client_id": "c1"}'
CUT_SHORT = '{"name": "Camille", "body": '
BAD_BODIES = {
    "deep array": DEEP_ARRAY,
    "deep object": DEEP_OBJECT,
    "deep field": DEEP_FIELD,
    "cut short": CUT_SHORT,
}


def assert_invalid_json_error(status: int, content_type: str, text: str) -> None:
    assert status == 400, text[:300]
    assert content_type.startswith("application/json"), text[:300]
    error = json.loads(text)["error"]
    assert error["code"] == "invalid" and error["message"], error


def tracebacks(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.exc_info or r.levelno >= logging.ERROR]


@pytest.fixture
async def scene(people: Any, staff: StaffClient) -> dict[str, Any]:
    """Camille asks, Éloïse answers, Hugo reports the answer: a thread, an answer and an open
    case for the bad bodies to aim at."""
    camille, asker = await people("Camille")
    eloise, helper = await people("Éloïse")
    _, third = await people("Hugo")
    for client in (asker, helper, third):
        assert (await client.call("join", {"room": ROOM, "product": PRODUCT}))["ok"]
    asked = await asker.call(
        "ask", {"room": ROOM, "body": "Étanche à 100 m vraiment ?", "client_id": cid()}
    )
    thread_id = asked["thread"]["id"]
    answered = await helper.call(
        "answer", {"thread_id": thread_id, "body": "Oui, testée en mer.", "client_id": cid()}
    )
    message_id = answered["message"]["id"]
    assert (await third.call("report", {"message_id": message_id, "reason": "Pub"}))["ok"]
    case_id = (await staff.get("/api/v1/staff/cases"))["cases"][0]["id"]
    return {
        "camille": camille, "eloise": eloise, "thread_id": thread_id,
        "message_id": message_id, "case_id": case_id,
    }  # fmt: skip


async def test_deep_or_cut_short_json_bodies_get_a_json_400_and_change_nothing(
    server: LiveServer,
    staff: StaffClient,
    scene: dict[str, Any],
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.WARNING)
    bearer = {"Authorization": f"Bearer {scene['camille']['token']}"}
    staff_headers = {"Cookie": staff.cookie, "X-CSRF-Token": staff.csrf}
    targets = [
        ("/api/v1/visitors", {}),
        (f"/api/v1/rooms/{ROOM}/threads", bearer),
        (f"/api/v1/threads/{scene['thread_id']}/answers", bearer),
        (f"/api/v1/messages/{scene['message_id']}/vote", bearer),
        ("/api/v1/reports", bearer),
        ("/api/v1/staff/login", {}),
        (f"/api/v1/staff/cases/{scene['case_id']}/claim", staff_headers),
        (f"/api/v1/staff/answers/{scene['message_id']}/endorse", staff_headers),
        (f"/api/v1/staff/contributors/{scene['eloise']['id']}/bonus", staff_headers),
        (f"/api/v1/staff/visitors/{scene['eloise']['id']}/ban", staff_headers),
    ]
    async with aiohttp.ClientSession() as http:
        for path, headers in targets:
            for name, body in BAD_BODIES.items():
                async with http.post(
                    server.url + path,
                    data=body.encode(),
                    headers={**headers, "Content-Type": "application/json"},
                ) as resp:
                    text = await resp.text()
                    try:
                        assert_invalid_json_error(resp.status, resp.content_type, text)
                    except AssertionError as exc:
                        raise AssertionError(f"{path} with a {name} body: {exc}") from None

    assert tracebacks(caplog) == []
    # Nothing was stored: no thread, answer, vote, claim, endorsement, bonus or ban.
    async with aiohttp.ClientSession() as http:
        async with http.get(f"{server.url}/api/v1/rooms/{ROOM}/threads") as resp:
            threads = (await resp.json())["threads"]
        async with http.get(f"{server.url}/api/v1/threads/{scene['thread_id']}") as resp:
            thread = (await resp.json())["thread"]
    assert [t["id"] for t in threads] == [scene["thread_id"]]
    assert [(m["id"], m["votes"]) for m in thread["messages"]] == [(scene["message_id"], 0)]
    case = (await staff.get(f"/api/v1/staff/cases/{scene['case_id']}"))["case"]
    assert case["state"] == "open"
    detail = await staff.get(f"/api/v1/staff/contributors/{scene['eloise']['id']}")
    assert detail["contributor"]["banned_until"] is None
    assert detail["audit"] == []
    assert "staff_endorsement" not in {g["reason"] for g in detail["by_reason"]}
    assert "bonus" not in {g["reason"] for g in detail["by_reason"]}


async def test_too_large_and_wrong_method_are_json_errors(server: LiveServer) -> None:
    async with aiohttp.ClientSession() as http:
        big = json.dumps({"name": "x" * (65 * 1024)})
        async with http.post(
            server.url + "/api/v1/visitors",
            data=big,
            headers={"Content-Type": "application/json"},
        ) as resp:
            assert resp.status == 413
            assert resp.content_type == "application/json"
            assert (await resp.json())["error"]["code"] == "invalid"
        async with http.get(server.url + "/api/v1/visitors") as resp:
            assert resp.status == 405
            assert resp.content_type == "application/json"
            assert (await resp.json())["error"]["code"] == "invalid"
        async with http.delete(server.url + "/api/v1/staff/login") as resp:
            assert resp.status == 405
            assert (await resp.json())["error"]["code"] == "invalid"


class RawSocket:
    """Socket.IO v5 over one Engine.IO v4 websocket, as text frames."""

    def __init__(self, ws: aiohttp.ClientWebSocketResponse) -> None:
        self.ws = ws
        self.next_id = 0

    async def frame(self) -> str:
        while True:
            msg = await self.ws.receive(timeout=DEADLINE)
            assert msg.type == aiohttp.WSMsgType.TEXT, msg
            if msg.data == "2":  # Engine.IO ping
                await self.ws.send_str("3")
                continue
            return str(msg.data)

    async def connect(self, token: str) -> None:
        assert (await self.frame()).startswith("0{")  # Engine.IO open
        await self.ws.send_str("40" + json.dumps({"token": token}))
        assert (await self.frame()).startswith("40{")

    async def emit_raw(self, encoded_args: str) -> Any:
        """Send `42<id>[<encoded_args>]` as written and return the ack's first argument."""
        self.next_id += 1
        ack_prefix = f"43{self.next_id}"
        await self.ws.send_str(f"42{self.next_id}[{encoded_args}]")
        while True:
            frame = await self.frame()
            if frame.startswith(ack_prefix + "["):
                return json.loads(frame[len(ack_prefix) :])[0]


async def test_deep_or_cut_short_socket_events_are_acked_invalid_and_the_socket_goes_on(
    server: LiveServer, people: Any, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING)
    camille, _ = await people("Camille")
    url = server.url.replace("http://", "ws://") + "/socket.io/?EIO=4&transport=websocket"
    async with aiohttp.ClientSession() as http, http.ws_connect(url) as ws:
        sock = RawSocket(ws)
        await sock.connect(camille["token"])
        join = json.dumps({"room": ROOM, "product": PRODUCT})
        assert (await sock.emit_raw(f'"join",{join}'))["ok"]
        for encoded in (
            f'"ask",{DEEP_ARRAY}',
            f'"ask",{DEEP_SOCKET_OBJECT}',
            f'"ask",{{"room":"{ROOM}","body":{DEEP_ARRAY},"client_id":"c1"}}',
            DEEP_ARRAY,
            '"ask",{"room":',
        ):
            ack = await sock.emit_raw(encoded)
            assert ack["ok"] is False and ack["error"]["code"] == "invalid", (encoded[:40], ack)
            assert ack["error"]["message"]
        ask = json.dumps({"room": ROOM, "body": "Toujours là ?", "client_id": cid()})
        asked = await sock.emit_raw(f'"ask",{ask}')  # the same connection still works
        assert asked["ok"], asked

    async with (
        aiohttp.ClientSession() as http,
        http.get(f"{server.url}/api/v1/rooms/{ROOM}/threads") as resp,
    ):
        threads = (await resp.json())["threads"]
    assert [t["body"] for t in threads] == ["Toujours là ?"]
    assert tracebacks(caplog) == []
