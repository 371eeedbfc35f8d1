"""Staff-side security over the wire: sign-in backoff under parallel guesses, sign-out that
ends the session on the server, the contributors CSV in any spreadsheet, and who may read a
contributor's points ledger.

A real server on loopback (the `server` fixture), real HTTP and Socket.IO clients.
"""

from __future__ import annotations

import asyncio
import csv
import io
import json
from typing import Any

import aiohttp
import pytest
import socketio

from app.domain.staff import LOCK_AFTER
from tests.conftest import MODERATOR
from tests.support import (
    DEADLINE,
    PRODUCT,
    LiveServer,
    StaffClient,
    cid,
    create_staff,
    new_visitor,
    sign_in_staff,
)

LOGIN = "/api/v1/staff/login"


async def test_parallel_wrong_passwords_each_count_and_lock_the_account(
    server: LiveServer,
) -> None:
    """25 wrong guesses sent at once: each one counts, so the account locks after
    LOCK_AFTER of them and even the right password then waits out the backoff."""
    await create_staff(server.overrides["database_url"], *MODERATOR, "moderator")
    async with aiohttp.ClientSession() as http:

        async def guess(n: int) -> int:
            wrong = {"email": MODERATOR[0], "password": f"wrong password {n}"}
            async with http.post(server.url + LOGIN, json=wrong) as resp:
                await resp.read()
                return resp.status

        statuses = await asyncio.gather(*(guess(n) for n in range(25)))
        right = {"email": MODERATOR[0], "password": MODERATOR[1]}
        async with http.post(server.url + LOGIN, json=right) as resp:
            after = resp.status
    assert set(statuses) <= {401, 429}, statuses
    assert statuses.count(401) <= LOCK_AFTER, statuses  # guesses checked against the hash
    assert after == 429


async def test_logout_ends_the_session_for_every_copy_of_its_cookie(
    server: LiveServer, staff: StaffClient
) -> None:
    """A session cookie copied before sign-out is refused afterwards, on the JSON API and
    on the `/staff` socket (a socket it had open is closed); signing in again works."""
    copied = {"Cookie": staff.cookie, "X-CSRF-Token": staff.csrf}
    async with (  # the copy works while the session lives
        aiohttp.ClientSession() as http,
        http.get(server.url + "/api/v1/staff/me", headers=copied) as resp,
    ):
        assert resp.status == 200
    ended = asyncio.Event()
    copy_socket = socketio.AsyncClient(reconnection=False)
    copy_socket.on("disconnect", lambda *_: ended.set(), namespace="/staff")
    await copy_socket.connect(
        server.url, headers={"Cookie": staff.cookie}, namespaces=["/staff"],
        transports=["websocket"], wait_timeout=DEADLINE,
    )  # fmt: skip

    await staff.post("/api/v1/staff/logout")

    await asyncio.wait_for(ended.wait(), DEADLINE)  # the live socket of the copy is closed
    await copy_socket.disconnect()

    async with aiohttp.ClientSession() as http:
        for path in ("/api/v1/staff/me", "/api/v1/staff/cases"):
            async with http.get(server.url + path, headers=copied) as resp:
                assert resp.status == 401, path
                assert (await resp.json())["error"]["code"] == "unauthorized"
        async with http.post(server.url + "/api/v1/staff/logout", headers=copied) as resp:
            assert resp.status == 401
        async with http.get(server.url + "/staff", headers=copied, allow_redirects=False) as r:
            assert r.status == 302 and r.headers["Location"].endswith("/staff/login")
    with pytest.raises(socketio.exceptions.ConnectionError):
        await staff.socket()

    again = await sign_in_staff(server.url, *MODERATOR)
    try:
        assert (await again.get("/api/v1/staff/me"))["staff"]["email"] == MODERATOR[0]
        live = await again.socket()
        await live.sio.disconnect()
    finally:
        await again.http.close()


async def test_the_console_sign_out_form_ends_the_session_too(
    server: LiveServer, staff: StaffClient
) -> None:
    copied = {"Cookie": staff.cookie}
    async with staff.http.post(
        server.url + "/staff/logout", data={"csrf_token": staff.csrf}, allow_redirects=False
    ) as resp:
        assert resp.status == 302
    async with (
        aiohttp.ClientSession() as http,
        http.get(server.url + "/api/v1/staff/me", headers=copied) as resp,
    ):
        assert resp.status == 401


