"""Redis clients that fail fast when Redis is unreachable or hung.

Every command has a socket timeout (TIMEOUT). After a timeout or a connection error the
process's breaker opens for COOL_OFF seconds, during which commands fail at once instead of
each waiting for the timeout: a hung Redis degrades the product (local delivery, presence
unknown, `unavailable` where a shared limit is needed) instead of stalling every write.
A subscription's blocking read has no timeout (it is idle most of the time): only errors
count there.
"""

from __future__ import annotations

import time
from typing import Any
from urllib.parse import urlsplit

from redis.asyncio import Redis
from redis.asyncio.connection import Connection, SSLConnection, UnixDomainSocketConnection
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

TIMEOUT = 0.5  # seconds: any Redis command, and connecting
COOL_OFF = 1.0  # seconds commands fail at once after a failure


class Breaker:
    """Open (refusing) for COOL_OFF seconds after each failure."""

    def __init__(self, cool_off: float = COOL_OFF) -> None:
        self._cool_off = cool_off
        self._open_until = 0.0
        self.trips = 0

    @property
    def open(self) -> bool:
        return time.monotonic() < self._open_until

    def trip(self) -> None:
        self._open_until = time.monotonic() + self._cool_off
        self.trips += 1


def _guarded(base: type[Connection], breaker: Breaker) -> type[Connection]:
    class Guarded(base):  # type: ignore[valid-type,misc]
        async def send_packed_command(self, command: Any, check_health: bool = True) -> None:
            if breaker.open:
                raise RedisConnectionError("Redis was unreachable a moment ago; not trying yet")
            try:
                await super().send_packed_command(command, check_health)
            except (RedisConnectionError, RedisTimeoutError):
                breaker.trip()
                raise

        async def read_response(self, *args: Any, **kwargs: Any) -> Any:
            try:
                return await super().read_response(*args, **kwargs)
            except (RedisConnectionError, RedisTimeoutError):
                breaker.trip()
                raise

    return Guarded


def redis_options(url: str, breaker: Breaker) -> dict[str, Any]:
    """`Redis.from_url` options: timeouts, and connections that report to `breaker`."""
    scheme = urlsplit(url).scheme
    base = {"rediss": SSLConnection, "unix": UnixDomainSocketConnection}.get(scheme, Connection)
    options: dict[str, Any] = {"connection_class": _guarded(base, breaker),
                               "socket_timeout": TIMEOUT}  # fmt: skip
    if base is not UnixDomainSocketConnection:
        options["socket_connect_timeout"] = TIMEOUT
    return options


def connect(url: str, breaker: Breaker) -> Redis:
    return Redis.from_url(url, **redis_options(url, breaker))
