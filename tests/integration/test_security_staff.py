"""Staff-side security over the wire: sign-in backoff under parallel guesses, sign-out that
ends the session on the server, the contributors CSV in any spreadsheet, and who may read a
contributor's points ledger.

A real server on loopback (the `server` fixture), real HTTP and Socket.IO clients.
"""

from __future__ import annotations

import asyncio

import aiohttp
import pytest
import socketio

from app.domain.staff import LOCK_AFTER
from tests.conftest import MODERATOR
from tests.support import DEADLINE, LiveServer, StaffClient, create_staff, sign_in_staff

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