FORMULA_STARTS = ("=", "+", "-", "@")
HOSTILE_NAMES = ["x,=1+1,", "y;+SUM(1;2)", "z, @A1", 'w,"=2+3"', "v;-1,=cmd|' /C calc'!A0"]


async def test_contributors_csv_is_inert_in_a_spreadsheet_that_splits_on_commas(
    server: LiveServer, staff: StaffClient
) -> None:
    """Names that carry a formula after a comma or a semicolon stay text whichever
    separator the spreadsheet splits on, and still read as the name."""
    for n, name in enumerate(HOSTILE_NAMES):
        visitor = await new_visitor(server.url, name)
        await staff.post(
            f"/api/v1/staff/contributors/{visitor['id']}/bonus", {"points": 5 + n, "note": "ok"}
        )
    async with staff.http.get(
        server.url + "/api/v1/staff/contributors.csv", params={"period": "all"}
    ) as resp:
        assert resp.status == 200
        text = (await resp.read()).decode("utf-8-sig")

    assert len(text.splitlines()) == 1 + len(HOSTILE_NAMES)
    for separator in (",", ";", "\t"):
        for line in text.splitlines():
            for cell in line.split(separator):
                shown = cell.lstrip(' "')
                assert not shown.startswith(FORMULA_STARTS), (separator, line, cell)
    names = [row[1] for row in csv.reader(io.StringIO(text, newline=""), delimiter=";")][1:]
    assert sorted(n.replace("'", "") for n in names) == sorted(
        n.replace("'", "") for n in HOSTILE_NAMES
    )
    assert "x,'=1+1," in names


PUBLIC_POINTS_FIELDS = {"visitor_id", "name", "lang", "total", "rank", "badges", "standings"}


async def test_a_points_ledger_is_shown_only_to_its_owner_and_to_staff(
    server: LiveServer, staff: StaffClient, people: Any
) -> None:
    """The public answer is a profile (name, total, rank, badges, standings); the ledger
    with staff notes, rooms and times is for the visitor's own token and for staff."""
    helper, helper_client = await people("Éloïse")
    other, _ = await people("Mallory")
    room = "montre-plongee"
    assert (await helper_client.call("join", {"room": room, "product": PRODUCT}))["ok"]
    asker, asker_client = await people("Camille")
    assert (await asker_client.call("join", {"room": room, "product": PRODUCT}))["ok"]
    asked = await asker_client.call(
        "ask", {"room": room, "body": "Étanche à 100 m ?", "client_id": cid()}
    )
    answered = await helper_client.call(
        "answer", {"thread_id": asked["thread"]["id"], "body": "Oui.", "client_id": cid()}
    )
    assert answered["ok"], answered
    note = "Merci pour le guide des tailles, note interne"
    await staff.post(
        f"/api/v1/staff/contributors/{helper['id']}/bonus", {"points": 7, "note": note}
    )
    await server.settled()  # the answer's points follow its commit
    path = f"{server.url}/api/v1/visitors/{helper['id']}/points?lang=fr"

    async def read(headers: dict[str, str]) -> tuple[int, str]:
        async with aiohttp.ClientSession() as http, http.get(path, headers=headers) as resp:
            return resp.status, await resp.text()

    for who, headers in (
        ("anyone", {}),
        ("another visitor", {"Authorization": f"Bearer {other['token']}"}),
        ("the asker", {"Authorization": f"Bearer {asker['token']}"}),
    ):
        status, text = await read(headers)
        assert status == 200, (who, text)
        public = json.loads(text)
        assert set(public) == PUBLIC_POINTS_FIELDS, who
        assert public["name"] == "Éloïse" and public["total"] > 7
        assert public["rank"]["code"] == "newcomer"
        assert note not in text and room not in text and asked["thread"]["id"] not in text, who

    for who, headers in (
        ("the owner", {"Authorization": f"Bearer {helper['token']}"}),
        ("staff", {"Cookie": staff.cookie}),
    ):
        status, text = await read(headers)
        assert status == 200, (who, text)
        full = json.loads(text)
        assert set(full) >= PUBLIC_POINTS_FIELDS, who
        bonus = next(g for g in full["groups"] if g["reason"] == "bonus")
        assert note in bonus["entries"][0]["detail"], who
        answer = next(g for g in full["groups"] if g["reason"] == "answer")
        assert answer["entries"][0]["room"] == room, who

    status, text = await read({"Authorization": "Bearer not-a-token"})
    assert status == 401 and json.loads(text)["error"]["code"] == "unauthorized"
