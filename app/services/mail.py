"""E-mail to people who left: "e-mail me when someone answers", double opt-in, one-click
unsubscribe, and the answer e-mails themselves.

Nothing here sends anything: e-mails are queued in the store (the confirmation with the
address, in one unit of work; answer e-mails by a bus listener, after the answer committed)
and `MailWorker` sends them. No e-mail goes to an address before it is confirmed, except the
confirmation itself (at most CONFIRMATIONS_PER_DAY a day to one address), and answer e-mails
stop at once when the address is removed or unsubscribed.
"""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any

from app.domain.errors import Forbidden, Invalid, RateLimited, Unavailable
from app.domain.mail import (
    ANSWER_EVERY,
    CONFIRMATIONS_PER_DAY,
    Consent,
    EmailAddress,
    Mail,
    MailKind,
    MailStats,
    Purpose,
    address_key,
)
from app.domain.models import EventType, Message, MessageKind, Visibility, Visitor, utcnow
from app.domain.staff import Staff
from app.services import payloads as p
from app.services.bus import AnswerPosted, EventBus, PrivateMessage, RoomChanged
from app.services.gate import Gate
from app.services.mail_compose import MailComposer
from app.store.port import MailUnit

# The consent text the widget shows beside the address field, stored with each consent.
CONSENT_TEXT = {
    "fr": "J'accepte de recevoir un e-mail quand quelqu'un répond à mes questions. Je peux me"
    " désinscrire à tout moment depuis chaque e-mail.",
    "en": "I agree to receive an e-mail when someone answers my questions. I can unsubscribe"
    " at any time from any e-mail.",
}
DIGEST_CONSENT = {
    "fr": "Recevoir chaque lundi le récapitulatif de la semaine par e-mail.",
    "en": "Receive the week's digest by e-mail every Monday.",
}
Online = Callable[[str], Awaitable[bool]]  # whether a visitor has a socket open right now


