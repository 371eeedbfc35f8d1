"""Socket.IO fan-out through Redis that degrades instead of stalling, and heals.

python-socketio's Redis manager delivers an emit to this process's clients, then publishes
it for the other processes. Here:
- publishing has Redis's command timeout and the process's breaker (adapters/redis_health):
  while Redis is down or hung, emits reach local clients at once and are not published;
- after such a miss, a healing task tries every RETRY_FIRST..RETRY_MAX seconds to publish
  a HEAL message; when it goes through, every process (this one included) runs `recovered`;
- the subscription comes back promptly (the same short retries; python-socketio waits 1,
  2, 4... s) and a renewed subscription runs `recovered` too.
`recovered` makes each process tell its rooms their latest seq, so clients that missed
events while processes could not talk fetch them (`join` with `since`).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Callable, Coroutine
from typing import Any

import socketio

from app.adapters.redis_health import Breaker, redis_options
from app.realtime.broadcast import DirectBroadcast

log = logging.getLogger(__name__)
RETRY_FIRST, RETRY_MAX = 0.1, 1.0  # seconds between attempts to reach Redis again
HEAL = "entraide.heal"  # a pub/sub message (not an emit): "Redis is back, re-advertise"


class FanOut(socketio.AsyncRedisManager, DirectBroadcast):  # type: ignore[misc]
    """Redis fan-out; local deliveries (this process's and other processes' emits) go
    through DirectBroadcast."""

    def __init__(
        self, url: str, channel: str, breaker: Breaker,
        recovered: Callable[[], Coroutine[Any, Any, None]] | None = None,
    ) -> None:  # fmt: skip
        super().__init__(url, channel=channel, redis_options=redis_options(url, breaker))
        self._breaker = breaker
        self.recovered = recovered
        self._healing: asyncio.Task[None] | None = None
        self._tasks: set[asyncio.Task[None]] = set()

    def _run_recovered(self) -> None:
        if self.recovered is not None:
            task: asyncio.Task[None] = asyncio.create_task(self.recovered())
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

    async def _publish(self, data: Any) -> None:
        if self._healing is None and not self._breaker.open:
            try:
                if not self.connected:
                    self._redis_connect()
                await self.redis.publish(self.channel, self.json.dumps(data))
                return
            except Exception as exc:  # Redis down or hung: delivered locally only
                log.warning("not published to other processes (Redis: %s)", exc)
        if self._healing is None:  # other processes miss this: heal once Redis answers
            self._healing = asyncio.create_task(self._heal())

    async def _heal(self) -> None:
        wait = RETRY_FIRST
        while True:
            await asyncio.sleep(wait)  # backing off between attempts to reach Redis
            wait = min(wait * 2, RETRY_MAX)
            if self._breaker.open:
                continue
            try:
                await self.redis.publish(self.channel, self.json.dumps(
                    {"method": HEAL, "host_id": self.host_id}))  # fmt: skip
            except Exception as exc:
                log.debug("Redis still out of reach: %s", exc)
                continue
            break
        self._healing = None
        log.info("Redis answers again: rooms re-advertise their seq")
        self._run_recovered()

    async def _listen(self) -> AsyncIterator[Any]:
        async for message in super()._listen():
            if (
                isinstance(message, bytes)
                and HEAL.encode() in message
                and self._heal_message(message)
            ):
                self._run_recovered()  # another process could not publish for a while
                continue
            yield message

    def _heal_message(self, message: bytes) -> bool:
        with contextlib.suppress(ValueError):
            data = self.json.loads(message)
            return isinstance(data, dict) and data.get("method") == HEAL
        return False

    async def _redis_listen_with_retries(self) -> AsyncIterator[Any]:
        wait, failed = RETRY_FIRST, False
        while True:
            try:
                await self._resubscribe()
                if failed:
                    failed = False
                    self._run_recovered()
                wait = RETRY_FIRST
                async for message in self.pubsub.listen():
                    yield message
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                if not failed:
                    log.warning("Redis subscription lost (%s); retrying", exc)
                failed = True
                await asyncio.sleep(wait)  # backing off before the next attempt
                wait = min(wait * 2, RETRY_MAX)

    async def _resubscribe(self) -> None:
        """A fresh subscription (the previous one closed, not leaked)."""
        old: Any = getattr(self, "pubsub", None)
        if old is not None:
            with contextlib.suppress(Exception):
                await old.aclose()
        if self.redis is None:
            self._redis_connect()
        else:
            self.pubsub = self.redis.pubsub(ignore_subscribe_messages=True)
        pubsub: Any = self.pubsub
        await pubsub.subscribe(self.channel)

    async def close(self) -> None:
        for task in [*self._tasks, *([self._healing] if self._healing else [])]:
            task.cancel()
