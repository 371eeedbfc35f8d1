"""A real SMTP server on loopback (aiosmtpd) that keeps what it receives, parsed.

Addresses in `refuse` get a permanent 550 at RCPT; addresses in `defer` a temporary 451.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any, cast

from aiosmtpd.controller import Controller

from tests.support import DEADLINE, eventually, free_port

LINK = re.compile(r"https?://[^\s\"'<>]+")


class _Handler:
    def __init__(self, box: Mailbox) -> None:
        self.box = box

    async def handle_RCPT(  # aiosmtpd's hook names
        self, server: Any, session: Any, envelope: Any, address: str, rcpt_options: Any
    ) -> str:
        if address in self.box.refuse:
            return "550 5.1.1 no such user"
        if address in self.box.defer:
            return "451 4.3.0 try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        message = cast(EmailMessage, message_from_bytes(envelope.content, policy=policy.default))
        with self.box.arrived:
            self.box.received.append(message)
            self.box.arrived.notify_all()
        return "250 Message accepted for delivery"


class Mailbox:
    def __init__(self) -> None:
        self.port = free_port()
        self.url = f"smtp://127.0.0.1:{self.port}"
        self.received: list[EmailMessage] = []
        self.refuse: set[str] = set()
        self.defer: set[str] = set()
        self.arrived = threading.Condition()
        self._controller = Controller(_Handler(self), hostname="127.0.0.1", port=self.port)

    def start(self) -> None:
        self._controller.start()

    def stop(self) -> None:
        self._controller.stop()

    def to(self, address: str) -> list[EmailMessage]:
        with self.arrived:
            return [m for m in self.received if m["To"] == address]

    def wait_until(self, address: str, count: int = 1) -> list[EmailMessage]:
        """Blocking: the first `count` messages to `address`, woken by each arrival (for
        the synchronous browser tests)."""
        with self.arrived:
            found = self.arrived.wait_for(lambda: len(self.to(address)) >= count, DEADLINE)
            assert found, f"{count} e-mail(s) to {address} within {DEADLINE}s"
            return self.to(address)

    async def wait_for(self, address: str, count: int = 1) -> list[EmailMessage]:
        """The first `count` messages to `address`, within the shared deadline."""

        async def inbox() -> list[EmailMessage]:
            return self.to(address)

        found: list[EmailMessage] = await eventually(
            inbox, lambda got: len(got) >= count, f"{count} e-mail(s) to {address}"
        )
        return found

    async def wait_until_async(self, check: Callable[[], bool]) -> None:
        """Until `check()` holds (it reads the inbox), within the shared deadline."""

        async def holds() -> bool:
            return check()

        await eventually(holds, bool, "the inbox to match")


def text_of(message: EmailMessage) -> str:
    part = message.get_body(preferencelist=("plain",))
    assert part is not None
    return cast(str, part.get_content())


def html_of(message: EmailMessage) -> str:
    part = message.get_body(preferencelist=("html",))
    assert part is not None
    return cast(str, part.get_content())


def links(message: EmailMessage) -> list[str]:
    return LINK.findall(text_of(message))