class MailService:
    def __init__(
        self,
        store: MailUnit,
        gate: Gate,
        bus: EventBus,
        composer: MailComposer | None,
        online: Online,
    ) -> None:
        self._store = store
        self._gate = gate
        self._bus = bus
        self._composer = composer  # None: no SMTP, no e-mail
        self._online = online
        self.queued = asyncio.Event()  # set when this process queues an e-mail (the worker waits)

    @property
    def available(self) -> bool:
        return self._composer is not None

    def subscribe_listeners(self) -> None:
        if self._composer is not None:
            self._bus.subscribe(AnswerPosted.name, self._on_answer)
            self._bus.subscribe(PrivateMessage.name, self._on_answer)
            self._bus.subscribe(RoomChanged.name, self._on_staff_reply)

    def _compose(self) -> MailComposer:
        if self._composer is None:
            raise Unavailable("this shop does not send e-mail")
        return self._composer

    # the visitor's address ---------------------------------------------------------------
    async def subscribe(self, visitor: Visitor | None, data: Any) -> EmailAddress:
        """Record the address and the consent given with it, and queue the confirmation."""
        composer = self._compose()
        visitor = await self._gate.admit(visitor)
        cmd = p.parse(p.EmailSubscribe, data)
        email = p.normalized_email(cmd.email)
        current = await self._store.get_address(visitor.id)
        if current is not None and current.confirmed and current.email == email:
            return current  # nothing to confirm again
        if await self._store.is_suppressed(address_key(email), MailKind.CONFIRM):
            raise Forbidden("this address asked not to receive e-mail from this shop")
        now = utcnow()
        if (
            await self._store.mails_since(now - timedelta(days=1), to=email, kind=MailKind.CONFIRM)
            >= CONFIRMATIONS_PER_DAY
        ):
            raise RateLimited("too many confirmation e-mails to this address today")
        address = EmailAddress(visitor.id, email, cmd.lang, now, nonce=secrets.token_urlsafe(16))
        consent = Consent(visitor.id, Purpose.ANSWERS, CONSENT_TEXT[cmd.lang], cmd.lang, now)
        async with self._store.atomic():
            await self._store.save_address(address, consent)
            await self._store.enqueue_mail(composer.confirm(address))
        self.queued.set()
        return address

    async def address(self, visitor: Visitor) -> EmailAddress | None:
        return await self._store.get_address(visitor.id)

    async def forget(self, visitor: Visitor) -> None:
        """Remove the address: consent withdrawn, nothing more is sent to it."""
        await self._store.delete_address(visitor.id, utcnow())

    async def confirm(self, token: object) -> EmailAddress:
        """The confirmation link: once, with the newest address's nonce."""
        visitor_id, nonce = self._compose().links.read_confirm(token)
        if not await self._store.confirm_address(visitor_id, nonce, utcnow()):
            raise Invalid("this link was already used, or a newer address replaced it")
        address = await self._store.get_address(visitor_id)
        assert address is not None
        return address

    def read_unsubscribe(self, token: object) -> tuple[str, MailKind]:
        return self._compose().links.read_unsubscribe(token)

    async def unsubscribe(self, token: object) -> MailKind:
        """One-click unsubscribe (RFC 8058): that kind of e-mail, to that address, never
        again. Idempotent: mail clients may post it more than once."""
        email, kind = self.read_unsubscribe(token)
        await self._store.suppress(address_key(email), kind, utcnow())
        return kind

    # staff: the weekly digest -----------------------------------------------------------
    async def set_digest(self, staff: Staff, lang: str | None) -> None:
        """Staff ask for the weekly digest by e-mail in `lang` (None: stop), recorded as
        consent (or its withdrawal)."""
        if lang is not None and lang not in CONSENT_TEXT:
            raise Invalid("lang: fr or en")
        self._compose()
        now = utcnow()
        async with self._store.atomic():
            await self._store.set_digest_lang(staff.id, lang)
            for consent in await self._store.list_consents(staff.id):
                if consent.purpose is Purpose.DIGEST and consent.withdrawn_at is None:
                    consent.withdrawn_at = now
                    await self._store.save_consent(consent)
            if lang is not None:
                await self._store.save_consent(
                    Consent(staff.id, Purpose.DIGEST, DIGEST_CONSENT[lang], lang, now)
                )

    async def queue_digests(
        self, week: str, render: Callable[[str, str | None], Awaitable[tuple[str, str]]]
    ) -> int:
        """The week's digest to each staff member who asked for it; how many."""
        if self._composer is None:
            return 0
        queued = 0
        for staff in await self._store.digest_recipients():
            if staff.digest_lang is None or await self._store.is_suppressed(
                address_key(staff.email), MailKind.DIGEST
            ):
                continue
            unsubscribe = self._composer.links.unsubscribe_url(staff.email, MailKind.DIGEST,
                                                               staff.digest_lang)  # fmt: skip
            _, html = await render(staff.digest_lang, unsubscribe)
            await self._store.enqueue_mail(
                self._composer.digest(staff.email, staff.digest_lang, week, html, unsubscribe)
            )
            queued += 1
        if queued:
            self.queued.set()
        return queued

    async def stats(self) -> MailStats:
        return await self._store.mail_stats()

    async def failed(self, limit: int) -> list[Mail]:
        return await self._store.failed_mails(limit)

    # answer e-mails ----------------------------------------------------------------------
    async def _on_staff_reply(self, change: RoomChanged) -> None:
        """A public staff reply (community answers come as AnswerPosted, private replies as
        PrivateMessage)."""
        message = change.message
        created = change.event.type is EventType.MESSAGE_CREATED
        if created and message is not None and message.kind is MessageKind.STAFF:
            await self._on_answer(PrivateMessage(change.thread, message))

    async def _on_answer(self, event: AnswerPosted | PrivateMessage) -> None:
        """One e-mail to an asker who left, per question per ANSWER_EVERY at most."""
        thread, message = event.thread, event.message
        if not _tells_the_asker(message, thread.author_id) or thread.held:
            return
        address = await self._store.get_address(thread.author_id)
        if address is None or not address.confirmed:
            return
        if await self._store.is_suppressed(address_key(address.email), MailKind.ANSWER):
            return
        if await self._online(thread.author_id):
            return  # they see it live
        since = utcnow() - ANSWER_EVERY
        if await self._store.mails_since(since, thread_id=thread.id, kind=MailKind.ANSWER):
            return
        room = await self._store.get_room(thread.room)
        if room is None:
            return
        mail = self._compose().answer(address, thread, room, message,
                                      by_staff=message.kind is MessageKind.STAFF)  # fmt: skip
        await self._store.enqueue_mail(mail)
        self.queued.set()


def _tells_the_asker(message: Message, asker_id: str) -> bool:
    """An answer or staff reply the asker may read, by someone else."""
    if message.author_id == asker_id or message.hidden:
        return False
    if message.visibility is Visibility.HELD:
        return False
    return message.kind in (MessageKind.ANSWER, MessageKind.STAFF)
