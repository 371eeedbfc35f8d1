"""Staff-side security over the wire: sign-in backoff under parallel guesses, sign-out that
ends the session on the server, the contributors CSV in any spreadsheet, and who may read a
contributor's points ledger.

A real server on loopback (the `server` fixture), real HTTP and Socket.IO clients.
"""

from __future__ import annotations

import asyncio

import aiohttp

from app.domain.staff import LOCK_AFTER
from tests.conftest import MODERATOR
from tests.support import LiveServer, create_staff

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
