"""Staff pages, API and the `/staff` namespace are for signed-in staff only."""

from __future__ import annotations

from typing import Any

import aiohttp
import pytest
import socketio

from tests.conftest import MODERATOR
from tests.support import LiveServer, StaffClient, create_staff, new_visitor, sign_in_staff

STAFF_GETS = ["/api/v1/staff/cases", "/api/v1/staff/me", "/api/v1/staff/detectors"]


async def test_visitors_and_forged_cookies_reach_nothing(server: LiveServer) -> None:
    visitor = await new_visitor(server.url, "Mallory")
    bearer = {"Authorization": f"Bearer {visitor['token']}"}
    forged = {"Cookie": "session=eyJzdGFmZl9pZCI6IjAxMjM0NTY3ODlhYmNkZWYifQ.forged.sig"}
    async with aiohttp.ClientSession() as http:
        for headers in ({}, bearer, forged):
            for path in STAFF_GETS:
                async with http.get(server.url + path, headers=headers) as r:
                    assert r.status == 401, path
            async with http.post(
                server.url + "/api/v1/staff/cases/0123456789abcdef/claim", headers=headers
            ) as r:
                assert r.status == 401
            async with http.get(server.url + "/staff", headers=headers, allow_redirects=False) as r:
                assert r.status == 302 and r.headers["Location"].endswith("/staff/login")
    for auth, headers in ((None, {}), ({"token": visitor["token"]}, {}), (None, forged)):
        sio = socketio.AsyncClient(reconnection=False)
        with pytest.raises(socketio.exceptions.ConnectionError):
            await sio.connect(
                server.url, namespaces=["/staff"], auth=auth, headers=headers,
                transports=["websocket"], wait_timeout=5,
            )  # fmt: skip
        await sio.disconnect()


async def test_moderators_cannot_do_admin_things(staff: StaffClient) -> None:
    async with staff.http.get(staff.url + "/api/v1/staff/detectors") as r:
        assert r.status == 403
    await staff.post(
        "/api/v1/staff/accounts",
        {"email": "x@boutique.example", "password": "a long enough password", "role": "admin"},
        status=403,
    )


async def test_admin_creates_staff_with_validation(admin: StaffClient) -> None:
    made = await admin.post(
        "/api/v1/staff/accounts",
        {"email": "Nouveau@Boutique.example", "password": "a long enough password",
         "role": "moderator", "name": "Inès"},
        status=201,
    )  # fmt: skip
    assert made["staff"] == {**made["staff"], "email": "nouveau@boutique.example", "name": "Inès"}
    for bad in (
        {"email": "nouveau@boutique.example", "password": "a long enough password",
         "role": "moderator"},  # taken
        {"email": "not-an-email", "password": "a long enough password", "role": "moderator"},
        {"email": "b@boutique.example", "password": "short", "role": "moderator"},
        {"email": "b@boutique.example", "password": "a long enough password", "role": "owner"},
        {"email": {"$ne": None}, "password": "a long enough password", "role": "admin"},
    ):  # fmt: skip
        async with admin.http.post(
            admin.url + "/api/v1/staff/accounts", json=bad, headers={"X-CSRF-Token": admin.csrf}
        ) as r:
            assert r.status in (400, 409), bad
            assert (await r.json())["error"]["code"] in ("invalid", "conflict")


async def test_writes_need_the_csrf_token(staff: StaffClient) -> None:
    for headers in ({}, {"X-CSRF-Token": "guess"}):
        async with staff.http.post(staff.url + "/api/v1/staff/logout", headers=headers) as r:
            assert r.status == 403
            assert (await r.json())["error"]["code"] == "forbidden"
    await staff.get("/api/v1/staff/me")  # still signed in
    await staff.post("/api/v1/staff/logout")
    async with staff.http.get(staff.url + "/api/v1/staff/me") as r:
        assert r.status == 401


async def test_session_cookie_flags(server: LiveServer) -> None:
    await create_staff(server.overrides["database_url"], *MODERATOR, "moderator")
    async with (
        aiohttp.ClientSession() as http,
        http.post(
            server.url + "/api/v1/staff/login",
            json={"email": MODERATOR[0], "password": MODERATOR[1]},
        ) as r,
    ):
        cookie = r.headers["Set-Cookie"].lower()
        assert "httponly" in cookie and "samesite=lax" in cookie


async def test_wrong_passwords_back_off(server: LiveServer) -> None:
    await create_staff(server.overrides["database_url"], *MODERATOR, "moderator")
    statuses = []
    async with aiohttp.ClientSession() as http:
        for _ in range(6):
            async with http.post(
                server.url + "/api/v1/staff/login",
                json={"email": MODERATOR[0], "password": "wrong password!"},
            ) as r:
                statuses.append(r.status)
        async with http.post(
            server.url + "/api/v1/staff/login",
            json={"email": MODERATOR[0], "password": MODERATOR[1]},
        ) as r:
            locked = r.status
    assert statuses == [401, 401, 401, 401, 401, 429]
    assert locked == 429  # even the right password waits out the backoff


@pytest.mark.parametrize(
    "body",
    [{"email": "a@b.fr"}, {"email": ["x"], "password": "y"}, "nope", {"email": "a", "password": 1}],
)
async def test_login_with_malformed_input(server: LiveServer, body: Any) -> None:
    async with (
        aiohttp.ClientSession() as http,
        http.post(server.url + "/api/v1/staff/login", json=body) as r,
    ):
        assert r.status in (400, 401)
        assert (await r.json())["error"]["code"] in ("invalid", "unauthorized")


async def test_login_form_needs_its_csrf_token(server: LiveServer) -> None:
    await create_staff(server.overrides["database_url"], *MODERATOR, "moderator")
    async with (
        aiohttp.ClientSession() as http,
        http.post(
            server.url + "/staff/login",
            data={"email": MODERATOR[0], "password": MODERATOR[1], "csrf_token": "forged"},
            allow_redirects=False,
        ) as r,
    ):
        assert r.status == 403
    client = await sign_in_staff(server.url, *MODERATOR)  # the JSON sign-in still works
    await client.http.close()
