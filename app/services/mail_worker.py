"""The mail worker: sends what the queue holds, retries with backoff, records the outcome.

Runs beside the server (one per process; the store's claim gives each e-mail to one worker,
leased for LEASE so a worker that dies mid-send only delays it). It wakes when this process
queues an e-mail and polls every POLL seconds for retries and other processes' e-mails.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from datetime import timedelta
from email.message import EmailMessage
from email.utils import formatdate, make_msgid, parseaddr
from typing import Protocol

from app.domain.mail import Mail, next_attempt
from app.domain.models import utcnow
from app.store.port import MailStore

log = logging.getLogger(__name__)
POLL = 5.0  # seconds
LEASE = timedelta(minutes=5)
BATCH = 50
PARALLEL = 4  # SMTP conversations at once


class DeliveryError(Exception):
    """A send that did not happen; `permanent` (a 5xx answer) is not retried."""

    def __init__(self, reason: str, *, permanent: bool = False) -> None:
        super().__init__(reason)
        self.permanent = permanent


class MailTransport(Protocol):
    async def send(self, message: EmailMessage) -> None:
        """Hand the message to the SMTP server, or raise DeliveryError."""


def to_message(mail: Mail, sender: str) -> EmailMessage:
    """Plain text and HTML alternatives; one-click unsubscribe headers (RFC 8058) when the
    e-mail has an unsubscribe link."""
    message = EmailMessage()
    message["From"] = sender
    message["To"] = mail.to
    message["Subject"] = mail.subject
    message["Date"] = formatdate(localtime=False)
    domain = parseaddr(sender)[1].rpartition("@")[2] or "localhost"
    message["Message-ID"] = make_msgid(idstring=mail.id, domain=domain)
    if mail.unsubscribe_url:
        message["List-Unsubscribe"] = f"<{mail.unsubscribe_url}>"
        message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(mail.text)
    message.add_alternative(mail.html, subtype="html")
    return message


class MailWorker:
    def __init__(
        self, store: MailStore, transport: MailTransport, sender: str, wake: asyncio.Event,
        *, poll: float = POLL,
    ) -> None:  # fmt: skip
        self._store = store
        self._transport = transport
        self._sender = sender
        self._wake = wake
        self._poll = poll
        self._slots = asyncio.Semaphore(PARALLEL)

    async def run(self) -> None:
        """Send until cancelled."""
        while True:
            self._wake.clear()  # before claiming: an e-mail queued meanwhile wakes the next turn
            try:
                sent = await self.send_due()
            except Exception:
                log.exception("mail worker: could not read the queue; trying again")
                sent = 0
            if sent < BATCH:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), self._poll)

    async def send_due(self) -> int:
        """Send one batch of due e-mails; how many were tried. The batch's sends are
        recorded in one write (a crash before it sends them again: at least once)."""
        now = utcnow()
        due = await self._store.claim_mails(now, now + LEASE, BATCH)
        sent = [m.id for m, ok in zip(due, await asyncio.gather(*map(self._send, due)),
                                      strict=True) if ok]  # fmt: skip
        if sent:
            await self._store.mails_sent(sent, utcnow())
        return len(due)

    async def _send(self, mail: Mail) -> bool:
        async with self._slots:
            try:
                # Building the MIME message (the email package's header parsing) costs
                # milliseconds: off the event loop, or a burst of e-mails delays every ack.
                message = await asyncio.to_thread(to_message, mail, self._sender)
                await self._transport.send(message)
                return True
            except DeliveryError as exc:
                await self._failed(mail, str(exc), permanent=exc.permanent)
            except Exception as exc:  # a bug or an unforeseen library error: retry later
                log.exception("mail %s: unexpected error while sending", mail.id)
                await self._failed(mail, type(exc).__name__, permanent=False)
            return False

    async def _failed(self, mail: Mail, reason: str, *, permanent: bool) -> None:
        attempts = mail.attempts + 1
        retry_at = None if permanent else next_attempt(attempts, utcnow())
        log.warning("mail %s to %s failed (attempt %d): %s", mail.id, mail.kind, attempts, reason)
        await self._store.mail_failed(mail.id, attempts, reason, retry_at)
