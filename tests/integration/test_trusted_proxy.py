"""Behind a hosting router: `X-Forwarded-For` is believed only from the proxies named in
ENTRAIDE_FORWARDED_ALLOW_IPS, so the per-address limits count shoppers, not the router.

The real `entraide run` in a subprocess (the operator's command), spoken to from 127.0.0.1.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import aiohttp
import pytest

from tests.conftest import SECRET
from tests.support import DEADLINE, free_port

Start = Callable[..., Awaitable[str]]


@pytest.fixture
async def start_server(tmp_path: Path) -> AsyncIterator[Start]:
    """`await start(**env)` -> base URL of `entraide run` with those settings (at most two
    new visitors per address and hour); stopped after the test."""
    procs: list[asyncio.subprocess.Process] = []

    async def start(**env: str) -> str:
        port = free_port()
        clean = {
            k: v
            for k, v in os.environ.items()
            if not k.startswith("ENTRAIDE_") and k != "FORWARDED_ALLOW_IPS"
        }
        proc = await asyncio.create_subprocess_exec(
            *[sys.executable, "-m", "app.cli", "run", "--port", str(port)],
            *["--log-level", "warning"],
            env={
                **clean,
                "ENTRAIDE_DATABASE_URL": f"sqlite:///{tmp_path}/p{port}.db",
                "ENTRAIDE_SECRET_KEY": SECRET,
                "ENTRAIDE_VISITOR_RATE": "2/hour",
                "ENTRAIDE_SWEEPER": "off",
                **env,
            },
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        procs.append(proc)
        url = f"http://127.0.0.1:{port}"
        loop = asyncio.get_running_loop()
        end = loop.time() + 3 * DEADLINE  # a cold start imports the whole app
        async with aiohttp.ClientSession() as http:
            while True:
                try:
                    async with http.get(url + "/healthz") as resp:
                        if resp.status == 200:
                            return url
                except aiohttp.ClientConnectionError:
                    pass
                assert proc.returncode is None, "entraide run exited"
                assert loop.time() < end, "entraide run did not answer /healthz"
                await asyncio.sleep(0.05)  # polling a starting process, with a deadline

    yield start
    for proc in procs:
        proc.terminate()
        await asyncio.wait_for(proc.wait(), DEADLINE)


async def new_visitors_from(url: str, forwarded_for: str, count: int) -> list[int]:
    statuses = []
    async with aiohttp.ClientSession() as http:
        for n in range(count):
            async with http.post(
                url + "/api/v1/visitors",
                json={"name": f"Client {n}"},
                headers={"X-Forwarded-For": forwarded_for},
            ) as resp:
                statuses.append(resp.status)
    return statuses


async def test_a_trusted_proxy_s_forwarded_address_is_the_one_limited(start_server: Start) -> None:
    url = await start_server(ENTRAIDE_FORWARDED_ALLOW_IPS="127.0.0.1")
    assert await new_visitors_from(url, "203.0.113.7", 3) == [201, 201, 429]
    # Another shopper behind the same router has their own allowance.
    assert await new_visitors_from(url, "198.51.100.20", 2) == [201, 201]
    # The router appends the address it saw: a client-written first hop changes nothing.
    assert await new_visitors_from(url, "1.2.3.4, 203.0.113.7", 1) == [429]


@pytest.mark.parametrize(
    "env",
    [{}, {"ENTRAIDE_FORWARDED_ALLOW_IPS": "192.0.2.1,10.0.0.0/8"}],
    ids=["unset", "another proxy"],
)
async def test_an_untrusted_peer_s_forwarded_header_is_ignored(
    start_server: Start, env: dict[str, str]
) -> None:
    url = await start_server(**env)
    assert await new_visitors_from(url, "203.0.113.7", 2) == [201, 201]
    # A different X-Forwarded-For from the same peer is still the same address: limited.
    assert await new_visitors_from(url, "198.51.100.20", 1) == [429]


def test_a_malformed_proxy_list_stops_the_start_naming_the_variable(tmp_path: Path) -> None:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("ENTRAIDE_")}
    result = subprocess.run(
        [sys.executable, "-m", "app.cli", "init-db"],
        env={
            **clean,
            "ENTRAIDE_DATABASE_URL": f"sqlite:///{tmp_path}/e.db",
            "ENTRAIDE_FORWARDED_ALLOW_IPS": "10.0.0.1,router.internal",
        },
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 2
    assert "ENTRAIDE_FORWARDED_ALLOW_IPS" in result.stderr and "router.internal" in result.stderr


async def test_raw_client_addresses_are_never_stored(start_server: Start, tmp_path: Path) -> None:
    """Privacy: only a keyed hash of the network is kept (rewards), never the address; the
    database files (and the write-ahead log) hold no trace of it, in any form."""
    url = await start_server(ENTRAIDE_FORWARDED_ALLOW_IPS="127.0.0.1")
    assert await new_visitors_from(url, "81.250.40.7", 2) == [201, 201]  # public addresses:
    assert await new_visitors_from(url, "2a01:cb00:85a3::370:7334", 1) == [201]  # hashed
    stored = await asyncio.to_thread(
        lambda: b"".join(p.read_bytes() for p in tmp_path.glob("*.db*"))
    )
    assert b"Client 0" in stored  # the visitors are there...
    for trace in (b"81.250.40", b"2a01:cb00", b"2a01:0cb00"):
        assert trace not in stored, trace  # ...their addresses and networks are not
