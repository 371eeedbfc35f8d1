"""Escalation webhook: each new case is POSTed to the brand's helpdesk as signed JSON.

The signature is `X-Entraide-Signature: sha256=<hex HMAC-SHA256 of the raw body>` with the
shared secret. Delivery runs in background tasks with exponential backoff, never on the
chat's path; its status (pending, delivered, failed) is saved on the case.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import hmac
import json
import logging
from typing import Any

import httpx

from app.domain.errors import Conflict
from app.services.bus import CaseChanged, EventBus
from app.services.case_views import case_view
from app.store.port import Store
from moderation.cases import WebhookStatus

log = logging.getLogger(__name__)
ATTEMPTS = 5
FIRST_DELAY = 1.0  # seconds; doubles after each failure
TIMEOUT = 10.0


def sign(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


class Webhook:
    def __init__(
        self, store: Store, url: str, secret: str, *, first_delay: float = FIRST_DELAY
    ) -> None:
        self._store = store
        self._url = url
        self._secret = secret
        self._first_delay = first_delay
        self._tasks: set[asyncio.Task[None]] = set()

    def subscribe(self, bus: EventBus) -> None:
        bus.subscribe(CaseChanged.name, self._on_case)

    async def _on_case(self, change: CaseChanged) -> None:
        if not change.opened:
            return
        payload = {"event": "case.opened", "case": case_view(change.case, change.thread)}
        task = asyncio.create_task(self.deliver(change.case.id, payload))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def deliver(self, case_id: str, payload: dict[str, Any]) -> None:
        body = json.dumps(payload, ensure_ascii=False).encode()
        headers = {
            "Content-Type": "application/json",
            "X-Entraide-Signature": sign(self._secret, body),
        }
        delay = self._first_delay
        await self._record(case_id, WebhookStatus("pending", 0, None))
        async with httpx.AsyncClient(timeout=TIMEOUT) as client:
            for attempt in range(1, ATTEMPTS + 1):
                error = None
                try:
                    response = await client.post(self._url, content=body, headers=headers)
                    if response.is_success:
                        await self._record(case_id, WebhookStatus("delivered", attempt, None))
                        return
                    error = f"HTTP {response.status_code}"
                except httpx.HTTPError as exc:
                    error = type(exc).__name__
                final = attempt == ATTEMPTS
                await self._record(
                    case_id, WebhookStatus("failed" if final else "pending", attempt, error)
                )
                if not final:
                    await asyncio.sleep(delay)
                    delay *= 2

    async def _record(self, case_id: str, status: WebhookStatus) -> None:
        for _ in range(5):  # the case may be changing under staff hands: re-read and retry
            case = await self._store.get_case(case_id)
            if case is None:
                return
            case.webhook = status
            try:
                await self._store.update_case(case)
                return
            except Conflict:
                continue
        log.warning("could not record webhook status for case %s", case_id)

    async def close(self) -> None:
        for task in list(self._tasks):
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
